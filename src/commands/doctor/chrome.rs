//! What a local Chrome run needs: a Chromium (or its headless shell) and a chromedriver of the
//! same major version. Looked up with the launcher's own name lists, so doctor and `usher run`
//! never disagree about which binary is meant.

use crate::driver::{BROWSER_NAMES, HEADLESS_SHELL_NAMES};

use super::finding::Finding;
use super::probe::{Found, VERSION_LIMIT, locate};

/// Everything a default local run needs, in one command (Debian ships the three at one version).
pub(super) const APT_CHROME: &str =
    "sudo apt-get install chromium chromium-headless-shell chromium-driver";

pub(super) async fn check() -> Vec<Finding> {
    let (browser, shell, driver) = tokio::join!(
        locate(BROWSER_NAMES, VERSION_LIMIT),
        locate(HEADLESS_SHELL_NAMES, VERSION_LIMIT),
        locate(&["chromedriver"], VERSION_LIMIT),
    );
    vec![
        browser_line(&browser, shell.is_some()),
        shell_line(&shell, browser.is_some()),
        driver_line(&driver, &shell, &browser),
    ]
}

/// "156.0.8078.108  /usr/bin/chromium", or a warning when `--version` gave nothing usable.
fn found_line(found: &Found, note: &str) -> Finding {
    let path = found.path.display();
    match &found.version {
        Ok(Some(v)) => Finding::ok(found.name(), format!("{v}  {path}{note}")),
        Ok(None) => Finding::warn(
            found.name(),
            format!("{path}: `--version` printed no version{note}"),
        ),
        Err(e) => Finding::warn(found.name(), format!("{path}: `--version` {e}{note}")),
    }
}

fn browser_line(browser: &Option<Found>, have_shell: bool) -> Finding {
    match browser {
        Some(b) => found_line(b, ""),
        None if have_shell => Finding::missing(
            "chromium",
            "not on PATH (optional beside the headless shell: only --headed needs it)",
        )
        .install("sudo apt-get install chromium"),
        None => Finding::missing(
            "chromium",
            format!("none of {} on PATH", BROWSER_NAMES.join(", ")),
        )
        .install(APT_CHROME)
        .blocking(),
    }
}

fn shell_line(shell: &Option<Found>, have_browser: bool) -> Finding {
    match shell {
        Some(s) => found_line(s, "  (used for headless runs)"),
        None => {
            let why = if have_browser {
                "not on PATH (optional: usher prefers it for headless runs, about a quarter of \
                 Chromium's CPU)"
            } else {
                "not on PATH"
            };
            Finding::missing("chromium-headless-shell", why)
                .install("sudo apt-get install chromium-headless-shell")
        }
    }
}

fn driver_line(driver: &Option<Found>, shell: &Option<Found>, browser: &Option<Found>) -> Finding {
    let Some(driver) = driver else {
        return Finding::missing("chromedriver", "not on PATH")
            .install("sudo apt-get install chromium-driver")
            .blocking();
    };
    let line = found_line(driver, "");
    let Some(driver_major) = driver.major() else {
        return line;
    };
    // A headless run starts the shell when there is one, so that is the pair that must match.
    let Some(headless) = shell.as_ref().or(browser.as_ref()) else {
        return line;
    };
    let Some(browser_major) = headless.major() else {
        return Finding::warn(
            line.name,
            format!(
                "{}  (cannot compare with {}, whose version is unknown)",
                line.detail,
                headless.name()
            ),
        );
    };
    if driver_major != browser_major {
        return Finding::warn(
            line.name,
            format!(
                "{}: major version {driver_major}, but {} is {browser_major}; a chromedriver drives \
                 only its own major version",
                line.detail,
                headless.name()
            ),
        )
        .fix(format!(
            "install both from one source ({APT_CHROME}), or pass --driver-path to a chromedriver \
             {browser_major}"
        ))
        .blocking();
    }
    // The full browser only matters for --headed: a mismatch there is worth a warning, no more.
    if let Some(full) = browser.as_ref().filter(|_| shell.is_some())
        && let Some(full_major) = full.major()
        && full_major != driver_major
    {
        return Finding::warn(
            line.name,
            format!(
                "{}  (major {driver_major} matches {}, but {} is {full_major}: --headed would fail)",
                line.detail,
                headless.name(),
                full.name()
            ),
        )
        .fix("sudo apt-get install chromium chromium-driver (one version for both)");
    }
    Finding::ok(
        line.name,
        format!(
            "{}  (major {driver_major}, same as {})",
            line.detail,
            headless.name()
        ),
    )
}
