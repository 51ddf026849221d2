//! Reading a persona's session token from where the profile says it lives, and putting one into a
//! persona (steal, plant, replay).

use super::set_cookie::{ObservedCookie, parse_set_cookie};
use super::step_error::{Awaited, StepError, StepResult};
use crate::driver::{BrowserCookie, DriverError, NetEvent, Session};
use crate::scenario::TokenLocation;
use crate::scenario::profile::CookieScope;
use serde::Serialize;

/// One piece of a session token (a cookie, a storage entry, a header or URL parameter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenPart {
    pub name: String,
    pub value: String,
    /// The full cookie as the browser reported it, so a copy keeps its path and domain.
    #[serde(skip)]
    pub cookie: Option<BrowserCookie>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Token {
    pub parts: Vec<TokenPart>,
}

impl Token {
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(|p| p.value.is_empty())
    }

    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.parts
            .iter()
            .map(|p| p.value.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Same token when every value matches (names may differ across cookie renames).
    pub fn same_values(&self, other: &Token) -> bool {
        let a: Vec<&str> = self.values().collect();
        let b: Vec<&str> = other.values().collect();
        !a.is_empty() && a == b
    }
}

/// What to do when a session cannot read the token at all (a native app context).
pub const UNREADABLE_HINT: &str = "switch the persona to the app's WebView first (a `context: WEBVIEW` \
     step, or the capability `appium:autoWebview: true`), where cookies and web storage exist, or read \
     the token from the app's own storage (`token: {app_file: {path, key}}`: a debuggable build's file \
     through Appium's pullFile); see docs/mobile.md";

/// What to do when the driver has no pullFile for an `app_file` token.
pub const PULL_FILE_HINT: &str = "an `app_file` token needs an Appium driver that implements pullFile \
     (UiAutomator2 with a debuggable build and an `@PACKAGE/...` path, XCUITest with \
     `@BUNDLE_ID:documents/...`); browsers and Appium's fake driver have none; see docs/mobile.md";

/// Why the token cannot be put into a persona's app.
const NOT_PLANTABLE: &str = "usher cannot put it into a persona: the app reads (and caches) its own \
     storage, so a file written behind its back is not a session it uses; session fixation, `steal`, \
     `plant` and `replay … into` need a token in a cookie, web storage, a URL parameter or a header";

/// A token read the session cannot do here is [`StepError::Unsupported`], with the way out.
fn unreadable(location: &TokenLocation) -> impl Fn(DriverError) -> StepError + '_ {
    move |e| match e {
        DriverError::Unsupported(why) => StepError::Unsupported(format!(
            "the session token ({}) cannot be read: {why}; hint: {UNREADABLE_HINT}",
            location.describe()
        )),
        other => other.into(),
    }
}

/// Reads the token now held by a persona's browser. An empty token means "none held".
pub async fn read(
    session: &dyn Session,
    location: &TokenLocation,
    history: &[String],
    net: &[NetEvent],
) -> StepResult<Token> {
    let mut parts = Vec::new();
    match location {
        TokenLocation::Cookie(names) => {
            for c in session.cookies().await.map_err(unreadable(location))? {
                if names.contains(&c.name) {
                    parts.push(TokenPart {
                        name: c.name.clone(),
                        value: c.value.clone(),
                        cookie: Some(c),
                    });
                }
            }
        }
        TokenLocation::LocalStorage(key) | TokenLocation::SessionStorage(key) => {
            let area = if matches!(location, TokenLocation::LocalStorage(_)) {
                "localStorage"
            } else {
                "sessionStorage"
            };
            let v = session
                .execute(
                    &format!("return window.{area}.getItem(arguments[0]);"),
                    vec![key.clone().into()],
                )
                .await
                .map_err(unreadable(location))?;
            if let Some(s) = v.as_str() {
                parts.push(TokenPart {
                    name: key.clone(),
                    value: s.to_string(),
                    cookie: None,
                });
            }
        }
        TokenLocation::UrlParam(param) => {
            let current = session.current_url().await?;
            let urls =
                std::iter::once(current.as_str()).chain(history.iter().rev().map(String::as_str));
            if let Some(v) = urls.filter_map(|u| query_param(u, param)).next() {
                parts.push(TokenPart {
                    name: param.clone(),
                    value: v,
                    cookie: None,
                });
            }
        }
        TokenLocation::Header(name) => {
            let lower = name.to_ascii_lowercase();
            let last = net.iter().rev().find_map(|e| match e {
                NetEvent::Request { headers, .. } => headers
                    .iter()
                    .find(|(k, _)| *k == lower)
                    .map(|(_, v)| v.clone()),
                _ => None,
            });
            if let Some(v) = last {
                parts.push(TokenPart {
                    name: name.clone(),
                    value: v,
                    cookie: None,
                });
            }
        }
        TokenLocation::AppFile { path, key } => {
            let value = read_app_file(session, path, key).await?;
            parts.push(TokenPart {
                name: key.clone(),
                value,
                cookie: None,
            });
        }
        TokenLocation::Auto => {
            return Err(StepError::input(
                "token location `auto` was not resolved before the run",
            ));
        }
    }
    Ok(Token { parts })
}

/// The value of `key` in the app's file. A missing file or key is an error that says which, not an
/// empty token: nothing tells "logged out" from "wrong path or key" apart, and either way a check
/// cannot be judged. The file's content never goes into a message (it may hold other secrets).
async fn read_app_file(session: &dyn Session, path: &str, key: &str) -> StepResult<String> {
    let bytes = session.pull_file(path).await.map_err(|e| match e {
        DriverError::Unsupported(why) => StepError::Unsupported(format!(
            "the session token (key `{key}` of app file `{path}`) cannot be read: {why}; \
             hint: {PULL_FILE_HINT}"
        )),
        DriverError::Timeout(limit, what) => StepError::Timeout {
            limit,
            awaited: Awaited::Driver(what),
        },
        other => StepError::infra(format!(
            "the session token (key `{key}` of app file `{path}`) cannot be read: {other} \
             (is the path right, does the file exist yet — apps write it at login — and is the \
             app a debuggable build?)"
        )),
    })?;
    let text = String::from_utf8_lossy(&bytes);
    super::app_file::extract(&text, key).ok_or_else(|| {
        StepError::page(format!(
            "app file `{path}` ({} bytes, read as {}) has no value for key `{key}`; the app may not \
             have written it yet (before login) or removed it (after logout)",
            bytes.len(),
            super::app_file::format_of(&text)
        ))
    })
}

pub fn query_param(url: &str, param: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
}

/// What a planted or stolen token needs from the flow: the page to stand on for cookies, and the
/// scope a chosen id's cookie gets.
pub struct Placement<'a> {
    pub base_url: &'a str,
    /// The profile's `token: {path, domain}`, which wins over what was observed.
    pub scope: &'a CookieScope,
    /// The app's own latest Set-Cookie for a token name: a chosen id is planted under its name, Path
    /// and Domain, so the browser ends up holding one cookie of that name, not the planted one beside
    /// the one the app sets at login.
    pub app_cookie: Option<ObservedCookie>,
}

/// The cookie a chosen id (one no browser reported) is planted as: named and scoped like the app's own
/// cookie, from the profile's scope, the app's Set-Cookie, or a cookie of the name the browser holds,
/// in that order; `Path=/` and host-only when nothing tells.
pub fn chosen_cookie(
    part: &TokenPart,
    place: &Placement<'_>,
    present: Option<&BrowserCookie>,
) -> BrowserCookie {
    let app = place.app_cookie.as_ref();
    let name = app
        .map(|c| c.name.clone())
        .or_else(|| present.map(|c| c.name.clone()))
        .unwrap_or_else(|| part.name.clone());
    let path = (place.scope.path.clone())
        .or_else(|| app.and_then(|c| c.path.clone()))
        .or_else(|| present.and_then(|c| c.path.clone()))
        .unwrap_or_else(|| "/".into());
    let domain = (place.scope.domain.clone())
        .or_else(|| app.and_then(|c| c.domain.clone()))
        .or_else(|| {
            present
                .and_then(|c| c.domain.clone())
                .filter(|d| d.starts_with('.'))
        })
        .map(|d| format!(".{}", d.trim_start_matches('.')));
    let prefixed = name.starts_with("__Host-") || name.starts_with("__Secure-");
    BrowserCookie {
        secure: Some(prefixed || app.is_some_and(|c| c.secure)),
        http_only: app.map(|c| c.http_only),
        same_site: app.and_then(|c| c.same_site.clone()),
        name,
        value: part.value.clone(),
        path: Some(path),
        domain,
        expiry: None,
    }
}

/// The last Set-Cookie in `net` that gave one of `names` a value.
pub fn app_cookie(net: &[NetEvent], names: &[String]) -> Option<ObservedCookie> {
    net.iter()
        .rev()
        .flat_map(|e| match e {
            NetEvent::Response { headers, .. } => headers
                .iter()
                .filter(|(k, _)| k == "set-cookie")
                .filter_map(|(_, line)| parse_set_cookie(line))
                .rev()
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .find(|c| names.contains(&c.name) && !c.value.is_empty())
}

/// The token cookie names the browser holds more than once (with different Path or Domain), with the
/// scope of each: the app reads one of them, and which one cannot be known, so nothing the session
/// does can be judged. `None` also where cookies cannot be read (a native app context): the checks
/// that need the token say so themselves.
pub async fn duplicate_cookies(session: &dyn Session, location: &TokenLocation) -> Option<String> {
    let TokenLocation::Cookie(names) = location else {
        return None;
    };
    let cookies = session.cookies().await.ok()?;
    let mut dups = Vec::new();
    for n in names {
        let held: Vec<&BrowserCookie> = cookies.iter().filter(|c| &c.name == n).collect();
        if held.len() > 1 {
            let scopes: Vec<String> = held
                .iter()
                .map(|c| {
                    format!(
                        "Path={}{}",
                        c.path.as_deref().unwrap_or("?"),
                        c.domain
                            .as_deref()
                            .map(|d| format!(" Domain={d}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            dups.push(format!(
                "{} cookies named {n} ({})",
                held.len(),
                scopes.join("; ")
            ));
        }
    }
    (!dups.is_empty()).then(|| dups.join(", "))
}

/// Puts a token into a persona's browser. Cookies need a page of the target's origin first.
/// Returns the URL parameter to carry on later navigations, for `url_param` tokens.
pub async fn write(
    session: &dyn Session,
    location: &TokenLocation,
    token: &Token,
    place: &Placement<'_>,
) -> StepResult<Option<(String, String)>> {
    if token.is_empty() {
        return Err(StepError::page("there is no token to put in"));
    }
    match location {
        TokenLocation::Cookie(names) => {
            let here = session.current_url().await.unwrap_or_default();
            if !same_origin(&here, place.base_url) {
                session.goto(place.base_url).await?;
            }
            // Replace, not add beside: the browser must present the planted value only. Only the
            // names it holds are deleted (one read instead of a delete per name), all before the
            // first part goes in, so a token of several cookies keeps every part.
            let present = session.cookies().await?;
            let held = present.iter().find(|c| names.contains(&c.name));
            let adding: Vec<BrowserCookie> = token
                .parts
                .iter()
                .map(|part| {
                    let cookie = part
                        .cookie
                        .clone()
                        .unwrap_or_else(|| chosen_cookie(part, place, held));
                    // Browsers report a host-only cookie with its host as `domain`; sending that back
                    // would widen it to a domain cookie (and `__Host-` cookies refuse any domain).
                    let domain = cookie.domain.clone().filter(|d| d.starts_with('.'));
                    BrowserCookie {
                        value: part.value.clone(),
                        expiry: None,
                        domain,
                        ..cookie
                    }
                })
                .collect();
            let host = url::Url::parse(place.base_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            for n in names {
                // Deleting by name removes every cookie of the name the page sees, whatever its Path.
                // A cookie the new one overwrites in place (same name, scope, no Secure to keep)
                // needs no delete: the browser then holds the planted value only all the same.
                let stays = |c: &&BrowserCookie| {
                    &c.name == n && !adding.iter().any(|a| overwrites(a, c, &host))
                };
                if present.iter().any(|c| stays(&c)) {
                    session.delete_cookie(n).await?;
                }
            }
            for cookie in &adding {
                session.add_cookie(cookie).await?;
            }
            Ok(None)
        }
        TokenLocation::LocalStorage(_) | TokenLocation::SessionStorage(_) => {
            let here = session.current_url().await.unwrap_or_default();
            if !same_origin(&here, place.base_url) {
                session.goto(place.base_url).await?;
            }
            let area = if matches!(location, TokenLocation::LocalStorage(_)) {
                "localStorage"
            } else {
                "sessionStorage"
            };
            for part in &token.parts {
                session
                    .execute(
                        &format!("window.{area}.setItem(arguments[0], arguments[1]);"),
                        vec![part.name.clone().into(), part.value.clone().into()],
                    )
                    .await?;
            }
            Ok(None)
        }
        TokenLocation::Header(name) => {
            let v = token.values().next().unwrap_or_default().to_string();
            session.set_extra_headers(&[(name.clone(), v)]).await?;
            Ok(None)
        }
        TokenLocation::UrlParam(param) => Ok(Some((
            param.clone(),
            token.values().next().unwrap_or_default().to_string(),
        ))),
        TokenLocation::AppFile { .. } => Err(StepError::Unsupported(format!(
            "the session token lives in {}: {NOT_PLANTABLE}",
            location.describe()
        ))),
        TokenLocation::Auto => Err(StepError::input(
            "token location `auto` was not resolved before the run",
        )),
    }
}

/// Whether adding `new` on a page of `host` replaces `old` in the jar (the same cookie: name,
/// domain and path), so that `old` need not be deleted first. A Secure cookie is only replaced by a
/// Secure one (browsers refuse the other way), so it is deleted.
fn overwrites(new: &BrowserCookie, old: &BrowserCookie, host: &str) -> bool {
    let path = |c: &BrowserCookie| c.path.clone().unwrap_or_else(|| "/".into());
    let same_domain = match (&new.domain, &old.domain) {
        // Host-only: reported with the bare host as its domain.
        (None, Some(d)) => !d.starts_with('.') && d.eq_ignore_ascii_case(host),
        (Some(n), Some(o)) => n.eq_ignore_ascii_case(o),
        _ => false,
    };
    new.name == old.name
        && same_domain
        && path(new) == path(old)
        && (old.secure != Some(true) || new.secure == Some(true))
}

pub fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => x.origin() == y.origin(),
        _ => false,
    }
}

/// Values of request header `name` (any case) on requests to `base`'s origin: a bearer token the
/// page's script holds and sends.
pub fn request_header_values<'a>(
    net: &'a [NetEvent],
    name: &str,
    base: &'a str,
) -> impl Iterator<Item = String> + 'a {
    let lower = name.to_ascii_lowercase();
    net.iter().filter_map(move |e| match e {
        NetEvent::Request { url, headers, .. } if same_origin(url, base) => headers
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(&lower) && !v.trim().is_empty())
            .map(|(_, v)| v.clone()),
        _ => None,
    })
}

/// The credential of `Bearer eyJ…` (any scheme word and a space before it), else the whole value.
pub fn bare_credential(value: &str) -> &str {
    match value.split_once(' ') {
        Some((scheme, rest))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            rest.trim()
        }
        _ => value,
    }
}

/// Token values the server set through `Set-Cookie` for the token's cookie names (raw headers).
pub fn set_cookie_values<'a>(
    net: &'a [NetEvent],
    names: &'a [String],
) -> impl Iterator<Item = String> + 'a {
    net.iter().flat_map(move |e| match e {
        NetEvent::Response { headers, .. } => headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, line)| {
                let first = line.split(';').next()?;
                let (n, v) = first.split_once('=')?;
                (names.iter().any(|x| x == n.trim()) && !v.trim().is_empty())
                    .then(|| v.trim().to_string())
            })
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_cookie_in_the_same_slot_is_overwritten() {
        let c = |domain: Option<&str>, path: &str, secure: bool| BrowserCookie {
            name: "sid".into(),
            value: "v".into(),
            domain: domain.map(String::from),
            path: Some(path.into()),
            secure: Some(secure),
            ..Default::default()
        };
        let host = "app.localhost";
        let new = c(None, "/", false);
        assert!(overwrites(
            &new,
            &c(Some("app.localhost"), "/", false),
            host
        ));
        // Another path, a domain cookie, another host, or a Secure one: deleted first.
        assert!(!overwrites(
            &new,
            &c(Some("app.localhost"), "/app", false),
            host
        ));
        assert!(!overwrites(
            &new,
            &c(Some(".app.localhost"), "/", false),
            host
        ));
        assert!(!overwrites(
            &new,
            &c(Some("other.localhost"), "/", false),
            host
        ));
        assert!(!overwrites(
            &new,
            &c(Some("app.localhost"), "/", true),
            host
        ));
        let dotted = c(Some(".app.localhost"), "/", false);
        assert!(overwrites(
            &dotted,
            &c(Some(".app.localhost"), "/", false),
            host
        ));
    }

    fn response(lines: &[&str]) -> NetEvent {
        NetEvent::Response {
            url: "http://app.localhost/app/login".into(),
            status: 200,
            headers: lines
                .iter()
                .map(|l| ("set-cookie".to_string(), l.to_string()))
                .collect(),
        }
    }

    fn chosen(name: &str) -> TokenPart {
        TokenPart {
            name: name.into(),
            value: "chosen".into(),
            cookie: None,
        }
    }

    /// Planted with `Path=/`, the id sat beside the app's `Path=/app/` cookie after login and was the
    /// one a "last cookie wins" app read.
    #[test]
    fn a_chosen_id_takes_the_name_and_scope_of_the_apps_own_cookie() {
        let names = vec!["__Host-sid".to_string(), "sid".to_string()];
        let net = vec![
            response(&[
                "sid=anon; Path=/app/; HttpOnly; SameSite=Lax",
                "other=1; Path=/",
            ]),
            response(&["sid=; Max-Age=0; Path=/app/"]),
        ];
        let app = app_cookie(&net, &names).expect("the app's cookie");
        assert_eq!(
            (app.name.as_str(), app.path.as_deref()),
            ("sid", Some("/app/"))
        );
        let scope = CookieScope::default();
        let place = Placement {
            base_url: "http://app.localhost/app/",
            scope: &scope,
            app_cookie: Some(app),
        };
        let c = chosen_cookie(&chosen("__Host-sid"), &place, None);
        assert_eq!(c.name, "sid");
        assert_eq!(c.value, "chosen");
        assert_eq!(c.path.as_deref(), Some("/app/"));
        assert_eq!(c.domain, None);
        assert_eq!(c.secure, Some(false));
        assert_eq!(c.http_only, Some(true));
        assert_eq!(c.same_site.as_deref(), Some("Lax"));
    }

    #[test]
    fn the_profile_scope_wins_then_the_app_then_the_browser_then_root() {
        let held = BrowserCookie {
            name: "sid".into(),
            value: "anon".into(),
            path: Some("/shop/".into()),
            domain: Some(".example.test".into()),
            ..Default::default()
        };
        let none = CookieScope::default();
        let place = |scope| Placement {
            base_url: "http://example.test/",
            scope,
            app_cookie: None,
        };
        let c = chosen_cookie(&chosen("sid"), &place(&none), Some(&held));
        assert_eq!(c.path.as_deref(), Some("/shop/"));
        assert_eq!(c.domain.as_deref(), Some(".example.test"));
        let profile = CookieScope {
            path: Some("/app/".into()),
            domain: Some("example.test".into()),
        };
        let c = chosen_cookie(&chosen("sid"), &place(&profile), Some(&held));
        assert_eq!(c.path.as_deref(), Some("/app/"));
        assert_eq!(c.domain.as_deref(), Some(".example.test"));
        let c = chosen_cookie(&chosen("__Host-sid"), &place(&none), None);
        assert_eq!(
            (c.name.as_str(), c.path.as_deref()),
            ("__Host-sid", Some("/"))
        );
        assert_eq!((c.domain, c.secure), (None, Some(true)));
    }
}
