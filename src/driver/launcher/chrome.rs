//! Local Chrome: one chromedriver for every session, each session its own Chromium (or the
//! headless shell, with full Chromium beside it for flows that need a back/forward cache).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::super::capabilities::LocalBrowser;
use super::super::config::DriverConfig;
use super::super::process::{
    find_on_path, is_executable, kill_all_mentioning, remove_dir_retrying,
};
use super::super::session::DriverResult;
use super::super::webdriver_session::Registry;
use super::local_driver::{make_work_dir, spawn_driver};
use super::{DriverBinary, Launcher, LocalDriver, launch_err};

/// The headless shell (old headless mode, no browser UI): same network stack, about a quarter of the
/// CPU per session and page (docs/PERFORMANCE.md). Preferred for headless runs. It is not the same
/// browser, though: it keeps no back/forward cache, where full Chromium restores a page left by Back
/// from memory, so flows that need one run in full Chromium (see [`BackForwardCache`]).
pub(crate) const HEADLESS_SHELL_NAMES: &[&str] =
    &["chromium-headless-shell", "chrome-headless-shell"];
pub(crate) const BROWSER_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

fn is_headless_shell(binary: &Path) -> bool {
    binary
        .file_name()
        .is_some_and(|n| n.to_string_lossy().contains("headless-shell"))
}

/// chromedriver starts the browser without a URL, and the headless shell then opens no page, so
/// chromedriver would wait for one forever; chromedriver also prefixes `--` to every argument we
/// could give it. A two-line script in our work directory appends the start page.
fn write_shell_wrapper(work_dir: &Path, shell: &Path) -> std::io::Result<PathBuf> {
    let quoted = shell.display().to_string().replace('\'', r"'\''");
    let path = work_dir.join("headless-shell");
    std::fs::write(
        &path,
        format!("#!/bin/sh\nexec '{quoted}' \"$@\" about:blank\n"),
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(path)
}

impl Launcher {
    pub(super) async fn start_local_chrome(config: DriverConfig) -> DriverResult<Launcher> {
        let driver_path = match &config.driver_path {
            Some(p) if is_executable(p) => p.clone(),
            Some(p) => {
                return Err(launch_err(
                    "chromedriver",
                    format!(
                        "`{}` does not exist or is not executable; fix driver_path or install chromedriver \
                         (Debian/Ubuntu: `sudo apt-get install chromium-driver`)",
                        p.display()
                    ),
                ));
            }
            None => find_on_path(&["chromedriver"]).ok_or_else(|| {
                launch_err(
                    "chromedriver",
                    "it was not found on PATH; install it (Debian/Ubuntu: `sudo apt-get install chromium-driver`) \
                     or set driver_path",
                )
            })?,
        };
        let browser_binary = match &config.browser_path {
            Some(p) if is_executable(p) => p.clone(),
            Some(p) => {
                return Err(launch_err(
                    "Chromium",
                    format!("`{}` does not exist or is not executable; fix browser_path", p.display()),
                ));
            }
            None => config
                .headless
                .then(|| find_on_path(HEADLESS_SHELL_NAMES))
                .flatten()
                .or_else(|| find_on_path(BROWSER_NAMES))
                .ok_or_else(|| {
                    launch_err(
                        "Chromium",
                        "none of chromium-headless-shell, chromium, chromium-browser, google-chrome was found \
                         on PATH; install one (Debian/Ubuntu: `sudo apt-get install chromium-headless-shell` \
                         or `chromium`) or set browser_path",
                    )
                })?,
        };
        let headless_shell = is_headless_shell(&browser_binary);
        if headless_shell && !config.headless {
            return Err(launch_err(
                "Chromium",
                format!(
                    "`{}` is the headless shell, which cannot show a window; pass the full browser \
                     (e.g. --browser-path /usr/bin/chromium) to run headed",
                    browser_binary.display()
                ),
            ));
        }

        let (work_dir, tmp, profiles) = make_work_dir()?;

        let browser = if headless_shell {
            match write_shell_wrapper(&work_dir, &browser_binary) {
                Ok(wrapper) => LocalBrowser {
                    binary: wrapper,
                    headless_shell,
                },
                Err(e) => {
                    remove_dir_retrying(&work_dir);
                    return Err(launch_err(
                        "the headless shell's start script",
                        e.to_string(),
                    ));
                }
            }
        } else {
            LocalBrowser {
                binary: browser_binary.clone(),
                headless_shell,
            }
        };
        // Full Chromium beside the shell, started only for flows that need a back/forward cache.
        let full_browser = headless_shell
            .then(|| find_on_path(BROWSER_NAMES))
            .flatten()
            .map(|binary| LocalBrowser {
                binary,
                headless_shell: false,
            });
        let log_path = work_dir.join("chromedriver.log");
        // The browser's version comes with the first session (see `learn_browser_version`).
        let spawned = spawn_driver(&driver_path, &log_path, &tmp, |port| {
            vec![format!("--port={port}")]
        })
        .await;
        let (child, port, driver_version) = match spawned {
            Ok(x) => x,
            Err(e) => {
                kill_all_mentioning(&work_dir, Duration::from_secs(3));
                remove_dir_retrying(&work_dir);
                return Err(e);
            }
        };
        let pid = child.id();
        Ok(Launcher {
            config,
            endpoint: format!("http://127.0.0.1:{port}/"),
            local: Some(LocalDriver {
                work_dir,
                tmp,
                profiles,
                binary: DriverBinary::Chromedriver,
                port,
                pid,
                child: Mutex::new(Some(child)),
            }),
            browser: Some(browser),
            full_browser,
            driver_version,
            browser_version: Mutex::new(None),
            version_from: Some(browser_binary),
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }
}
