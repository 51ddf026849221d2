//! The capabilities we send on `New Session`: our defaults, merged with the user's.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::config::DriverConfig;
use super::session::BrowserKind;

/// Host resolver rules: every name but the loopback ones fails at once. Without this about one new
/// session in ten stalled ~5 s on a DNS lookup for the default new-tab page (measured on the CI machine).
pub(crate) const HOST_RESOLVER_RULES: &str = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost , EXCLUDE *.localhost";

/// The local browser binary chromedriver starts.
#[derive(Debug, Clone)]
pub(crate) struct LocalBrowser {
    /// What chromedriver launches (for the headless shell: our wrapper script, see launcher.rs).
    pub binary: PathBuf,
    /// `chromium-headless-shell`: always headless, so it gets no `--headless` switch.
    pub headless_shell: bool,
}

/// The Chromium switches every session gets (the set tests/it/driver_chrome.rs runs). The headless shell is headless
/// by construction and takes no `--headless` switch.
pub(crate) fn chrome_args(headless: bool, user_data_dir: Option<&Path>) -> Vec<String> {
    let mut args = Vec::new();
    if headless {
        args.push("--headless=new".to_string());
    }
    args.extend(
        [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            HOST_RESOLVER_RULES,
        ]
        .map(String::from),
    );
    if let Some(dir) = user_data_dir {
        args.push(format!("--user-data-dir={}", dir.display()));
    }
    args
}

/// Firefox preferences every session gets. geckodriver's recommended set already switches off
/// updates, telemetry and most background traffic; these close what is left on a closed network
/// and make Firefox report what the checks need.
fn firefox_prefs() -> Map<String, Value> {
    let prefs = json!({
        // Firefox trims cross-site Referer to the origin by default; leak tests need the full URL.
        "network.http.referer.disallowCrossSiteRelaxingDefault": false,
        // No speculative lookups or connections: on a closed network each one only waits.
        "network.dns.disablePrefetch": true,
        "network.prefetch-next": false,
        "network.predictor.enabled": false,
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false,
        "browser.safebrowsing.downloads.enabled": false,
        "browser.search.update": false,
        "extensions.update.enabled": false,
        "app.normandy.enabled": false,
        "browser.newtabpage.enabled": false,
        "browser.startup.page": 0,
        "browser.startup.homepage": "about:blank"
    });
    match prefs {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Process-model switches for the local headless shell: no zygote (the sandbox is off anyway), the
/// compositor's GPU thread and the network service inside the browser process. Two processes a
/// session (browser and renderer) instead of six, and ≈ 12 % less machine CPU per flow
/// (docs/PERFORMANCE.md, "Fewer processes per browser"): process starts and their IPC are a third of
/// a browser test's CPU. Not given to full Chromium, which runs where a flow needs a full browser's
/// behaviour, nor to remote or mobile browsers.
pub(crate) const SHELL_PROCESS_ARGS: [&str; 3] = [
    "--no-zygote",
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
];

/// Our defaults for one session. `browser` / `user_data_dir` are only set for local browsers.
pub(crate) fn default_capabilities(
    config: &DriverConfig,
    browser: Option<&LocalBrowser>,
    user_data_dir: Option<&Path>,
) -> Map<String, Value> {
    let shell = browser.is_some_and(|b| b.headless_shell);
    let mut caps = Map::new();
    match config.browser {
        BrowserKind::Chrome => {
            caps.insert("browserName".into(), json!("chrome"));
            let mut options = Map::new();
            let mut args = chrome_args(config.headless && !shell, user_data_dir);
            if shell {
                args.extend(SHELL_PROCESS_ARGS.map(String::from));
            }
            options.insert("args".into(), json!(args));
            if let Some(b) = browser {
                options.insert("binary".into(), json!(b.binary.display().to_string()));
            }
            // Network events only: the performance log is how `drain_network` sees the wire.
            options.insert(
                "perfLoggingPrefs".into(),
                json!({"enableNetwork": true, "enablePage": false}),
            );
            caps.insert("goog:chromeOptions".into(), Value::Object(options));
            caps.insert("goog:loggingPrefs".into(), json!({"performance": "ALL"}));
        }
        BrowserKind::Firefox => {
            caps.insert("browserName".into(), json!("firefox"));
            let mut args = Vec::new();
            if config.headless {
                args.push("-headless".to_string());
            }
            if let Some(dir) = user_data_dir {
                args.push("-profile".into());
                args.push(dir.display().to_string());
            }
            let mut options = Map::new();
            options.insert("args".into(), json!(args));
            options.insert("prefs".into(), Value::Object(firefox_prefs()));
            if let Some(b) = browser {
                options.insert("binary".into(), json!(b.binary.display().to_string()));
            }
            caps.insert("moz:firefoxOptions".into(), Value::Object(options));
            // Network capture: Firefox has no performance log, but it speaks WebDriver BiDi.
            caps.insert("webSocketUrl".into(), json!(true));
        }
        BrowserKind::Remote => {}
    }
    caps
}

/// Whether these capabilities ask Appium's Chromium driver for a session without an
/// `appium:chromedriverPort`. That driver starts one chromedriver per session on that port (default
/// 9515) and first kills every chromedriver on it, so sessions sharing a port (two personas of one
/// flow, parallel flows) end each other's: each session needs a port of its own.
pub(crate) fn needs_chromedriver_port(caps: &Map<String, Value>) -> bool {
    caps.get("appium:automationName")
        .and_then(Value::as_str)
        .is_some_and(|name| name.eq_ignore_ascii_case("chromium"))
        && !caps.contains_key("appium:chromedriverPort")
}

/// Merges `theirs` over `ours`. Browser option objects are merged key by key with `args` lists
/// concatenated (ours first, so a repeated switch of theirs wins); logging prefs are merged; every
/// other key of theirs (e.g. `appium:*`) replaces ours untouched.
pub(crate) fn merge_capabilities(ours: &mut Map<String, Value>, theirs: &Map<String, Value>) {
    for (key, value) in theirs {
        match (key.as_str(), ours.get_mut(key)) {
            (
                "goog:chromeOptions" | "moz:firefoxOptions" | "ms:edgeOptions",
                Some(Value::Object(mine)),
            ) if value.is_object() => {
                merge_browser_options(mine, value.as_object().expect("checked"));
            }
            ("goog:loggingPrefs", Some(Value::Object(mine))) if value.is_object() => {
                for (k, v) in value.as_object().expect("checked") {
                    mine.insert(k.clone(), v.clone());
                }
            }
            _ => {
                ours.insert(key.clone(), value.clone());
            }
        }
    }
}

fn merge_browser_options(ours: &mut Map<String, Value>, theirs: &Map<String, Value>) {
    for (key, value) in theirs {
        match (ours.get_mut(key), value) {
            (Some(Value::Array(mine)), Value::Array(more)) if key == "args" => {
                for arg in more {
                    if !mine.contains(arg) {
                        mine.push(arg.clone());
                    }
                }
            }
            (Some(Value::Object(mine)), Value::Object(more)) => merge_browser_options(mine, more),
            _ => {
                ours.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_are_concatenated_and_vendor_keys_pass_through() {
        let config = DriverConfig::default();
        let browser = LocalBrowser {
            binary: PathBuf::from("/usr/bin/chromium"),
            headless_shell: false,
        };
        let mut ours = default_capabilities(&config, Some(&browser), None);
        let theirs = json!({
            "goog:chromeOptions": {"args": ["--window-size=400,800", "--no-sandbox"], "mobileEmulation": {"deviceName": "Pixel 7"}},
            "goog:loggingPrefs": {"browser": "ALL"},
            "appium:chromedriverPort": 9999,
            "browserName": "chromium"
        });
        merge_capabilities(&mut ours, theirs.as_object().unwrap());
        let opts = &ours["goog:chromeOptions"];
        let args: Vec<&str> = opts["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(args[0], "--headless=new");
        assert_eq!(*args.last().unwrap(), "--window-size=400,800");
        assert_eq!(args.iter().filter(|a| **a == "--no-sandbox").count(), 1);
        assert!(args.contains(&HOST_RESOLVER_RULES));
        assert_eq!(opts["mobileEmulation"]["deviceName"], "Pixel 7");
        assert_eq!(opts["binary"], "/usr/bin/chromium");
        assert_eq!(
            ours["goog:loggingPrefs"],
            json!({"performance": "ALL", "browser": "ALL"})
        );
        assert_eq!(ours["appium:chromedriverPort"], 9999);
        assert_eq!(ours["browserName"], "chromium");
    }

    #[test]
    fn the_headless_shell_gets_no_headless_switch() {
        let browser = LocalBrowser {
            binary: PathBuf::from("/tmp/w/headless-shell"),
            headless_shell: true,
        };
        let caps = default_capabilities(&DriverConfig::default(), Some(&browser), None);
        let args = caps["goog:chromeOptions"]["args"].as_array().unwrap();
        assert!(
            !args
                .iter()
                .any(|a| a.as_str().unwrap().starts_with("--headless"))
        );
        assert_eq!(
            caps["goog:chromeOptions"]["binary"],
            "/tmp/w/headless-shell"
        );
        for a in SHELL_PROCESS_ARGS {
            assert!(args.iter().any(|x| x == a), "{a}");
        }
        // Full Chromium keeps its own process model.
        let full = LocalBrowser {
            binary: PathBuf::from("/usr/bin/chromium"),
            headless_shell: false,
        };
        let caps = default_capabilities(&DriverConfig::default(), Some(&full), None);
        let args = caps["goog:chromeOptions"]["args"].as_array().unwrap();
        assert!(!args.iter().any(|x| x == "--no-zygote"));
    }

    #[test]
    fn appium_chromium_sessions_without_a_port_need_one() {
        let caps = |v: Value| v.as_object().unwrap().clone();
        assert!(needs_chromedriver_port(&caps(
            json!({"appium:automationName": "Chromium"})
        )));
        assert!(!needs_chromedriver_port(&caps(
            json!({"appium:automationName": "chromium", "appium:chromedriverPort": 9600})
        )));
        assert!(!needs_chromedriver_port(&caps(
            json!({"appium:automationName": "UiAutomator2"})
        )));
        assert!(!needs_chromedriver_port(&caps(
            json!({"browserName": "chrome"})
        )));
    }

    #[test]
    fn headful_has_no_headless_switch() {
        let args = chrome_args(false, Some(Path::new("/tmp/p")));
        assert!(!args.iter().any(|a| a.starts_with("--headless")));
        assert!(args.contains(&"--user-data-dir=/tmp/p".to_string()));
    }
}
