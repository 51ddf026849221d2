//! `mobile_emulation:` in a profile: the session really runs in Chrome's emulation of the device
//! (viewport, touch, mobile User-Agent), the same scenario fails without it, and what cannot work
//! (Firefox, contradictory settings) is refused before anything runs.

use crate::support::usher::{UsherCommand, quiet_usher, show};
use std::path::Path;
use std::process::Output;
use usher::demo::{DemoConfig, RunningDemo};

const DIR: &str = "tests/data/mobile";

async fn demo() -> RunningDemo {
    usher::demo::start(DemoConfig::default())
        .await
        .expect("Ticketbooth starts")
}

fn usher(args: &[&str]) -> Output {
    quiet_usher()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .run()
}

fn run(dir: &Path, target: &str, reports: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        dir.to_str().unwrap(),
        "--target",
        target,
        "--secret",
        "TB_ALICE_PASSWORD=alice-demo-password",
        "--report-dir",
        reports.to_str().unwrap(),
    ];
    args.extend(extra);
    usher(&args)
}

/// The test profile with its `mobile_emulation` replaced by `emulation` (YAML lines, or nothing).
fn variant(tmp: &Path, name: &str, emulation: &str) -> std::path::PathBuf {
    let dir = tmp.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let app = std::fs::read_to_string(Path::new(DIR).join("app.yaml")).unwrap();
    let app = app.replace("mobile_emulation:\n  device: Pixel 7\n", emulation);
    std::fs::write(dir.join("app.yaml"), app).unwrap();
    std::fs::copy(
        Path::new(DIR).join("viewport.yaml"),
        dir.join("viewport.yaml"),
    )
    .unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_emulates_a_phone_and_the_check_sees_it() {
    let target = demo().await;
    let tmp = tempfile::tempdir().unwrap();
    let url = target.base_url();

    let phone = run(Path::new(DIR), &url, &tmp.path().join("phone"), &[]);
    assert_eq!(phone.status.code(), Some(0), "{}", show(&phone));
    assert!(
        String::from_utf8_lossy(&phone.stdout).contains("PASS"),
        "{}",
        show(&phone)
    );

    // Metrics instead of a device name: the viewport is what they say.
    let metrics = variant(
        tmp.path(),
        "metrics",
        "mobile_emulation:\n  width: 412\n  height: 800\n  pixel_ratio: 2\n  user_agent: \"Mozilla/5.0 (Linux; Android 14) Mobile usher-test\"\n",
    );
    let out = run(&metrics, &url, &tmp.path().join("metrics-r"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));

    // Without the emulation the same scenario sees a desktop viewport: its `see` step cannot pass
    // (a step that finds the page otherwise is an ERROR, exit 3; only checks FAIL).
    let desktop = variant(tmp.path(), "desktop", "");
    let out = run(&desktop, &url, &tmp.path().join("desktop-r"), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("expected to see text \"viewport 412"),
        "{}",
        show(&out)
    );
    target.shutdown().await;
}

#[test]
fn what_cannot_work_is_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(
        Path::new(DIR),
        "http://127.0.0.1:9",
        &tmp.path().join("r"),
        &["--browser", "firefox"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("mobile emulation"),
        "{}",
        show(&out)
    );

    let both = variant(
        tmp.path(),
        "both",
        "mobile_emulation:\n  device: Pixel 7\n  width: 400\n",
    );
    let out = usher(&["validate", both.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`device` cannot be combined") && err.contains("app.yaml:5:"),
        "{}",
        show(&out)
    );
    assert!(!tmp.path().join("r").exists(), "nothing ran, no reports");
}
