//! What a check returns before the flow records it.

use crate::engine::step_error::{ErrorKind, StepError};
use crate::record::measured::Measure;
use crate::record::{Evidence, Verdict};

pub struct Outcome {
    pub verdict: Verdict,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub measured: serde_json::Map<String, serde_json::Value>,
}

impl Outcome {
    pub fn new(verdict: Verdict, message: impl Into<String>) -> Self {
        Outcome {
            verdict,
            message: message.into(),
            evidence: Vec::new(),
            measured: Default::default(),
        }
    }

    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Verdict::Pass, message)
    }

    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Verdict::Fail, message)
    }

    /// The check could not be evaluated: ERROR, never PASS.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Verdict::Error, message)
    }

    pub fn skipped(message: impl Into<String>) -> Self {
        Self::new(Verdict::Skipped, message)
    }

    /// ERROR, except where the session cannot do what the check needs at all (the token of a
    /// native app context): SKIPPED with the reason and the way out.
    pub fn from_step_error(what: &str, e: StepError) -> Self {
        match e.kind() {
            ErrorKind::Unsupported => Self::skipped(format!("{what} cannot be judged here: {e}")),
            _ => Self::error(format!("could not evaluate {what}: {e}")),
        }
    }

    pub fn with(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(label, value));
        self
    }

    pub fn measure(mut self, key: Measure, value: impl Into<serde_json::Value>) -> Self {
        self.measured.insert(key.key().to_string(), value.into());
        self
    }
}
