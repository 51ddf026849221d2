//! Real scenarios in real headless Chromium against Ticketbooth, with flaws on and off.
//! Needs `chromium` and `chromedriver` on PATH (the README's test command installs them).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use usher::demo::{Flaw, FlawSet};

use crate::support::demo::demo;
use crate::support::loopback::free_port;
use crate::support::usher::{
    ALICE, BUNDLED_SCENARIOS, MALLORY, UsherCommand, quiet_usher, show, verdicts,
};

/// Runs `usher run` as a user would and returns the exit code, output and verdict per flow.
fn usher_run(
    paths: &[&str],
    target: &str,
    report_dir: &Path,
    extra: &[&str],
) -> (i32, Output, BTreeMap<String, String>) {
    usher_run_env(paths, target, report_dir, extra, &[])
}

fn usher_run_env(
    paths: &[&str],
    target: &str,
    report_dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, Output, BTreeMap<String, String>) {
    let out = quiet_usher()
        .envs(env.iter().copied())
        .arg("run")
        .args(paths)
        .args(["--target", target, "--report-dir"])
        .arg(report_dir)
        .ticketbooth_secrets()
        .args(["--jobs", "2"])
        .args(extra)
        .run();
    (out.status.code().unwrap_or(-1), out, verdicts(report_dir))
}

/// Each flaw alone must turn exactly the flow that judges it to FAIL; the rest stay PASS. The secure
/// Ticketbooth (every bundled flow PASSes) and `weak-cookie-flags` (only cookie-attributes FAILs) are
/// proven by tests/it/baseline_chrome.rs's baseline and regression runs, which ran the same scenarios
/// against the same apps a second time here.
#[tokio::test(flavor = "multi_thread")]
async fn each_flaw_fails_exactly_its_flow() {
    let cases = [
        (Flaw::Fixation, "token-rotates-at-login"),
        (Flaw::NoLogoutInvalidation, "logout-invalidates-token"),
        (Flaw::LooseCookieScope, "cookie-attributes"),
        (Flaw::TokenInUrl, "no-token-in-url"),
    ];
    for (flaw, failing) in cases {
        let app = demo(FlawSet::only(flaw)).await;
        let dir = tempfile::tempdir().unwrap();
        let (code, out, verdicts) =
            usher_run(&["scenarios/ticketbooth"], &app.base_url(), dir.path(), &[]);
        assert_eq!(code, 1, "{flaw:?}: exit code\n{}", show(&out));
        for name in BUNDLED_SCENARIOS {
            let want = if name == failing { "FAIL" } else { "PASS" };
            assert_eq!(
                verdicts.get(name).map(String::as_str),
                Some(want),
                "{flaw:?}: {name}\n{verdicts:?}\n{}",
                show(&out)
            );
        }
        app.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn adversary_steps_catch_fixation_and_replay() {
    let secure = demo(FlawSet::none()).await;
    let flawed = demo(
        [Flaw::Fixation, Flaw::NoLogoutInvalidation]
            .into_iter()
            .collect(),
    )
    .await;
    let files = [
        "tests/data/engine/fixation-planted-valid-id.yaml",
        "tests/data/engine/browser-steps.yaml",
    ];
    let dir = tempfile::tempdir().unwrap();
    let (code, out, v) = usher_run(&files, &secure.base_url(), dir.path(), &[]);
    assert_eq!(code, 0, "{v:?}\n{}", show(&out));
    let dir = tempfile::tempdir().unwrap();
    let (code, out, v) = usher_run(&files[..1], &flawed.base_url(), dir.path(), &[]);
    assert_eq!(
        v.get("fixation-planted-valid-id").map(String::as_str),
        Some("FAIL"),
        "{v:?}\n{}",
        show(&out)
    );
    assert_eq!(
        code,
        1,
        "the planted attacker id acting as the victim is a flaw: {}",
        show(&out)
    );
    secure.shutdown().await;
    flawed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn http_replay_after_logout_is_judged_by_status() {
    let file = ["tests/data/engine/replay-over-http.yaml"];
    let secure = demo(FlawSet::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let (code, out, v) = usher_run(&file, &secure.base_url(), dir.path(), &[]);
    assert_eq!(
        (code, v.get("replay-over-http").map(String::as_str)),
        (0, Some("PASS")),
        "{}",
        show(&out)
    );
    let flawed = demo(
        [Flaw::NoLogoutInvalidation, Flaw::NoClientBinding]
            .into_iter()
            .collect(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (code, out, v) = usher_run(&file, &flawed.base_url(), dir.path(), &[]);
    assert_eq!(
        (code, v.get("replay-over-http").map(String::as_str)),
        (1, Some("FAIL")),
        "{}",
        show(&out)
    );
    secure.shutdown().await;
    flawed.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_target_is_an_infrastructure_error_never_a_pass() {
    // A port nothing listens on: bind, read the port, close.
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let target = format!("http://tickets.ticketbooth.localhost:{port}");
    let (code, out, verdicts) = usher_run(
        &["scenarios/ticketbooth/logout-invalidates-token.yaml"],
        &target,
        dir.path(),
        &[],
    );
    assert_eq!(code, 3, "{}", show(&out));
    assert_eq!(
        verdicts.get("logout-invalidates-token").map(String::as_str),
        Some("ERROR"),
        "{verdicts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_password_or_token_in_clear_anywhere() {
    let app = demo(FlawSet::only(Flaw::TokenInUrl)).await;
    // `--log debug`, and RUST_LOG asking for everything, including the WebDriver client's request
    // bodies (which carry cookies): usher caps those at info.
    type Way<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let ways: [Way; 2] = [
        (&["--log", "debug"], &[]),
        (
            &[],
            &[(
                "RUST_LOG",
                "trace,thirtyfour=trace,reqwest=trace,hyper=trace",
            )],
        ),
    ];
    for (args, env) in ways {
        let dir = tempfile::tempdir().unwrap();
        let (_, out, _) = usher_run_env(
            &["scenarios/ticketbooth"],
            &app.base_url(),
            dir.path(),
            args,
            env,
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("DEBUG"),
            "debug logging is on for {args:?} {env:?}"
        );
        assert_nothing_in_clear(&out, dir.path());
    }
    app.shutdown().await;
}

fn assert_nothing_in_clear(out: &Output, dir: &Path) {
    let mut texts = vec![
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    ];
    for entry in walk(dir) {
        texts.push(String::from_utf8_lossy(&std::fs::read(&entry).unwrap()).to_string());
        texts.push(entry.display().to_string());
    }
    let all = texts.join("\n");
    for secret in [ALICE, MALLORY] {
        assert!(!all.contains(secret), "a password appears in clear");
    }
    // Ticketbooth ids are 64 hex digits (or 32 with predictable ids); none may appear.
    let re_like = all
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        .any(|w| w.len() >= 32 && w.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        !re_like,
        "something shaped like a session id appears in clear"
    );
    assert!(all.contains("tok:"), "tokens are shown as fingerprints");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
