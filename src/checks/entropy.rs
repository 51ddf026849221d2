//! `entropy_at_least`: samples tokens from fresh logins (the policy's `token_samples`, in rounds of
//! parallel probes) and runs the token analysis (src/analysis): uniqueness, character- and bit-level
//! statistics, structure, and hashes of counters or timestamps. Too few tokens is ERROR, never PASS.

use super::Outcome;
use crate::analysis::{AnalysisOptions, TokenVerdict, analyze};
use crate::engine::context::FlowCtx;
use std::time::Duration;

/// Probes logging in at once per sampling round, at most: never more than the policy's session cap,
/// or an app that evicts the oldest session would log a probe out before its login page settled.
const PROBES: usize = 4;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let wanted = ctx.profile.policy.token_samples as usize;
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
    let mut tokens: Vec<String> = Vec::with_capacity(wanted);
    while tokens.len() < wanted {
        let round = &names[..probes.min(wanted - tokens.len())];
        for n in round {
            let forgotten = match ctx.session(n).await {
                Ok(s) => s.delete_all_cookies().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = forgotten {
                return Outcome::error(format!("could not reset a sampling browser: {e}"));
            }
        }
        if let Err(e) = ctx.parallel(round, "login", limit).await {
            return Outcome::from_step_error("entropy_at_least", e);
        }
        for n in round {
            match ctx.read_token(n).await {
                Ok(t) if !t.is_empty() => tokens.push(t.values().collect::<Vec<_>>().concat()),
                Ok(_) => {
                    return Outcome::error(format!(
                        "a fresh login held no token at {}",
                        ctx.profile.token.describe()
                    ));
                }
                Err(e) => return Outcome::from_step_error("entropy_at_least", e),
            }
        }
        // Ends the round's sessions, so an app that refuses logins over its cap keeps accepting the
        // next round. A failed logout costs nothing here: the token is already sampled.
        if logout && let Err(e) = ctx.parallel(round, "logout", limit).await {
            tracing::debug!(error = %e, "a sampling probe could not log out");
        }
    }
    let opts = AnalysisOptions {
        min_entropy_bits: ctx.profile.policy.min_entropy_bits,
        ..AnalysisOptions::default()
    };
    let a = analyze(&tokens, &opts);
    let bits = a.effective_entropy_bits();
    let summary = match bits {
        Some(b) => format!(
            "{} tokens from fresh logins: about {b} bits of effective entropy",
            tokens.len()
        ),
        None => format!("{} tokens from fresh logins", tokens.len()),
    };
    let mut o = match &a.verdict {
        TokenVerdict::Pass => Outcome::pass(format!(
            "{summary} (policy: at least {})",
            opts.min_entropy_bits
        )),
        TokenVerdict::Fail => Outcome::fail(format!("{summary}: {}", a.reasons.join("; "))),
        TokenVerdict::Inconclusive(why) => {
            Outcome::error(format!("the tokens could not be judged: {why}"))
        }
    };
    for r in &a.reasons {
        o = o.with("reason", r.clone());
    }
    o = o.with("note", a.note.clone());
    o.measure("entropy_bits", bits)
        .measure("samples", tokens.len())
        .measure("analysis", a.to_json())
}
