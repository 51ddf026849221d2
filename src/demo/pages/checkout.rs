//! The multi-step checkout: seats → attendee details → pay with the stored card. The details and pay
//! steps embed the third-party analytics origin, which is what a leaky Referer reaches.

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::demo::accounts::masked_card;
use crate::demo::checkout::{Checkout, CheckoutLookup, Order};
use crate::demo::events;
use crate::demo::form::FormData;
use crate::demo::html::{self, attr, csrf_field, text};
use crate::demo::pages::home;
use crate::demo::shapes::Shape;
use crate::demo::state::AppState;
use crate::demo::visit::Visit;

#[derive(Debug, Deserialize)]
pub struct CheckoutQuery {
    checkout: Option<String>,
}

const MAX_ATTENDEE_LEN: usize = 100;

fn analytics_tags(app: &AppState, page: &str) -> String {
    if app.config.has(Shape::NoThirdParty) {
        return String::new();
    }
    format!(
        r#"<script src="{base}/a.js" async></script>
<img id="analytics-pixel" src="{base}/pixel.gif?page={page}" alt="" width="1" height="1">"#,
        base = attr(&app.analytics_url),
    )
}

fn summary(checkout: &Checkout) -> String {
    let event = events::find(checkout.event_id);
    let name = event.map(|e| e.name).unwrap_or("Event");
    let price = event.map(|e| e.price_cents).unwrap_or(0);
    format!(
        r#"<p id="checkout-summary"><strong>{name}</strong> · seats <span id="checkout-seats">{seats}</span> · total <span id="checkout-total">{total}</span></p>"#,
        name = text(name),
        seats = text(&checkout.seats.join(", ")),
        total = events::format_price(price * checkout.seats.len() as u32),
    )
}

fn expired(app: &AppState, visit: &Visit) -> Response {
    let body = format!(
        r#"<h1 id="checkout-expired">Your checkout expired</h1>
<p>The checkout was left idle for too long, so its seats were released. You are still logged in.</p>
<p><a id="back-to-events" href="{}">Choose seats again</a></p>"#,
        attr(&visit.href("/"))
    );
    html::respond(
        StatusCode::GONE,
        html::page(app, visit, "Checkout expired", &body),
    )
}

/// The answer that ends a checkout handler early (not logged in, an unknown or expired checkout, no
/// attendee yet), for `?`. Boxed: a `Response` is large.
pub struct Early(Box<Response>);

impl From<Response> for Early {
    fn from(response: Response) -> Self {
        Early(Box::new(response))
    }
}

impl IntoResponse for Early {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// Resolves the checkout of this request for the logged-in user, handling the not-logged-in,
/// unknown and expired cases as responses.
fn active_checkout(app: &AppState, visit: &Visit, id: Option<&str>) -> Result<Checkout, Early> {
    let Some(user) = &visit.user else {
        return Err(html::login_required(app, visit, "/").into());
    };
    let lookup = match id {
        Some(id) => app
            .store()
            .checkouts
            .touch(id, user.id, Instant::now(), &app.config),
        None => CheckoutLookup::Missing,
    };
    match lookup {
        CheckoutLookup::Active(c) => Ok(c),
        CheckoutLookup::Expired => Err(expired(app, visit).into()),
        CheckoutLookup::Missing => Err(home::not_found(app, visit).into()),
    }
}

/// The checkout at its pay step: as [`active_checkout`], and back to the details step while it
/// names no attendee.
fn payable_checkout(app: &AppState, visit: &Visit, id: Option<&str>) -> Result<Checkout, Early> {
    let checkout = active_checkout(app, visit, id)?;
    if checkout.attendee.is_none() {
        return Err(html::see_other(
            &visit.href(&format!("/checkout/details?checkout={}", checkout.id)),
        )
        .into());
    }
    Ok(checkout)
}

pub async fn start(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let Some(event) = form.value("event").parse().ok().and_then(events::find) else {
        return home::not_found(&app, &visit);
    };
    let Some(user) = &visit.user else {
        return html::login_first(&visit, &format!("/events/{}", event.id));
    };
    let mut seats: Vec<String> = form
        .get_all("seat")
        .into_iter()
        .filter(|s| events::is_seat(s))
        .map(str::to_string)
        .collect();
    seats.sort();
    seats.dedup();
    if seats.is_empty() {
        return html::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            home::event_page(&app, &visit, event, Some("Pick at least one seat.")),
        );
    }
    let id = app
        .store()
        .checkouts
        .start(user.id, event.id, seats, Instant::now());
    html::see_other(&visit.href(&format!("/checkout/details?checkout={id}")))
}

fn details_page(app: &AppState, visit: &Visit, checkout: &Checkout, error: Option<&str>) -> String {
    let error = html::error_note("details-error", error);
    let body = format!(
        r#"<h1>Attendee details</h1>
{summary}
<div class="card">
{error}<form id="details-form" method="post" action="{action}">
{csrf}<input type="hidden" name="checkout" value="{id}">
<label for="attendee-name">Name on the tickets</label>
<input type="text" id="attendee-name" name="attendee_name" value="{attendee}" maxlength="{MAX_ATTENDEE_LEN}" required>
<div><button id="continue" type="submit">Continue to payment</button></div>
</form>
</div>
{analytics}"#,
        summary = summary(checkout),
        action = attr(&visit.href("/checkout/details")),
        csrf = csrf_field(app, visit),
        id = attr(&checkout.id),
        attendee = attr(checkout.attendee.as_deref().unwrap_or("")),
        analytics = analytics_tags(app, "details"),
    );
    html::page(app, visit, "Attendee details", &body)
}

pub async fn details_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<CheckoutQuery>,
) -> Result<Response, Early> {
    let checkout = active_checkout(&app, &visit, query.checkout.as_deref())?;
    Ok(html::ok(details_page(&app, &visit, &checkout, None)))
}

pub async fn details(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Result<Response, Early> {
    let form = FormData::parse(&body);
    let checkout = active_checkout(&app, &visit, form.get("checkout"))?;
    let attendee = form.value("attendee_name").trim();
    if attendee.is_empty() || attendee.chars().count() > MAX_ATTENDEE_LEN {
        let message = format!("Enter the attendee's name (up to {MAX_ATTENDEE_LEN} characters).");
        return Ok(html::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            details_page(&app, &visit, &checkout, Some(&message)),
        ));
    }
    app.store().checkouts.set_attendee(&checkout.id, attendee);
    Ok(html::see_other(
        &visit.href(&format!("/checkout/pay?checkout={}", checkout.id)),
    ))
}

pub async fn pay_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<CheckoutQuery>,
) -> Result<Response, Early> {
    let checkout = payable_checkout(&app, &visit, query.checkout.as_deref())?;
    let card = visit
        .user
        .as_ref()
        .and_then(|u| app.store().users.get(u.id).map(|u| u.card_last4.clone()))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Payment</h1>
{summary}
<div class="card">
<p>Attendee: <span id="attendee">{attendee}</span></p>
<p>Pay with your saved card:</p>
<p id="stored-card">{card}</p>
<form id="pay-form" method="post" action="{action}">
{csrf}<input type="hidden" name="checkout" value="{id}">
<button id="pay" type="submit">Pay now</button>
</form>
</div>
{analytics}"#,
        summary = summary(&checkout),
        attendee = text(checkout.attendee.as_deref().unwrap_or("")),
        card = text(&masked_card(&card)),
        action = attr(&visit.href("/checkout/pay")),
        csrf = csrf_field(&app, &visit),
        id = attr(&checkout.id),
        analytics = analytics_tags(&app, "pay"),
    );
    Ok(html::ok(html::page(&app, &visit, "Payment", &body)))
}

pub async fn pay(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Result<Response, Early> {
    let form = FormData::parse(&body);
    let checkout = payable_checkout(&app, &visit, form.get("checkout"))?;
    let price = events::find(checkout.event_id)
        .map(|e| e.price_cents)
        .unwrap_or(0);
    let order = {
        let mut store = app.store();
        let card = store
            .users
            .get(checkout.user)
            .map(|u| u.card_last4.clone())
            .unwrap_or_default();
        store
            .checkouts
            .pay(&checkout.id, &card, price * checkout.seats.len() as u32)
    };
    Ok(match order {
        Some(order) => html::ok(confirmation(&app, &visit, &order)),
        None => home::not_found(&app, &visit),
    })
}

fn confirmation(app: &AppState, visit: &Visit, order: &Order) -> String {
    let event = events::find(order.event_id)
        .map(|e| e.name)
        .unwrap_or("Event");
    let body = format!(
        r#"<h1 id="order-confirmed">Order confirmed</h1>
<div class="card">
<p>Order <span id="order-id">{id}</span></p>
<p>{event} · seats {seats} · attendee {attendee}</p>
<p>Charged {total} to {card}</p>
</div>
<p><a id="to-account" href="{account}">See your orders</a></p>"#,
        id = text(&order.id),
        event = text(event),
        seats = text(&order.seats.join(", ")),
        attendee = text(&order.attendee),
        total = events::format_price(order.total_cents),
        card = text(&masked_card(&order.card_last4)),
        account = attr(&visit.href("/account")),
    );
    html::page(app, visit, "Order confirmed", &body)
}
