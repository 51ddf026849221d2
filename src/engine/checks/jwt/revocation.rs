//! `jwt_revoked_by: FLOW`: a JWT is valid by its signature alone, so logout and a password change end
//! a stolen copy only if the server keeps a denylist (or short lifetimes and revoked refresh tokens).
//! The access token and the refresh token the persona holds when the flow starts (what an attacker
//! copied) are replayed over plain HTTP after the flow (logout, password change) has run in the
//! browser: both must be refused (ASVS 5.0 V9 / 7.4, WSTG-SESS-06 and -10).

use super::{call_refresh, controls, fp, held, refresh_held, refresh_sent};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str, flow: &str) -> Outcome {
    let h = match held(ctx, persona, "jwt_revoked_by").await {
        Ok(h) => h,
        Err(o) => return o,
    };
    let mut evidence = match controls::prove_oracle(&h).await {
        Ok(e) => e,
        Err(o) => return o,
    };
    let api = ctx.profile.api.clone().expect("held() required `api`");
    let Some(steps) = ctx.profile.flows.get(flow).map(|f| f.steps.clone()) else {
        return Outcome::skipped(format!("the profile has no `{flow}` flow"));
    };
    let net = ctx
        .personas
        .get(persona)
        .map(|p| p.net.as_slice())
        .unwrap_or(&[]);
    let start = net.len();
    let refresh = api
        .refresh_token
        .as_ref()
        .and_then(|loc| refresh_held(net, loc));
    let access_fp = fp(ctx, &h.text);
    let refresh_fp = refresh.as_deref().map(|r| fp(ctx, r));
    if let Err(f) = ctx.exec_steps(&steps, persona).await {
        return Outcome::error(format!("the `{flow}` flow failed: {}", f.error));
    }
    // The flow's traffic (the app's own refresh calls) is read now: steps leave the network log
    // unread until something judges it.
    ctx.observe_all().await;
    let access = match h.oracle.ask(Some(&h.text)).await {
        Ok(a) => a,
        Err(e) => {
            return Outcome::error(format!("the old access token could not be replayed: {e}"));
        }
    };
    // Refused because it expired while the flow ran proves nothing about revocation.
    let exp = crate::jwt::lifetime(&h.jwt).exp.map(|t| t.unix_timestamp());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if access.accepted().is_none() && exp.is_some_and(|e| e <= now) {
        return Outcome::error(format!(
            "the access token expired while `{flow}` ran, so its refusal says nothing about revocation; \
             the access tokens must outlive the flow (a longer lifetime on a test instance)"
        ));
    }
    let mut findings = Vec::new();
    if let Some(p) = access.accepted() {
        findings.push(format!("the access token is still accepted (as {p})"));
    }
    evidence.push(crate::record::Evidence::new(
        format!("access token {access_fp} after `{flow}`"),
        access.describe(),
    ));
    match (&refresh, &api.refresh) {
        (Some(r), Some(endpoint)) => {
            let loc = api.refresh_token.as_ref().expect("goes with refresh");
            let path = url::Url::parse(&ctx.url_of(persona, &endpoint.path).unwrap_or_default())
                .map(|u| u.path().to_string())
                .unwrap_or_else(|_| endpoint.path.clone());
            let net = ctx
                .personas
                .get(persona)
                .map(|p| p.net.as_slice())
                .unwrap_or(&[]);
            let label = format!(
                "refresh token {} after `{flow}`",
                refresh_fp.clone().unwrap_or_default()
            );
            if refresh_sent(net, start, loc, &path).contains(r) {
                // The app rotated it itself during the flow: refused now proves nothing about revocation.
                evidence.push(crate::record::Evidence::new(
                    label,
                    "not judged: the app used it up on its own refresh call during the flow",
                ));
            } else {
                let a = match call_refresh(ctx, persona, &api, r).await {
                    Ok(a) => a,
                    Err(e) => {
                        return Outcome::error(format!(
                            "the old refresh token could not be replayed: {e}"
                        ));
                    }
                };
                if a.accepted() {
                    findings.push("the refresh token still trades for a new access token".into());
                } else if !a.refused() {
                    return Outcome::error(format!(
                        "the refresh call ({endpoint}) answered {} to the old refresh token: neither accepted \
                         nor refused (is `api.refresh` right?)",
                        a.status
                    ));
                }
                evidence.push(crate::record::Evidence::new(
                    label,
                    if a.accepted() {
                        format!("accepted ({})", a.status)
                    } else {
                        format!("refused ({})", a.status)
                    },
                ));
            }
        }
        (None, Some(_)) => evidence.push(crate::record::Evidence::new(
            "refresh token",
            "none held before the flow: only the access token judged",
        )),
        _ => evidence.push(crate::record::Evidence::new(
            "refresh token",
            "the profile names no refresh call: only the access token judged",
        )),
    }
    let mut o = if findings.is_empty() {
        Outcome::pass(format!(
            "after `{flow}`, the tokens {persona} held before it are refused when replayed"
        ))
    } else {
        Outcome::fail(format!("after `{flow}`, {}", findings.join("; ")))
    };
    o.evidence.extend(evidence);
    o
}
