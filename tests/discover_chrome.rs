//! `usher discover` in real headless Chromium against Ticketbooth: from a URL and two accounts to a
//! profile that passes check-profile, and, with a wrong password, no profile and an ERROR naming the
//! control that failed. Needs `chromium` and `chromedriver` on PATH.

use std::path::Path;
use std::process::Output;
use usher::demo::{DemoConfig, RunningDemo};

const ALICE: &str = "alice-demo-password";
const MALLORY: &str = "mallory-demo-password";

fn discover(app: &RunningDemo, out: &Path, victim_password: &str, extra: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .env_remove("RUST_LOG")
        .env_remove("USHER_LOG")
        .env_remove("VICTIM_PASSWORD")
        .env_remove("ATTACKER_PASSWORD")
        .args(["discover", &format!("{}/", app.base_url())])
        .args(["--account", "victim=alice@ticketbooth.test"])
        .args(["--account", "attacker=mallory@ticketbooth.test"])
        .args(["--secret", &format!("VICTIM_PASSWORD={victim_password}")])
        .args(["--secret", &format!("ATTACKER_PASSWORD={MALLORY}")])
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("usher runs")
}

fn show(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn check_profile(app: &RunningDemo, profile: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .env_remove("RUST_LOG")
        .arg("check-profile")
        .arg(profile)
        .args(["--target", &app.base_url()])
        .args(["--secret", &format!("VICTIM_PASSWORD={ALICE}")])
        .args(["--secret", &format!("ATTACKER_PASSWORD={MALLORY}")])
        .output()
        .expect("usher runs")
}

/// Discovers one Ticketbooth configuration and proves the profile again with `usher check-profile`.
pub async fn discovers(config: DemoConfig) -> (RunningDemo, tempfile::TempDir, String) {
    let app = usher::demo::start(config)
        .await
        .expect("Ticketbooth starts");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.yaml");
    let found = discover(&app, &out, ALICE, &[]);
    assert_eq!(found.status.code(), Some(0), "{}", show(&found));
    let stdout = String::from_utf8_lossy(&found.stdout).to_string();
    for secret in [ALICE, MALLORY] {
        assert!(
            !stdout.contains(secret),
            "a password was printed:\n{stdout}"
        );
    }
    let text = std::fs::read_to_string(&out).expect("app.yaml written");
    assert!(!text.contains(ALICE) && !text.contains(MALLORY), "{text}");
    let proved = check_profile(&app, &out);
    assert_eq!(proved.status.code(), Some(0), "{}\n{text}", show(&proved));
    (app, dir, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn discover_writes_a_profile_that_passes_check_profile() {
    let (_app, _dir, text) = discovers(DemoConfig::default()).await;
    for piece in [
        "identity: '#whoami'",
        "  login:",
        "  logged_in:",
        "  logout:",
        "  browse:",
        "  change_password:",
        "token:",
    ] {
        assert!(text.contains(piece), "{piece} missing:\n{text}");
    }
    // Every choice carries its evidence.
    assert!(text.contains("# Negative controls passed"), "{text}");
}

/// A wrong password for the victim: discovery stops with ERROR naming the control, writes nothing,
/// and never calls the failed login a success.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_writes_no_profile_and_names_the_control() {
    let app = usher::demo::start(DemoConfig::default())
        .await
        .expect("Ticketbooth starts");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.yaml");
    let found = discover(&app, &out, "not-alices-password", &[]);
    let stdout = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.status.code(), Some(3), "{}", show(&found));
    assert!(
        stdout.contains("ERROR: control `victim login` failed")
            && stdout.contains("VICTIM_PASSWORD"),
        "{}",
        show(&found)
    );
    assert!(!stdout.contains("not-alices-password"), "{stdout}");
    assert!(!out.exists(), "a profile was written");
}

/// Nothing listens: exit 3 (the target cannot be reached), nothing written.
#[tokio::test(flavor = "multi_thread")]
async fn unreachable_target_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.yaml");
    let found = std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args(["discover", &format!("http://127.0.0.1:{port}/")])
        .args([
            "--account",
            "victim=a@x.test",
            "--account",
            "attacker=b@x.test",
        ])
        .args([
            "--secret",
            "VICTIM_PASSWORD=x",
            "--secret",
            "ATTACKER_PASSWORD=y",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(found.status.code(), Some(3), "{}", show(&found));
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("cannot be reached"),
        "{}",
        show(&found)
    );
    assert!(!out.exists());
}

/// Bad input: one account only.
#[test]
fn one_account_is_bad_input() {
    let found = std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
        .args([
            "discover",
            "http://127.0.0.1:9/",
            "--account",
            "victim=a@x.test",
        ])
        .args(["--secret", "VICTIM_PASSWORD=x"])
        .output()
        .unwrap();
    assert_eq!(found.status.code(), Some(2), "{}", show(&found));
}
