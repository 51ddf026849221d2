//! `--max-wait`: each flow's planned wait is printed before the run, and flows that would wait longer
//! are SKIPPED with the wait and the command that runs them (a nightly job), decided before any
//! browser starts. A pull-request job then does not sit 8 h 48 min in `absolute-timeout`.

use crate::engine::checks::{covering, planned_wait};
use crate::scenario::{Project, Scenario};
use std::time::Duration;

/// Moves every flow whose planned wait exceeds `max` to its suite's skipped flows. `rerun` gives the
/// command that runs one scenario with a `--max-wait` value. Returns the console lines: the planned
/// wait of each flow that waits at all.
pub fn apply(
    project: &mut Project,
    max: Duration,
    rerun: &dyn Fn(&Scenario, &str) -> String,
) -> Vec<String> {
    let fmt = crate::duration::format_duration;
    let mut lines = Vec::new();
    for suite in &mut project.suites {
        let (mut keep, mut skip) = (Vec::new(), Vec::new());
        for s in std::mem::take(&mut suite.scenarios) {
            let wait = planned_wait(&suite.profile, &s);
            if wait.is_zero() {
                keep.push(s);
            } else if wait <= max {
                lines.push(format!("planned wait: {} waits {}", s.name, fmt(wait)));
                keep.push(s);
            } else {
                let command = rerun(&s, &covering(wait));
                lines.push(format!(
                    "planned wait: {} waits {}, over --max-wait {}: SKIPPED (run it with `{command}`)",
                    s.name,
                    fmt(wait),
                    fmt(max)
                ));
                let reason = format!(
                    "its planned wait of {} exceeds --max-wait {}; run it (e.g. nightly) with `{command}`",
                    fmt(wait),
                    fmt(max)
                );
                skip.push((s, reason));
            }
        }
        suite.scenarios = keep;
        suite.skipped.extend(skip);
    }
    lines
}
