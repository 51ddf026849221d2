//! `logout-back-button` when the logout control sits on the account page (issue 12, item 4). The
//! profile's `logout` opens `/account` (the page already shown: Chromium replaces that history entry)
//! and clicks Log out. Two Backs then overshot to the login page, and with authenticated pages served
//! from the HTTP cache (`cacheable-pages`) the scenario still PASSed: a false PASS.

use std::process::Command;
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
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(&profile)
        .args([
            "--only",
            "logout-back-button",
            "--secret",
            "TB_ALICE_PASSWORD=alice-demo-password",
            "--secret",
            "TB_MALLORY_PASSWORD=mallory-demo-password",
            "--target",
            &app.base_url(),
            "--report-dir",
        ])
        .arg(dir.path().join("reports"))
        .output()
        .unwrap();
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
