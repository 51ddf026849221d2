//! The bearer-token (JWT) checks (issue 17, WSTG-SESS-10, ASVS 5.0 V9). Each one reads the persona's
//! token where the profile says it lives, recognises a JWT by its shape (else SKIPPED with the reason),
//! and judges by replaying tokens over plain HTTP against the profile's identity endpoint
//! (`api.identity`), after the controls have proved that oracle. Tokens are never printed: evidence
//! carries fingerprints, claim and header names, and claim values only when they are not secret-like.

mod api_oracle;
pub mod binding;
mod controls;
mod forgery;
mod jwks_origin;
mod key_confusion;
mod lifetime;
mod payload;
mod refresh;
mod revocation;

pub use forgery::check as forgery;
pub use lifetime::check as lifetime;
pub use payload::check as payload;
pub use refresh::{reuse_detected as refresh_reuse_detected, rotates as refresh_rotates};
pub use revocation::check as revoked_by;

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::jwt::Jwt;
use crate::redact::Kind;
use crate::scenario::api::{Api, Endpoint, RefreshTokenLocation};
use api_oracle::{ApiOracle, Carrier};

/// What every JWT check starts from: the persona's token as a JWT and the oracle to replay against.
pub(crate) struct Held {
    /// The compact JWT (a scheme prefix such as `Bearer ` removed).
    pub text: String,
    pub jwt: Jwt,
    pub oracle: ApiOracle,
    /// The persona whose account the token is (its owner, for `same_account_as` personas).
    pub owner: String,
}

/// The profile's token API, or the SKIPPED outcome that says it is missing (the scenarios declare
/// `requires: [token_api]`, so this is reached only by hand-written ones).
fn api(ctx: &FlowCtx) -> Result<Api, Box<Outcome>> {
    ctx.profile.api.clone().ok_or_else(|| {
        Box::new(Outcome::skipped(
            "the profile declares no token API (`api: {identity: GET /path}`), so there is no identity \
             endpoint to replay the token against",
        ))
    })
}

/// A fingerprint of a token value, registered for redaction.
pub(crate) fn fp(ctx: &FlowCtx, token: &str) -> String {
    ctx.run.redactor.register(Kind::Token, token);
    crate::redact::fingerprint(Kind::Token, token)
}

/// The persona's token now, as a JWT, with the oracle to judge it by.
pub(crate) async fn held(ctx: &mut FlowCtx, persona: &str, what: &str) -> Result<Held, Outcome> {
    let api = api(ctx).map_err(|o| *o)?;
    let token = match ctx.read_token(persona).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return Err(Outcome::error(format!(
                "{persona} holds no token ({}) to judge; log in first",
                ctx.profile.token.describe()
            )));
        }
        Err(e) => return Err(Outcome::from_step_error(what, e)),
    };
    let raw = token.values().next().unwrap_or_default().to_string();
    let text = raw[api_oracle::scheme_prefix(&raw).len()..]
        .trim()
        .to_string();
    ctx.run.redactor.register(Kind::Token, &text);
    let jwt = match Jwt::parse(&text) {
        Ok(j) => j,
        Err(e) => {
            return Err(Outcome::skipped(format!(
                "the token ({}) is not a JWT: {e}; the JWT scenarios judge self-contained tokens only",
                ctx.profile.token.describe()
            )));
        }
    };
    let oracle = oracle_for(ctx, persona, &api.identity, &raw).map_err(|o| *o)?;
    Ok(Held {
        text,
        jwt,
        oracle,
        owner: ctx.profile.owner_of(persona).to_string(),
    })
}

/// The identity oracle, presenting tokens the way the app's own requests did.
fn oracle_for(
    ctx: &FlowCtx,
    persona: &str,
    identity: &Endpoint,
    raw: &str,
) -> Result<ApiOracle, Box<Outcome>> {
    let url = ctx
        .expand(&identity.path, persona)
        .and_then(|p| ctx.url_of(persona, &p))
        .map_err(|e| Box::new(Outcome::from_step_error("the identity endpoint", e)))?;
    let mut people: Vec<(String, String)> = Vec::new();
    for name in ctx.profile.personas.keys() {
        let owner = ctx.profile.owner_of(name).to_string();
        if people.iter().any(|(p, _)| *p == owner) {
            continue;
        }
        if let Ok(user) = ctx.expand("${persona.username}", &owner)
            && !user.is_empty()
        {
            people.push((owner, user));
        }
    }
    Ok(ApiOracle {
        client: crate::engine::http_client::replay_client(),
        url,
        endpoint: identity.clone(),
        carrier: Carrier::for_location(&ctx.profile.token, raw),
        people,
    })
}

/// The refresh token the persona's browser holds now: the newest `Set-Cookie` for it (none when that
/// one cleared it). Read from the network log: an HttpOnly cookie scoped to the API is invisible to
/// the page and to WebDriver's cookie list on other paths.
pub(crate) fn refresh_held(net: &[NetEvent], location: &RefreshTokenLocation) -> Option<String> {
    let RefreshTokenLocation::Cookie(name) = location;
    let line = net.iter().rev().find_map(|e| match e {
        NetEvent::Response { headers, .. } => headers
            .iter()
            .rev()
            .filter(|(k, _)| k == "set-cookie")
            .find(|(_, line)| {
                line.split(';')
                    .next()
                    .and_then(|f| f.split_once('='))
                    .is_some_and(|(n, _)| n.trim() == name)
            })
            .map(|(_, l)| l.clone()),
        _ => None,
    })?;
    let mut attrs = line.split(';');
    let value = attrs.next()?.split_once('=')?.1.trim().to_string();
    let cleared = attrs.any(|a| {
        let a = a.trim().to_ascii_lowercase();
        a == "max-age=0" || a.starts_with("max-age=-") || a.contains("1970")
    });
    (!value.is_empty() && !cleared).then_some(value)
}

/// The refresh tokens the browser presented to `endpoint`'s path (from the network log's request
/// cookies, from `since` on): the app's own use of them.
pub(crate) fn refresh_sent(
    net: &[NetEvent],
    since: usize,
    location: &RefreshTokenLocation,
    path: &str,
) -> Vec<String> {
    let RefreshTokenLocation::Cookie(name) = location;
    net.iter()
        .skip(since)
        .filter_map(|e| match e {
            NetEvent::Request { url, headers, .. }
                if url::Url::parse(url).is_ok_and(|u| u.path() == path) =>
            {
                headers
                    .iter()
                    .find(|(k, _)| k == "cookie")
                    .and_then(|(_, c)| {
                        c.split(';').find_map(|kv| {
                            let (n, v) = kv.split_once('=')?;
                            (n.trim() == name).then(|| v.trim().to_string())
                        })
                    })
            }
            _ => None,
        })
        .collect()
}

/// The answer of the refresh call presenting `refresh` (never the browser's: a plain HTTP request).
pub(crate) struct RefreshAnswer {
    pub status: u16,
    /// The new refresh token its `Set-Cookie` carries, if any.
    pub new_refresh: Option<String>,
    /// A JWT-shaped string of its JSON answer (the new access token), if any.
    pub access: Option<String>,
}

impl RefreshAnswer {
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn refused(&self) -> bool {
        matches!(self.status, 400 | 401 | 403)
    }
}

/// Calls `api.refresh` with `refresh` as the browser would send it.
pub(crate) async fn call_refresh(
    ctx: &FlowCtx,
    persona: &str,
    api: &Api,
    refresh: &str,
) -> Result<RefreshAnswer, String> {
    let (Some(endpoint), Some(RefreshTokenLocation::Cookie(name))) =
        (&api.refresh, &api.refresh_token)
    else {
        return Err(
            "the profile names no refresh call (`api.refresh`, `api.refresh_token`)".into(),
        );
    };
    let url = ctx
        .expand(&endpoint.path, persona)
        .and_then(|p| ctx.url_of(persona, &p))
        .map_err(|e| e.to_string())?;
    let method =
        reqwest::Method::from_bytes(endpoint.method.as_bytes()).map_err(|e| e.to_string())?;
    let resp = crate::engine::http_client::replay_client()
        .request(method, &url)
        .header("cookie", format!("{name}={refresh}"))
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("{endpoint} failed: {e}"))?;
    let status = resp.status().as_u16();
    let mut net_headers = Vec::new();
    for v in resp.headers().get_all("set-cookie") {
        if let Ok(s) = v.to_str() {
            net_headers.push(("set-cookie".to_string(), s.to_string()));
        }
    }
    let body = resp.text().await.unwrap_or_default();
    let new_refresh = refresh_held(
        &[NetEvent::Response {
            url: url.clone(),
            status,
            headers: net_headers,
        }],
        api.refresh_token.as_ref().expect("checked above"),
    );
    let access = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|j| jwt_string(&j));
    for t in new_refresh.iter().chain(access.iter()) {
        ctx.run.redactor.register(Kind::Token, t);
    }
    Ok(RefreshAnswer {
        status,
        new_refresh,
        access,
    })
}

/// The first string of a JSON answer that parses as a JWT.
fn jwt_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Jwt::parse(s).is_ok().then(|| s.clone()),
        serde_json::Value::Array(a) => a.iter().find_map(jwt_string),
        serde_json::Value::Object(m) => m.values().find_map(jwt_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_cookie(lines: &[&str]) -> NetEvent {
        NetEvent::Response {
            url: "http://t.localhost/api/login".into(),
            status: 200,
            headers: lines
                .iter()
                .map(|l| ("set-cookie".to_string(), l.to_string()))
                .collect(),
        }
    }

    #[test]
    fn the_refresh_token_held_is_the_newest_set_and_none_once_cleared() {
        let loc = RefreshTokenLocation::Cookie("tb_refresh".into());
        let net = vec![
            set_cookie(&["tb_refresh=one; HttpOnly; Path=/api"]),
            set_cookie(&["other=x", "tb_refresh=two; HttpOnly; Path=/api"]),
        ];
        assert_eq!(refresh_held(&net, &loc).as_deref(), Some("two"));
        let mut cleared = net.clone();
        cleared.push(set_cookie(&["tb_refresh=; Max-Age=0; Path=/api"]));
        assert_eq!(refresh_held(&cleared, &loc), None);
        assert_eq!(refresh_held(&[], &loc), None);
    }
}
