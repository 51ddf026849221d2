//! The URL map of the ticketing site. Middleware order matters: the blog is split off by Host first,
//! then every ticketing request gets its session resolved.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use super::blog;
use super::pages::{account, auth, checkout, home, password};
use super::state::AppState;
use super::visit;

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::index))
        .route("/events/{id}", get(home::event))
        .route("/checkout/start", post(checkout::start))
        .route(
            "/checkout/details",
            get(checkout::details_form).post(checkout::details),
        )
        .route("/checkout/pay", get(checkout::pay_form).post(checkout::pay))
        .route("/account", get(account::account))
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
        .route("/outbox", get(password::outbox))
        .fallback(home::fallback)
        .layer(from_fn_with_state(state.clone(), visit::resolve_session))
        .layer(from_fn_with_state(state.clone(), blog::route_by_host))
        .with_state(state)
}
