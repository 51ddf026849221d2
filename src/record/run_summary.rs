//! The run as a whole: how it was started and what it came to.

use super::secs::secs;
use super::{Regression, Verdict};
use schemars::JsonSchema;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RunInfo {
    /// Each suite's base URL (redacted), in suite order.
    pub targets: Vec<String>,
    /// The browser and driver as started.
    pub browser: String,
    /// Flows run at once (`--jobs`).
    pub jobs: usize,
    /// Flows planned.
    pub flows: usize,
    /// RFC 3339, UTC.
    pub started_at: String,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct RunSummary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Wall time of the run, seconds.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "f64")]
    pub duration: Duration,
    pub interrupted: bool,
    /// The baseline results.json this run was compared with (`--baseline`), as given on the command line.
    /// results.json carries it at the top level, not in `summary`.
    #[serde(skip)]
    pub baseline: Option<String>,
    /// What got worse since the baseline; empty without one. Every reporter shows these.
    #[serde(skip)]
    pub regressions: Vec<Regression>,
}

impl RunSummary {
    pub fn count(&mut self, v: Verdict) {
        match v {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Error => self.errors += 1,
            Verdict::Skipped => self.skipped += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.errors + self.skipped
    }
}
