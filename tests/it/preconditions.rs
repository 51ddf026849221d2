//! A scenario whose precondition the app lacks ends SKIPPED with its reason, never ERROR (issue 12,
//! item 5). `fixation-token-rotates` needs a session id before login; Ticketbooth's shape
//! `no-anonymous-sessions` issues none. Before, its `capture: before_login` failed with "holds no
//! session token" and the flow was ERROR, making a clean run exit 3.

use crate::support::demo::shaped;
use crate::support::usher::{TICKETBOOTH_PROFILE, run_builtin_scenario, written_results};
use usher::demo::{FlawSet, ShapeSet};

async fn rotates(profile_extra: &str) -> (Option<i32>, serde_json::Value, String) {
    let app = shaped(
        FlawSet::none(),
        "no-anonymous-sessions".parse::<ShapeSet>().unwrap(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(TICKETBOOTH_PROFILE).unwrap() + profile_extra;
    std::fs::write(dir.path().join("app.yaml"), profile).unwrap();
    let out = run_builtin_scenario(
        dir.path().join("app.yaml"),
        "fixation-token-rotates",
        &app.base_url(),
        &dir.path().join("reports"),
    );
    app.shutdown().await;
    let json = written_results(&dir.path().join("reports"));
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
