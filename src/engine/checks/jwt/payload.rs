//! `jwt_payload_hygiene`: a JWT's payload is base64, not encryption; anyone holding the token (a log, a
//! proxy, a script on the page) reads it. It must carry no secret or personal data beyond the identity
//! the app needs (ASVS 5.0 V9, WSTG-SESS-10). Claim names are shown with why each is flagged; their
//! values never are.

use super::{fp, held};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let h = match held(ctx, persona, "jwt_payload_hygiene").await {
        Ok(h) => h,
        Err(o) => return o,
    };
    let found = crate::jwt::sensitive_claims(&h.jwt);
    let described = crate::jwt::describe(&h.jwt);
    let mut o = if found.is_empty() {
        Outcome::pass(format!(
            "the JWT's readable claims ({}) carry no secret or personal data beyond the identity",
            h.jwt.claims.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    } else {
        let names: Vec<String> = found.iter().map(|c| c.name.clone()).collect();
        let mut o = Outcome::fail(format!(
            "the JWT's payload, readable by anyone holding the token, carries {}",
            names.join(", ")
        ));
        for c in &found {
            o = o.with(format!("claim `{}`", c.name), c.why.clone());
        }
        o
    };
    o = o.with("token", fp(ctx, &h.text)).with(
        "decoded (values redacted where secret-like)",
        described.to_string(),
    );
    o
}
