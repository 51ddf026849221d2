//! `no_token_in_url`: every URL the persona navigated to, was redirected through, or has in history
//! is searched for a token value, and for parameters named like session ids.

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;

/// Parameter names that carry session ids in the wild.
pub const SUSPICIOUS_PARAMS: &[&str] = &[
    "sid",
    "session",
    "sessionid",
    "session_id",
    "token",
    "jsessionid",
    "phpsessid",
    "auth",
    "access_token",
];

/// A value shorter than this in a suspicious parameter is not treated as a session id.
const MIN_ID_LEN: usize = 16;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "no_token_in_url").await {
        return skip;
    }
    super::token_access::read_stored(ctx, persona).await;
    let current = match ctx.session(persona).await {
        Ok(s) => s.current_url().await.ok(),
        Err(e) => return Outcome::from_step_error("no_token_in_url", e),
    };
    let Some(p) = ctx.personas.get(persona) else {
        return Outcome::error(format!("{persona} has no browser"));
    };
    let mut urls: Vec<String> = p.history.clone();
    for e in &p.net {
        if let NetEvent::Response { url, headers, .. } = e {
            for (k, v) in headers {
                if k == "location" {
                    urls.push(
                        url::Url::parse(url)
                            .and_then(|b| b.join(v))
                            .map(|u| u.to_string())
                            .unwrap_or(v.clone()),
                    );
                }
            }
        }
    }
    urls.extend(current);
    if urls.is_empty() {
        return Outcome::error(format!(
            "{persona} navigated nowhere, so there are no URLs to judge"
        ));
    }
    if ctx.tokens_seen.is_empty() {
        return Outcome::error(
            "no session token was seen in this flow, so URLs cannot be searched for it",
        )
        .with("hint", "log in before this check");
    }
    let mut leaks = Vec::new();
    for u in &urls {
        if ctx
            .tokens_seen
            .iter()
            .any(|t| u.contains(t.as_str()) || u.contains(&*urlencode(t)))
        {
            leaks.push(format!("token in {u}"));
            continue;
        }
        if let Ok(parsed) = url::Url::parse(u) {
            for (k, v) in parsed.query_pairs() {
                if SUSPICIOUS_PARAMS.contains(&k.to_ascii_lowercase().as_str())
                    && v.len() >= MIN_ID_LEN
                {
                    leaks.push(format!("parameter `{k}` looks like a session id in {u}"));
                }
            }
        }
    }
    leaks.dedup();
    let o = if leaks.is_empty() {
        Outcome::pass(format!("no token in any of {} URLs", urls.len()))
    } else {
        Outcome::fail(format!(
            "the session token appears in {} URL(s)",
            leaks.len()
        ))
    };
    let mut o = o
        .measure(Measure::UrlsScanned, urls.len())
        .measure(Measure::Leaks, leaks.len());
    for l in leaks.iter().take(20) {
        o = o.with("leak", l.clone());
    }
    o
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
