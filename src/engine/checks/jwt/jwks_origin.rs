//! usher's loopback origin for the `jku` and `x5u` forgeries: the forged token names a key set (or a
//! certificate) at this origin, signed by usher's own key; a verifier that fetches keys from where the
//! token says accepts it. It serves usher's JWKS and certificate on 127.0.0.1 (a free port) for the
//! check's duration and counts the fetches, so the evidence can say whether the API came to look.

use crate::engine::checks::loopback_origin::LoopbackOrigin;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const JWKS_PATH: &str = "/usher-jwt-probe/jwks.json";
pub const CERT_PATH: &str = "/usher-jwt-probe/cert.pem";

struct Served {
    jwks: String,
    cert: String,
    fetches: AtomicUsize,
}

pub struct KeyOrigin {
    served: Arc<Served>,
    server: LoopbackOrigin,
}

async fn jwks(State(s): State<Arc<Served>>) -> impl IntoResponse {
    s.fetches.fetch_add(1, Ordering::Relaxed);
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-store"),
        ],
        s.jwks.clone(),
    )
}

async fn cert(State(s): State<Arc<Served>>) -> impl IntoResponse {
    s.fetches.fetch_add(1, Ordering::Relaxed);
    (
        [
            (CONTENT_TYPE, "application/x-pem-file"),
            (CACHE_CONTROL, "no-store"),
        ],
        s.cert.clone(),
    )
}

impl KeyOrigin {
    pub async fn start(jwks_doc: String, cert_pem: String) -> std::io::Result<KeyOrigin> {
        let served = Arc::new(Served {
            jwks: jwks_doc,
            cert: cert_pem,
            fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route(JWKS_PATH, get(jwks))
            .route(CERT_PATH, get(cert))
            .with_state(served.clone());
        Ok(KeyOrigin {
            served,
            server: LoopbackOrigin::start(app).await?,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> &str {
        &self.server.origin
    }

    pub fn fetches(&self) -> usize {
        self.served.fetches.load(Ordering::Relaxed)
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}
