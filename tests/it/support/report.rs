//! Flow records as the engine would hand them to the writers, for the report tests: every verdict, the
//! measured values the baselines compare, artifacts, and page text a hostile target could put there.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use usher::record::{
    CheckOutcome, Evidence, FlowRecord, RunInfo, RunSummary, StepRecord, TimelineEntry, Verdict,
};
use usher::scenario::Policy;

pub fn run_info() -> RunInfo {
    RunInfo {
        targets: vec!["http://127.0.0.1:8080".into()],
        browser: "chrome 139 (chromedriver)".into(),
        jobs: 2,
        flows: 4,
        started_at: "2025-01-01T12:00:00Z".into(),
    }
}

pub fn check(name: &str, verdict: Verdict, message: &str, measured: Value) -> CheckOutcome {
    CheckOutcome {
        check: name.into(),
        persona: "victim".into(),
        verdict,
        message: message.into(),
        evidence: vec![Evidence::new("token", "tok:3f9a1c")],
        measured: match measured {
            Value::Object(m) => m,
            _ => Default::default(),
        },
        origin: format!("scenarios/shop/{name}.yaml:7:5"),
    }
}

pub fn flow(name: &str, verdict: Verdict, summary: &str, checks: Vec<CheckOutcome>) -> FlowRecord {
    FlowRecord {
        suite: "shop".into(),
        name: name.into(),
        file: format!("scenarios/shop/{name}.yaml"),
        target: "http://127.0.0.1:8080".into(),
        policy: Policy::default(),
        description: Some("What the flow tries.".into()),
        tags: vec!["wstg-sess-06".into(), "asvs-7.4.1".into(), "logout".into()],
        personas: vec!["victim".into(), "attacker".into()],
        verdict,
        summary: summary.into(),
        duration: Duration::from_millis(1234),
        steps: vec![StepRecord {
            index: 0,
            keyword: "run".into(),
            label: "victim: run login".into(),
            persona: "victim".into(),
            origin: format!("scenarios/shop/{name}.yaml:5:5"),
            at: Duration::ZERO,
            duration: Duration::from_millis(800),
            error: None,
        }],
        checks,
        error: (verdict == Verdict::Error).then(|| summary.to_string()),
        artifacts: Vec::new(),
        timeline: vec![TimelineEntry {
            at: Duration::from_millis(800),
            persona: "victim".into(),
            state: "logged in".into(),
            mark: None,
        }],
        accounts: Default::default(),
        started: None,
    }
}

/// A cookie as `cookie_attributes` measures it, all protections on unless `changes` says otherwise.
pub fn cookie(changes: Value) -> Value {
    let mut c = json!({"name": "__Host-sid", "http_only": true, "secure": true, "same_site": "Strict",
        "domain": null, "path": "/", "expires": null, "max_age": null});
    for (k, v) in changes.as_object().expect("an object") {
        c[k] = v.clone();
    }
    json!({ "cookie": c })
}

/// One flow of each verdict, the failing one with a screenshot and hostile page text.
pub fn every_verdict() -> Vec<FlowRecord> {
    use Verdict::*;
    let hostile = "page said <script>alert(1)</script> ]]> \u{1b}[31m & \"quotes\"";
    let mut fail = flow(
        "cookie-attributes",
        Fail,
        "cookie_attributes (victim): __Host-sid: HttpOnly is missing\nsecond line",
        vec![check(
            "cookie_attributes",
            Fail,
            hostile,
            cookie(json!({"http_only": false})),
        )],
    );
    fail.artifacts = vec!["artifacts/shop/cookie-attributes/victim.png".into()];
    let mut error = flow(
        "idle-timeout",
        Error,
        "scenarios/shop/idle-timeout.yaml:9:5: infrastructure error: chromedriver exited",
        vec![],
    );
    error.steps[0].error = Some("chromedriver exited".into());
    vec![
        flow(
            "logout-invalidates-token",
            Pass,
            "logged_out (attacker): the copied token no longer works",
            vec![check(
                "logged_out",
                Pass,
                "logged out",
                json!({"logged_in": false}),
            )],
        ),
        fail,
        error,
        flow(
            "checkout-expires",
            Skipped,
            "the profile has no `start_checkout` flow",
            vec![],
        ),
    ]
}

pub fn summary_of(flows: &[FlowRecord]) -> RunSummary {
    let mut s = RunSummary {
        duration: Duration::from_millis(4321),
        ..Default::default()
    };
    for f in flows {
        s.count(f.verdict);
    }
    s
}

/// Runs the usher binary; returns exit code, stdout, stderr.
pub fn usher(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("usher runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Validates a JSON document against schema/results.schema.json with Python's `jsonschema`. Returns
/// false (after saying so) when that module is missing; CI installs it, and there it must be present.
pub fn validate_with_python(document: &Path) -> bool {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results.schema.json");
    let script = "import json, sys\n\
        try:\n    import jsonschema\nexcept ImportError:\n    sys.exit(77)\n\
        schema = json.load(open(sys.argv[1]))\n\
        jsonschema.Draft202012Validator.check_schema(schema)\n\
        jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&schema)
        .arg(document)
        .output();
    match out {
        Ok(o) if o.status.code() == Some(77) => {
            skip_or_fail("python3 has no `jsonschema` module (pip install jsonschema)")
        }
        Ok(o) => {
            assert!(
                o.status.success(),
                "{} does not validate against schema/results.schema.json:\n{}",
                document.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            true
        }
        Err(e) => skip_or_fail(&format!("python3 did not start: {e}")),
    }
}

/// A missing validator skips a check on a developer's machine and fails it in CI, where it is
/// installed (the one rule: `tools::skip`).
pub fn skip_or_fail(why: &str) -> bool {
    super::tools::skip(super::tools::Require::Ci, why);
    false
}
