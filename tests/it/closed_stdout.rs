//! `usher … | head`: when the reader of stdout goes away, usher finishes its work (reports included)
//! and exits with its normal code instead of panicking on the broken pipe (exit 101).

use crate::support::usher::usher;
use std::process::Stdio;

fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = usher()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("usher starts");
    // The reader is gone before usher writes a line.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("usher ends");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    for args in [
        &["schema"][..],
        &[
            "validate",
            "scenarios/ticketbooth",
            "--secret",
            "TB_ALICE_PASSWORD=x",
            "--secret",
            "TB_MALLORY_PASSWORD=y",
        ][..],
        &["demo", "serve", "--list-flaws"][..],
    ] {
        let (code, stderr) = with_closed_stdout(args);
        assert_eq!(code, Some(0), "usher {args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "usher {args:?}: {stderr}");
    }
}

#[test]
fn a_run_with_a_closed_stdout_still_writes_its_reports() {
    let reports = tempfile::tempdir().unwrap();
    let dir = reports.path().to_str().unwrap();
    // A target that refuses connections: the flows end in ERROR (exit 3) without a browser page.
    let (code, stderr) = with_closed_stdout(&[
        "run",
        "scenarios/ticketbooth/login-works.yaml",
        "--step-timeout",
        "3s",
        "--target",
        "http://127.0.0.1:9",
        "--secret",
        "TB_ALICE_PASSWORD=x",
        "--secret",
        "TB_MALLORY_PASSWORD=y",
        "--report-dir",
        dir,
    ]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for f in ["results.json", "junit.xml", "index.html"] {
        assert!(reports.path().join(f).is_file(), "{f} written; {stderr}");
    }
}
