//! What one check found: its verdict, why, and the evidence and measured values behind it.

use super::Verdict;
use schemars::JsonSchema;
use serde::Serialize;

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
    #[schemars(schema_with = "super::measured::schema")]
    pub measured: serde_json::Map<String, serde_json::Value>,
    /// `file:line:col` of the check step.
    pub origin: String,
}
