//! `jwt_lifetime`: a self-contained token cannot be ended early by the server unless it keeps state, so
//! its own `exp` is what bounds a stolen copy (ASVS 5.0 V9, WSTG-SESS-10). Judged: `exp` is present,
//! `exp − iat` is no longer than the policy's absolute session lifetime, and the token the app issued,
//! replayed once its `exp` has passed, is refused. usher forges nothing here: it waits the token out.

use super::{controls, fp, held};
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Clock skew verifiers commonly allow after `exp` (jsonwebtoken's default leeway is 60 s): a token
/// still accepted within it is not yet a finding; one accepted after it is.
const LEEWAY: Duration = Duration::from_secs(60);
/// How often the expired token is replayed while the leeway runs.
const POLL: Duration = Duration::from_secs(5);

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let h = match held(ctx, persona, "jwt_lifetime").await {
        Ok(h) => h,
        Err(o) => return o,
    };
    let token_fp = fp(ctx, &h.text);
    let life = crate::jwt::lifetime(&h.jwt);
    let limit = ctx.profile.policy.absolute_timeout;
    let Some(exp) = life.exp.map(|t| t.unix_timestamp()) else {
        return Outcome::fail(
            "the JWT has no `exp`: a stolen copy works until the signing key changes",
        )
        .with("token", token_fp)
        .with(
            "claims",
            h.jwt.claims.keys().cloned().collect::<Vec<_>>().join(", "),
        );
    };
    let lifetime = life.iat.map(|iat| exp - iat.unix_timestamp());
    let remaining = exp - now_secs();
    let judged = lifetime.unwrap_or(remaining);
    if judged > limit.as_secs() as i64 {
        let what = if lifetime.is_some() {
            "`exp − iat`"
        } else {
            "the time left until `exp` (no `iat`)"
        };
        return Outcome::fail(format!(
            "the JWT lives {}: {what} is longer than the policy's absolute lifetime ({})",
            human(judged),
            human(limit.as_secs() as i64)
        ))
        .with("token", token_fp)
        .measure(Measure::TokenLifetimeS, judged);
    }
    let mut evidence = match controls::prove_oracle(&h).await {
        Ok(e) => e,
        Err(o) => return o,
    };
    // Wait the token out, then replay it until the common leeway has passed too.
    let wait = Duration::from_secs((remaining.max(0) + 1) as u64);
    if cancelled_sleep(ctx, wait).await {
        return Outcome::error("cancelled while waiting for the JWT to expire");
    }
    let deadline = tokio::time::Instant::now() + LEEWAY;
    let mut last;
    loop {
        last = match h.oracle.ask(Some(&h.text)).await {
            Ok(a) => a,
            Err(e) => {
                return Outcome::error(format!("the expired token could not be replayed: {e}"));
            }
        };
        if last.accepted().is_none() || tokio::time::Instant::now() >= deadline {
            break;
        }
        if cancelled_sleep(ctx, POLL).await {
            return Outcome::error("cancelled while replaying the expired JWT");
        }
    }
    let after = now_secs() - exp;
    let mut o = match last.accepted() {
        Some(p) => Outcome::fail(format!(
            "the JWT is still accepted (as {p}) {after} s after its `exp`: the API does not enforce expiry"
        )),
        None => Outcome::pass(format!(
            "the JWT lives {} (within the policy's {}) and is refused {after} s after its `exp`",
            human(judged),
            human(limit.as_secs() as i64)
        )),
    };
    evidence.push(crate::record::Evidence::new(
        "expired token replayed",
        last.describe(),
    ));
    o.evidence.extend(evidence);
    o.with("token", token_fp)
        .measure(Measure::TokenLifetimeS, judged)
}

/// Sleeps unless the run is cancelled first (true: cancelled).
async fn cancelled_sleep(ctx: &FlowCtx, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = ctx.run.cancel.cancelled() => true,
    }
}

fn human(secs: i64) -> String {
    match secs {
        s if s >= 86_400 && s % 3600 == 0 => format!("{} h ({} days)", s / 3600, s / 86_400),
        s if s >= 3600 => format!("{:.1} h", s as f64 / 3600.0),
        s if s >= 120 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}
