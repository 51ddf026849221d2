//! `--max-wait`: at the catalogue's numbers the timing scenarios wait 16.5 min and 8 h 48 min. Each
//! flow's planned wait is printed before the run; a flow that would wait longer than `--max-wait`
//! (default 10 min) is SKIPPED with its wait and the command that runs it, before a browser starts.

use crate::support::usher::{TICKETBOOTH_PROFILE, UsherCommand, builtin_run};

fn run_timing(extra: &[&str]) -> (Option<i32>, String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = builtin_run(TICKETBOOTH_PROFILE)
        .args([
            "--only",
            "idle-timeout",
            "--only",
            "absolute-timeout",
            "--only",
            "checkout-step-timer",
            // Nothing listens here: a flow that started would end in ERROR, not SKIPPED.
            "--target",
            "http://127.0.0.1:9",
        ])
        .ticketbooth_secrets()
        .args(["--report-dir"])
        .arg(dir.path())
        .args(extra)
        .run();
    let json = std::fs::read_to_string(dir.path().join("results.json")).unwrap_or_default();
    let json = serde_json::from_str(&json).unwrap_or_default();
    (
        out.status.code(),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        json,
    )
}

fn verdict_of<'a>(json: &'a serde_json::Value, name: &str) -> (&'a str, &'a str) {
    let flow = json["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no flow {name} in {json}"));
    (
        flow["verdict"].as_str().unwrap(),
        flow["summary"].as_str().unwrap(),
    )
}

#[test]
fn flows_waiting_longer_than_the_default_are_skipped_with_the_command_that_runs_them() {
    let (code, out, json) = run_timing(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("planned wait: idle-timeout waits 16m 30s, over --max-wait 10m: SKIPPED"),
        "{out}"
    );
    assert!(
        out.contains("planned wait: absolute-timeout waits 8h 48m"),
        "{out}"
    );
    assert!(
        out.contains("planned wait: checkout-step-timer waits"),
        "{out}"
    );
    for name in ["idle-timeout", "absolute-timeout", "checkout-step-timer"] {
        let (verdict, summary) = verdict_of(&json, name);
        assert_eq!(verdict, "SKIPPED", "{name}: {summary}");
        assert!(summary.contains("exceeds --max-wait 10m"), "{summary}");
    }
    let (_, summary) = verdict_of(&json, "absolute-timeout");
    assert!(
        summary.contains("usher run --suite builtin --profile scenarios/ticketbooth/app.yaml --only absolute-timeout --max-wait 9h"),
        "{summary}"
    );
    assert!(!out.contains("alice-demo-password"), "{out}");
}

#[test]
fn a_longer_max_wait_runs_the_flows_it_covers() {
    let (code, out, json) = run_timing(&["--max-wait", "17m"]);
    // idle-timeout and checkout-step-timer now run (and ERROR: nothing listens at the target).
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("planned wait: idle-timeout waits 16m 30s\n"),
        "{out}"
    );
    assert_eq!(verdict_of(&json, "idle-timeout").0, "ERROR");
    assert_eq!(verdict_of(&json, "absolute-timeout").0, "SKIPPED");
}

#[test]
fn a_bad_max_wait_is_bad_input() {
    let (code, out, _) = run_timing(&["--max-wait", "soon"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("--max-wait"), "{out}");
}
