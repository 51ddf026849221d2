//! What got worse since a baseline run.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
