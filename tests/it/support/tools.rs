//! The one rule for a test whose tool (a browser, a server, a validator) is not installed here: on a
//! developer's machine the test skips and says why on stderr; where the environment variable that
//! requires the tool is set (CI, which installs it), a missing tool is a failure, never a silent pass.

/// The environment variable that makes a missing tool a failure.
#[derive(Debug, Clone, Copy)]
pub enum Require {
    /// `USHER_REQUIRE_GRID`: Selenium Grid 4 and Java (ci/install-grid.sh).
    Grid,
    /// `USHER_REQUIRE_APPIUM`: Appium 3 and its Chromium driver (ci/install-appium.sh).
    Appium,
    /// `USHER_REQUIRE_FIREFOX`: Firefox and geckodriver (ci/install-firefox.sh).
    Firefox,
    /// `CI`: the validators of report formats (python3's `jsonschema`, xmllint).
    Ci,
}

impl Require {
    pub fn var(self) -> &'static str {
        match self {
            Require::Grid => "USHER_REQUIRE_GRID",
            Require::Appium => "USHER_REQUIRE_APPIUM",
            Require::Firefox => "USHER_REQUIRE_FIREFOX",
            Require::Ci => "CI",
        }
    }
}

/// Skips (returns) where `why` says a tool is missing, or fails where `require` is set.
#[track_caller]
pub fn skip(require: Require, why: &str) {
    let var = require.var();
    assert!(std::env::var_os(var).is_none(), "{var} is set but {why}");
    eprintln!("SKIPPED: {why}");
}

/// `Some(why)` where Firefox or geckodriver is not on PATH.
pub fn firefox_missing() -> Option<&'static str> {
    if !on_path("firefox-esr") && !on_path("firefox") {
        Some("no firefox-esr or firefox on PATH (run `bash ci/install-firefox.sh`)")
    } else if !on_path("geckodriver") {
        Some("no geckodriver on PATH (run `bash ci/install-firefox.sh`; it lands in ~/.cargo/bin)")
    } else {
        None
    }
}

pub fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
}

/// Where ci/install-appium.sh installs: `USHER_APPIUM_DIR`, else `$HOME/.cache/usher-appium`.
pub fn appium_dir() -> std::path::PathBuf {
    std::env::var_os("USHER_APPIUM_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into()))
                .join(".cache/usher-appium")
        })
}

/// `Some(why)` where the Appium install in `dir` lacks the server or the driver `package` (an npm
/// package installed under `dir/home`, e.g. `appium-chromium-driver`).
pub fn appium_missing(dir: &std::path::Path, package: &str) -> Option<String> {
    if !dir.join("node_modules/.bin/appium").exists() {
        return Some(format!("no Appium under {}", dir.display()));
    }
    if !dir
        .join(format!("home/node_modules/{package}/package.json"))
        .exists()
    {
        return Some(format!("no {package} under {}/home", dir.display()));
    }
    None
}
