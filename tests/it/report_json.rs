//! results.json and its schema, and `usher diff` on the runs under tests/data/results/ (old.json is a
//! baseline; new.json the same suite after the app lost cookie flags, lengthened its idle timeout and
//! weakened its tokens, with one flaw fixed and one flow added).

use crate::support::report::*;
use serde_json::Value;
use std::path::Path;
use usher::record::{Regression, RegressionKind};

fn data(name: &str) -> String {
    format!("tests/data/results/{name}")
}

#[test]
fn results_schema_has_not_drifted() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results.schema.json"),
    )
    .expect("schema/results.schema.json exists");
    let (code, printed, _) = usher(&["schema", "--results"]);
    assert_eq!(code, 0);
    assert!(
        printed == committed,
        "schema/results.schema.json is stale: run `usher schema --results > schema/results.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(schema["title"], "usher results.json");
    for key in ["schema_version", "run", "summary", "regressions", "flows"] {
        assert!(
            schema["required"].as_array().unwrap().contains(&key.into()),
            "{key}"
        );
    }
    // The default output stays the profile and scenario schema (CI diffs it against its own file).
    let (_, scenario_schema, _) = usher(&["schema"]);
    assert!(scenario_schema.contains("\"title\": \"usher profile or scenario\""));
}

#[test]
fn results_json_carries_the_run_policies_measurements_and_regressions() {
    let flows = every_verdict();
    let mut summary = summary_of(&flows);
    summary.baseline = Some("previous/results.json".into());
    summary.regressions = vec![Regression {
        suite: "shop".into(),
        flow: "cookie-attributes".into(),
        kind: RegressionKind::CookieAttribute,
        check: Some("cookie_attributes".into()),
        persona: Some("victim".into()),
        before: "HttpOnly".into(),
        after: "no HttpOnly".into(),
        message: "the session cookie `__Host-sid` lost HttpOnly: no HttpOnly now".into(),
    }];
    let text = usher::report::results_json(&run_info(), &summary, &flows);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema_version"], usher::report::JSON_SCHEMA_VERSION);
    assert_eq!(v["run"]["targets"][0], "http://127.0.0.1:8080");
    assert_eq!(v["run"]["browser"], "chrome 139 (chromedriver)");
    assert_eq!(v["run"]["started_at"], "2025-01-01T12:00:00Z");
    assert_eq!(v["run"]["duration"], 4.321);
    assert_eq!(v["run"]["policies"].as_array().unwrap().len(), 1);
    assert_eq!(v["run"]["policies"][0]["policy"]["idle_timeout"], 900.0);
    assert_eq!(v["summary"]["failed"], 1);
    assert!(v["summary"].get("regressions").is_none(), "top level only");
    assert_eq!(v["baseline"], "previous/results.json");
    assert_eq!(v["regressions"][0]["kind"], "cookie_attribute");
    let cookie_flow = &v["flows"][1];
    assert_eq!(cookie_flow["verdict"], "FAIL");
    assert_eq!(cookie_flow["policy"]["cookie"]["same_site"], "Strict");
    assert_eq!(
        cookie_flow["checks"][0]["measured"]["cookie"]["http_only"],
        false
    );
    assert_eq!(cookie_flow["duration"], 1.234);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.json");
    std::fs::write(&file, &text).unwrap();
    validate_with_python(&file);
}

#[test]
fn a_run_without_baseline_has_an_empty_regressions_list() {
    let flows = every_verdict();
    let text = usher::report::results_json(&run_info(), &summary_of(&flows), &flows);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["baseline"], Value::Null);
    assert_eq!(v["regressions"], serde_json::json!([]));
    assert_eq!(
        v["flows"].as_array().unwrap().len(),
        4,
        "every verdict is written"
    );
    let verdicts: Vec<&str> = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["PASS", "FAIL", "ERROR", "SKIPPED"]);
}

#[test]
fn diff_lists_every_regression_and_exits_1() {
    let (code, out, err) = usher(&["diff", &data("old.json"), &data("new.json")]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with(
            "against baseline tests/data/results/old.json: 6 flows compared, 6 regressions"
        ),
        "{out}"
    );
    for line in [
        "REGRESSION shop › cookie-attributes: passed in the baseline, FAIL now:",
        "REGRESSION shop › cookie-attributes [cookie_attributes (victim)]: the session cookie `__Host-sid` lost HttpOnly: no HttpOnly now",
        "REGRESSION shop › cookie-attributes [cookie_attributes (victim)]: the session cookie `__Host-sid` lost SameSite=Strict: SameSite=Lax now",
        "REGRESSION shop › idle-timeout [idle_timeout_at_most (victim)]: idle timeout got longer: at most 8.8s in the baseline, longer than 8.8s now",
        "REGRESSION shop › token-entropy [entropy_at_least (victim)]: tokens have less effective entropy: 128 bits in the baseline, 96 bits now",
        "only in this run, not compared: shop › no-token-in-url",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    // Fixed and unchanged flows are not regressions.
    assert!(!out.contains("logout-invalidates-token"), "{out}");
    assert!(!out.contains("concurrent-sessions"), "{out}");
}

#[test]
fn diff_of_a_run_with_itself_or_an_improvement_exits_0() {
    let (code, out, _) = usher(&["diff", &data("old.json"), &data("old.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("6 flows compared, no regressions"), "{out}");
    // new → old: the fixed flaw comes back (a regression), everything else got better.
    let (code, out, _) = usher(&["diff", &data("new.json"), &data("old.json")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 regression\n"), "{out}");
    assert!(
        out.contains("shop › logout-invalidates-token: passed in the baseline, FAIL now"),
        "{out}"
    );
}

#[test]
fn diff_json_is_machine_readable() {
    let (code, out, _) = usher(&["diff", "--json", &data("old.json"), &data("new.json")]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("JSON on stdout");
    let kinds: Vec<&str> = v["comparison"]["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "now_fails",
            "cookie_attribute",
            "cookie_attribute",
            "now_fails",
            "idle_timeout",
            "entropy_bits"
        ]
    );
    assert_eq!(v["comparison"]["compared"], 6);
    assert_eq!(v["baseline"], "tests/data/results/old.json");
}

#[test]
fn diff_rejects_bad_files_with_exit_2_and_says_why() {
    let cases = [
        (
            data("truncated.json"),
            "tests/data/results/truncated.json is not JSON",
        ),
        (
            data("no-flows.json"),
            "tests/data/results/no-flows.json is not a results.json: it has no `flows` list",
        ),
        (
            data("missing.json"),
            "cannot read tests/data/results/missing.json:",
        ),
        (
            "schema/usher.schema.json".to_string(),
            "schema/usher.schema.json is not a results.json",
        ),
    ];
    for (bad, says) in cases {
        for args in [
            [bad.as_str(), &data("new.json")],
            [&data("old.json"), bad.as_str()],
        ] {
            let (code, out, err) = usher(&["diff", args[0], args[1]]);
            assert_eq!(code, 2, "{args:?}: {out}{err}");
            assert!(err.starts_with("error: "), "{err}");
            assert!(err.contains(says), "{args:?}: expected `{says}` in: {err}");
            assert!(out.is_empty(), "nothing on stdout for bad input: {out}");
        }
    }
}

#[test]
fn run_rejects_a_bad_baseline_before_starting_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let report_dir = dir.path().to_str().unwrap();
    let (code, out, err) = usher(&[
        "run",
        "scenarios/ticketbooth",
        "--baseline",
        &data("truncated.json"),
        "--report-dir",
        report_dir,
        "--webdriver-url",
        "http://127.0.0.1:9/",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("error: --baseline: tests/data/results/truncated.json is not JSON"),
        "{err}"
    );
    assert!(
        !dir.path().join("results.json").exists(),
        "no run, no reports"
    );
}
