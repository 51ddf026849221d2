//! [`Launcher`]: starts (or reaches) the WebDriver endpoint and hands out isolated sessions.
//!
//! Local Chrome: ONE chromedriver on a free 127.0.0.1 port serves every session; each session is
//! its own Chromium with a fresh `--user-data-dir`. Everything lives under one work directory that
//! only this launcher uses (`TMPDIR` of the driver, so Chromium's `/tmp/org.chromium.*` land there
//! too, plus the profiles); `shutdown` (or, as a synchronous fallback, `Drop`) closes the sessions,
//! stops the driver, kills any process that still mentions the work directory and removes it.
//!
//! Local Firefox: geckodriver serves one session at a time, so every session gets a geckodriver of
//! its own (own WebDriver and BiDi ports, started in [`Launcher::new_session`], stopped with the
//! session), all under the same work directory.
//!
//! The Chrome, Firefox and remote starts are in launcher/chrome.rs, launcher/firefox.rs and
//! launcher/remote.rs; the local driver process in launcher/local_driver.rs.

mod chrome;
mod firefox;
mod local_driver;
mod remote;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thirtyfour::{Capabilities, TimeoutConfiguration, WebDriver};

use super::bidi_network::BidiNetwork;
use super::capabilities::{
    LocalBrowser, default_capabilities, merge_capabilities, needs_chromedriver_port,
};
use super::config::DriverConfig;
use super::process::{free_port, kill_all_mentioning, remove_dir_retrying};
use super::session::{BrowserKind, DriverError, DriverResult, Session};
use super::webdriver_session::{Registry, SessionCore, WebDriverSession};
pub(crate) use chrome::{BROWSER_NAMES, HEADLESS_SHELL_NAMES};
pub(crate) use firefox::FIREFOX_NAMES;
use remote::is_loopback;

/// The local driver binary and how it is started.
#[derive(Debug, Clone)]
enum DriverBinary {
    /// One chromedriver for every session.
    Chromedriver,
    /// One geckodriver per session, at this path.
    Geckodriver(PathBuf),
}

/// A local driver this launcher started, and the directory it owns. For Firefox there is no
/// shared driver (`child` is empty, `port` 0): each session has its own geckodriver.
#[derive(Debug)]
struct LocalDriver {
    work_dir: PathBuf,
    tmp: PathBuf,
    profiles: PathBuf,
    binary: DriverBinary,
    port: u16,
    pid: Option<u32>,
    child: Mutex<Option<tokio::process::Child>>,
}

impl LocalDriver {
    /// Synchronous, best-effort teardown: kill the driver and everything started under our
    /// work directory, then remove it.
    fn kill_and_remove(&self) {
        if let Some(mut child) = self.child.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = child.start_kill();
            let _ = child.try_wait();
        }
        kill_all_mentioning(&self.work_dir, Duration::from_secs(3));
        remove_dir_retrying(&self.work_dir);
    }
}

/// Whether sessions of this launcher restore pages from a back/forward cache, as users' browsers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackForwardCache {
    /// The browser has one (full Chromium, Firefox, a remote endpoint's browser).
    Native,
    /// The run is on the headless shell, which has none; full Chromium is at hand for such flows.
    FullBrowser,
    /// The headless shell and no full Chromium: such flows cannot be judged here.
    Unavailable(String),
}

/// Starts or reaches a WebDriver endpoint and opens isolated browser sessions on it.
#[derive(Debug)]
pub struct Launcher {
    config: DriverConfig,
    endpoint: String,
    local: Option<LocalDriver>,
    browser: Option<LocalBrowser>,
    /// Beside the headless shell: full Chromium, for flows that need a back/forward cache.
    full_browser: Option<LocalBrowser>,
    driver_version: Option<String>,
    browser_version: Mutex<Option<String>>,
    /// The binary to ask `--version` when no session reported the browser's version.
    version_from: Option<std::path::PathBuf>,
    registry: Arc<Registry>,
    next_id: AtomicU64,
    shut_down: AtomicBool,
}

fn launch_err(what: impl Into<String>, reason: impl Into<String>) -> DriverError {
    DriverError::Launch {
        what: what.into(),
        reason: reason.into(),
    }
}

fn http_client(timeout: Duration, local: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder().timeout(timeout);
    // A loopback driver must never be reached through an HTTP proxy from the environment.
    let builder = if local { builder.no_proxy() } else { builder };
    builder.build().unwrap_or_default()
}

fn sanitize(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if s.is_empty() { "session".into() } else { s }
}

impl Launcher {
    /// Starts the local driver (or checks that the remote endpoint answers).
    pub async fn start(config: DriverConfig) -> DriverResult<Launcher> {
        if let Some(url) = config.webdriver_url.clone() {
            return Self::start_remote(config, url).await;
        }
        match config.browser {
            BrowserKind::Chrome => Self::start_local_chrome(config).await,
            BrowserKind::Firefox => Self::start_local_firefox(config).await,
            BrowserKind::Remote => Err(launch_err(
                "a remote browser session",
                "no WebDriver URL was given (set webdriver_url to the Grid or Appium endpoint)",
            )),
        }
    }
    /// Whether sessions restore pages from a back/forward cache (see [`BackForwardCache`]).
    pub fn back_forward_cache(&self) -> BackForwardCache {
        match (&self.browser, &self.full_browser) {
            (Some(b), Some(_)) if b.headless_shell => BackForwardCache::FullBrowser,
            (Some(b), None) if b.headless_shell => BackForwardCache::Unavailable(
                "the run is on chromium-headless-shell, which keeps no back/forward cache, and no full \
                 Chromium (chromium, chromium-browser, google-chrome) is on PATH to run this flow in; \
                 install one or pass --browser-path /usr/bin/chromium"
                    .into(),
            ),
            _ => BackForwardCache::Native,
        }
    }

    /// Opens one isolated browser session (fresh profile for local browsers).
    pub async fn new_session(&self, label: &str) -> DriverResult<Box<dyn Session>> {
        self.new_session_in(label, false, false).await
    }

    /// Opens one isolated session; `full_browser`: in full Chromium even when the run is on the
    /// headless shell (a flow that needs a back/forward cache); `watch_settling`: with the
    /// settling probe installed ([`Session::watch_settling`]) in the same batch of setup calls.
    pub async fn new_session_in(
        &self,
        label: &str,
        full_browser: bool,
        watch_settling: bool,
    ) -> DriverResult<Box<dyn Session>> {
        if self.shut_down.load(Ordering::SeqCst) {
            return Err(DriverError::Session(
                "the launcher has been shut down".into(),
            ));
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let profile_dir = match &self.local {
            Some(local) => {
                let dir = local.profiles.join(format!("{id}-{}", sanitize(label)));
                std::fs::create_dir_all(&dir).map_err(|e| {
                    launch_err(format!("a browser profile for `{label}`"), e.to_string())
                })?;
                Some(dir)
            }
            None => None,
        };
        let browser = match &self.full_browser {
            Some(full) if full_browser => Some(full),
            _ => self.browser.as_ref(),
        };
        let mut caps = default_capabilities(&self.config, browser, profile_dir.as_deref());
        merge_capabilities(&mut caps, &self.config.capabilities);
        // Appium's Chromium driver on this machine: one free chromedriver port per session
        // (see `needs_chromedriver_port`). A remote host's free ports are not ours to pick.
        if self.local.is_none() && needs_chromedriver_port(&caps) && is_loopback(&self.endpoint) {
            caps.insert("appium:chromedriverPort".into(), free_port()?.into());
        }

        let (own_driver, endpoint) = match self.spawn_session_driver(id).await {
            Ok(Some((child, endpoint))) => (Some(child), endpoint),
            Ok(None) => (None, self.endpoint.clone()),
            Err(e) => {
                if let Some(dir) = &profile_dir {
                    remove_dir_retrying(dir);
                }
                return Err(e);
            }
        };
        let firefox = self.config.browser == BrowserKind::Firefox;

        let timeout = self.config.command_timeout;
        // Firefox starts slower than Chromium (several CPU-seconds with a fresh profile), so a loaded
        // machine needs the longer bound.
        let create_limit = timeout.max(Duration::from_secs(if firefox { 60 } else { 30 }));
        let builder = WebDriver::builder(endpoint.clone(), Capabilities::from(caps))
            .request_timeout(create_limit + Duration::from_secs(5))
            .client(super::appium_timeouts::NativeTimeouts(http_client(
                timeout + Duration::from_secs(5),
                self.local.is_some() || is_loopback(&self.endpoint),
            )));
        let started = Instant::now();
        let driver = match tokio::time::timeout(create_limit, builder).await {
            Ok(Ok(d)) => d,
            failure => {
                if let Some(mut child) = own_driver {
                    let _ = child.kill().await;
                }
                if let Some(dir) = &profile_dir {
                    kill_all_mentioning(dir, Duration::from_secs(3));
                    remove_dir_retrying(dir);
                }
                let reason = match failure {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no session after {create_limit:?}"),
                };
                return Err(launch_err(
                    format!("a browser session for `{label}` at {endpoint}"),
                    reason,
                ));
            }
        };
        tracing::debug!(label, elapsed = ?started.elapsed(), "browser session created");

        let kind = match (&self.local, self.config.browser) {
            (Some(_), BrowserKind::Firefox) => BrowserKind::Firefox,
            (Some(_), _) => BrowserKind::Chrome,
            (None, k) => k,
        };
        let mut core = SessionCore::new(
            id,
            label,
            driver.clone(),
            kind,
            timeout,
            profile_dir,
            Arc::downgrade(&self.registry),
        );
        core.own_driver(own_driver);
        if firefox {
            // Firefox has no performance log: its network is read over BiDi.
            match BidiNetwork::start(&driver, timeout).await {
                Ok(net) => core.bidi_network(net),
                Err(e) => {
                    let _ = core.close().await;
                    return Err(launch_err(
                        format!("a browser session for `{label}`"),
                        e.to_string(),
                    ));
                }
            }
        }
        let core = Arc::new(core);
        self.registry.insert(core.clone());
        if self.shut_down.load(Ordering::SeqCst) {
            let _ = core.close().await;
            return Err(DriverError::Session(
                "the launcher has been shut down".into(),
            ));
        }
        // Bound script and page-load time by our per-call limit; no implicit waits (is_present must
        // not wait). Native app contexts may refuse some of these: that is fine.
        let timeouts =
            TimeoutConfiguration::new(Some(timeout), Some(timeout), Some(Duration::ZERO));
        // The setup calls do not depend on each other: sent at once, they cost the session's start
        // one round trip instead of one each.
        let set_timeouts = async {
            let _ = tokio::time::timeout(timeout, driver.update_timeouts(timeouts)).await;
        };
        let watch = async {
            if watch_settling {
                // Where it cannot be installed, the oracle keeps its fixed wait.
                let _ = core.watch_settling().await;
                core.enable_network().await;
            }
        };
        tokio::join!(set_timeouts, core.discard_network(), watch);
        core.handed_out();
        if let Some(v) = core.browser_version() {
            let mut known = self
                .browser_version
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if known.is_none() {
                *known = Some(v);
            }
        }
        Ok(Box::new(WebDriverSession::new(core)))
    }

    /// Closes every session still open and stops the driver process; removes the work directory.
    /// Idempotent.
    pub async fn shutdown(&self) {
        if self.shut_down.swap(true, Ordering::SeqCst) {
            return;
        }
        let sessions = self.registry.take_all();
        futures::future::join_all(sessions.iter().map(|s| s.close())).await;
        let Some(local) = &self.local else { return };

        // Ask chromedriver to quit (it closes whatever is left), then make sure. Firefox sessions
        // stopped their own geckodrivers when they closed.
        let client = http_client(Duration::from_secs(3), true);
        if local.port != 0 {
            let _ = client
                .get(format!("http://127.0.0.1:{}/shutdown", local.port))
                .send()
                .await;
        }
        let child = local.child.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut child) = child
            && tokio::time::timeout(Duration::from_secs(5), child.wait())
                .await
                .is_err()
        {
            let _ = child.kill().await;
        }
        let dir = local.work_dir.clone();
        let _ = tokio::task::spawn_blocking(move || {
            kill_all_mentioning(&dir, Duration::from_secs(5));
            remove_dir_retrying(&dir);
        })
        .await;
    }

    /// Learns the browser's version for [`Self::describe`] where no session reported it (none was
    /// opened): from the binary. Not asked at start, where running the browser only for its
    /// version held the first session back by about one browser start.
    pub async fn learn_browser_version(&self) {
        let known = self
            .browser_version
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        let Some(binary) = self.version_from.as_deref().filter(|_| !known) else {
            return;
        };
        let version = super::process::browser_version(binary).await;
        *self
            .browser_version
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = version;
    }

    /// One line for reports: what runs the sessions.
    pub fn describe(&self) -> String {
        match &self.local {
            Some(_) => {
                let browser = self
                    .browser_version
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .unwrap_or_else(|| "(version unknown)".into());
                let driver = self
                    .driver_version
                    .clone()
                    .unwrap_or_else(|| "(version unknown)".into());
                match (&self.browser, self.local.as_ref().map(|l| &l.binary)) {
                    (_, Some(DriverBinary::Geckodriver(_))) => format!(
                        "firefox {browser} via geckodriver {driver} (local, one geckodriver per session)"
                    ),
                    (Some(b), _) if b.headless_shell => format!(
                        "chromium-headless-shell {browser} via chromedriver {driver} (local)"
                    ),
                    _ => format!("chrome {browser} via chromedriver {driver} (local)"),
                }
            }
            None => format!("remote {}", self.endpoint),
        }
    }

    /// The WebDriver endpoint sessions are created on (always ends in `/`; empty for local Firefox,
    /// where each session has its own geckodriver).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The directory this launcher owns (driver `TMPDIR`, profiles); `None` for remote endpoints.
    pub fn work_dir(&self) -> Option<&Path> {
        self.local.as_ref().map(|l| l.work_dir.as_path())
    }

    /// Process id of the local driver, if one was started.
    pub fn driver_pid(&self) -> Option<u32> {
        self.local.as_ref().and_then(|l| l.pid)
    }

    /// How many sessions are open (created and not yet closed).
    pub fn open_sessions(&self) -> usize {
        self.registry.len()
    }
}

impl Drop for Launcher {
    fn drop(&mut self) {
        if self.shut_down.swap(true, Ordering::SeqCst) {
            return;
        }
        for core in self.registry.take_all() {
            core.abandon();
        }
        if let Some(local) = &self.local {
            local.kill_and_remove();
        }
    }
}
