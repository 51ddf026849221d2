//! `no_token_in_storage`: the token must not sit in localStorage or sessionStorage, nor be readable
//! from `document.cookie` (both are one XSS away from theft).

use super::Outcome;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;

const DUMP: &str = r#"
const dump = (s) => { const o = {}; try { for (let i = 0; i < s.length; i++) { const k = s.key(i); o[k] = s.getItem(k); } } catch (e) {} return o; };
return { local: dump(window.localStorage), session: dump(window.sessionStorage), cookie: document.cookie, origin: location.origin };
"#;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let session = match ctx.session(persona).await {
        Ok(s) => s,
        Err(e) => return Outcome::from_step_error("no_token_in_storage", e),
    };
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "no_token_in_storage").await {
        return skip;
    }
    super::token_access::read_stored(ctx, persona).await;
    let here = session.current_url().await.unwrap_or_default();
    if !crate::engine::token::same_origin(&here, &ctx.base_url) {
        return Outcome::error(format!(
            "{persona} is not on the target's origin ({here}), so its storage cannot be read"
        ));
    }
    let dump = match session.execute(DUMP, vec![]).await {
        Ok(v) => v,
        Err(e) => return Outcome::error(format!("could not read storage: {e}")),
    };
    if ctx.tokens_seen.is_empty() {
        return Outcome::error(
            "no session token was seen in this flow, so storage cannot be searched for it",
        )
        .with("hint", "log in before this check");
    }
    let mut found = Vec::new();
    for area in ["local", "session"] {
        if let Some(map) = dump.get(area).and_then(|m| m.as_object()) {
            for (k, v) in map {
                let text = v.as_str().unwrap_or_default();
                if ctx.tokens_seen.iter().any(|t| text.contains(t.as_str())) {
                    found.push(format!("{area}Storage[{k}] holds the token"));
                }
            }
        }
    }
    let cookie = dump
        .get("cookie")
        .and_then(|c| c.as_str())
        .unwrap_or_default();
    if ctx.tokens_seen.iter().any(|t| cookie.contains(t.as_str())) {
        found.push("document.cookie exposes the token to scripts".into());
    }
    let keys = |area: &str| {
        dump.get(area)
            .and_then(|m| m.as_object())
            .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let o = if found.is_empty() {
        Outcome::pass("the token is in no script-readable storage")
    } else {
        Outcome::fail(found.join("; "))
    };
    o.with("localStorage keys", keys("local"))
        .with("sessionStorage keys", keys("session"))
        .measure(Measure::Exposures, found.len())
}
