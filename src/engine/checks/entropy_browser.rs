//! Token sampling through real browsers, for logins that cannot be replayed over HTTP (tokens made
//! in page script, kept in storage, or a login that needs JavaScript): rounds of parallel probes
//! logging in with the profile's `login` flow and out with its `logout` flow.

use super::Outcome;
use crate::analysis::now_ms;
use crate::engine::context::FlowCtx;
use std::time::Duration;

/// Probes logging in at once per sampling round, at most: never more than the policy's session cap,
/// or an app that evicts the oldest session would log a probe out before its login page settled.
const PROBES: usize = 4;

/// `wanted` tokens from fresh browser logins, and the unix-ms window they were taken in; an
/// `Outcome` (ERROR) when a login fails or holds no token.
pub async fn sample(
    ctx: &mut FlowCtx,
    persona: &str,
    wanted: usize,
) -> Result<(Vec<String>, (u64, u64)), Outcome> {
    let probes = match ctx.profile.policy.max_sessions as usize {
        0 => PROBES,
        cap => cap.min(PROBES),
    };
    let logout = ctx.profile.flows.contains_key("logout");
    let names: Vec<String> = (1..=probes)
        .map(|i| format!("{persona}-sample{i}"))
        .collect();
    for n in &names {
        ctx.aliases.insert(n.clone(), persona.to_string());
    }
    let limit = ctx.profile.step_timeout.max(Duration::from_secs(10));
    let start = now_ms();
    let mut tokens: Vec<String> = Vec::with_capacity(wanted);
    while tokens.len() < wanted {
        let round = &names[..probes.min(wanted - tokens.len())];
        for n in round {
            let forgotten = match ctx.session(n).await {
                Ok(s) => s.delete_all_cookies().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = forgotten {
                return Err(Outcome::error(format!(
                    "could not reset a sampling browser: {e}"
                )));
            }
        }
        if let Err(e) = ctx.parallel(round, "login", limit).await {
            return Err(Outcome::from_step_error("entropy_at_least", e));
        }
        for n in round {
            match ctx.read_token(n).await {
                Ok(t) if !t.is_empty() => tokens.push(t.values().collect::<Vec<_>>().concat()),
                Ok(_) => {
                    return Err(Outcome::error(format!(
                        "a fresh login held no token at {}",
                        ctx.profile.token.describe()
                    )));
                }
                Err(e) => return Err(Outcome::from_step_error("entropy_at_least", e)),
            }
        }
        // Ends the round's sessions, so an app that refuses logins over its cap keeps accepting the
        // next round. A failed logout costs nothing here: the token is already sampled.
        if logout && let Err(e) = ctx.parallel(round, "logout", limit).await {
            tracing::debug!(error = %e, "a sampling probe could not log out");
        }
    }
    Ok((tokens, (start, now_ms())))
}
