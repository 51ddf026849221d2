//! The typed events the runner emits and every reporter consumes (console, JUnit, JSON, later HTML).
//! Everything in an event is already redacted: tokens appear only as fingerprints.

use crate::scenario::Policy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckOutcome {
    pub check: String,
    pub persona: String,
    pub verdict: Verdict,
    /// One line: what was judged and why this verdict.
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Measured values for reports and baselines (e.g. cookie attributes, observed bracket).
    #[schemars(schema_with = "crate::checks::measured::schema")]
    pub measured: serde_json::Map<String, serde_json::Value>,
    /// `file:line:col` of the check step.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StepRecord {
    pub index: usize,
    pub keyword: String,
    /// The step as a human reads it, e.g. `victim: click #login-submit` (redacted).
    pub label: String,
    pub persona: String,
    pub origin: String,
    /// Seconds since the flow started, when the step started, to the millisecond.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "f64")]
    pub at: Duration,
    /// Seconds, to the millisecond.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "f64")]
    pub duration: Duration,
    /// `None` when the step succeeded; otherwise why it failed.
    pub error: Option<String>,
}

/// A persona's session state at a point of the flow, for the timeline in reports.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimelineEntry {
    /// Seconds since the flow started.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "f64")]
    pub at: Duration,
    pub persona: String,
    pub state: String,
    /// What the entry means, for the drawn timeline; `state` says it in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<Mark>,
}

/// A timeline entry's meaning. Tokens appear only as fingerprints.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mark {
    /// A browser with no session: just started, or its cookies and storage cleared.
    NoSession,
    /// A profile flow ran to its end (`login`, `logout`, ...).
    Ran { flow: String },
    /// The logged-in oracle's answer.
    Oracle { logged_in: bool },
    /// The persona's token, read and kept under a label.
    Captured { token: String, label: String },
    /// Another persona's token, put into this browser (`steal`).
    Stole { from: String, token: String },
    /// An id put into this browser (`plant`): a chosen value, or another persona's token.
    Planted {
        token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
    },
    /// A captured token, put into this browser (`replay ... into`).
    Replayed { token: String, label: String },
    /// The browser is left untouched for this long, seconds (a timeout being measured).
    Idle { seconds: f64 },
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FlowRecord {
    pub suite: String,
    pub name: String,
    pub file: String,
    /// The base URL the flow ran against (redacted).
    pub target: String,
    /// The effective policy the flow was judged against: the preset with the profile's and `--policy`
    /// overrides. Per flow, because one report can merge runs with different policies (`usher demo`).
    pub policy: Policy,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub personas: Vec<String>,
    pub verdict: Verdict,
    /// One line for the console and the JUnit message.
    pub summary: String,
    /// Seconds, to the millisecond.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "f64")]
    pub duration: Duration,
    pub steps: Vec<StepRecord>,
    pub checks: Vec<CheckOutcome>,
    /// The harness error that stopped the flow, with the step's `file:line:col`.
    pub error: Option<String>,
    /// Screenshots and page sources kept on FAIL or ERROR, relative to the report directory.
    pub artifacts: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    /// The account each persona logged in with (persona → username): with a pool (`accounts:`), the one
    /// the flow leased. Absent for a flow that never ran.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub accounts: std::collections::BTreeMap<String, String>,
    /// Seconds from the start of the run to the start of this flow (once a job slot and its accounts
    /// were free), to the millisecond. Absent for a flow that never ran.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_secs")]
    #[schemars(with = "Option<f64>")]
    pub started: Option<Duration>,
}

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

    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        // A regression to ERROR alone is an infrastructure matter; every other regression is a finding.
        let regressed = (self.regressions.iter()).any(|r| r.kind != RegressionKind::NowErrors);
        if self.failed > 0 || regressed {
            Exit::FlawFound
        } else if self.errors > 0 || self.interrupted {
            Exit::Infrastructure
        } else {
            Exit::Passed
        }
    }
}

/// Something that got worse since a baseline run (`usher run --baseline`, `usher diff`); found by
/// `report::baseline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Regression {
    pub suite: String,
    pub flow: String,
    pub kind: RegressionKind,
    /// The check whose measured value got worse; absent for a verdict regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    /// The baseline's value and this run's, as a reader says them (`PASS`, `at most 16s`, `128 bits`).
    pub before: String,
    pub after: String,
    /// One line: what got worse.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegressionKind {
    /// PASS in the baseline, FAIL now.
    NowFails,
    /// PASS in the baseline, ERROR now (the harness or the target broke, not necessarily the app).
    NowErrors,
    /// The upper end of the observed idle-timeout bracket is longer.
    IdleTimeout,
    /// More sessions of one account stayed logged in at once.
    ConcurrentSessions,
    /// Fewer bits of effective token entropy.
    EntropyBits,
    /// The session cookie lost an attribute (HttpOnly, Secure, a SameSite level, host-only, ...).
    CookieAttribute,
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

fn opt_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => secs(d, s),
        None => s.serialize_none(),
    }
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
