//! The session cookie: its name and attributes under each flaw, and reading cookies from requests.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use super::config::DemoConfig;
use super::flaws::Flaw;
use super::shapes::Shape;

/// Host-only, Secure and Path=/ are enforced by the browser for this prefix.
pub const HOST_COOKIE: &str = "__Host-tb_sid";
/// `__Host-` forbids a Domain attribute, so the loosely scoped cookie falls back to `__Secure-`.
pub const SECURE_COOKIE: &str = "__Secure-tb_sid";
/// Prefixes require Secure, so a cookie without flags must drop them or browsers reject it.
pub const PLAIN_COOKIE: &str = "tb_sid";

/// Every name the session may arrive under, so switching flaws on a running browser still works.
pub const SESSION_COOKIE_NAMES: [&str; 3] = [HOST_COOKIE, SECURE_COOKIE, PLAIN_COOKIE];

pub fn session_cookie_name(config: &DemoConfig) -> &'static str {
    if config.flaws.contains(Flaw::WeakCookieFlags) {
        PLAIN_COOKIE
    } else if config.flaws.contains(Flaw::LooseCookieScope) || config.has(Shape::Mounted) {
        // `__Host-` also demands Path=/, which a mounted app's cookie does not have.
        SECURE_COOKIE
    } else {
        HOST_COOKIE
    }
}

fn attributes(config: &DemoConfig) -> String {
    let mut attrs = String::new();
    if config.flaws.contains(Flaw::LooseCookieScope) {
        attrs.push_str(&format!("; Domain={}", config.parent_domain()));
    }
    attrs.push_str(&format!("; Path={}/", config.mount()));
    if !config.flaws.contains(Flaw::WeakCookieFlags) {
        attrs.push_str("; Secure; HttpOnly; SameSite=Strict");
    }
    attrs
}

/// A session cookie (no Expires/Max-Age): it dies with the browser, the server decides the rest.
pub fn set_session_cookie(config: &DemoConfig, id: &str) -> String {
    format!("{}={id}{}", session_cookie_name(config), attributes(config))
}

pub fn clear_session_cookie(config: &DemoConfig) -> String {
    format!(
        "{}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{}",
        session_cookie_name(config),
        attributes(config)
    )
}

/// All cookies of a request as (name, value), in the order sent, across multiple Cookie headers.
pub fn request_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            Some((
                name.trim().to_string(),
                value.trim().trim_matches('"').to_string(),
            ))
        })
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// Session tokens carried by cookies, in the order of `SESSION_COOKIE_NAMES`. With `last_only`, of
/// several cookies of one name only the last counts, as Python's `http.cookies` (and so many real
/// apps) read them: browsers send the cookie of the longer Path first, so a planted `Path=/` cookie
/// beside a mounted app's `Path=/app/` one is the one such an app sees.
pub fn session_cookie_values(headers: &HeaderMap, last_only: bool) -> Vec<String> {
    let cookies = request_cookies(headers);
    SESSION_COOKIE_NAMES
        .iter()
        .flat_map(|name| {
            let values: Vec<String> = cookies
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .collect();
            let skip = if last_only {
                values.len().saturating_sub(1)
            } else {
                0
            };
            values.into_iter().skip(skip)
        })
        .filter(|v| !v.is_empty())
        .collect()
}
