//! Resolving "who is this request" once, in a middleware, and applying the session's consequences
//! (cookie, cache and referrer headers) to every response in one place, so no handler can forget them.

use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, HOST, ORIGIN, REFERRER_POLICY, SET_COOKIE, USER_AGENT, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::cookies;
use super::csrf::CSRF_FIELD;
use super::flaws::Flaw;
use super::form::FormData;
use super::html;
use super::sessions::{Lookup, plausible_token};
use super::shapes::Shape;
use super::state::AppState;
use super::visit::{CurrentUser, SID_PARAM, SessionChange, TOKEN_HEADER, Visit};

/// Form posts are small; anything larger is not a form of this site.
const MAX_FORM_BYTES: usize = 64 * 1024;

fn query_param(req: &Request, name: &str) -> Option<String> {
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn candidates(req: &Request, app: &AppState) -> Vec<String> {
    let flaws = &app.config.flaws;
    let mut found = Vec::new();
    if flaws.contains(Flaw::TokenInUrl)
        && let Some(sid) = query_param(req, SID_PARAM)
    {
        found.push(sid);
    }
    if flaws.contains(Flaw::TokenInStorage)
        && let Some(token) = req
            .headers()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
    {
        found.push(token.trim().to_string());
    }
    found.extend(cookies::session_cookie_values(
        req.headers(),
        app.config.has(Shape::Mounted),
    ));
    found.retain(|t| plausible_token(t));
    found
}

/// Browsers send Origin on form posts; a foreign one means a cross-site post, refused.
fn foreign_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = url::Url::parse(origin).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        })
    });
    origin_host.is_none_or(|o| !o.eq_ignore_ascii_case(host))
}

pub async fn resolve_session(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::POST && foreign_origin(req.headers()) {
        let mut refused =
            (StatusCode::FORBIDDEN, "cross-origin form posts are refused").into_response();
        apply_common_headers(&app, &mut refused);
        return refused;
    }
    let user_agent = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let offered = candidates(&req, &app);
    let starts_session =
        !req.uri().path().starts_with("/api/") && !app.config.has(Shape::NoAnonymousSessions);
    let visit = {
        let now = Instant::now();
        let config = &app.config;
        let mut store = app.store();
        let mut live = None;
        for token in &offered {
            if let Lookup::Live(session) = store.sessions.lookup(token, &user_agent, now, config) {
                live = Some(session);
                break;
            }
        }
        let mut issued = false;
        let session = match live {
            Some(s) => Some(s),
            None if !starts_session => None,
            None => {
                let adoptable = offered.first().filter(|t| {
                    config.flaws.contains(Flaw::Fixation) && store.sessions.get(t).is_none()
                });
                let id = match adoptable {
                    Some(t) => {
                        store.sessions.adopt(t, &user_agent, now, config);
                        t.clone()
                    }
                    None => store.sessions.start_anonymous(&user_agent, now, config),
                };
                issued = true;
                store.sessions.get(&id).cloned()
            }
        };
        let user = session
            .as_ref()
            .and_then(|s| s.user)
            .and_then(|id| store.users.get(id))
            .map(|u| CurrentUser {
                id: u.id,
                email: u.email.clone(),
            });
        let link_token = session
            .as_ref()
            .filter(|_| user.is_some() && config.flaws.contains(Flaw::TokenInUrl))
            .map(|s| s.id.clone());
        Visit {
            session_id: session.map(|s| s.id),
            user,
            presented: offered.first().cloned(),
            user_agent,
            link_token,
            mount: config.mount(),
            issued,
        }
    };
    let req = if app.config.has(Shape::SessionBoundCsrf) && req.method() == Method::POST {
        match checked_csrf(&app, &visit, req).await {
            Ok(req) => req,
            Err(mut refused) => {
                finish(&app, &visit, &mut refused);
                return refused;
            }
        }
    } else {
        req
    };
    let mut req = req;
    req.extensions_mut().insert(visit.clone());
    let mut response = next.run(req).await;
    finish(&app, &visit, &mut response);
    response
}

/// Lets a post through only with the nonce of the session it presents; the body is read and put back.
async fn checked_csrf(app: &AppState, visit: &Visit, req: Request) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
    let posted = FormData::parse(&bytes);
    let valid = posted
        .get(CSRF_FIELD)
        .is_some_and(|nonce| app.csrf.verify(visit.session_id.as_deref(), nonce));
    if !valid {
        let body = format!(
            r#"<h1 id="csrf-refused">This form has expired</h1>
<p>The form was not made for your current session, so it was refused. <a href="{}">Start again</a>.</p>"#,
            html::attr(&visit.href("/"))
        );
        return Err(html::respond(
            StatusCode::FORBIDDEN,
            html::page(app, visit, "Form expired", &body),
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn finish(app: &AppState, visit: &Visit, response: &mut Response) {
    response
        .extensions_mut()
        .insert(super::access_log::LoggedUser(
            visit.user.as_ref().map(|u| u.email.clone()),
        ));
    let change = response.extensions_mut().remove::<SessionChange>();
    let authenticated =
        visit.is_logged_in() || matches!(change, Some(SessionChange::Authenticated(_)));
    let cookie = match change {
        Some(SessionChange::Authenticated(id)) => {
            Some(cookies::set_session_cookie(&app.config, &id))
        }
        Some(SessionChange::Ended) => Some(cookies::clear_session_cookie(&app.config)),
        None => visit
            .session_id
            .as_deref()
            .filter(|_| visit.issued)
            .map(|id| cookies::set_session_cookie(&app.config, id)),
    };
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    let cache = if authenticated && app.config.flaws.contains(Flaw::CacheablePages) {
        "private, max-age=3600"
    } else {
        "no-store"
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    apply_common_headers(app, response);
}

/// Headers of a response no session handling saw (the blog, paths outside the mount): never
/// cached, and the common ones.
pub fn apply_sessionless_headers(app: &AppState, response: &mut Response) {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    apply_common_headers(app, response);
}

/// Headers every response of the ticketing host and its blog sibling carries.
pub fn apply_common_headers(app: &AppState, response: &mut Response) {
    let policy = if app.config.flaws.contains(Flaw::RefererLeak) {
        "unsafe-url"
    } else {
        "same-origin"
    };
    let headers = response.headers_mut();
    headers.insert(REFERRER_POLICY, HeaderValue::from_static(policy));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}
