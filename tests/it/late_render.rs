//! The oracle on pages that render late (Ticketbooth's `late-render` shape: the account arrives by
//! script 1.5 s ±25 % after the page loaded, a long-poll and a beacon stay open), in real Chromium
//! and Firefox:
//! the built-in replay scenarios still FAIL when logout or a password change leaves the session
//! valid, and PASS on a secure app. A fixed 800 ms wait answered "logged out" before the account
//! had rendered: the stolen copy looked dead, a false PASS.

use std::path::Path;
use std::process::Output;
use std::time::Duration;
use usher::demo::{DemoConfig, Flaw, FlawSet, Shape, ShapeSet};

use crate::support::tools::{Require, firefox_missing, skip};
use crate::support::usher::{UsherCommand, quiet_usher, show};

const SCENARIOS: [&str; 2] = ["logout-invalidates-token", "password-change-ends-sessions"];

fn usher(args: &[&str]) -> Output {
    quiet_usher().args(args).run()
}

/// The built-in scenarios, as `usher generate` writes them for the shipped profile.
fn generate(dir: &Path, scenarios: &[&str]) {
    let mut args = vec!["generate", "--profile", "scenarios/ticketbooth/app.yaml"];
    for s in scenarios {
        args.extend(["--only", s]);
    }
    args.extend(["--out", dir.to_str().unwrap()]);
    let out = usher(&args);
    assert!(out.status.success(), "{}", show(&out));
}

fn late(flaws: FlawSet) -> DemoConfig {
    DemoConfig {
        flaws,
        shapes: ShapeSet::only(Shape::LateRender),
        render_delay: Duration::from_millis(1500),
        ..DemoConfig::default()
    }
}

/// Every check's verdict and message from results.json: (scenario, check, verdict, message).
fn checks(report_dir: &Path) -> Vec<(String, String, String, String)> {
    let text = std::fs::read_to_string(report_dir.join("results.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for flow in v["flows"].as_array().unwrap() {
        for c in flow["checks"].as_array().unwrap() {
            out.push((
                flow["name"].as_str().unwrap_or_default().to_string(),
                c["check"].as_str().unwrap_or_default().to_string(),
                c["verdict"].as_str().unwrap_or_default().to_string(),
                c["message"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_flaws_are_not_hidden_by_late_rendering() {
    judged_right(&[], &SCENARIOS).await;
}

/// Firefox installs the probe over WebDriver BiDi; the logout replay is judged the same.
#[tokio::test(flavor = "multi_thread")]
async fn firefox_is_not_fooled_either() {
    if let Some(why) = firefox_missing() {
        return skip(Require::Firefox, why);
    }
    judged_right(&["--browser", "firefox"], &SCENARIOS[..1]).await;
}

async fn judged_right(extra: &[&str], scenarios: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    generate(&suite, scenarios);
    let mut flaws = FlawSet::only(Flaw::NoLogoutInvalidation);
    flaws.insert(Flaw::NoResetInvalidation);
    let (flawed, secure) = tokio::join!(
        usher::demo::start(late(flaws)),
        usher::demo::start(late(FlawSet::none()))
    );
    let (flawed, secure) = (flawed.unwrap(), secure.unwrap());
    let run = |target: String, reports: &Path| {
        let mut args = vec![
            "run",
            suite.to_str().unwrap(),
            "--target",
            &target,
            "--report-dir",
            reports.to_str().unwrap(),
            "--secret",
            "TB_ALICE_PASSWORD=alice-demo-password",
            "--secret",
            "TB_MALLORY_PASSWORD=mallory-demo-password",
            "--jobs",
            "1",
        ];
        args.extend(extra);
        usher(&args)
    };
    // Both runs at once: they share nothing but the machine, and most of each is waiting for the
    // late account to render (one run after the other took twice the wall time for the same proof).
    let (flawed_reports, secure_reports) = (tmp.path().join("flawed"), tmp.path().join("secure"));
    let (out, secure_out) = tokio::task::block_in_place(|| {
        std::thread::scope(|s| {
            let secure_run = s.spawn(|| run(secure.base_url(), &secure_reports));
            let out = run(flawed.base_url(), &flawed_reports);
            (out, secure_run.join().expect("the secure run's thread"))
        })
    });
    let seen = checks(&flawed_reports);
    // The logged-in answers must hold (the account renders late, it is not a logout) ...
    for (scenario, check, verdict, message) in &seen {
        if check == "logged_in" {
            assert_eq!(verdict, "PASS", "{scenario}: {message}\n{}", show(&out));
        }
    }
    // ... and the session that logout (or the password change) left valid is seen acting as the
    // victim: a `logged_out` check of each scenario FAILs.
    for scenario in scenarios {
        assert!(
            seen.iter()
                .any(|(s, c, v, _)| s.contains(scenario) && c == "logged_out" && v == "FAIL"),
            "{scenario}: no logged_out check failed: {seen:?}\n{}",
            show(&out)
        );
    }
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    flawed.shutdown().await;

    // A secure app with the same shape: every check PASSes (no false "logged in" either).
    let out = secure_out;
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        checks(&secure_reports).iter().all(|c| c.2 == "PASS"),
        "{}",
        show(&out)
    );
    secure.shutdown().await;
}
