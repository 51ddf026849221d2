//! The account page (what a hijacker is after: card, orders) and the JSON identity endpoint that
//! scenarios use as their "am I logged in" oracle.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use crate::demo::accounts::masked_card;
use crate::demo::events;
use crate::demo::flaws::Flaw;
use crate::demo::html::{self, attr, text};
use crate::demo::shapes::Shape;
use crate::demo::state::AppState;
use crate::demo::visit::Visit;

// Reads the token back from localStorage, the way single-page apps do, which is exactly why any
// script on the page (XSS, a compromised analytics tag) can read it too.
const API_FROM_STORAGE: &str = r#"<p>API says you are: <span id="api-me">…</span></p>
<script>
fetch("{API_ME}", {headers: {"X-Session-Token": localStorage.getItem("tb_token") || ""}})
  .then(function (r) { return r.json(); })
  .then(function (j) { document.getElementById("api-me").textContent = j.email || "nobody"; });
</script>"#;

/// The account page as the server renders it (under `late-render`, late.rs serves a logged-in
/// visitor a shell whose script shows this page's `<main>`).
pub async fn account(State(app): State<AppState>, Extension(visit): Extension<Visit>) -> Response {
    let Some(user) = &visit.user else {
        return html::login_required(&app, &visit, "/account");
    };
    let (card, orders, sessions) = {
        let store = app.store();
        let card = store
            .users
            .get(user.id)
            .map(|u| u.card_last4.clone())
            .unwrap_or_default();
        let orders: String = store
            .checkouts
            .orders_of(user.id)
            .map(|o| {
                let event = events::find(o.event_id).map(|e| e.name).unwrap_or("Event");
                format!(
                    r#"<li class="order" id="order-{id}"><span class="order-id">{id}</span> · {event} · seats {seats} · {total}</li>
"#,
                    id = text(&o.id),
                    event = text(event),
                    seats = text(&o.seats.join(", ")),
                    total = events::format_price(o.total_cents),
                )
            })
            .collect();
        (card, orders, store.sessions.count_for_user(user.id))
    };
    let orders = if orders.is_empty() {
        r#"<li class="muted" id="no-orders">No orders yet.</li>
"#
        .to_string()
    } else {
        orders
    };
    let api = if app.config.flaws.contains(Flaw::TokenInStorage) {
        API_FROM_STORAGE.replace("{API_ME}", &visit.url("/api/me"))
    } else {
        String::new()
    };
    let logout = if app.config.has(Shape::LogoutOnAccountPage) {
        format!("{}\n", html::logout_form(&app, &visit))
    } else {
        String::new()
    };
    let body = format!(
        r#"<h1>Your account</h1>
<div class="card">
<p>Signed in as <span id="account-email">{email}</span></p>
<p>Saved card:</p>
<p id="saved-card">{card}</p>
<p class="muted">Active sessions: <span id="session-count">{sessions}</span></p>
<p><a id="change-password-link" href="{password}">Change password</a></p>
{api}
</div>
{logout}<h2>Orders</h2>
<ul id="order-history">
{orders}</ul>"#,
        email = text(&user.email),
        card = text(&masked_card(&card)),
        password = attr(&visit.href("/password")),
    );
    html::ok(html::page(&app, &visit, "Your account", &body))
}

pub async fn me(Extension(visit): Extension<Visit>) -> Response {
    match &visit.user {
        Some(user) => Json(json!({ "email": user.email })).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "not logged in" })),
        )
            .into_response(),
    }
}
