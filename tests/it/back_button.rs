//! `logout-back-button` when the logout control sits on the account page (issue 12, item 4). The
//! profile's `logout` opens `/account` (the page already shown: Chromium replaces that history entry)
//! and clicks Log out. Two Backs then overshot to the login page, and with authenticated pages served
//! from the HTTP cache (`cacheable-pages`) the scenario still PASSed: a false PASS.

use crate::support::usher::{UsherCommand, usher};
use usher::demo::{DemoConfig, FlawSet};

/// The Ticketbooth profile with the logout control reached from the account page.
fn profile_logging_out_on_the_account_page(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string("scenarios/ticketbooth/app.yaml").unwrap();
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
    let app = usher::demo::start(DemoConfig {
        flaws: flaws.parse::<FlawSet>().unwrap(),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = profile_logging_out_on_the_account_page(dir.path());
    let out = usher()
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(&profile)
        .args(["--only", "logout-back-button"])
        .ticketbooth_secrets()
        .args(["--target", &app.base_url(), "--report-dir"])
        .arg(dir.path().join("reports"))
        .run();
    app.shutdown().await;
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/results.json")).unwrap(),
    )
    .unwrap();
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
    let app = usher::demo::start(DemoConfig {
        flaws: "cacheable-pages".parse::<FlawSet>().unwrap(),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
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
