//! `idle-timeout` beside a busy control session (issue 12, item 8): an app with an absolute lifetime
//! shorter than the longest idle probe and no idle timeout at all ends every session, busy or idle.
//! Before the control, the probes' deaths were reported as "idle timeout between 5s and 9s".

use crate::support::demo::started;
use crate::support::usher::{TICKETBOOTH_PROFILE, UsherCommand, builtin_run, written_results};
use std::time::Duration;
use usher::demo::{DemoConfig, FlawSet};

#[tokio::test(flavor = "multi_thread")]
async fn a_lifetime_shorter_than_the_probes_is_not_an_idle_timeout() {
    let app = started(DemoConfig {
        flaws: "no-idle-timeout".parse::<FlawSet>().unwrap(),
        idle_timeout: Duration::from_secs(3),
        absolute_timeout: Duration::from_secs(5),
        ..DemoConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = builtin_run(TICKETBOOTH_PROFILE)
        .args(["--only", "idle-timeout", "--policy", "idle_timeout=10s"])
        .ticketbooth_secrets()
        .args(["--target", &app.base_url(), "--report-dir"])
        .arg(dir.path())
        .run();
    app.shutdown().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = written_results(dir.path());
    let check = &json["flows"][0]["checks"][0];
    let message = check["message"].as_str().unwrap();
    assert!(
        !message.contains("idle timeout between"),
        "an absolute lifetime was reported as an idle timeout: {message}\n{stdout}"
    );
    assert!(message.contains("no idle timeout measured"), "{message}");
    assert!(message.contains("absolute lifetime"), "{message}");
    // Nothing lives 10 s, so nothing stays idle longer than the 10 s allowed.
    assert_eq!(check["verdict"], "PASS", "{message}");
    assert!(check["measured"]["control_ended_after_s"].as_f64().unwrap() <= 10.0);
    assert_eq!(
        check["measured"]["idle_timeout_upper_s"],
        serde_json::Value::Null
    );
}
