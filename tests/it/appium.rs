//! Mobile web through a real Appium 3 server: `appium-chromium-driver` drives Debian's chromedriver
//! and headless Chromium, and the Ticketbooth suite run through `--webdriver-url` gets the same
//! verdicts as a local run, secure and with a flaw on. Network capture (chromedriver's performance
//! log, which Appium 3 proxies only as `/se/log`) and the CDP cache switch work through Appium, and
//! every session gets a chromedriver port of its own. An idle wait longer than Appium's
//! `newCommandTimeout` keeps its session (usher's keep-alive).
//!
//! Needs Appium and its Chromium driver (`bash ci/install-appium.sh` installs both under
//! `$HOME/.cache/usher-appium`; `USHER_APPIUM_DIR` points elsewhere) besides chromium +
//! chromedriver. Without them the test prints why and passes without running, unless
//! `USHER_REQUIRE_APPIUM` is set (CI), which makes that a failure.

use crate::support;
use crate::support::appium::AppiumServer;
use crate::support::demo::demo;
use crate::support::processes::{processes_mentioning, signal};
use crate::support::tools::{Require, appium_dir, appium_missing, skip};
use crate::support::usher::{BUNDLED_SCENARIOS, UsherCommand, quiet_usher, verdicts};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};
use usher::demo::{Flaw, FlawSet};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const APPIUM_READY_LIMIT: Duration = Duration::from_secs(60);

/// One Appium server on a free loopback port, with `TMPDIR` (and so the `TMPDIR` of every
/// chromedriver and Chromium it starts) inside our own directory. `Drop` stops it, kills anything
/// still mentioning the directory, and removes it.
struct Appium(AppiumServer);

impl Deref for Appium {
    type Target = AppiumServer;
    fn deref(&self) -> &AppiumServer {
        &self.0
    }
}

impl DerefMut for Appium {
    fn deref_mut(&mut self) -> &mut AppiumServer {
        &mut self.0
    }
}

impl Appium {
    fn start(install: &Path) -> Appium {
        let mut appium = Appium(AppiumServer::spawn(
            install,
            "usher-appium-test-",
            "tmp",
            &[("APPIUM_SKIP_CHROMEDRIVER_INSTALL", "1")],
        ));
        appium.0.wait_ready(
            APPIUM_READY_LIMIT,
            "Appium was not ready after",
            AppiumServer::log_tail,
        );
        appium
    }

    fn tmp(&self) -> PathBuf {
        self.dir.path().join("tmp")
    }

    /// Chromedriver/Chromium processes Appium started that are still running.
    fn browsers_left(&self) -> Vec<(u32, String)> {
        let appium = self.child.as_ref().map(Child::id);
        processes_mentioning(&self.tmp())
            .into_iter()
            .filter(|(pid, _)| Some(*pid) != appium)
            .collect()
    }

    /// SIGTERM (Appium then ends its sessions), then SIGKILL whatever still mentions our directory.
    fn stop(&mut self) {
        self.terminate();
        let start = Instant::now();
        loop {
            let left: Vec<u32> = processes_mentioning(self.dir.path())
                .into_iter()
                .map(|(pid, _)| pid)
                .collect();
            if left.is_empty() || start.elapsed() > Duration::from_secs(5) {
                return;
            }
            signal("KILL", &left);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Appium {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs scenarios through Appium as a user would; exit code, output, verdict per flow.
fn usher_run(
    appium: &Appium,
    paths: &[&str],
    target: &str,
    report_dir: &Path,
    extra: &[&str],
) -> (i32, Output, BTreeMap<String, String>) {
    let out = quiet_usher()
        .arg("run")
        .args(paths)
        .args(["--target", target, "--report-dir"])
        .arg(report_dir)
        .ticketbooth_secrets()
        .args(["--jobs", "2", "--webdriver-url", &appium.url()])
        .args(["--capability", r#"platformName="linux""#])
        .args(["--capability", r#"appium:automationName="Chromium""#])
        .args([
            "--capability",
            &format!(r#"appium:executable="{CHROMEDRIVER}""#),
        ])
        .args(extra)
        .run();
    (out.status.code().unwrap_or(-1), out, verdicts(report_dir))
}

fn show(out: &Output, appium: &Appium) -> String {
    format!(
        "{}\nAppium log (tail):\n{}",
        support::usher::show(out),
        appium.log_tail()
    )
}

/// The `--port=N` of every chromedriver Appium spawned, in order.
fn chromedriver_ports(log: &str) -> Vec<u16> {
    log.lines()
        .filter(|l| l.contains("Spawning Chromedriver with:"))
        .filter_map(|l| l.split("--port=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn ticketbooth_through_appium_matches_local_verdicts() {
    let install = appium_dir();
    if let Some(why) = appium_missing(&install, "appium-chromium-driver")
        .or_else(|| (!Path::new(CHROMEDRIVER).exists()).then(|| format!("no {CHROMEDRIVER}")))
    {
        return skip(
            Require::Appium,
            &format!("{why}; run `bash ci/install-appium.sh` (or set USHER_APPIUM_DIR)"),
        );
    }
    let started = Instant::now();
    let mut appium = Appium::start(&install);
    eprintln!("Appium ready in {:?}", started.elapsed());

    let cases: [(FlawSet, Option<&str>); 2] = [
        (FlawSet::none(), None),
        (FlawSet::only(Flaw::TokenInUrl), Some("no-token-in-url")),
    ];
    for (flaws, failing) in cases {
        let app = demo(flaws).await;
        let reports = tempfile::tempdir().unwrap();
        let t = Instant::now();
        let (code, out, verdicts) = usher_run(
            &appium,
            &["scenarios/ticketbooth"],
            &app.base_url(),
            reports.path(),
            &[],
        );
        eprintln!(
            "suite with flaws [{flaws}] through Appium: {:?}",
            t.elapsed()
        );
        assert_eq!(
            code,
            if failing.is_some() { 1 } else { 0 },
            "{verdicts:?}\n{}",
            show(&out, &appium)
        );
        for name in BUNDLED_SCENARIOS {
            let want = if Some(name) == failing {
                "FAIL"
            } else {
                "PASS"
            };
            assert_eq!(
                verdicts.get(name).map(String::as_str),
                Some(want),
                "flaws [{flaws}]: {name}\n{verdicts:?}\n{}",
                show(&out, &appium)
            );
        }
        app.shutdown().await;

        // usher closed every session: Appium stopped each chromedriver and its Chromium.
        let start = Instant::now();
        let mut left = appium.browsers_left();
        while !left.is_empty() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(100));
            left = appium.browsers_left();
        }
        assert!(
            left.is_empty(),
            "browser processes left after the run: {left:?}"
        );
    }

    // An idle wait longer than Appium's newCommandTimeout: usher's keep-alive (every 20 s, answered
    // by chromedriver, never by the target) must keep the session, so the oracle still says PASS.
    let app = demo(FlawSet::none()).await;
    let reports = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let (code, out, verdicts) = usher_run(
        &appium,
        &["tests/data/appium/keep-alive.yaml"],
        &app.base_url(),
        reports.path(),
        &["--capability", "appium:newCommandTimeout=26"],
    );
    eprintln!("35 s idle with newCommandTimeout 26 s: {:?}", t.elapsed());
    assert_eq!(
        (code, verdicts.get("keep-alive").map(String::as_str)),
        (0, Some("PASS")),
        "{}",
        show(&out, &appium)
    );
    app.shutdown().await;

    // Network capture went through Appium's `/se/log` route, and no two sessions shared a
    // chromedriver port (Appium's Chromium driver kills any chromedriver on the port it starts on).
    let log = appium.log();
    assert!(
        log.contains("/se/log"),
        "the performance log was never read through /se/log"
    );
    let ports = chromedriver_ports(&log);
    let distinct: BTreeSet<u16> = ports.iter().copied().collect();
    assert!(ports.len() > 2 * BUNDLED_SCENARIOS.len(), "{ports:?}");
    assert_eq!(
        distinct.len(),
        ports.len(),
        "a chromedriver port was reused: {ports:?}"
    );

    // The Appium server gone mid-flow (issue 7's faults): the flow idling through it is ERROR with
    // the cause, the flow before it still PASSes, exit 3.
    let app = demo(FlawSet::none()).await;
    let reports = tempfile::tempdir().unwrap();
    let server = appium.child.as_ref().map(Child::id).expect("appium runs");
    let fault = std::thread::spawn({
        let tmp = appium.tmp();
        move || {
            // The second chromedriver is the idle flow's; let it log in, then take the server away.
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut seen = BTreeSet::new();
            while seen.len() < 2 && Instant::now() < deadline {
                for (pid, cmd) in processes_mentioning(&tmp) {
                    if cmd.contains("chromedriver") {
                        seen.insert(pid);
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            std::thread::sleep(Duration::from_secs(3));
            signal("KILL", &[server]);
        }
    });
    let (code, out, verdicts) = usher_run(
        &appium,
        &[
            "scenarios/ticketbooth/cookie-attributes.yaml",
            "tests/data/faults/idle-then-check.yaml",
        ],
        &app.base_url(),
        reports.path(),
        &[],
    );
    fault.join().unwrap();
    assert_eq!(
        (
            verdicts.get("cookie-attributes").map(String::as_str),
            verdicts.get("idle-then-check").map(String::as_str),
            code
        ),
        (Some("PASS"), Some("ERROR"), 3),
        "{}",
        show(&out, &appium)
    );
    app.shutdown().await;

    let tmp = appium.dir.path().to_path_buf();
    appium.stop();
    let left = processes_mentioning(&tmp);
    assert!(
        left.is_empty(),
        "processes left after Appium stopped: {left:?}"
    );
    eprintln!("total {:?}", started.elapsed());
}
