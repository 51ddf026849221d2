//! `logout-back-button` when the logout control sits on the account page (issue 12, item 4). The
//! profile's `logout` opens `/account` (the page already shown: Chromium replaces that history entry)
//! and clicks Log out. Two Backs then overshot to the login page, and with authenticated pages served
//! from the HTTP cache (`cacheable-pages`) the scenario still PASSed: a false PASS.

use crate::support::demo::demo;
use crate::support::usher::{
    TICKETBOOTH_PROFILE, UsherCommand, run_builtin_scenario, usher, written_results,
};
use usher::demo::FlawSet;

/// The Ticketbooth profile with the logout control reached from the account page.
fn profile_logging_out_on_the_account_page(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(TICKETBOOTH_PROFILE).unwrap();
    let text = text.replace(
        "  logout:\n    - open: /\n",
        "  logout:\n    - open: /account\n",
    );
    assert!(text.contains("  logout:\n    - open: /account\n"));
    let path = dir.join("app.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

async fn back_button(flaws: &str) -> (String, String) {
    let app = demo(flaws.parse::<FlawSet>().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = profile_logging_out_on_the_account_page(dir.path());
    let out = run_builtin_scenario(
        &profile,
        "logout-back-button",
        &app.base_url(),
        &dir.path().join("reports"),
    );
    app.shutdown().await;
    let json = written_results(&dir.path().join("reports"));
    let flow = &json["flows"][0];
    (
        flow["verdict"].as_str().unwrap().to_string(),
        format!(
            "{}\n{}\n{}",
            flow["summary"],
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn cached_account_page_behind_a_logout_on_that_page_fails() {
    let (verdict, why) = back_button("cacheable-pages").await;
    assert_eq!(verdict, "FAIL", "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn secure_app_with_the_logout_on_the_account_page_passes() {
    let (verdict, why) = back_button("none").await;
    assert_eq!(verdict, "PASS", "{why}");
}

/// A flow that `requires: [back_forward_cache]` runs where Back restores the page from memory, as in
/// users' browsers: on the headless shell (usher's default, which keeps no such cache) in full
/// Chromium. A mark left in the page's JavaScript before logout is still there after `back_to`.
#[tokio::test(flavor = "multi_thread")]
async fn a_flow_needing_the_back_forward_cache_gets_one() {
    let app = demo("cacheable-pages".parse::<FlawSet>().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(profile_logging_out_on_the_account_page(dir.path()))
        .unwrap()
        .replace(
            "  logout:\n    - open: /account\n",
            "  logout:\n    - open: /account\n    - eval: \"window.usherMark = 1\"\n",
        );
    std::fs::write(dir.path().join("app.yaml"), profile).unwrap();
    let scenario = "scenario: restored\npersonas: [victim]\nrequires: [back_forward_cache]\nsteps:\n  \
        - run: login\n  - run: logged_in\n  - run: logout\n  - back_to: last_authenticated\n  \
        - eval: \"if (!window.usherMark) throw new Error('not restored from the back/forward cache')\"\n  \
        - check: no_account_data\n";
    std::fs::write(dir.path().join("restored.yaml"), scenario).unwrap();
    let out = usher()
        .arg("run")
        .arg(dir.path().join("restored.yaml"))
        .ticketbooth_secrets()
        .args(["--target", &app.base_url(), "--report-dir"])
        .arg(dir.path().join("reports"))
        .run();
    app.shutdown().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Restored (the mark survived), and the restored page shows the account: FAIL, not ERROR.
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL"), "{stdout}");
}
