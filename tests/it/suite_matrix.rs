//! The verdict matrix, in every CI build: the full matrix — no flaw, each flaw switch alone failing
//! exactly the flows `usher::suite::expected_failures` names, all flaws — on a Ticketbooth with every
//! shape of a real app switched on (mounted under a path, no anonymous sessions, session-bound CSRF,
//! logout only on the account page, …), four rows at a time (rows wait on their flows more than
//! they compute: at three the release build kept 1.55 of 2 cores busy, at four 1.78, and took 9 %
//! less time; docs/PERFORMANCE.md), where `--skip-repeats` leaves out of a row what would repeat the no-flaw row
//! (tests/it/demo_flaws.rs proves at HTTP level that each flaw breaks only its own protection):
//! token-predictability outside the no-flaw, `predictable-ids` and all-flaws rows, and in the rows of
//! the flaws that change the app only on a logout, a password change or an expiry, every scenario
//! that does not do that (`usher::suite::TRIGGERED_ONLY`); and the `usher demo` command itself, the whole suite, on the plain
//! Ticketbooth (its two columns are the plain matrix's first and last rows). The plain matrix's rows
//! for each flaw alone repeat the shaped ones on a simpler app, so CI runs them only through the demo.

use crate::support::usher::{stdout_of_success, usher};

use crate::support::turns;

#[test]
fn demo_passes_secure_and_catches_every_flaw() {
    // Browser-heavy: alone on the machine, which two of these (or one and any other browser run)
    // would overload on 2 cores, and the timing scenarios measure seconds.
    let _turn = turns::alone();
    let reports = tempfile::tempdir().unwrap();
    let mut cmd = usher();
    cmd.args(["demo", "--report-dir"]).arg(reports.path());
    let out = cmd.output().expect("usher runs");
    let stdout = stdout_of_success(&out);
    assert!(stdout.contains("demo OK"), "{stdout}");
    let rows = stdout
        .lines()
        .filter(|l| l.contains(" PASS ") && l.trim_end().ends_with("FAIL"))
        .count();
    // `usher demo` runs the cookie app: the JWT scenarios are the `--auth jwt` matrix rows' (jwt_chrome.rs).
    let cookie: Vec<_> = usher::suite::BUILTIN
        .iter()
        .filter(|b| !b.needs_token_api())
        .collect();
    let total = cookie.len();
    assert_eq!(rows, total, "{stdout}");
    for b in cookie {
        assert!(
            stdout.contains(&format!("flawed › {}: ", b.name)),
            "{stdout}"
        );
    }
    for column in ["secure", "flawed"] {
        let junit = std::fs::read_to_string(reports.path().join(column).join("junit.xml")).unwrap();
        assert_eq!(junit.matches("<testcase ").count(), total, "{column}");
        let html = std::fs::read_to_string(reports.path().join(column).join("index.html")).unwrap();
        drawings_hold_every_flow_and_no_secret(column, &html, total);
    }
}

/// The HTML report of a real run draws each flow's session timeline (the flawed column also where its
/// checks failed) and the run at a glance, and no drawing holds a password or a whole token.
fn drawings_hold_every_flow_and_no_secret(column: &str, html: &str, total: usize) {
    for secret in ["alice-demo-password", "mallory-demo-password"] {
        assert!(!html.contains(secret), "{column}: a password in the report");
    }
    let svgs: Vec<&str> = html
        .split("<svg class=\"drawing ")
        .skip(1)
        .map(|s| s.split("</svg>").next().unwrap())
        .collect();
    let lanes: Vec<&&str> = svgs.iter().filter(|s| s.starts_with("swimlane")).collect();
    assert_eq!(lanes.len(), total, "{column}: a swimlane per flow");
    assert_eq!(
        svgs.iter().filter(|s| s.starts_with("gantt")).count(),
        1,
        "{column}: the run at a glance"
    );
    assert!(
        lanes.iter().any(|s| s.contains(r#"<line class="move "#)),
        "{column}: token moves are drawn"
    );
    let failed = lanes
        .iter()
        .filter(|s| s.contains(r#"class="failmark fail""#))
        .count();
    if column == "flawed" {
        assert_eq!(failed, total, "every flawed flow marks its failed check");
    } else {
        assert_eq!(failed, 0, "{column}: no failure marked");
    }
    // Session ids are 32 or 64 hex digits (a counter under `predictable-ids`); fingerprints are 6.
    for s in &svgs {
        let longest = s
            .split(|c: char| !c.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(
            longest < 16,
            "{column}: a token-like run of {longest} hex digits in a drawing"
        );
    }
}

#[test]
fn readme_matrix_matches_the_expectations() {
    let out = usher()
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
    // Browser-heavy: alone on the machine, which two of these (or one and any other browser run)
    // would overload on 2 cores, and the timing scenarios measure seconds.
    let _turn = turns::alone();
    let reports = tempfile::tempdir().unwrap();
    let out = usher()
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
            "4",
        ])
        .output()
        .expect("usher runs");
    let stdout = stdout_of_success(&out);
    // No flaw, each flaw alone, all flaws.
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        usher::demo::Flaw::ALL.len() + 2,
        "{stdout}"
    );
}
