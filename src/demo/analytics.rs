//! The third-party "analytics" origin the checkout pages embed. It records every hit with its Referer
//! so leaks through the Referer header can be observed from outside the browser.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERER, USER_AGENT};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// One request the analytics origin received, as `GET /hits` lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    pub path: String,
    pub query: Option<String>,
    pub referer: Option<String>,
    pub user_agent: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
}

pub type Hits = Arc<Mutex<Vec<Hit>>>;

/// A 1×1 transparent GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

// Deliberately reads nothing from the page: whatever reaches this origin arrives through the browser's
// Referer handling alone, so the referer-leak switch is the only thing that changes what is recorded.
const SCRIPT: &str = "window.tbAnalytics = { loaded: true };\n";

fn hits_of(hits: &Hits) -> std::sync::MutexGuard<'_, Vec<Hit>> {
    hits.lock().unwrap_or_else(|p| p.into_inner())
}

fn record(hits: &Hits, req: &Request) {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    hits_of(hits).push(Hit {
        path: req.uri().path().to_string(),
        query: req.uri().query().map(str::to_string),
        referer: header(REFERER),
        user_agent: header(USER_AGENT),
        at,
    });
}

async fn script(State(hits): State<Hits>, req: Request) -> Response {
    record(&hits, &req);
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
        .into_response()
}

async fn pixel(State(hits): State<Hits>, req: Request) -> Response {
    record(&hits, &req);
    (
        [(CONTENT_TYPE, "image/gif"), (CACHE_CONTROL, "no-store")],
        PIXEL,
    )
        .into_response()
}

async fn list(State(hits): State<Hits>) -> Response {
    let hits = hits_of(&hits).clone();
    ([(CACHE_CONTROL, "no-store")], Json(hits)).into_response()
}

async fn clear(State(hits): State<Hits>) -> StatusCode {
    hits_of(&hits).clear();
    StatusCode::NO_CONTENT
}

async fn other(State(hits): State<Hits>, req: Request) -> StatusCode {
    record(&hits, &req);
    StatusCode::NOT_FOUND
}

pub fn router(hits: Hits) -> Router {
    Router::new()
        .route("/a.js", get(script))
        .route("/pixel.gif", get(pixel))
        .route("/hits", get(list).delete(clear))
        .fallback(other)
        .with_state(hits)
}
