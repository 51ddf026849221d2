//! The JWT scenarios (issue 17) in real headless Chromium: the `--auth jwt` rows of the verdict matrix
//! (no flaw: every JWT scenario PASS; each JWT flaw alone: exactly its scenarios FAIL, with
//! `--skip-repeats` only those it can change; all JWT flaws), and `usher generate` writing them for a
//! profile that declares a token API. Needs `chromium` and `chromedriver` on PATH.

use crate::support::turns;
use crate::support::usher::{stdout_of_success, usher};

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
