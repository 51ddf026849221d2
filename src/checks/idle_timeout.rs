//! `idle_timeout_at_most`: measures, rather than waits once. Probes log in together and stay idle for
//! staggered durations in parallel (no request reaches the target meanwhile); each is then asked the
//! oracle. The longest wait still logged in and the shortest wait logged out bracket the real timeout,
//! which is judged against the policy. Wall time is the longest wait, not the sum.

use super::Outcome;
use super::probes::{fmt, log_in_probes, margin};
use crate::engine::context::FlowCtx;
use std::time::Duration;
use tokio::time::Instant;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let limit = ctx.profile.policy.idle_timeout;
    let m = margin(limit);
    // Below, at and above the limit; the probes must fit the policy's session cap.
    let mut waits = vec![
        limit.saturating_sub(m).max(Duration::from_millis(500)),
        limit + m,
    ];
    let cap = ctx.profile.policy.max_sessions as usize;
    if cap == 0 || cap >= 3 {
        waits.insert(0, limit / 2);
    }
    let probes = match log_in_probes(ctx, persona, waits.len(), "idle").await {
        Ok(p) => p,
        Err(e) => return Outcome::from_step_error("idle_timeout_at_most", e),
    };
    // Each probe's idle time starts at its own last request: touch them one by one and wait from there
    // (parallel logins finish at different moments).
    let mut deadlines = Vec::new();
    for (probe, wait) in probes.iter().zip(&waits) {
        match ctx.oracle(probe).await {
            Ok(a) if a.logged_in => deadlines.push((Instant::now() + *wait, probe.clone(), *wait)),
            Ok(_) => {
                return Outcome::error(format!("{probe} was logged out right after logging in"));
            }
            Err(e) => return Outcome::from_step_error("idle_timeout_at_most", e),
        }
    }
    deadlines.sort_by_key(|d| d.0);
    let mut results: Vec<(Duration, bool)> = Vec::new();
    for (deadline, probe, wait) in &deadlines {
        if let Err(e) = ctx.sleep_until(*deadline).await {
            return Outcome::from_step_error("idle_timeout_at_most", e);
        }
        // Only this probe touches the target now; the others keep waiting untouched.
        match ctx.oracle(probe).await {
            Ok(a) => results.push((*wait, a.logged_in)),
            Err(e) => return Outcome::from_step_error("idle_timeout_at_most", e),
        }
    }
    let alive: Vec<Duration> = results.iter().filter(|r| r.1).map(|r| r.0).collect();
    let dead: Vec<Duration> = results.iter().filter(|r| !r.1).map(|r| r.0).collect();
    let lower = alive.iter().max().copied();
    let upper = dead.iter().min().copied();
    if let (Some(l), Some(u)) = (lower, upper)
        && l > u
    {
        return Outcome::error(format!(
            "inconsistent answers: logged in after {} but logged out after {}; something else ends sessions",
            fmt(l),
            fmt(u)
        ));
    }
    let bracket = match (lower, upper) {
        (Some(l), Some(u)) => format!("idle timeout between {} and {}", fmt(l), fmt(u)),
        (Some(l), None) => format!("idle timeout longer than {}", fmt(l)),
        (None, Some(u)) => format!("idle timeout at most {}", fmt(u)),
        (None, None) => unreachable!("every probe answered"),
    };
    let o = match lower {
        Some(l) if l > limit => Outcome::fail(format!(
            "{bracket}: still logged in after {} idle, policy allows {}",
            fmt(l),
            fmt(limit)
        )),
        _ => Outcome::pass(format!("{bracket}; policy allows {}", fmt(limit))),
    };
    let mut o = o
        .measure("idle_timeout_lower_s", lower.map(|d| d.as_secs_f64()))
        .measure("idle_timeout_upper_s", upper.map(|d| d.as_secs_f64()))
        .measure("policy_s", limit.as_secs_f64());
    for (w, alive) in &results {
        o = o.with(
            format!("after {} idle", fmt(*w)),
            if *alive { "logged in" } else { "logged out" },
        );
    }
    o
}
