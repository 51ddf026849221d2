//! The JSON API: login, the identity endpoint, refresh, logout, password change, the events and the
//! JWKS. Every answer is `no-store`: tokens must not land in a cache.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::claims::display_name;
use super::config::TokenStorage;
use super::flaws::JwtFlaw;
use super::issue::issue;
use super::refresh::FamilyId;
use super::state::JwtApp;
use super::verify::{Refusal, verify};
use crate::demo::accounts::UserId;
use crate::demo::cookies::request_cookies;
use crate::demo::events::EVENTS;

pub const REFRESH_COOKIE: &str = "tb_refresh";
pub const ACCESS_COOKIE: &str = "tb_access";

pub fn json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error(status: StatusCode, error: &str) -> Response {
    json(status, json!({ "error": error }))
}

fn refused(refusal: Refusal) -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        json!({"error": "invalid_token", "reason": refusal.reason()}),
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    request_cookies(headers)
        .into_iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The presented access token: the Bearer header, or (cookie storage only) the `tb_access` cookie.
fn access_token(jwt: &JwtApp, headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
        .filter(|t| !t.is_empty());
    bearer.or_else(|| {
        (jwt.config.storage == TokenStorage::Cookie)
            .then(|| cookie(headers, ACCESS_COOKIE))
            .flatten()
    })
}

/// Who the request's access token names, if the server takes it: signature and lifetime
/// (`verify`), then the denylist, then the account.
fn authenticate(jwt: &JwtApp, headers: &HeaderMap) -> Result<(UserId, String), Refusal> {
    let token = access_token(jwt, headers).ok_or(Refusal::Missing)?;
    let claims = verify(&token, jwt.config.flaws, &jwt.keys)?;
    let jti = claims.jti.unwrap_or_default();
    if jwt.tokens().denylist.is_revoked(&jti) {
        return Err(Refusal::Revoked);
    }
    let user: UserId = claims.sub.parse().map_err(|_| Refusal::UnknownUser)?;
    if jwt.app.store().users.get(user).is_none() {
        return Err(Refusal::UnknownUser);
    }
    Ok((user, jti))
}

fn set_cookie(response: &mut Response, cookie: String) {
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

fn clear_cookies(jwt: &JwtApp, response: &mut Response) {
    set_cookie(
        response,
        format!("{REFRESH_COOKIE}=; HttpOnly; SameSite=Strict; Path=/api; Max-Age=0"),
    );
    if jwt.config.storage == TokenStorage::Cookie {
        set_cookie(
            response,
            format!("{ACCESS_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        );
    }
}

/// The answer to a login, refresh or password change: a new access token for `user` and the
/// refresh token to keep.
fn token_pair(jwt: &JwtApp, user: UserId, family: FamilyId, refresh: &str) -> Response {
    let issued = {
        let store = jwt.app.store();
        let Some(account) = store.users.get(user) else {
            return refused(Refusal::UnknownUser);
        };
        issue(&jwt.config, &jwt.keys, account)
    };
    jwt.tokens().denylist.issued(user, family, &issued.jti);
    let mut body = json!({"access_token": issued.token, "token_type": "Bearer"});
    if let Some(seconds) = issued.expires_in {
        body["expires_in"] = json!(seconds);
    }
    let mut response = json(StatusCode::OK, body);
    set_cookie(
        &mut response,
        format!("{REFRESH_COOKIE}={refresh}; HttpOnly; SameSite=Strict; Path=/api"),
    );
    if jwt.config.storage == TokenStorage::Cookie {
        let max_age = issued
            .expires_in
            .map(|s| format!("; Max-Age={s}"))
            .unwrap_or_default();
        set_cookie(
            &mut response,
            format!(
                "{ACCESS_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{max_age}",
                issued.token
            ),
        );
    }
    response
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

pub async fn login(State(jwt): State<JwtApp>, body: Bytes) -> Response {
    let Ok(credentials) = serde_json::from_slice::<Credentials>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    let user = {
        let mut store = jwt.app.store();
        let found = store
            .users
            .authenticate(&credentials.email, &credentials.password);
        let known = store.users.find_by_email(&credentials.email).map(|u| u.id);
        match (found, known) {
            (Some(user), _) => store.login_guard.succeeded(user),
            (None, Some(user)) => {
                store.login_guard.failed(user, Instant::now(), None);
            }
            (None, None) => {}
        }
        found
    };
    let Some(user) = user else {
        return error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    };
    let (family, refresh) = {
        let mut tokens = jwt.tokens();
        let now = Instant::now();
        // At most `max_sessions` logins of one account live at once, the oldest ended (as the cookie
        // app evicts its oldest session): its refresh family and every access token issued in it.
        let cap = jwt.app.config.max_sessions.max(1);
        let lifetime = jwt.app.config.absolute_timeout;
        for old in tokens.families.oldest_beyond(user, cap - 1, now, lifetime) {
            tokens.families.revoke(old);
            tokens.denylist.revoke_family(old);
        }
        tokens.families.start(user, now)
    };
    token_pair(&jwt, user, family, &refresh)
}

/// The identity oracle: who the presented token is.
pub async fn me(State(jwt): State<JwtApp>, headers: HeaderMap) -> Response {
    match authenticate(&jwt, &headers) {
        Ok((user, _)) => {
            let store = jwt.app.store();
            let email = store.users.get(user).map(|u| u.email.clone());
            drop(store);
            let email = email.unwrap_or_default();
            json(
                StatusCode::OK,
                json!({"email": email, "name": display_name(&email)}),
            )
        }
        Err(refusal) => refused(refusal),
    }
}

pub async fn refresh(State(jwt): State<JwtApp>, headers: HeaderMap) -> Response {
    let rules = jwt.refresh_rules();
    let outcome = cookie(&headers, REFRESH_COOKIE).map(|presented| {
        jwt.tokens()
            .families
            .refresh(&presented, Instant::now(), rules)
    });
    match outcome {
        Some(Ok((user, family, next))) => token_pair(&jwt, user, family, &next),
        _ => {
            let mut response = error(StatusCode::UNAUTHORIZED, "invalid_refresh");
            clear_cookies(&jwt, &mut response);
            response
        }
    }
}

pub async fn logout(State(jwt): State<JwtApp>, headers: HeaderMap) -> Response {
    if !jwt.has(JwtFlaw::NoRevocation) {
        // The login ends: its family and every access token issued in it, found from the refresh
        // cookie or, without it, from the access token.
        let access = authenticate(&jwt, &headers).ok();
        let mut tokens = jwt.tokens();
        let from_cookie = cookie(&headers, REFRESH_COOKIE)
            .and_then(|refresh| tokens.families.family_of(&refresh));
        let from_access = access.and_then(|(_, jti)| tokens.denylist.family_of(&jti));
        for family in from_cookie.into_iter().chain(from_access) {
            tokens.families.revoke(family);
            tokens.denylist.revoke_family(family);
        }
    }
    let mut response = json(StatusCode::OK, json!({}));
    clear_cookies(&jwt, &mut response);
    response
}

#[derive(Deserialize)]
struct PasswordChange {
    current: String,
    new: String,
}

pub async fn password(State(jwt): State<JwtApp>, headers: HeaderMap, body: Bytes) -> Response {
    let user = match authenticate(&jwt, &headers) {
        Ok((user, _)) => user,
        Err(refusal) => return refused(refusal),
    };
    let Ok(change) = serde_json::from_slice::<PasswordChange>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    {
        let mut store = jwt.app.store();
        if !store.users.check_password(user, &change.current) {
            return error(StatusCode::FORBIDDEN, "wrong_password");
        }
        if store.users.set_password(user, &change.new).is_err() {
            return error(StatusCode::BAD_REQUEST, "weak_password");
        }
    }
    let refresh = {
        let mut tokens = jwt.tokens();
        if !jwt.has(JwtFlaw::NoRevocation) {
            tokens.denylist.revoke_all_of(user);
            tokens.families.revoke_all_of(user);
        }
        tokens.families.start(user, Instant::now())
    };
    token_pair(&jwt, user, refresh.0, &refresh.1)
}

pub async fn events() -> Response {
    let list: Vec<Value> = EVENTS
        .iter()
        .map(|e| {
            json!({"id": e.id, "name": e.name, "venue": e.venue, "date": e.date,
                   "price_cents": e.price_cents})
        })
        .collect();
    json(StatusCode::OK, Value::Array(list))
}

pub async fn jwks(State(jwt): State<JwtApp>) -> Response {
    if jwt.config.jwks == super::config::Jwks::None {
        return not_found().await;
    }
    json(StatusCode::OK, jwt.keys.jwks.clone())
}

pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found")
}
