//! The verdict matrix, in every CI build: the full matrix — no flaw, each flaw switch alone failing
//! exactly the flows `usher::suite::expected_failures` names, all flaws — on a Ticketbooth with every
//! shape of a real app switched on (mounted under a path, no anonymous sessions, session-bound CSRF,
//! logout only on the account page, …), about 12 minutes on 2 cores with the headless shell
//! (docs/PERFORMANCE.md), where `--skip-repeats` runs token-predictability (1 000 logins a row, replayed over HTTP) only in
//! the rows whose verdict it can change (no flaw, `predictable-ids`, all flaws: tests/demo_flaws.rs
//! proves at HTTP level that no other flaw touches the ids); and the `usher demo` command itself, the whole suite, on the plain
//! Ticketbooth (its two columns are the plain matrix's first and last rows). The plain matrix's rows
//! for each flaw alone repeat the shaped ones on a simpler app, so CI runs them only through the demo.

use std::process::Command;
use std::sync::Mutex;

/// The two browser-heavy tests take turns: together they would overload a 2-core machine, and the
/// timing scenarios measure seconds.
static MACHINE: Mutex<()> = Mutex::new(());

#[test]
fn demo_passes_secure_and_catches_every_flaw() {
    let _turn = MACHINE.lock().unwrap_or_else(|p| p.into_inner());
    let reports = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_usher"));
    cmd.args(["demo", "--report-dir"]).arg(reports.path());
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
    let total = usher::suite::BUILTIN.len();
    assert_eq!(rows, total, "{stdout}");
    for b in usher::suite::BUILTIN {
        assert!(
            stdout.contains(&format!("flawed › {}: ", b.name)),
            "{stdout}"
        );
    }
    for column in ["secure", "flawed"] {
        let junit = std::fs::read_to_string(reports.path().join(column).join("junit.xml")).unwrap();
        assert_eq!(junit.matches("<testcase ").count(), total, "{column}");
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
fn every_flaw_alone_fails_exactly_its_flows_on_a_shaped_ticketbooth() {
    let _turn = MACHINE.lock().unwrap_or_else(|p| p.into_inner());
    let reports = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["demo", "--report-dir"])
        .arg(reports.path())
        .args([
            "matrix",
            "--shape",
            "all",
            "--skip-repeats",
            "--check",
            "README.md",
            "--parallel",
            "3",
        ])
        .output()
        .expect("usher runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No flaw, each flaw alone, all flaws.
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        usher::demo::Flaw::ALL.len() + 2,
        "{stdout}"
    );
}
