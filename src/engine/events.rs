//! The typed events the runner emits and every reporter consumes (console, JUnit, JSON, later HTML).
//! Everything in an event is already redacted: tokens appear only as fingerprints.

use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Skipped,
    Error,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
            Verdict::Skipped => "SKIPPED",
        }
    }

    /// The flow's verdict from its checks: a found flaw outranks a harness error, which outranks a skip.
    pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        let all: Vec<Verdict> = verdicts.into_iter().collect();
        if all.is_empty() {
            return None;
        }
        if all.iter().all(|v| *v == Verdict::Skipped) {
            return Some(Verdict::Skipped);
        }
        all.into_iter().filter(|v| *v != Verdict::Skipped).max()
    }
}

/// One observation supporting a verdict (`label: value`), redacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub label: String,
    pub value: String,
}

impl Evidence {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Evidence {
            label: label.into(),
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    pub check: String,
    pub persona: String,
    pub verdict: Verdict,
    /// One line: what was judged and why this verdict.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Measured values for reports and baselines (e.g. cookie attributes, observed bracket).
    pub measured: serde_json::Map<String, serde_json::Value>,
    /// `file:line:col` of the check step.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub index: usize,
    pub keyword: String,
    /// The step as a human reads it, e.g. `victim: click #login-submit` (redacted).
    pub label: String,
    pub persona: String,
    pub origin: String,
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
    /// `None` when the step succeeded; otherwise why it failed.
    pub error: Option<String>,
}

/// A persona's session state at a point of the flow, for the timeline in reports.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    #[serde(serialize_with = "secs")]
    pub at: Duration,
    pub persona: String,
    pub state: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowRecord {
    pub suite: String,
    pub name: String,
    pub file: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub personas: Vec<String>,
    pub verdict: Verdict,
    /// One line for the console and the JUnit message.
    pub summary: String,
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
    pub steps: Vec<StepRecord>,
    pub checks: Vec<CheckOutcome>,
    /// The harness error that stopped the flow, with the step's `file:line:col`.
    pub error: Option<String>,
    /// Screenshots and page sources kept on FAIL or ERROR, relative to the report directory.
    pub artifacts: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub targets: Vec<String>,
    pub browser: String,
    pub jobs: usize,
    pub flows: usize,
    pub started_at: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    #[serde(serialize_with = "secs")]
    pub duration: Duration,
    pub interrupted: bool,
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

    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        if self.failed > 0 {
            Exit::FlawFound
        } else if self.errors > 0 || self.interrupted {
            Exit::Infrastructure
        } else {
            Exit::Passed
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    RunStarted(RunInfo),
    FlowStarted {
        suite: String,
        name: String,
    },
    StepFinished {
        suite: String,
        flow: String,
        step: StepRecord,
    },
    CheckFinished {
        suite: String,
        flow: String,
        check: CheckOutcome,
    },
    FlowFinished(Box<FlowRecord>),
    RunFinished(RunSummary),
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_outranks_error_outranks_pass() {
        use Verdict::*;
        assert_eq!(Verdict::combine([Pass, Error, Fail]), Some(Fail));
        assert_eq!(Verdict::combine([Pass, Error]), Some(Error));
        assert_eq!(Verdict::combine([Pass, Skipped]), Some(Pass));
        assert_eq!(Verdict::combine([Skipped]), Some(Skipped));
        assert_eq!(Verdict::combine([]), None);
    }
}
