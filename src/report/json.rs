//! `results.json`: the run and every flow, with steps, evidence and measured values.

use crate::engine::events::{FlowRecord, RunInfo, RunSummary};
use serde::Serialize;

/// Bumped on any change a consumer could notice.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Results<'a> {
    schema_version: u32,
    tool: &'static str,
    version: &'static str,
    run: &'a RunInfo,
    summary: &'a RunSummary,
    flows: &'a [FlowRecord],
}

pub fn results_json(run: &RunInfo, summary: &RunSummary, flows: &[FlowRecord]) -> String {
    let r = Results {
        schema_version: JSON_SCHEMA_VERSION,
        tool: "usher",
        version: env!("CARGO_PKG_VERSION"),
        run,
        summary,
        flows,
    };
    serde_json::to_string_pretty(&r).expect("results serialize") + "\n"
}
