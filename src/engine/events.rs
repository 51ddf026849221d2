//! The event boundary: what the runner tells its listener while a run goes on (the console's progress
//! and its line per finished flow). Reports are not listeners: JUnit, JSON and HTML are functions of
//! the finished records (`crate::record`). Everything in an event is already redacted: tokens appear
//! only as fingerprints.

use crate::record::{CheckOutcome, FlowRecord, StepRecord};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
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
}
