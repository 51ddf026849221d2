//! The URL map of the token app: the page paths (one shell), the script, the API and the JWKS.

use axum::Router;
use axum::routing::{get, post};

use super::api;
use super::config::JwtConfig;
use super::spa;
use super::state::JwtApp;
use crate::demo::state::AppState;

pub fn app(state: AppState, config: JwtConfig) -> Router {
    let jwt = JwtApp::new(state, config);
    Router::new()
        .route("/", get(spa::shell))
        .route("/login", get(spa::shell))
        .route("/account", get(spa::shell))
        .route("/password", get(spa::shell))
        .route("/events/{id}", get(spa::shell))
        .route("/app.js", get(spa::script))
        .route("/api/login", post(api::login))
        .route("/api/me", get(api::me))
        .route("/api/token/refresh", post(api::refresh))
        .route("/api/logout", post(api::logout))
        .route("/api/password", post(api::password))
        .route("/api/events", get(api::events))
        .route("/.well-known/jwks.json", get(api::jwks))
        .fallback(api::not_found)
        .with_state(jwt)
}
