//! The event list and the seat picker.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::demo::events::{self, Event};
use crate::demo::html::{self, attr, csrf_field, text};
use crate::demo::shapes::Shape;
use crate::demo::state::AppState;
use crate::demo::visit::Visit;

#[derive(Debug, Deserialize)]
pub struct ByeQuery {
    bye: Option<String>,
}

pub async fn index(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<ByeQuery>,
) -> Response {
    let items: String = events::EVENTS
        .iter()
        .map(|e| {
            format!(
                r#"<li><a id="event-{id}" href="{href}">{name}</a> <span class="muted">{venue} · {date} · from {price}</span></li>
"#,
                id = e.id,
                href = attr(&visit.href(&format!("/events/{}", e.id))),
                name = text(e.name),
                venue = text(e.venue),
                date = text(e.date),
                price = events::format_price(e.price_cents),
            )
        })
        .collect();
    // `echo-param`: the logout redirect's ?bye= is greeted by name on an anonymous page.
    let goodbye = query
        .bye
        .filter(|b| app.config.has(Shape::EchoParam) && !b.trim().is_empty())
        .map(|b| format!("<p id=\"goodbye\">Goodbye, {}!</p>\n", text(&b)))
        .unwrap_or_default();
    let body = format!(
        r#"{goodbye}<h1>Upcoming events</h1>
<ul id="events">
{items}</ul>"#
    );
    html::ok(html::page(&app, &visit, "Events", &body))
}

pub async fn event(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Path(id): Path<String>,
) -> Response {
    match id.parse().ok().and_then(events::find) {
        Some(event) => html::ok(event_page(&app, &visit, event, None)),
        None => not_found(&app, &visit),
    }
}

/// The event with its seat form; `error` explains why a previous submission was refused.
pub fn event_page(app: &AppState, visit: &Visit, event: &Event, error: Option<&str>) -> String {
    let seats: String = events::seat_labels()
        .map(|s| {
            format!(
                r#"<label><input type="checkbox" name="seat" value="{s}" id="seat-{s}"> {s}</label>
"#
            )
        })
        .collect();
    let error = error
        .map(|e| format!(r#"<p class="error" id="checkout-error">{}</p>"#, text(e)))
        .unwrap_or_default();
    let login_hint = if visit.is_logged_in() {
        String::new()
    } else {
        r#"<p class="muted" id="login-hint">You will be asked to log in before checkout.</p>"#
            .into()
    };
    let body = format!(
        r#"<h1 id="event-name">{name}</h1>
<p class="muted">{venue} · {date} · {price} per seat</p>
<div class="card">
<h2>Choose seats</h2>
{error}<form id="seat-form" method="post" action="{action}">
{csrf}<input type="hidden" name="event" value="{id}">
<div class="seats">
{seats}</div>
<button id="start-checkout" type="submit">Start checkout</button>
</form>
{login_hint}
</div>"#,
        name = text(event.name),
        venue = text(event.venue),
        date = text(event.date),
        price = events::format_price(event.price_cents),
        action = attr(&visit.href("/checkout/start")),
        csrf = csrf_field(app, visit),
        id = event.id,
    );
    html::page(app, visit, event.name, &body)
}

pub fn not_found(app: &AppState, visit: &Visit) -> Response {
    let body = format!(
        r#"<h1 id="not-found">Not found</h1><p><a href="{}">Back to events</a></p>"#,
        attr(&visit.href("/"))
    );
    html::respond(
        StatusCode::NOT_FOUND,
        html::page(app, visit, "Not found", &body),
    )
}

pub async fn fallback(State(app): State<AppState>, Extension(visit): Extension<Visit>) -> Response {
    not_found(&app, &visit)
}
