//! The JWT scenarios (issue 17) in real headless Chromium: the `--auth jwt` rows of the verdict matrix
//! (no flaw: every JWT scenario PASS; each JWT flaw alone: exactly its scenarios FAIL, with
//! `--skip-repeats` only those it can change; all JWT flaws), and `usher generate` writing them for a
//! profile that declares a token API. Needs `chromium` and `chromedriver` on PATH.

use crate::support::turns;
use crate::support::usher::{
    UsherCommand, quiet_usher, results_text, stdout_of_success, streams, usher,
};

#[test]
fn generate_writes_the_jwt_scenarios_only_for_a_token_api_profile() {
    let jwt = tempfile::tempdir().unwrap();
    let out = usher()
        .args([
            "generate",
            "--profile",
            "scenarios/ticketbooth-jwt/app.yaml",
            "--out",
        ])
        .arg(jwt.path())
        .output()
        .unwrap();
    stdout_of_success(&out);
    for b in usher::suite::BUILTIN.iter().filter(|b| b.needs_token_api()) {
        let text = std::fs::read_to_string(jwt.path().join(format!("{}.yaml", b.name)))
            .unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert!(text.contains("requires: [token_api]"), "{}", b.name);
    }
    let cookie = tempfile::tempdir().unwrap();
    let out = usher()
        .args([
            "generate",
            "--profile",
            "scenarios/ticketbooth/app.yaml",
            "--out",
        ])
        .arg(cookie.path())
        .output()
        .unwrap();
    let stdout = stdout_of_success(&out);
    assert!(!cookie.path().join("jwt-alg-none.yaml").exists());
    assert!(
        stdout.contains("skipped jwt-alg-none: the profile declares no token API"),
        "{stdout}"
    );
}

#[test]
fn jwt_matrix_rows_in_chromium() {
    // Browser-heavy: alone on the machine.
    let _turn = turns::alone();
    let reports = tempfile::tempdir().unwrap();
    let out = usher()
        .args(["demo", "--report-dir"])
        .arg(reports.path())
        .args([
            "matrix",
            "--auth",
            "jwt",
            "--skip-repeats",
            "--parallel",
            "2",
        ])
        .output()
        .expect("usher runs");
    let stdout = stdout_of_success(&out);
    let rows = usher::demo::JwtFlaw::ALL.len() + 2;
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        rows,
        "{stdout}"
    );
    assert!(!stdout.contains("WRONG"), "{stdout}");
    // Evidence carries fingerprints, never a token or a password.
    for entry in walk(reports.path()) {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        for secret in ["alice-demo-password", "mallory-demo-password", "eyJ"] {
            assert!(!text.contains(secret), "{secret} in {}", entry.display());
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .is_some_and(|x| x == "json" || x == "xml" || x == "html")
        {
            out.push(p);
        }
    }
    out
}

/// The single-page app keeping its access token in `localStorage` (`--token-storage local`), where
/// any script on the page can read it: `token-not-in-client-storage` FAILs, naming the storage key,
/// with the token only as a fingerprint. The memory default PASSes in the no-flaw row above.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_in_local_storage_fails_the_client_storage_scenario() {
    let _turn = turns::shared();
    let app = usher::demo::start(usher::demo::DemoConfig {
        jwt: Some(usher::demo::JwtConfig {
            storage: usher::demo::TokenStorage::Local,
            ..usher::demo::JwtConfig::default()
        }),
        ..usher::demo::DemoConfig::default()
    })
    .await
    .expect("Ticketbooth starts");
    let reports = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| {
        quiet_usher()
            .args(["run", "--suite", "builtin", "--profile"])
            .arg("scenarios/ticketbooth-jwt/app.yaml")
            .args(["--only", "token-not-in-client-storage", "--target"])
            .arg(app.base_url())
            .arg("--report-dir")
            .arg(reports.path())
            .ticketbooth_secrets()
            .run()
    });
    let shown = streams(&out);
    let results: serde_json::Value =
        serde_json::from_str(&results_text(reports.path(), &shown)).unwrap();
    let flow = &results["flows"][0];
    assert_eq!(flow["name"], "token-not-in-client-storage", "{shown}");
    assert_eq!(flow["verdict"], "FAIL", "{shown}");
    let text = results.to_string();
    assert!(text.contains("localStorage[tb_access]"), "{text}");
    assert!(
        !text.contains("eyJ") && !shown.contains("eyJ"),
        "a token in clear:\n{shown}"
    );
    app.shutdown().await;
}
