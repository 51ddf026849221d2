//! Local Firefox: no shared driver; every session gets a geckodriver of its own (own WebDriver and
//! BiDi ports), all under the launcher's work directory.

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};

use super::super::capabilities::LocalBrowser;
use super::super::config::DriverConfig;
use super::super::process::{browser_version, find_on_path, free_port, is_executable};
use super::super::session::DriverResult;
use super::super::webdriver_session::Registry;
use super::local_driver::{make_work_dir, spawn_driver};
use super::{DriverBinary, Launcher, LocalDriver, launch_err};

pub(crate) const FIREFOX_NAMES: &[&str] = &["firefox-esr", "firefox"];

impl Launcher {
    pub(super) async fn start_local_firefox(config: DriverConfig) -> DriverResult<Launcher> {
        let driver_path = match &config.driver_path {
            Some(p) if is_executable(p) => p.clone(),
            Some(p) => {
                return Err(launch_err(
                    "geckodriver",
                    format!(
                        "`{}` does not exist or is not executable; fix driver_path or install geckodriver \
                         (`cargo install geckodriver --locked`)",
                        p.display()
                    ),
                ));
            }
            None => find_on_path(&["geckodriver"]).ok_or_else(|| {
                launch_err(
                    "geckodriver",
                    "it was not found on PATH; install it (`cargo install geckodriver --locked`, then make \
                     sure ~/.cargo/bin is on PATH) or set driver_path",
                )
            })?,
        };
        let browser_binary = match &config.browser_path {
            Some(p) if is_executable(p) => p.clone(),
            Some(p) => {
                return Err(launch_err(
                    "Firefox",
                    format!(
                        "`{}` does not exist or is not executable; fix browser_path",
                        p.display()
                    ),
                ));
            }
            None => find_on_path(FIREFOX_NAMES).ok_or_else(|| {
                launch_err(
                    "Firefox",
                    "neither firefox-esr nor firefox was found on PATH; install one (Debian: \
                     `sudo apt-get install firefox-esr`) or set browser_path",
                )
            })?,
        };
        let (work_dir, tmp, profiles) = make_work_dir()?;
        let (browser_version, driver_version) = tokio::join!(
            browser_version(&browser_binary),
            browser_version(&driver_path)
        );
        Ok(Launcher {
            config,
            endpoint: String::new(),
            local: Some(LocalDriver {
                work_dir,
                tmp,
                profiles,
                binary: DriverBinary::Geckodriver(driver_path),
                port: 0,
                pid: None,
                child: Mutex::new(None),
            }),
            browser: Some(LocalBrowser {
                binary: browser_binary,
                headless_shell: false,
            }),
            full_browser: None,
            driver_version,
            browser_version: Mutex::new(browser_version),
            version_from: None,
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }

    /// For local Firefox: this session's own geckodriver (WebDriver and BiDi ports of its own).
    pub(super) async fn spawn_session_driver(
        &self,
        id: u64,
    ) -> DriverResult<Option<(tokio::process::Child, String)>> {
        let Some(local) = &self.local else {
            return Ok(None);
        };
        let DriverBinary::Geckodriver(path) = &local.binary else {
            return Ok(None);
        };
        let profile_root = local.tmp.clone();
        let (child, port, _) = spawn_driver(
            path,
            &local.work_dir.join(format!("geckodriver-{id}.log")),
            &local.tmp,
            move |port| {
                // A BiDi port of its own too: the default (9222) would be shared by every session.
                let ws = free_port()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|_| "0".into());
                vec![
                    "--host".into(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port.to_string(),
                    "--websocket-port".into(),
                    ws,
                    "--profile-root".into(),
                    profile_root.display().to_string(),
                ]
            },
        )
        .await?;
        Ok(Some((child, format!("http://127.0.0.1:{port}/"))))
    }
}
