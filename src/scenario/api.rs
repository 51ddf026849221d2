//! `api:` in a profile: the JSON API behind a single-page or mobile app whose session is a bearer token
//! (often a JWT). It names the HTTP identity oracle the token scenarios replay forged, expired and
//! revoked tokens against, and the refresh call with where its refresh token lives.

use super::convert::Ctx;
use super::node::Node;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One HTTP call of the API: `GET /api/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub method: String,
    /// A path on the app's origin (or an absolute URL), `${vars}` allowed.
    pub path: String,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Where the refresh token travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RefreshTokenLocation {
    /// A cookie (usually HttpOnly, scoped to the API's path): read from the `Set-Cookie` the browser
    /// received, sent back as a `Cookie` header.
    Cookie(String),
}

impl RefreshTokenLocation {
    pub fn describe(&self) -> String {
        match self {
            RefreshTokenLocation::Cookie(c) => format!("cookie `{c}`"),
        }
    }
}

/// The profile's token API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Api {
    /// Answers who the presented token belongs to: accepted as persona P = a 2xx answer holding a
    /// JSON string equal to P's username and none equal to another persona's.
    pub identity: Endpoint,
    /// Trades a refresh token for a new access token.
    pub refresh: Option<Endpoint>,
    pub refresh_token: Option<RefreshTokenLocation>,
}

/// `api:` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiDoc {
    /// The identity oracle for the token: `METHOD /path` answering JSON that holds the username of the
    /// token's account, e.g. `GET /api/me`. Forged, expired and revoked tokens are replayed against it.
    pub identity: String,
    /// The refresh call, e.g. `POST /api/token/refresh`.
    pub refresh: Option<String>,
    /// Where the refresh token lives: `{cookie: NAME}`, read from the `Set-Cookie` the browser got (an
    /// HttpOnly cookie scoped to the API's path is never visible to the page).
    pub refresh_token: Option<RefreshTokenDoc>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenDoc {
    pub cookie: String,
}

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `GET /api/me` → an endpoint, or what is wrong with it.
pub fn endpoint(text: &str) -> Result<Endpoint, String> {
    let mut words = text.split_whitespace();
    let (Some(method), Some(path), None) = (words.next(), words.next(), words.next()) else {
        return Err(format!(
            "an API call is `METHOD /path`, e.g. `GET /api/me`, found `{text}`"
        ));
    };
    let method = method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "unknown HTTP method `{method}` (valid: {})",
            METHODS.join(", ")
        ));
    }
    if !(path.starts_with('/') || path.starts_with("http://") || path.starts_with("https://")) {
        return Err(format!(
            "the path of an API call starts with `/` (or is an absolute URL), found `{path}`"
        ));
    }
    Ok(Endpoint {
        method,
        path: path.to_string(),
    })
}

/// Converts `api:`; `None` when a problem was reported.
pub fn from_node(ctx: &mut Ctx, node: &Node) -> Option<Api> {
    let doc: ApiDoc = ctx.typed(node, "`api`")?;
    let bad = |ctx: &mut Ctx, key: &str, msg: String| {
        let pos = node.find_key(key).unwrap_or(node.pos);
        ctx.error(
            pos,
            key.len(),
            msg,
            Some("e.g. `api: {identity: GET /api/me, refresh: POST /api/token/refresh, refresh_token: {cookie: tb_refresh}}`".into()),
        );
    };
    let identity = match endpoint(&doc.identity) {
        Ok(e) => e,
        Err(e) => {
            bad(ctx, "identity", format!("`api.identity`: {e}"));
            return None;
        }
    };
    let refresh = match doc.refresh.as_deref().map(endpoint).transpose() {
        Ok(r) => r,
        Err(e) => {
            bad(ctx, "refresh", format!("`api.refresh`: {e}"));
            return None;
        }
    };
    let refresh_token = doc
        .refresh_token
        .map(|d| RefreshTokenLocation::Cookie(d.cookie));
    if refresh.is_some() != refresh_token.is_some() {
        let key = if refresh.is_some() {
            "refresh"
        } else {
            "refresh_token"
        };
        bad(
            ctx,
            key,
            "`api.refresh` and `api.refresh_token` go together: the call and the token it takes"
                .into(),
        );
        return None;
    }
    Some(Api {
        identity,
        refresh,
        refresh_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn api_of(yaml: &str) -> (Option<Api>, Vec<String>) {
        let node = crate::scenario::node::parse(yaml).expect("YAML");
        let mut ctx = Ctx::new(Arc::from("app.yaml"));
        let a = from_node(&mut ctx, &node);
        (a, ctx.diags.iter().map(|d| d.message.clone()).collect())
    }

    #[test]
    fn the_explicit_form_reads_and_mistakes_are_said() {
        let (a, d) = api_of(
            "{identity: GET /api/me, refresh: post /api/token/refresh, refresh_token: {cookie: tb_refresh}}",
        );
        let a = a.unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(a.identity.to_string(), "GET /api/me");
        assert_eq!(a.refresh.unwrap().method, "POST");
        assert_eq!(
            a.refresh_token,
            Some(RefreshTokenLocation::Cookie("tb_refresh".into()))
        );
        let (a, d) = api_of("{identity: /api/me}");
        assert!(a.is_none() && d[0].contains("METHOD /path"), "{d:?}");
        let (a, d) = api_of("{identity: FETCH /api/me}");
        assert!(a.is_none() && d[0].contains("unknown HTTP method"), "{d:?}");
        let (a, d) = api_of("{identity: GET /api/me, refresh: POST /r}");
        assert!(a.is_none() && d[0].contains("go together"), "{d:?}");
        let (a, d) = api_of("{identity: GET /me, refresh: POST /r, refresh_token: {json: r}}");
        assert!(a.is_none() && !d.is_empty(), "{d:?}");
    }
}
