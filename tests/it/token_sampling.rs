//! `token-predictability` samples like a sequencer, in real headless Chromium against Ticketbooth: one
//! browser login teaches the login, the rest are replayed over HTTP (fresh CSRF nonces per sample, the
//! mounted site's cookie path), every sample is logged out again, and a token that cannot be replayed
//! is sampled through the browser with the reason said. Needs `chromium` and `chromedriver` on PATH.

use crate::support::demo::switched as demo;
use crate::support::usher::{UsherCommand, results_text, streams, usher};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use usher::demo::{Flaw, RunningDemo, Shape};

const ALICE: &str = "alice@ticketbooth.test";

/// What one run of token-predictability left: its check, the most sessions alice held at once
/// while it ran (polled), and usher's output.
struct Ran {
    check: Value,
    verdict: String,
    peak_sessions: usize,
    shown: String,
}

impl Ran {
    fn measured(&self, key: &str) -> &Value {
        &self.check["measured"][key]
    }

    fn evidence(&self, label: &str) -> String {
        self.check["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["label"] == label)
            .map(|e| e["value"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Runs the built-in token-predictability scenario as a user would, watching alice's sessions.
async fn run(demo: &RunningDemo, profile: &Path, target: &str, policy: &[&str]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = usher();
    cmd.env_remove("RUST_LOG")
        .env_remove("USHER_LOG")
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(profile)
        .args(["--only", "token-predictability", "--target", target])
        .arg("--report-dir")
        .arg(dir.path())
        .ticketbooth_secrets()
        .args(["--secret", "TB_MALICE_PASSWORD=malice-demo-password"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for p in policy {
        cmd.args(["--policy", p]);
    }
    let mut child = cmd.spawn().expect("usher runs");
    let mut peak = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(240);
    while child.try_wait().expect("usher is waited for").is_none() {
        assert!(std::time::Instant::now() < deadline, "usher ran too long");
        peak = peak.max(demo.live_sessions_of(ALICE));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let out = child.wait_with_output().unwrap();
    let shown = streams(&out);
    let results = results_text(dir.path(), &shown);
    for file in ["results.json", "junit.xml", "index.html"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            !text.contains("alice-demo-password"),
            "{file} shows a password"
        );
    }
    let v: Value = serde_json::from_str(&results).unwrap();
    let flow = v["flows"][0].clone();
    let check = flow["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "entropy_at_least"))
        .cloned()
        .unwrap_or_else(|| panic!("no entropy_at_least outcome: {flow:#}\n{shown}"));
    Ran {
        verdict: flow["verdict"].as_str().unwrap_or_default().to_string(),
        check,
        peak_sessions: peak,
        shown,
    }
}

const PROFILE: &str = "scenarios/ticketbooth/app.yaml";
const SHAPED: &str = "scenarios/ticketbooth-shaped/app.yaml";

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_replayed_logins_pass_a_secure_ticketbooth_and_fail_a_counter() {
    let secure = demo(&[], &[]).await;
    let ran = run(&secure, Path::new(PROFILE), &secure.base_url(), &[]).await;
    assert_eq!(ran.verdict, "PASS", "{:#}\n{}", ran.check, ran.shown);
    assert_eq!(ran.measured("sampling"), "http", "{:#}", ran.check);
    assert_eq!(
        ran.measured("samples"),
        1000,
        "the default: {:#}",
        ran.check
    );
    let how = ran.evidence("sampling");
    assert!(
        how.contains("GET /login then POST /login with fields email, password")
            && how.contains("the first 200 one at a time")
            && how.contains("1000 of them logged out (POST /logout"),
        "{how}"
    );
    assert_eq!(
        secure.live_sessions_of(ALICE),
        0,
        "every sample (and the learning browser) logged out"
    );
    secure.shutdown().await;

    let counter = demo(&[Flaw::PredictableIds], &[]).await;
    let ran = run(&counter, Path::new(PROFILE), &counter.base_url(), &[]).await;
    assert_eq!(ran.verdict, "FAIL", "{:#}\n{}", ran.check, ran.shown);
    assert_eq!(ran.measured("sampling"), "http", "{:#}", ran.check);
    counter.shutdown().await;
}

/// Session-bound CSRF nonces (a fresh one per sample, bound to the sample's own session), the site
/// mounted under /app/ (cookie Path=/app/) with its logout form on the account page only, and no cap
/// on sessions (the flaw), so that only the samples' logouts keep alice's sessions few. Links and
/// forms also carry the session id (`token-in-url`): the logout form learned from the browser posts
/// to `/app/logout?sid=<the learner's id>`, and each sample must post to its own.
#[tokio::test(flavor = "multi_thread")]
async fn replayed_logins_take_fresh_nonces_and_every_sample_logs_out() {
    let shapes = [
        Shape::SessionBoundCsrf,
        Shape::Mounted,
        Shape::LogoutOnAccountPage,
    ];
    let app = demo(&[Flaw::UnlimitedSessions, Flaw::TokenInUrl], &shapes).await;
    let ran = run(&app, Path::new(SHAPED), &app.site_url(), &[]).await;
    assert_eq!(ran.verdict, "PASS", "{:#}\n{}", ran.check, ran.shown);
    assert_eq!(ran.measured("sampling"), "http", "{:#}", ran.check);
    assert_eq!(ran.measured("samples"), 1000, "{:#}", ran.check);
    let how = ran.evidence("sampling");
    assert!(
        how.contains("GET /app/login then POST /app/login with fields csrf, email, password (fresh csrf per sample)")
            && how.contains("1000 of them logged out (POST /app/logout (the form on /app/account))"),
        "{how}"
    );
    // Three samples at a time (the policy's cap) plus the learning browser, at most.
    assert!(
        ran.peak_sessions <= 4,
        "alice held {} sessions at once: samples were not logged out",
        ran.peak_sessions
    );
    assert!(ran.peak_sessions >= 1, "the poll saw the sampling");
    assert_eq!(app.live_sessions_of(ALICE), 0);
    app.shutdown().await;
}

/// A token kept in localStorage is no cookie a login answer sets: browsers sample it, and the
/// outcome says so and why.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_the_login_answer_does_not_set_is_sampled_through_the_browser() {
    let app = demo(&[Flaw::TokenInStorage], &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(PROFILE).unwrap().replace(
        "token:\n  cookie: [__Host-tb_sid, __Secure-tb_sid, tb_sid]",
        "token:\n  local_storage: tb_token",
    );
    assert!(profile.contains("local_storage: tb_token"));
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, profile).unwrap();
    let ran = run(&app, &file, &app.base_url(), &["token_samples=20"]).await;
    assert_eq!(
        ran.measured("sampling"),
        "browser",
        "{:#}\n{}",
        ran.check,
        ran.shown
    );
    assert_eq!(ran.measured("samples"), 20, "{:#}", ran.check);
    let how = ran.evidence("sampling");
    assert!(
        how.contains("sampled 20 tokens through the browser: the login could not be replayed over HTTP because the token is read from localStorage[tb_token]"),
        "{how}"
    );
    assert_ne!(ran.verdict, "ERROR", "{:#}\n{}", ran.check, ran.shown);
    app.shutdown().await;
}

/// A login rate limit (`throttled-login`: more than 20 login posts a second answer 429 with
/// Retry-After: 1) beside `lockout` (5 failed logins lock the account): the sampler waits the 429s
/// out, spaces its logins, and never fails a login, so no account is ever locked.
#[tokio::test(flavor = "multi_thread")]
async fn a_login_rate_limit_is_waited_out_and_no_account_is_locked() {
    let app = demo(&[], &[Shape::ThrottledLogin, Shape::Lockout]).await;
    let ran = run(
        &app,
        Path::new(PROFILE),
        &app.base_url(),
        &["token_samples=300"],
    )
    .await;
    assert_eq!(ran.verdict, "PASS", "{:#}\n{}", ran.check, ran.shown);
    assert_eq!(ran.measured("sampling"), "http", "{:#}", ran.check);
    assert_eq!(ran.measured("samples"), 300, "{:#}", ran.check);
    let stats = app.login_stats();
    assert!(stats.throttled > 0, "the rate limit was reached: {stats:?}");
    assert_eq!(stats.lockouts, 0, "{stats:?}");
    assert!(stats.failures.is_empty(), "{stats:?}");
    let how = ran.evidence("sampling");
    assert!(how.contains("answered 429 Too Many Requests"), "{how}");
    app.shutdown().await;
}
