//! The URL map of the ticketing site. Middleware order matters: the blog is split off by Host first,
//! then (under the `mounted` shape) everything outside the mount is refused and the mount stripped,
//! then every ticketing request gets its session resolved.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{get, post};

use super::blog;
use super::html;
use super::markup;
use super::pages::{account, auth, checkout, home, late, password};
use super::session_layer::{apply_sessionless_headers, resolve_session};
use super::shapes::Shape;
use super::state::AppState;

pub fn app(state: AppState) -> Router {
    if let Some(jwt) = &state.config.jwt {
        return super::jwt::app(state.clone(), jwt.clone());
    }
    let site = Router::new()
        .route("/", get(home::index))
        .route("/events/{id}", get(home::event))
        .route("/checkout/start", post(checkout::start))
        .route(
            "/checkout/details",
            get(checkout::details_form).post(checkout::details),
        )
        .route("/checkout/pay", get(checkout::pay_form).post(checkout::pay))
        .route("/api/me", get(account::me))
        .route("/signup", get(auth::signup_form).post(auth::signup))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route(
            "/password",
            get(password::change_form).post(password::change),
        )
        .route(
            "/reset",
            get(password::reset_request_form).post(password::reset_request),
        )
        .route(
            "/reset/{token}",
            get(password::reset_confirm_form).post(password::reset_confirm),
        )
        .route("/outbox", get(password::outbox));
    // Under `late-render` the account page arrives as a shell that renders it late.
    let site = if state.config.has(Shape::LateRender) {
        site.route("/account", get(late::account))
            .route("/api/account", get(late::account_data))
            .route("/api/updates", get(late::updates))
            .route("/api/beacon", post(late::beacon))
    } else {
        site.route("/account", get(account::account))
    };
    let site = site
        .fallback(home::fallback)
        .layer(from_fn_with_state(state.clone(), resolve_session))
        .layer(from_fn_with_state(state.config.markup, markup::rewrite));
    let site = if state.config.mount().is_empty() {
        site
    } else {
        // The mount is stripped before the site's own routing sees the path, so the site's routes are
        // the same mounted or not; only the links it writes carry the mount.
        Router::new()
            .fallback_service(site.with_state(state.clone()))
            .layer(from_fn_with_state(state.clone(), unmount))
    };
    site.layer(from_fn_with_state(state.clone(), blog::route_by_host))
        .with_state(state)
}

/// Under `mounted`: `/app/…` reaches the site as `/…`, `/app` redirects to `/app/`, anything else is
/// a 404 that starts no session.
async fn unmount(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let mount = app.config.mount();
    let path = req.uri().path().to_string();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    if path == mount {
        return html::see_other(&format!("{mount}/{query}"));
    }
    let Some(inner) = path.strip_prefix(mount).filter(|p| p.starts_with('/')) else {
        let mut response = html::bare_not_found();
        apply_sessionless_headers(&app, &mut response);
        return response;
    };
    match format!("{inner}{query}").parse::<Uri>() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return html::respond(StatusCode::BAD_REQUEST, "bad request".into()),
    }
    next.run(req).await
}
