//! A native app through a real Appium 3 server and its fake driver (`@appium/fake-driver`), which
//! plays the fixture app tests/data/appium/ticketbooth-native.xml: a native login screen and an
//! account screen in a WebView. The example profile scenarios/examples/fake-native drives it with
//! native locators (accessibility id, id, xpath) and `context:` switches.
//!
//! What this proves: usher starts native sessions (no browser options; the fake driver refuses
//! script and page-load timeouts), sends locators as written (`-android uiautomator` and
//! `-ios predicate string` reach the driver untouched), judges the oracle from native elements with
//! real PASS and FAIL verdicts, keeps a native session alive through an idle wait, and ends the
//! flows that need the session token SKIPPED with a hint (a native context has no cookies), never
//! PASS. What it cannot prove: the fake app's screens are static, so the "session" the oracle sees is
//! the screen the flows switched to, not a server's session (docs/mobile.md).
//!
//! Needs Appium and its fake driver (`bash ci/install-appium.sh`, under `$HOME/.cache/usher-appium`
//! or `USHER_APPIUM_DIR`). Without them the test prints why and passes without running, unless
//! `USHER_REQUIRE_APPIUM` is set (CI), which makes that a failure.

use crate::support::appium::AppiumServer;
use crate::support::tools::{Require, appium_dir, appium_missing, skip};
use crate::support::usher::{ALICE, UsherCommand, quiet_usher, usher};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const PROFILE_DIR: &str = "scenarios/examples/fake-native";
const APP: &str = "tests/data/appium/ticketbooth-native.xml";
const READY_LIMIT: Duration = Duration::from_secs(60);

/// One Appium server on a free loopback port; `Drop` stops it (the fake driver starts no process).
type Appium = AppiumServer;

fn start_appium(install: &Path) -> Appium {
    let mut appium = AppiumServer::spawn(install, "usher-appium-native-", "", &[]);
    appium.wait_ready(READY_LIMIT, "Appium not ready after", AppiumServer::log);
    appium
}

struct Run {
    code: i32,
    out: Output,
    /// name → (verdict, summary)
    flows: BTreeMap<String, (String, String)>,
    results: Value,
}

impl Run {
    fn verdict(&self, name: &str) -> Option<&str> {
        self.flows.get(name).map(|(v, _)| v.as_str())
    }

    fn show(&self, appium: &Appium) -> String {
        let log = appium.log();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        format!(
            "exit {}\nflows: {:?}\nstdout:\n{}\nstderr:\n{}\nAppium log (last lines, newest first):\n{}",
            self.code,
            self.flows,
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr),
            tail.join("\n")
        )
    }
}

fn usher_run(appium: &Appium, paths: &[&Path], reports: &Path, extra: &[&str]) -> Run {
    let app = std::fs::canonicalize(APP).unwrap();
    let out = quiet_usher()
        .arg("run")
        .args(paths)
        .arg("--report-dir")
        .arg(reports)
        .args(["--webdriver-url", &appium.url()])
        .args([
            "--capability",
            &format!("appium:app={}", Value::from(app.to_str().unwrap())),
        ])
        .ticketbooth_secrets()
        .args(extra)
        .run();
    let results = std::fs::read_to_string(reports.join("results.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .unwrap_or(Value::Null);
    let flows = results["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_string(),
                (
                    f["verdict"].as_str().unwrap_or_default().to_string(),
                    f["summary"].as_str().unwrap_or_default().to_string(),
                ),
            )
        })
        .collect();
    Run {
        code: out.status.code().unwrap_or(-1),
        out,
        flows,
        results,
    }
}

fn checks_of<'a>(results: &'a Value, flow: &str) -> Vec<&'a Value> {
    results["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["name"] == flow)
        .flat_map(|f| f["checks"].as_array().into_iter().flatten())
        .collect()
}

#[test]
fn native_app_through_the_fake_driver() {
    let install = appium_dir();
    if let Some(why) = appium_missing(&install, "@appium/fake-driver") {
        return skip(
            Require::Appium,
            &format!("{why}; run `bash ci/install-appium.sh` (or set USHER_APPIUM_DIR)"),
        );
    }
    let started = Instant::now();
    let appium = start_appium(&install);
    eprintln!("Appium ready in {:?}", started.elapsed());

    // The example suite: the flows that need no token PASS, those that need it are SKIPPED.
    let reports = tempfile::tempdir().unwrap();
    let run = usher_run(&appium, &[Path::new(PROFILE_DIR)], reports.path(), &[]);
    let expected = [
        ("login-works", "PASS"),
        ("logout-ends-session", "PASS"),
        ("logout-invalidates-token", "SKIPPED"),
        ("cookie-attributes", "SKIPPED"),
    ];
    for (name, want) in expected {
        assert_eq!(
            run.verdict(name),
            Some(want),
            "{name}\n{}",
            run.show(&appium)
        );
    }
    assert_eq!(run.flows.len(), expected.len(), "{}", run.show(&appium));
    assert_eq!(run.code, 0, "{}", run.show(&appium));
    let (_, why) = &run.flows["logout-invalidates-token"];
    assert!(
        why.contains("cannot be read")
            && why.contains("context: WEBVIEW")
            && why.contains("pullFile"),
        "the skip must say why and what to do: {why}"
    );
    for c in checks_of(&run.results, "cookie-attributes") {
        assert_eq!(c["verdict"], "SKIPPED", "{c}");
        let msg = c["message"].as_str().unwrap_or_default();
        assert!(msg.contains("context: WEBVIEW"), "no hint in {msg}");
    }
    for file in ["junit.xml", "results.json", "index.html"] {
        let text = std::fs::read_to_string(reports.path().join(file))
            .unwrap_or_else(|e| panic!("{file} not written: {e}"));
        assert!(!text.contains(ALICE), "{file} holds a password in clear");
    }
    let junit = std::fs::read_to_string(reports.path().join("junit.xml")).unwrap();
    assert!(junit.contains("<skipped"), "JUnit has no skipped testcase");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&run.out.stdout),
        String::from_utf8_lossy(&run.out.stderr)
    );
    assert!(!printed.contains(ALICE), "a password was printed in clear");

    // Every locator kind of the profile reached the driver as written.
    let log = appium.log();
    for using in [
        r#""using":"accessibility id","value":"username""#,
        r#""using":"id","value":"password""#,
        r#""using":"xpath","value":"//MockButton[@id='login-button']""#,
    ] {
        assert!(log.contains(using), "Appium never saw {using}");
    }
    // Native sessions started although the fake driver refuses a script timeout (usher retries
    // Set Timeouts with the implicit wait alone).
    assert!(
        log.contains("Not implemented yet for script"),
        "the refusal was not exercised"
    );

    // The oracle can say FAIL: a logout flow that leaves the account screen on (no switch back to
    // the native login screen) must be judged as a session that still acts as a user.
    let flawed = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string(Path::new(PROFILE_DIR).join("app.yaml")).unwrap();
    let kept_on = profile.replace(
        "    - context: NATIVE_APP\n    - wait_for: { element: { accessibility_id: login-button } }\n",
        "",
    );
    assert_ne!(
        kept_on, profile,
        "the profile's logout flow changed; update this test"
    );
    std::fs::write(flawed.path().join("app.yaml"), kept_on).unwrap();
    std::fs::copy(
        Path::new(PROFILE_DIR).join("logout-ends-session.yaml"),
        flawed.path().join("logout-ends-session.yaml"),
    )
    .unwrap();
    let reports = tempfile::tempdir().unwrap();
    let run = usher_run(&appium, &[flawed.path()], reports.path(), &[]);
    assert_eq!(
        (run.verdict("logout-ends-session"), run.code),
        (Some("FAIL"), 1),
        "{}",
        run.show(&appium)
    );

    // `-android uiautomator` and `-ios predicate string` are passed through untouched; the fake
    // driver knows neither and refuses, which is ERROR (never PASS).
    let reports = tempfile::tempdir().unwrap();
    let run = usher_run(
        &appium,
        &[
            Path::new("tests/data/appium/native/uiautomator-passthrough.yaml"),
            Path::new("tests/data/appium/native/ios-predicate-passthrough.yaml"),
        ],
        reports.path(),
        &[],
    );
    assert_eq!(
        (
            run.verdict("uiautomator-passthrough"),
            run.verdict("ios-predicate-passthrough"),
            run.code
        ),
        (Some("ERROR"), Some("ERROR"), 3),
        "{}",
        run.show(&appium)
    );
    let log = appium.log();
    for using in [
        r#""using":"-android uiautomator","value":"new UiSelector().resourceId(\"login-button\")""#,
        r#""using":"-ios predicate string","value":"name == 'login-button'""#,
    ] {
        assert!(log.contains(using), "Appium never saw {using}");
    }

    // A token in the app's storage (`app_file`) is read with pullFile. The fake driver has the route
    // but does not implement it: the capture step ends its flow SKIPPED, a check that needs the token
    // is SKIPPED, both saying why and what would work; the login before them was judged.
    let reports = tempfile::tempdir().unwrap();
    let run = usher_run(
        &appium,
        &[Path::new("tests/data/appium/app-file")],
        reports.path(),
        &[],
    );
    assert_eq!(
        (
            run.verdict("capture-app-file-token"),
            run.verdict("storage-check-app-file-token"),
            run.code
        ),
        (Some("SKIPPED"), Some("SKIPPED"), 0),
        "{}",
        run.show(&appium)
    );
    let (_, why) = &run.flows["capture-app-file-token"];
    assert!(
        why.contains("app file `@io.appium.fake/shared_prefs/session.xml`")
            && why.contains("pullFile")
            && why.contains("debuggable"),
        "the skip must say why and what to do: {why}"
    );
    let checks = checks_of(&run.results, "capture-app-file-token");
    assert!(
        checks
            .iter()
            .any(|c| c["check"] == "logged_in" && c["verdict"] == "PASS"),
        "the login was not judged before the skip: {checks:?}"
    );
    for c in checks_of(&run.results, "storage-check-app-file-token") {
        assert_eq!(c["verdict"], "SKIPPED", "{c}");
        assert!(
            c["message"]
                .as_str()
                .unwrap_or_default()
                .contains("pullFile"),
            "{c}"
        );
    }
    assert!(
        appium.log().contains("/appium/device/pull_file"),
        "no pullFile request reached Appium"
    );

    // An idle wait longer than newCommandTimeout: the keep-alive (Get Timeouts, answered by Appium
    // without the app) keeps the native session, so the oracle still says logged in.
    let reports = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let run = usher_run(
        &appium,
        &[Path::new("tests/data/appium/native/keep-alive.yaml")],
        reports.path(),
        &["--capability", "appium:newCommandTimeout=21"],
    );
    eprintln!("24 s idle with newCommandTimeout 21 s: {:?}", t.elapsed());
    assert_eq!(
        (run.verdict("native-keep-alive"), run.code),
        (Some("PASS"), 0),
        "{}",
        run.show(&appium)
    );
    assert!(
        appium
            .log()
            .lines()
            .any(|l| l.contains("--> GET /session/") && l.trim_end().ends_with("/timeouts")),
        "no keep-alive reached Appium"
    );
    eprintln!("total {:?}", started.elapsed());
}

/// The example profiles are valid as shipped (the APK one cannot run here: no Android device).
#[test]
fn example_profiles_validate() {
    for (dir, secrets) in [
        (PROFILE_DIR, ["TB_ALICE_PASSWORD", "TB_MALLORY_PASSWORD"]),
        (
            "scenarios/examples/android-apk",
            ["SHOP_ALICE_PASSWORD", "SHOP_MALLORY_PASSWORD"],
        ),
        (
            "scenarios/examples/android-apk-app-storage",
            ["SHOP_ALICE_PASSWORD", "SHOP_MALLORY_PASSWORD"],
        ),
    ] {
        let mut cmd = usher();
        cmd.arg("validate").arg(dir);
        for s in secrets {
            cmd.args(["--secret", &format!("{s}=example-secret")]);
        }
        let out = cmd.run();
        assert!(
            out.status.success(),
            "{dir}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
