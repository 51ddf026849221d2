//! `jwt_refresh_rotates` and `jwt_refresh_reuse_detected`: a refresh token outlives many access tokens,
//! so a stolen one is worth more. Each use must hand out a new one (rotation), a used one must be
//! refused, and presenting a used one (only a thief or a replay does) must revoke the newer one too,
//! ending the thief's and the victim's chain alike (reuse detection; ASVS 5.0 V9, RFC 9700 §4.14).
//! The refresh calls go over plain HTTP with the refresh token the browser holds.

use super::{RefreshAnswer, call_refresh, fp, held, refresh_held};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;
use crate::scenario::api::Api;

/// The API, the refresh token the persona holds and its first use (the control), or the outcome.
async fn first_use(
    ctx: &mut FlowCtx,
    persona: &str,
    what: &str,
) -> Result<(Api, String, RefreshAnswer), Outcome> {
    let h = held(ctx, persona, what).await?;
    let api = ctx.profile.api.clone().expect("held() required `api`");
    let (Some(_), Some(loc)) = (&api.refresh, &api.refresh_token) else {
        return Err(Outcome::skipped(
            "the profile names no refresh call (`api.refresh` and `api.refresh_token`)",
        ));
    };
    let net = ctx
        .personas
        .get(persona)
        .map(|p| p.net.as_slice())
        .unwrap_or(&[]);
    let Some(r0) = refresh_held(net, loc) else {
        return Err(Outcome::error(format!(
            "{persona} holds no refresh token ({}) to judge: none was set by the app's answers",
            loc.describe()
        )));
    };
    let first = call_refresh(ctx, persona, &api, &r0)
        .await
        .map_err(|e| Outcome::error(format!("the refresh call failed: {e}")))?;
    if !first.accepted() {
        return Err(Outcome::error(format!(
            "control failed: the refresh token {persona}'s browser holds was answered {} on its first use, \
             so rotation cannot be judged (is `api.refresh` right?)",
            first.status
        )));
    }
    // The control also proves the call hands out a working access token for the same account.
    if let Some(access) = &first.access {
        match h.oracle.ask(Some(access)).await {
            Ok(a) if a.accepted() == Some(h.owner.as_str()) => {}
            Ok(a) => {
                return Err(Outcome::error(format!(
                    "control failed: the access token the refresh call handed out was {}, not accepted as {}",
                    a.describe(),
                    h.owner
                )));
            }
            Err(e) => return Err(Outcome::error(e)),
        }
    }
    Ok((api, r0, first))
}

pub async fn rotates(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let (_, r0, first) = match first_use(ctx, persona, "jwt_refresh_rotates").await {
        Ok(x) => x,
        Err(o) => return o,
    };
    let old = fp(ctx, &r0);
    let o = match &first.new_refresh {
        Some(r1) if *r1 != r0 => Outcome::pass("the refresh call hands out a new refresh token")
            .with("new refresh token", fp(ctx, r1)),
        Some(_) => Outcome::fail(
            "the refresh call hands back the same refresh token: refresh tokens are not rotated",
        ),
        None => Outcome::fail(
            "the refresh call sets no new refresh token: the one used stays the one to use (no rotation)",
        ),
    };
    o.with("refresh token used", old)
}

pub async fn reuse_detected(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let (api, r0, first) = match first_use(ctx, persona, "jwt_refresh_reuse_detected").await {
        Ok(x) => x,
        Err(o) => return o,
    };
    let old = fp(ctx, &r0);
    let again = match call_refresh(ctx, persona, &api, &r0).await {
        Ok(a) => a,
        Err(e) => return Outcome::error(format!("the refresh call failed: {e}")),
    };
    if again.accepted() {
        return Outcome::fail(
            "a refresh token already used is accepted again: a stolen copy keeps minting access tokens",
        )
        .with("refresh token reused", old)
        .with("second use", format!("accepted ({})", again.status));
    }
    if !again.refused() {
        return Outcome::error(format!(
            "the reused refresh token was answered {}: neither accepted nor refused",
            again.status
        ));
    }
    let Some(r1) = first.new_refresh.filter(|r1| *r1 != r0) else {
        return Outcome::fail(
            "the refresh call rotates no refresh token, so reuse cannot be told from use",
        )
        .with("refresh token", old);
    };
    let newer = fp(ctx, &r1);
    let after = match call_refresh(ctx, persona, &api, &r1).await {
        Ok(a) => a,
        Err(e) => return Outcome::error(format!("the refresh call failed: {e}")),
    };
    let o = if after.accepted() {
        Outcome::fail(
            "reusing an old refresh token did not revoke the newer one: the thief's or the victim's chain \
             goes on (no reuse detection)",
        )
    } else if after.refused() {
        Outcome::pass(
            "a used refresh token is refused, and its reuse revoked the newer one (reuse detection)",
        )
    } else {
        return Outcome::error(format!(
            "the newer refresh token was answered {} after the reuse: neither accepted nor refused",
            after.status
        ));
    };
    o.with("refresh token used, then reused", old)
        .with("reuse", format!("refused ({})", again.status))
        .with(
            format!("newer refresh token {newer} after the reuse"),
            format!(
                "{} ({})",
                if after.accepted() {
                    "accepted"
                } else {
                    "refused"
                },
                after.status
            ),
        )
}
