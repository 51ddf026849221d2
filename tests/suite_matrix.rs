//! The verdict matrix. `usher demo` (both ends of the matrix: no flaw → every flow PASS, all flaws →
//! every flaw's flow FAIL) runs in every CI build; the full matrix — each flaw switch alone failing
//! exactly the flows `usher::suite::expected_failures` names — takes about 30 minutes on 2 cores and is
//! run on demand with `cargo test --test suite_matrix -- --ignored`.

use std::process::Command;

#[test]
fn demo_passes_secure_and_catches_every_flaw() {
    let reports = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["demo", "--report-dir"])
        .arg(reports.path())
        .output()
        .expect("usher runs");
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
    assert_eq!(rows, usher::suite::BUILTIN.len(), "{stdout}");
    for column in ["secure", "flawed"] {
        let junit = std::fs::read_to_string(reports.path().join(column).join("junit.xml")).unwrap();
        assert_eq!(
            junit.matches("<testcase ").count(),
            usher::suite::BUILTIN.len(),
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
#[ignore = "the full matrix takes about 30 minutes on 2 cores; run with --ignored"]
fn every_flaw_alone_fails_exactly_its_flows() {
    let reports = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["demo", "--report-dir"])
        .arg(reports.path())
        .args(["matrix", "--check", "README.md", "--parallel", "2"])
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
