//! `no_token_in_referer`: every request to another origin is searched for the token in its URL and
//! its `Referer`; the Referrer-Policy of the target's pages is reported.

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::engine::token::same_origin;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "no_token_in_referer").await {
        return skip;
    }
    let Some(p) = ctx.personas.get(persona) else {
        return Outcome::error(format!("{persona} has no browser"));
    };
    if ctx.tokens_seen.is_empty() {
        return Outcome::error(
            "no session token was seen in this flow, so requests cannot be searched for it",
        )
        .with("hint", "log in before this check");
    }
    let mut cross = 0usize;
    let mut leaks = Vec::new();
    // A Referer with path and query reaching another origin leaks whatever those carry (order and
    // checkout ids today, a token tomorrow): ASVS 3.4.5 asks for a Referrer-Policy that prevents it.
    let mut full_urls = Vec::new();
    let mut policies = std::collections::BTreeSet::new();
    for e in &p.net {
        match e {
            NetEvent::Request { url, headers, .. }
                if !same_origin(url, &ctx.base_url) && url.starts_with("http") =>
            {
                cross += 1;
                let referer = headers
                    .iter()
                    .find(|(k, _)| k == "referer")
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                if let Ok(r) = url::Url::parse(referer)
                    && same_origin(referer, &ctx.base_url)
                    && (r.path() != "/" || r.query().is_some())
                {
                    full_urls.push(format!("{} received the full URL {}", origin(url), referer));
                }
                for t in &ctx.tokens_seen {
                    if url.contains(t.as_str()) {
                        leaks.push(format!("token in the URL of a request to {}", origin(url)));
                    }
                    if referer.contains(t.as_str()) {
                        leaks.push(format!(
                            "token in the Referer sent to {} ({referer})",
                            origin(url)
                        ));
                    }
                }
            }
            NetEvent::Response { url, headers, .. } if same_origin(url, &ctx.base_url) => {
                for (k, v) in headers {
                    if k == "referrer-policy" {
                        policies.insert(v.clone());
                    }
                }
            }
            _ => {}
        }
    }
    if cross == 0 {
        return Outcome::error(format!(
            "{persona} sent no request to another origin, so Referer leakage cannot be judged"
        ))
        .with(
            "hint",
            "visit a page that loads third-party content (e.g. checkout) before this check",
        );
    }
    leaks.sort();
    leaks.dedup();
    let policy = if policies.is_empty() {
        "(none sent)".to_string()
    } else {
        policies.into_iter().collect::<Vec<_>>().join(", ")
    };
    full_urls.sort();
    full_urls.dedup();
    let o = if !leaks.is_empty() {
        Outcome::fail(format!(
            "the session token reached another origin ({} time(s))",
            leaks.len()
        ))
    } else if !full_urls.is_empty() {
        Outcome::fail(format!(
            "other origins receive full page URLs (path and query) in the Referer ({} time(s)); Referrer-Policy: {policy}",
            full_urls.len()
        ))
    } else {
        Outcome::pass(format!(
            "no token and no full page URL in {cross} request(s) to other origins"
        ))
    };
    let mut o = o
        .with("Referrer-Policy", policy.clone())
        .measure("cross_origin_requests", cross)
        .measure("referrer_policy", policy);
    for l in full_urls.iter().take(5) {
        o = o.with("full URL leaked", l.clone());
    }
    for l in leaks.iter().take(20) {
        o = o.with("leak", l.clone());
    }
    o
}

fn origin(u: &str) -> String {
    url::Url::parse(u)
        .map(|x| x.origin().ascii_serialization())
        .unwrap_or_else(|_| u.to_string())
}
