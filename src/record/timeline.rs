//! The personas' session states over a flow, for the timeline in reports.

use super::secs::secs;
use schemars::JsonSchema;
use serde::Serialize;
use std::time::Duration;

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
