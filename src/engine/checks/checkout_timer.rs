//! `checkout_expires`: starts checkout, stays idle past the policy's checkout-step limit, then tries to
//! complete it. The purchase must be refused while the session itself stays valid (catalogue, fix 3).
//! `complete_checkout` is run as a question: its `see` steps say whether the purchase went through.

use super::Outcome;
use super::probes::{fmt, margin};
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::Policy;
use std::time::Duration;
use tokio::time::Instant;

/// How long the started checkout is left idle: the step limit plus a margin.
pub fn idle_wait(policy: &Policy) -> Duration {
    policy.checkout_timeout + margin(policy.checkout_timeout)
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let policy = ctx.profile.policy.clone();
    for flow in ["start_checkout", "complete_checkout"] {
        if !ctx.profile.flows.contains_key(flow) {
            return Outcome::skipped(format!("the profile has no `{flow}` flow"));
        }
    }
    let wait = idle_wait(&policy);
    if wait >= policy.idle_timeout {
        return Outcome::error(format!(
            "the checkout limit plus margin ({}) is not below the idle timeout ({}): the session would expire first \
             and the step timer could not be told apart",
            fmt(wait),
            fmt(policy.idle_timeout)
        ));
    }
    let start = ctx.profile.flows["start_checkout"].clone();
    if let Err(f) = ctx.exec_steps(&start.steps, persona).await {
        return Outcome::error(format!(
            "`start_checkout` failed at {}: {}",
            f.origin, f.error
        ));
    }
    ctx.mark_as(
        persona,
        format!(
            "checkout left idle for {}",
            humantime::format_duration(wait)
        ),
        crate::record::Mark::Idle {
            seconds: wait.as_secs_f64(),
        },
    );
    if let Err(e) = ctx.sleep_until(Instant::now() + wait).await {
        return Outcome::from_step_error("checkout_expires", e);
    }
    let completed = match ctx.predicate_flow(persona, "complete_checkout").await {
        Ok(a) => a,
        Err(e) => return Outcome::from_step_error("checkout_expires", e),
    };
    let session = match ctx.oracle(persona).await {
        Ok(a) => a,
        Err(e) => return Outcome::from_step_error("checkout_expires", e),
    };
    let o = if completed.logged_in {
        Outcome::fail(format!(
            "a checkout left idle for {} was still completed; the step limit is {}",
            fmt(wait),
            fmt(policy.checkout_timeout)
        ))
    } else if !session.logged_in {
        Outcome::error(format!(
            "the purchase was refused, but the whole session had ended after {}: the step timer cannot be judged",
            fmt(wait)
        ))
    } else {
        Outcome::pass(format!(
            "after {} idle the purchase was refused and the session stayed valid",
            fmt(wait)
        ))
    };
    o.with("complete_checkout", completed.observed.join("; "))
        .with("session afterwards", session.observed.join("; "))
        .measure(Measure::IdleS, wait.as_secs_f64())
        .measure(Measure::PurchaseCompleted, completed.logged_in)
}
