//! Everything one flow did and came to: the record every report is a function of.

use super::secs::{opt_secs, secs};
use super::{CheckOutcome, StepRecord, TimelineEntry, Verdict};
use crate::scenario::Policy;
use schemars::JsonSchema;
use serde::Serialize;
use std::time::Duration;

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
