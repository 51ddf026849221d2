//! `defaults: {oracle_grace: …}`: with no grace (pages rendered by the server) the oracle still tells
//! logged in from logged out, so the replay flow PASSes on a secure Ticketbooth and FAILs when logout
//! leaves the session valid; a value that is not a duration is refused before anything runs.

use crate::support::usher::{UsherCommand, quiet_usher, show};
use std::path::Path;
use std::process::Output;
use usher::demo::{DemoConfig, Flaw, FlawSet};

/// benches/data/replay-flow (login, steal, logout, replay) with `oracle_grace` set to `grace`.
fn profile(tmp: &Path, grace: &str) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/replay-flow");
    let dir = tmp.join(format!("grace-{}", grace.replace(' ', "_")));
    std::fs::create_dir_all(&dir).unwrap();
    let app = std::fs::read_to_string(src.join("app.yaml")).unwrap();
    let app = app.replace(
        "  step_timeout: 10s\n",
        &format!("  step_timeout: 10s\n  oracle_grace: {grace}\n"),
    );
    assert!(app.contains("oracle_grace"));
    std::fs::write(dir.join("app.yaml"), app).unwrap();
    std::fs::copy(
        src.join("replay-after-logout.yaml"),
        dir.join("replay-after-logout.yaml"),
    )
    .unwrap();
    dir
}

fn usher(args: &[&str]) -> Output {
    quiet_usher().args(args).ticketbooth_secrets().run()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_grace_still_tells_logged_in_from_logged_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = profile(tmp.path(), "0s");
    let dir = dir.to_str().unwrap();
    let start = |flaws| {
        usher::demo::start(DemoConfig {
            flaws,
            ..DemoConfig::default()
        })
    };
    let (secure, flawed) = tokio::join!(
        start(FlawSet::none()),
        start(FlawSet::only(Flaw::NoLogoutInvalidation))
    );
    let (secure, flawed) = (secure.unwrap(), flawed.unwrap());
    let reports = tmp.path().join("r");
    let reports = reports.to_str().unwrap();

    let out = usher(&[
        "run",
        dir,
        "--target",
        &secure.base_url(),
        "--report-dir",
        reports,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = usher(&[
        "run",
        dir,
        "--target",
        &flawed.base_url(),
        "--report-dir",
        reports,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("attacker's session still acts as an authenticated user"),
        "{}",
        show(&out)
    );
    secure.shutdown().await;
    flawed.shutdown().await;
}

#[test]
fn a_grace_that_is_not_a_duration_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = profile(tmp.path(), "fast");
    let out = usher(&["validate", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("oracle_grace"),
        "{}",
        show(&out)
    );
}
