//! `results.json`: the run (targets, browser, policies, timings), the summary, the regressions against a
//! baseline, and every flow with its steps, evidence and measured values. Its JSON Schema
//! (`usher schema --results`, kept in `schema/results.schema.json`) is derived from these types.

use crate::record::{FlowRecord, Regression, RunInfo, RunSummary};
use crate::scenario::Policy;
use schemars::JsonSchema;
use serde::Serialize;

/// Bumped on any change that can break a reader (a field removed, renamed or retyped); added fields
/// keep the version, so readers must ignore fields they do not know.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Written by `usher run` (reports/results.json). Readers must ignore fields they do not know.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "usher results.json")]
pub struct Results<'a> {
    pub schema_version: u32,
    /// Always `usher`.
    pub tool: &'static str,
    /// The usher version that wrote the file.
    pub version: &'static str,
    pub run: RunSection<'a>,
    pub summary: &'a RunSummary,
    /// The baseline results.json this run was compared with (`usher run --baseline`), as given.
    pub baseline: Option<&'a str>,
    /// What got worse since the baseline; empty without one.
    pub regressions: &'a [Regression],
    pub flows: &'a [FlowRecord],
}

/// The run as started, with its timings and the policies its flows were judged against.
#[derive(Serialize, JsonSchema)]
pub struct RunSection<'a> {
    #[serde(flatten)]
    pub info: &'a RunInfo,
    /// Wall time of the whole run, in seconds.
    pub duration: f64,
    /// Each distinct suite, target and effective policy of the run (each flow also names its own).
    pub policies: Vec<PolicyUse<'a>>,
}

#[derive(Serialize, JsonSchema, PartialEq)]
pub struct PolicyUse<'a> {
    pub suite: &'a str,
    pub target: &'a str,
    pub policy: &'a Policy,
}

pub fn results_json(run: &RunInfo, summary: &RunSummary, flows: &[FlowRecord]) -> String {
    let mut policies: Vec<PolicyUse> = Vec::new();
    for f in flows {
        let used = PolicyUse {
            suite: &f.suite,
            target: &f.target,
            policy: &f.policy,
        };
        if !policies.contains(&used) {
            policies.push(used);
        }
    }
    let r = Results {
        schema_version: JSON_SCHEMA_VERSION,
        tool: "usher",
        version: env!("CARGO_PKG_VERSION"),
        run: RunSection {
            info: run,
            duration: (summary.duration.as_secs_f64() * 1000.0).round() / 1000.0,
            policies,
        },
        summary,
        baseline: summary.baseline.as_deref(),
        regressions: &summary.regressions,
        flows,
    };
    serde_json::to_string_pretty(&r).expect("results serialize") + "\n"
}

/// The JSON Schema of results.json (`usher schema --results`; kept in `schema/results.schema.json`).
pub fn results_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Results<'static>).to_value();
    // The header first, as in schema/usher.schema.json, so the file reads top-down.
    let mut out = serde_json::Map::new();
    out.insert("$schema".into(), schema["$schema"].clone());
    out.insert(
        "$id".into(),
        "https://github.com/usher/usher/schema/results.schema.json".into(),
    );
    if let serde_json::Value::Object(rest) = schema {
        out.extend(rest.into_iter().filter(|(k, _)| k != "$schema"));
    }
    serde_json::Value::Object(out)
}
