//! The `late-render` shape: how single-page apps show an account. The account page arrives as a shell
//! whose script fetches the account (`/api/account`, answered after most of the render delay) and
//! renders it a moment later; until then the page says "Loading". Logged-in pages also keep a
//! long-poll for notifications open (`/api/updates`), and every page sends an analytics beacon that
//! the server is slow to acknowledge (`/api/beacon`). An oracle that answers "logged out" before the account
//! has rendered, or that waits for every request to end, is what this shape exposes.
//!
//! The rendered account is the server-rendered page's own `<main>`, so the markup scenarios select
//! from is the same with the shape or without it.

use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::{Json, body};
use serde_json::json;

use super::account;
use crate::demo::html::{self, js_string};
use crate::demo::state::AppState;
use crate::demo::visit::Visit;

/// How long the server holds a long-poll that has nothing to say (a page leaving ends it).
const LONG_POLL_HOLD: Duration = Duration::from_secs(25);
/// How long the analytics collector takes to acknowledge a beacon. Beacons outlive the page that
/// sent them, and a browser opens at most six connections to a host: held much longer, a quick
/// series of page views would queue the site's own requests behind them, which no real site could
/// afford either.
const BEACON_HOLD: Duration = Duration::from_secs(2);

/// The share of the render delay the client spends after the data arrived (a fade-in, a framework's
/// next tick): the rest is the server's answer time.
const CLIENT_SHARE: f64 = 0.25;

/// The render delay for one page view: the configured one ±25 %.
fn jittered(base: Duration) -> Duration {
    base.mul_f64(rand::random_range(0.75..1.25))
}

/// `GET /account` under `late-render`: a logged-in visitor gets the shell, anyone else what the
/// account page answers them.
pub async fn account(State(app): State<AppState>, Extension(visit): Extension<Visit>) -> Response {
    if visit.user.is_some() {
        return shell(&app, &visit);
    }
    account::account(State(app), Extension(visit)).await
}

/// The account page as a script that renders it late.
fn shell(app: &AppState, visit: &Visit) -> Response {
    let client_ms = app.config.render_delay.mul_f64(CLIENT_SHARE).as_millis();
    let body = format!(
        r#"<div id="late-root"><p class="muted" id="account-loading">Loading your account…</p></div>
<script>
(function () {{
  var root = document.getElementById("late-root");
  fetch({api}, {{credentials: "same-origin", cache: "no-store"}})
    .then(function (r) {{ if (!r.ok) {{ throw new Error("HTTP " + r.status); }} return r.json(); }})
    .then(function (j) {{
      setTimeout(function () {{
        root.innerHTML = j.html;
        // Scripts inserted through innerHTML do not run; the server-rendered page's do.
        root.querySelectorAll("script").forEach(function (old) {{
          var s = document.createElement("script");
          s.textContent = old.textContent;
          old.replaceWith(s);
        }});
      }}, {client_ms});
    }})
    .catch(function (e) {{ root.textContent = "Could not load your account (" + e.message + ")"; }});
  (function poll() {{
    fetch({updates}, {{credentials: "same-origin", cache: "no-store"}})
      .then(function (r) {{ if (r.ok) {{ poll(); }} }})
      .catch(function () {{}});
  }})();
}})();
</script>"#,
        api = js_string(&visit.url("/api/account")),
        updates = js_string(&visit.url("/api/updates")),
    );
    html::ok(html::page(app, visit, "Your account", &body))
}

/// `GET /api/account`: the account page's `<main>`, after most of the render delay.
pub async fn account_data(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
) -> Response {
    if visit.user.is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "not logged in" })),
        )
            .into_response();
    }
    let server = jittered(app.config.render_delay).mul_f64(1.0 - CLIENT_SHARE);
    tokio::time::sleep(server).await;
    let page = account::account(State(app), Extension(visit)).await;
    let status = page.status();
    let bytes = body::to_bytes(page.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let main = text
        .split_once("<main>\n")
        .and_then(|(_, rest)| rest.rsplit_once("\n</main>"))
        .map(|(inner, _)| inner.to_string())
        .unwrap_or_default();
    let mut response = (status, Json(json!({ "html": main }))).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, "no-store".parse().expect("a header value"));
    response
}

/// `GET /api/updates`: a long-poll with nothing to report; held, then answered 204.
pub async fn updates(Extension(visit): Extension<Visit>) -> Response {
    if visit.user.is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    tokio::time::sleep(LONG_POLL_HOLD).await;
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /api/beacon`: an analytics collector that is slow to acknowledge (the page shell, html.rs,
/// writes the script that sends the beacon).
pub async fn beacon() -> Response {
    tokio::time::sleep(BEACON_HOLD).await;
    StatusCode::NO_CONTENT.into_response()
}
