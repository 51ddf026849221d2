//! `no_cacheable_pages`: every authenticated page (a document requested with the session token) must be
//! answered with `Cache-Control: no-store`, or a shared device's cache and back button keep it.

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "no_cacheable_pages").await {
        return skip;
    }
    super::token_access::read_stored(ctx, persona).await;
    let Some(p) = ctx.personas.get(persona) else {
        return Outcome::error(format!("{persona} has no browser"));
    };
    if ctx.tokens_seen.is_empty() {
        return Outcome::error(
            "no session token was seen in this flow, so authenticated pages cannot be told apart",
        )
        .with("hint", "log in before this check");
    }
    let mut authenticated_docs = std::collections::HashSet::new();
    for e in &p.net {
        if let NetEvent::Request {
            url,
            headers,
            is_navigation,
            ..
        } = e
        {
            let has = |k: &str| {
                headers
                    .iter()
                    .any(|(h, v)| h == k && ctx.tokens_seen.iter().any(|t| v.contains(t.as_str())))
            };
            // A single-page app's authenticated content is what its API answers to the bearer token
            // (the documents are one public shell); a cookie app's is the documents it sends.
            let sent_token = if *is_navigation {
                has("cookie")
                    || headers.iter().any(|(k, v)| {
                        k.starts_with("x-")
                            && ctx.tokens_seen.iter().any(|t| v.contains(t.as_str()))
                    })
                    || ctx.tokens_seen.iter().any(|t| url.contains(t.as_str()))
            } else {
                has("authorization")
            };
            if sent_token {
                authenticated_docs.insert(url.clone());
            }
        }
    }
    let mut judged = 0usize;
    let mut cacheable = Vec::new();
    for e in &p.net {
        if let NetEvent::Response {
            url,
            status,
            headers,
        } = e
            && authenticated_docs.contains(url)
            && (200..300).contains(status)
        {
            judged += 1;
            let cc: Vec<String> = headers
                .iter()
                .filter(|(k, _)| k == "cache-control")
                .map(|(_, v)| v.to_ascii_lowercase())
                .collect();
            if !cc.iter().any(|v| v.contains("no-store")) {
                let shown = if cc.is_empty() {
                    "(none)".to_string()
                } else {
                    cc.join(", ")
                };
                cacheable.push(format!("{} — Cache-Control: {shown}", path_of(url)));
            }
        }
    }
    if judged == 0 {
        return Outcome::error(format!(
            "no authenticated page response was observed for {persona}"
        ))
        .with("hint", "open a page while logged in before this check");
    }
    cacheable.sort();
    cacheable.dedup();
    let mut o = if cacheable.is_empty() {
        Outcome::pass(format!(
            "all {judged} authenticated page response(s) carry Cache-Control: no-store"
        ))
    } else {
        Outcome::fail(format!(
            "{} authenticated page(s) may be cached",
            cacheable.len()
        ))
    };
    for c in cacheable.iter().take(10) {
        o = o.with("cacheable", c.clone());
    }
    o.measure(Measure::AuthenticatedResponses, judged)
        .measure(Measure::Cacheable, cacheable.len())
}

fn path_of(u: &str) -> String {
    url::Url::parse(u)
        .map(|x| x.path().to_string())
        .unwrap_or_else(|_| u.to_string())
}
