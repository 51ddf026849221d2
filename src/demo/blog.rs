//! The sibling "blog" site under the same parent domain. It only reports which cookies reached it,
//! which is how a loosely scoped session cookie becomes visible.

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::Response;

use super::cookies::{SESSION_COOKIE_NAMES, request_cookies};
use super::html::{self, text};
use super::session_layer::apply_sessionless_headers;
use super::state::AppState;

fn is_blog_host(req: &Request) -> bool {
    req.headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .is_some_and(|h| h.to_ascii_lowercase().starts_with("blog."))
}

/// Sends requests for `blog.*` to the blog before any session handling: the blog never starts or
/// reads ticketbooth sessions, it only shows what it was sent.
pub async fn route_by_host(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if !is_blog_host(&req) {
        return next.run(req).await;
    }
    // Under `mounted` the session cookie has Path=/app/, so a loosely scoped one only reaches the
    // blog's /app/ (which shows the same page).
    let path = req.uri().path();
    let front = path == "/" || (!app.config.mount().is_empty() && path == app.config.path("/"));
    let mut response = if front {
        html::ok(blog_page(&req))
    } else {
        html::bare_not_found()
    };
    apply_sessionless_headers(&app, &mut response);
    response
}

fn blog_page(req: &Request) -> String {
    let cookies = request_cookies(req.headers());
    let names: String = cookies
        .iter()
        .map(|(name, _)| format!("<li class=\"cookie-name\">{}</li>\n", text(name)))
        .collect();
    let seen = cookies
        .iter()
        .any(|(name, value)| SESSION_COOKIE_NAMES.contains(&name.as_str()) && !value.is_empty());
    format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Ticketbooth Blog</title>
<style>body{{font-family:Georgia,serif;max-width:40em;margin:2em auto;color:#333}}</style></head>
<body>
<h1>The Ticketbooth Blog</h1>
<p>Behind the scenes of this season's shows. (This sibling site shows which cookies it received —
names only, never values.)</p>
<h2>Cookies received</h2>
<ul id="received-cookies">
{names}</ul>
<p>Ticketbooth session cookie received:</p>
<p id="session-cookie-seen">{seen}</p>
</body>
</html>
"#,
        seen = if seen { "yes" } else { "no" },
    )
}
