//! What `usher logs` found: one result per rule, the distributions, the input's statistics. Its own
//! small types (not the browser run's records), written by `logs::report` as JUnit, JSON and HTML.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    Pass,
    Fail,
    /// The log cannot tell (no user column, no logout request, no session id at all): never a PASS.
    Skipped,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skipped => "SKIPPED",
        }
    }
}

/// One finding, with the lines that prove it. Session ids appear only as fingerprints.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Incident {
    /// `tok:3f9a1c`: the same session has the same fingerprint in every report and in `usher run`'s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The log lines (1-based, counted over all inputs in order) that make the case.
    pub lines: Vec<u64>,
    /// Their times, UTC.
    pub times: Vec<String>,
    pub message: String,
}

/// How many incidents a rule keeps in full; the count goes on.
pub const SHOWN: usize = 50;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RuleResult {
    pub id: &'static str,
    pub title: &'static str,
    pub verdict: Verdict,
    pub summary: String,
    pub count: u64,
    pub incidents: Vec<Incident>,
}

/// Collects a rule's incidents: all counted, the first `SHOWN` kept.
#[derive(Debug, Default)]
pub struct Found {
    pub count: u64,
    pub shown: Vec<Incident>,
}

impl Found {
    pub fn add(&mut self, incident: Incident) {
        self.count += 1;
        if self.shown.len() < SHOWN {
            self.shown.push(incident);
        }
    }

    /// FAIL with incidents, else PASS when the rule could judge something, else SKIPPED with `why`.
    pub fn result(
        self,
        id: &'static str,
        title: &'static str,
        judged: u64,
        what: &str,
        why_not: &str,
    ) -> RuleResult {
        let (verdict, summary) = if self.count > 0 {
            (
                Verdict::Fail,
                format!(
                    "{} found ({judged} {what} judged)",
                    plural(self.count, "incident")
                ),
            )
        } else if judged > 0 {
            (Verdict::Pass, format!("none in {judged} {what}"))
        } else {
            (Verdict::Skipped, why_not.to_string())
        };
        RuleResult {
            id,
            title,
            verdict,
            summary,
            count: self.count,
            incidents: self.shown,
        }
    }
}

pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A histogram with named buckets, and quantiles.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Distribution {
    pub name: &'static str,
    pub unit: &'static str,
    pub count: u64,
    pub buckets: Vec<(String, u64)>,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Live sessions over time: (Unix seconds, sessions), at most a few hundred points.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Series {
    pub name: &'static str,
    pub points: Vec<(i64, u64)>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Malformed {
    pub line: u64,
    pub reason: &'static str,
}

/// What was read and what it cost.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct InputStats {
    pub files: Vec<String>,
    pub bytes: u64,
    pub lines: u64,
    pub parsed: u64,
    pub malformed: u64,
    /// The first malformed lines, by number, with the reason.
    pub malformed_lines: Vec<Malformed>,
    pub with_session: u64,
    pub sessions: u64,
    pub accounts: u64,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// Most sessions held at once (live plus recently idle), and the bytes each takes.
    pub peak_sessions: u64,
    /// Most live sessions (used within the idle timeout) at once.
    pub peak_live: u64,
    /// Table bytes of a live session, and of a session gone idle (its tombstone).
    pub bytes_per_session: u64,
    pub bytes_per_tombstone: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Outcome {
    pub format: String,
    pub policy: crate::logs::policy::LogPolicy,
    pub input: InputStats,
    pub rules: Vec<RuleResult>,
    pub distributions: Vec<Distribution>,
    pub series: Vec<Series>,
}

impl Outcome {
    pub fn failed(&self) -> bool {
        self.rules.iter().any(|r| r.verdict == Verdict::Fail)
    }
}

/// Text from the log (account names, parameter names) with control characters made harmless, so a
/// hostile line cannot drive the terminal or break a report line.
pub fn clean_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(200)
        .collect()
}
