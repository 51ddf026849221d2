//! How long a scenario will sit waiting, known before it runs: the timing checks' own waits (from the
//! same functions the checks use) and every `idle:` step, in its steps and the profile flows it runs.
//! At the catalogue's numbers the timing scenarios wait 16 min and 8 h 48 min; `usher run` prints
//! these and skips what exceeds `--max-wait`.

use super::{absolute_timeout, checkout_timer, idle_timeout};
use crate::scenario::step::{Action, Check, Step};
use crate::scenario::{Profile, Scenario};
use std::time::Duration;

/// The scenario's planned waiting time (steps and browsers take their own time on top).
pub fn planned_wait(profile: &Profile, scenario: &Scenario) -> Duration {
    steps_wait(profile, &scenario.steps, 0)
}

fn steps_wait(profile: &Profile, steps: &[Step], depth: usize) -> Duration {
    // Flows calling flows are refused by validation; the bound only keeps a bad profile finite.
    if depth > 8 {
        return Duration::ZERO;
    }
    let policy = &profile.policy;
    let flow = |name: &str| {
        profile
            .flows
            .get(name)
            .map_or(Duration::ZERO, |f| steps_wait(profile, &f.steps, depth + 1))
    };
    steps
        .iter()
        .map(|s| match &s.action {
            Action::Idle(d) => *d,
            Action::Run(name) => flow(name),
            Action::Parallel(p) => flow(&p.run),
            Action::Check(Check::IdleTimeoutAtMost) => idle_timeout::longest_wait(policy),
            Action::Check(Check::AbsoluteTimeoutAtMost) => absolute_timeout::deadline_after(policy),
            Action::Check(Check::CheckoutExpires) => {
                checkout_timer::idle_wait(policy) + flow("start_checkout")
            }
            _ => Duration::ZERO,
        })
        .sum()
}

/// A `--max-wait` value that covers `wait`: rounded up to a whole minute, or hour from an hour on.
pub fn covering(wait: Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if secs >= 3600 {
        format!("{}h", secs.div_ceil(3600))
    } else {
        format!("{}m", secs.div_ceil(60).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_rounds_up() {
        assert_eq!(covering(Duration::from_secs(8 * 3600 + 48 * 60)), "9h");
        assert_eq!(covering(Duration::from_secs(16 * 60 + 30)), "17m");
        assert_eq!(covering(Duration::from_millis(4_400)), "1m");
        assert_eq!(covering(Duration::from_secs(3600)), "1h");
    }
}
