//! What one step did and how long it took.

use super::secs::secs;
use schemars::JsonSchema;
use serde::Serialize;
use std::time::Duration;

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
