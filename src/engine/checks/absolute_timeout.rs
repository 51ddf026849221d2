//! `absolute_timeout_at_most`: keeps a fresh session busy through the oracle (so the idle timeout never
//! fires) until the policy's absolute lifetime plus a margin; by then it must be logged out.

use super::Outcome;
use super::probes::{fmt, log_in_probes, margin};
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::Policy;
use std::time::Duration;
use tokio::time::Instant;

/// How long the busy session is kept: the lifetime plus a margin (the check's whole wait).
pub fn deadline_after(policy: &Policy) -> Duration {
    policy.absolute_timeout + margin(policy.absolute_timeout)
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let policy = &ctx.profile.policy;
    let limit = policy.absolute_timeout;
    let deadline_after = deadline_after(policy);
    // Touch the session well within the idle timeout.
    let every =
        (policy.idle_timeout / 3).clamp(Duration::from_millis(500), Duration::from_secs(60));
    let probe = match log_in_probes(ctx, persona, 1, "busy").await {
        Ok(p) => p[0].clone(),
        Err(e) => return Outcome::from_step_error("absolute_timeout_at_most", e),
    };
    let start = Instant::now();
    let mut ended_after = None;
    let mut touches = 0usize;
    while start.elapsed() < deadline_after {
        let next = (Instant::now() + every).min(start + deadline_after);
        if let Err(e) = ctx.sleep_until(next).await {
            return Outcome::from_step_error("absolute_timeout_at_most", e);
        }
        match ctx.oracle(&probe).await {
            Ok(a) if a.logged_in => touches += 1,
            Ok(_) => {
                ended_after = Some(start.elapsed());
                break;
            }
            Err(e) => return Outcome::from_step_error("absolute_timeout_at_most", e),
        }
    }
    let o = match ended_after {
        Some(t) if t < limit.saturating_sub(margin(limit)) && touches == 0 => {
            Outcome::error(format!(
                "the session ended after {} before it was ever touched: the idle timeout, not the lifetime, ended it",
                fmt(t)
            ))
        }
        Some(t) => Outcome::pass(format!(
            "a session kept busy ended after about {} (policy: at most {})",
            fmt(t),
            fmt(limit)
        )),
        None => Outcome::fail(format!(
            "a session kept busy every {} was still logged in after {}; policy allows {}",
            fmt(every),
            fmt(deadline_after),
            fmt(limit)
        )),
    };
    o.measure(Measure::EndedAfterS, ended_after.map(|d| d.as_secs_f64()))
        .measure(
            Measure::AliveAfterS,
            ended_after
                .is_none()
                .then_some(deadline_after.as_secs_f64()),
        )
        .measure(Measure::PolicyS, limit.as_secs_f64())
        .with(
            "kept busy",
            format!("oracle every {}, {touches} time(s)", fmt(every)),
        )
}
