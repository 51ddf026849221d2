//! A scenario whose precondition the app lacks ends SKIPPED with its reason, never ERROR (issue 12,
//! item 5). `fixation-token-rotates` needs a session id before login; Ticketbooth's shape
//! `no-anonymous-sessions` issues none. Before, its `capture: before_login` failed with "holds no
//! session token" and the flow was ERROR, making a clean run exit 3.

use crate::support::usher::{UsherCommand, usher};
use usher::demo::{DemoConfig, ShapeSet};

async fn rotates(profile_extra: &str) -> (Option<i32>, serde_json::Value, String) {
    let app = usher::demo::start(DemoConfig {
        shapes: "no-anonymous-sessions".parse::<ShapeSet>().unwrap(),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile =
        std::fs::read_to_string("scenarios/ticketbooth/app.yaml").unwrap() + profile_extra;
    std::fs::write(dir.path().join("app.yaml"), profile).unwrap();
    let out = usher()
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(dir.path().join("app.yaml"))
        .args(["--only", "fixation-token-rotates"])
        .ticketbooth_secrets()
        .args(["--target", &app.base_url(), "--report-dir"])
        .arg(dir.path().join("reports"))
        .run();
    app.shutdown().await;
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/results.json")).unwrap(),
    )
    .unwrap();
    (
        out.status.code(),
        json["flows"][0].clone(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn no_session_before_login_found_at_run_time_is_skipped() {
    let (code, flow, stdout) = rotates("").await;
    assert_eq!(flow["verdict"], "SKIPPED", "{stdout}");
    assert!(
        flow["summary"]
            .as_str()
            .unwrap()
            .contains("issues no session id to anonymous visitors"),
        "{flow}"
    );
    assert_eq!(code, Some(0), "a clean run exits 0: {stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_says_so_and_no_browser_starts() {
    let (code, flow, stdout) = rotates("\nanonymous_sessions: false\n").await;
    assert_eq!(flow["verdict"], "SKIPPED", "{stdout}");
    assert!(
        flow["summary"]
            .as_str()
            .unwrap()
            .contains("anonymous_sessions: false"),
        "{flow}"
    );
    // Decided before the flow ran: no step, no browser.
    assert_eq!(flow["steps"].as_array().map_or(0, Vec::len), 0, "{flow}");
    assert_eq!(code, Some(0), "{stdout}");
}
