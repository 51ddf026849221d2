//! Baselines end to end in headless Chromium: a run against secure Ticketbooth is the baseline; the same
//! scenarios against Ticketbooth with weak cookie flags must report the regression in the console,
//! results.json and junit.xml, and `usher diff` must agree. The real reports also validate against
//! their schemas. Needs `chromium` and `chromedriver` on PATH (ci/install-deps.sh installs them).

use crate::support::report::{skip_or_fail, validate_with_python};
use crate::support::usher::{BUNDLED_SCENARIOS, UsherCommand, usher, verdicts};
use serde_json::Value;
use std::path::Path;
use usher::demo::{DemoConfig, Flaw, FlawSet};

fn run(target: &str, report_dir: &Path, baseline: Option<&Path>) -> (i32, String, String) {
    let mut cmd = usher();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "scenarios/ticketbooth",
            "--target",
            target,
            "--report-dir",
        ])
        .arg(report_dir)
        .ticketbooth_secrets();
    if let Some(b) = baseline {
        cmd.arg("--baseline").arg(b);
    }
    let out = cmd.run();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn xmllint_ok(junit: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/junit/jenkins-junit.xsd");
    match std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(xsd)
        .arg(junit)
        .output()
    {
        Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            skip_or_fail(&format!("xmllint did not start: {e}"));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn weaker_cookie_flags_are_a_regression_against_a_secure_baseline() {
    let secure = usher::demo::start(DemoConfig::default()).await.unwrap();
    let flawed = usher::demo::start(DemoConfig {
        flaws: FlawSet::only(Flaw::WeakCookieFlags),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));

    let (code, out, err) = run(&secure.base_url(), &before, None);
    assert_eq!(code, 0, "{out}{err}");
    // The baseline run is also the proof that a secure Ticketbooth passes every bundled flow (it was
    // a run of its own in engine_chrome.rs).
    let v = verdicts(&before);
    assert_eq!(v.len(), BUNDLED_SCENARIOS.len(), "{v:?}");
    assert!(v.values().all(|v| v == "PASS"), "{v:?}\n{out}{err}");
    let junit = std::fs::read_to_string(before.join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testcase name=\"logout-invalidates-token\""),
        "{junit}"
    );
    let baseline = before.join("results.json");
    validate_with_python(&baseline);
    xmllint_ok(&before.join("junit.xml"));

    // Against itself: compared, nothing worse.
    let (code, out, err) = run(
        &secure.base_url(),
        &dir.path().join("again"),
        Some(&baseline),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("5 flows compared, no regressions"), "{out}");

    let (code, out, err) = run(&flawed.base_url(), &after, Some(&baseline));
    assert_eq!(code, 1, "{out}{err}");
    // And the proof that `weak-cookie-flags` alone fails exactly cookie-attributes (it was its own
    // run in engine_chrome.rs's each_flaw_fails_exactly_its_flow).
    let v = verdicts(&after);
    for name in BUNDLED_SCENARIOS {
        let want = if name == "cookie-attributes" {
            "FAIL"
        } else {
            "PASS"
        };
        assert_eq!(
            v.get(name).map(String::as_str),
            Some(want),
            "weak-cookie-flags: {name}\n{v:?}\n{out}{err}"
        );
    }
    for line in [
        "REGRESSION ticketbooth › cookie-attributes: passed in the baseline, FAIL now:",
        "lost HttpOnly: no HttpOnly now",
        "lost Secure: no Secure now",
        "lost SameSite=Strict: no SameSite now",
    ] {
        assert!(out.contains(line), "`{line}` missing:\n{out}");
    }
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(after.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["baseline"], baseline.display().to_string());
    let lost: Vec<(&str, &str)> = results["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["before"].as_str().unwrap()))
        .collect();
    // The weak cookie also drops the __Host- name, which needs Secure.
    assert_eq!(
        lost,
        [
            ("now_fails", "PASS"),
            ("cookie_attribute", "HttpOnly"),
            ("cookie_attribute", "Secure"),
            ("cookie_attribute", "SameSite=Strict"),
            ("cookie_attribute", "__Host- prefix"),
        ]
    );
    validate_with_python(&after.join("results.json"));
    let junit = std::fs::read_to_string(after.join("junit.xml")).unwrap();
    xmllint_ok(&after.join("junit.xml"));
    assert!(
        junit.contains("<testcase name=\"regression: cookie-attributes\" classname=\"usher.ticketbooth.regressions\">"),
        "{junit}"
    );

    let (code, diff, _) = crate::support::report::usher(&[
        "diff",
        baseline.to_str().unwrap(),
        after.join("results.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    for r in results["regressions"].as_array().unwrap() {
        assert!(diff.contains(r["message"].as_str().unwrap()), "{diff}");
    }
    secure.shutdown().await;
    flawed.shutdown().await;
}
