//! `results.json` of `usher logs` (a document of its own: `"kind": "logs"`).

use crate::logs::outcome::Outcome;
use schemars::JsonSchema;
use serde::Serialize;

/// Bumped on a change that can break a reader; added fields keep it.
pub const LOGS_SCHEMA_VERSION: u32 = 1;

/// The document; `logs_results_schema` describes it (schema/logs-results.schema.json).
#[derive(Serialize, JsonSchema)]
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

/// The JSON Schema of `usher logs`'s results.json (`usher schema --logs-results`), kept in
/// schema/logs-results.schema.json and checked for drift in CI.
pub fn logs_results_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Doc<'static>).to_value();
    let mut out = serde_json::Map::new();
    out.insert("$schema".into(), schema["$schema"].clone());
    out.insert(
        "$id".into(),
        "https://github.com/usher/usher/schema/logs-results.schema.json".into(),
    );
    if let serde_json::Value::Object(rest) = schema {
        out.extend(rest.into_iter().filter(|(k, _)| k != "$schema"));
    }
    serde_json::Value::Object(out)
}
