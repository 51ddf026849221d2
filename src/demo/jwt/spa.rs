//! The single-page app's shell and script: every page path answers the same shell, and `app.js`
//! renders the page from the API (so usher meets what it meets on real SPAs: an empty document the
//! script fills in).

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::state::JwtApp;

const SCRIPT: &str = include_str!("app.js");

/// Scripts from this origin only: a stored token is only as safe as the page is from injection.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;background:#f6f5f2;color:#222}
nav{display:flex;gap:1em;align-items:center;padding:.7em 1.5em;background:#1f3a5f;color:#fff}
nav a{color:#fff}nav .brand{font-weight:bold;margin-right:auto;text-decoration:none}
#nav-user{display:flex;gap:1em;align-items:center}
main{max-width:46em;margin:1.5em auto;padding:0 1em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em 1.3em;margin:1em 0}
label{display:block;margin:.6em 0 .2em}
input{padding:.4em;width:18em}
button{margin-top:.8em;padding:.45em 1.1em}
.error{color:#a01818}.ok{color:#17702b}.muted{color:#666}
";

fn no_store(mut response: Response, content_type: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("content-security-policy", HeaderValue::from_static(CSP));
    response
}

/// The shell of every page: the navigation slot and the main area, both empty until the script
/// knows who is logged in.
pub async fn shell(State(jwt): State<JwtApp>) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="en" data-token-storage="{storage}">
<head><meta charset="utf-8"><title>Ticketbooth</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body>
<nav><a class="brand" href="/">Ticketbooth</a><span id="nav-user"></span></nav>
<main id="main"><p class="muted">Loading…</p></main>
<script src="/app.js"></script>
</body>
</html>
"#,
        storage = jwt.config.storage.name(),
    );
    no_store(html.into_response(), "text/html; charset=utf-8")
}

pub async fn script() -> Response {
    no_store(SCRIPT.into_response(), "text/javascript; charset=utf-8")
}
