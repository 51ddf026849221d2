//! The verdict matrix, in every CI build: the full matrix — no flaw, each flaw switch alone failing
//! exactly the flows `usher::suite::expected_failures` names, all flaws — about 12 minutes on 2 cores
//! with the headless shell (docs/PERFORMANCE.md), and the `usher demo` command itself on a few
//! scenarios (its two columns are the matrix's first and last rows).

use std::process::Command;
use std::sync::Mutex;

/// The two browser-heavy tests take turns: together they would overload a 2-core machine, and the
/// timing scenarios measure seconds.
static MACHINE: Mutex<()> = Mutex::new(());

/// One scenario on the timing instance, two on the other.
const DEMO_SAMPLE: [&str; 3] = ["idle-timeout", "token-not-in-url", "cookie-attributes"];

#[test]
fn demo_passes_secure_and_catches_every_flaw() {
    let _turn = MACHINE.lock().unwrap_or_else(|p| p.into_inner());
    let reports = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_usher"));
    cmd.args(["demo", "--report-dir"]).arg(reports.path());
    for name in DEMO_SAMPLE {
        cmd.args(["--only", name]);
    }
    let out = cmd.output().expect("usher runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("demo OK"), "{stdout}");
    let rows = stdout
        .lines()
        .filter(|l| l.contains(" PASS ") && l.trim_end().ends_with("FAIL"))
        .count();
    assert_eq!(rows, DEMO_SAMPLE.len(), "{stdout}");
    for name in DEMO_SAMPLE {
        assert!(stdout.contains(&format!("flawed › {name}: ")), "{stdout}");
    }
    for column in ["secure", "flawed"] {
        let junit = std::fs::read_to_string(reports.path().join(column).join("junit.xml")).unwrap();
        assert_eq!(
            junit.matches("<testcase ").count(),
            DEMO_SAMPLE.len(),
            "{column}"
        );
    }
}

#[test]
fn readme_matrix_matches_the_expectations() {
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["demo", "matrix", "--expected-only", "--check", "README.md"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_flaw_alone_fails_exactly_its_flows() {
    let _turn = MACHINE.lock().unwrap_or_else(|p| p.into_inner());
    let reports = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["demo", "--report-dir"])
        .arg(reports.path())
        .args(["matrix", "--check", "README.md", "--parallel", "3"])
        .output()
        .expect("usher runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        17,
        "{stdout}"
    );
}
