//! `concurrent_sessions_at_most`: logs the persona's account in `cap` times one after another (so the
//! oldest is known), then twice more at once (the scalper's burst), and counts the sessions still
//! logged in. More than the policy's cap is a FAIL; what happened to the oldest is reported.

use super::Outcome;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::policy::AtCap;
use std::time::Duration;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let policy = ctx.profile.policy.clone();
    let cap = policy.max_sessions as usize;
    if cap == 0 {
        return Outcome::skipped("the policy sets no cap on concurrent sessions (max_sessions: 0)");
    }
    let names: Vec<String> = (1..=cap + 2)
        .map(|i| format!("{persona}-session{i}"))
        .collect();
    for n in &names {
        ctx.aliases.insert(n.clone(), persona.to_string());
    }
    let limit = ctx.profile.step_timeout.max(Duration::from_secs(10));
    // A denied login may fail its own flow; that is an answer here, not an error.
    let mut login_failed = Vec::new();
    for n in &names[..cap] {
        if ctx
            .parallel(std::slice::from_ref(n), "login", limit)
            .await
            .is_err()
        {
            login_failed.push(n.clone());
        }
    }
    if ctx.parallel(&names[cap..], "login", limit).await.is_err() {
        login_failed.extend(names[cap..].iter().cloned());
    }
    let mut alive = Vec::new();
    for n in &names {
        match ctx.oracle(n).await {
            Ok(a) => alive.push(a.logged_in),
            Err(e) => return Outcome::from_step_error("concurrent_sessions_at_most", e),
        }
    }
    let count = alive.iter().filter(|a| **a).count();
    if count == 0 {
        return Outcome::error("no session was logged in at the end; the logins themselves failed");
    }
    let oldest = if alive[0] {
        "still logged in"
    } else {
        "logged out"
    };
    let newest = alive[cap..].iter().filter(|a| **a).count();
    let behaviour = match (alive[0], newest) {
        (false, n) if n > 0 => "evicts the oldest",
        (true, 0) => "denies new logins",
        _ => "neither evicts the oldest nor denies new logins",
    };
    let mut o = if count > cap {
        Outcome::fail(format!(
            "{count} sessions of one account were logged in at once; policy allows {cap}"
        ))
    } else {
        Outcome::pass(format!(
            "{count} of {} logins stayed logged in (cap {cap}); the app {behaviour}",
            names.len()
        ))
    };
    let expected = match policy.at_cap {
        AtCap::EvictOldest => "evicts the oldest",
        AtCap::DenyNew => "denies new logins",
    };
    if count <= cap && behaviour != expected {
        o = o.with("note", format!("policy expects an app that {expected}"));
    }
    o.with("oldest session", oldest)
        .with("logins", format!("{cap} one after another, then 2 at once"))
        .measure(Measure::ObservedCap, count)
        // In login order: which sessions were still logged in at the end, for the report's drawing.
        .measure(Measure::LoginsAlive, alive)
        .measure(Measure::PolicyCap, cap)
        .measure(Measure::AtCap, behaviour)
}
