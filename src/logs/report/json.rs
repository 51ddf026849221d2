//! `results.json` of `usher logs` (a document of its own: `"kind": "logs"`).

use crate::logs::outcome::Outcome;
use serde::Serialize;

/// Bumped on a change that can break a reader; added fields keep it.
pub const LOGS_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: &'static str,
    kind: &'static str,
    version: &'static str,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

pub fn json(outcome: &Outcome) -> String {
    let doc = Doc {
        schema_version: LOGS_SCHEMA_VERSION,
        tool: "usher",
        kind: "logs",
        version: env!("CARGO_PKG_VERSION"),
        outcome,
    };
    serde_json::to_string_pretty(&doc).expect("the outcome serializes") + "\n"
}
