//! What a scenario may declare under `requires:` (judged in `preconditions`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A precondition a scenario declares with `requires:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// The app hands a session id to visitors before they log in (what fixation by rotation judges).
    /// A profile with `anonymous_sessions: false` skips it.
    AnonymousSession,
    /// The browser keeps pages in a back/forward cache, as users' browsers do. On the headless shell
    /// (which has none) the launcher starts full Chromium for the flow, or the flow is SKIPPED.
    BackForwardCache,
    /// The profile declares the app's token API (`api:`): the bearer-token (JWT) scenarios replay
    /// tokens against its identity oracle. A profile without it skips them.
    TokenApi,
}

pub const REQUIREMENTS: &[&str] = &["anonymous_session", "back_forward_cache", "token_api"];
