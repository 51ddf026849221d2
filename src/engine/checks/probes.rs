//! Probe personas: extra isolated browsers a measuring check creates on the fly, each logged in to an
//! existing persona's account, so measurements run in parallel without touching the scenario's personas.

use crate::engine::context::FlowCtx;
use crate::engine::step_error::StepResult;
use std::time::Duration;

/// Creates `n` probes on `persona`'s account and logs them all in at once. Returns their names.
pub async fn log_in_probes(
    ctx: &mut FlowCtx,
    persona: &str,
    n: usize,
    tag: &str,
) -> StepResult<Vec<String>> {
    let names: Vec<String> = (1..=n).map(|i| format!("{persona}-{tag}{i}")).collect();
    log_in_named(ctx, persona, &names).await?;
    Ok(names)
}

/// Logs probes of these names in to `persona`'s account, all at once.
pub async fn log_in_named(ctx: &mut FlowCtx, persona: &str, names: &[String]) -> StepResult<()> {
    for name in names {
        ctx.aliases.insert(name.clone(), persona.to_string());
    }
    let limit = ctx.profile.step_timeout.max(Duration::from_secs(10));
    ctx.parallel(names, "login", limit).await
}

/// A margin around a policy limit: a tenth of it, at least one second.
pub fn margin(limit: Duration) -> Duration {
    (limit / 10).max(Duration::from_secs(1))
}

pub fn fmt(d: Duration) -> String {
    crate::duration::format_duration(d)
}
