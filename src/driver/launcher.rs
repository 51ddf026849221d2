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
use super::process::{
    browser_version, find_on_path, free_port, is_executable, kill_all_mentioning, log_tail,
    remove_dir_retrying, version_token,
};
use super::session::{BrowserKind, DriverError, DriverResult, Session};
use super::webdriver_session::{Registry, SessionCore, WebDriverSession};

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
pub(crate) const FIREFOX_NAMES: &[&str] = &["firefox-esr", "firefox"];
const DRIVER_READY_LIMIT: Duration = Duration::from_secs(20);

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

/// Whether a WebDriver endpoint URL points at this machine (a Grid or Appium there is never reached
/// through a proxy from the environment: reqwest does not skip loopback by itself).
fn is_loopback(endpoint: &str) -> bool {
    match url::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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

    async fn start_remote(config: DriverConfig, url: String) -> DriverResult<Launcher> {
        let mut endpoint = url.trim().to_string();
        if !endpoint.ends_with('/') {
            endpoint.push('/');
        }
        let parsed = url::Url::parse(&endpoint).map_err(|e| {
            launch_err(
                format!("remote WebDriver endpoint `{url}`"),
                format!("not a URL: {e}"),
            )
        })?;
        let status = parsed
            .join("status")
            .map_err(|e| launch_err("remote WebDriver endpoint", e.to_string()))?;
        // Any HTTP answer proves the endpoint is there; only a connection failure is fatal.
        let client = http_client(Duration::from_secs(10), is_loopback(&endpoint));
        if let Err(e) = client.get(status.clone()).send().await {
            return Err(launch_err(
                format!("remote WebDriver endpoint {endpoint}"),
                format!("{status} did not answer: {e}"),
            ));
        }
        Ok(Launcher {
            config,
            endpoint,
            local: None,
            browser: None,
            full_browser: None,
            driver_version: None,
            browser_version: Mutex::new(None),
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }

    async fn start_local_chrome(config: DriverConfig) -> DriverResult<Launcher> {
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
        let (spawned, version) = tokio::join!(
            spawn_driver(&driver_path, &log_path, &tmp, |port| vec![format!(
                "--port={port}"
            )]),
            browser_version(&browser_binary)
        );
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
            browser_version: Mutex::new(version),
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }

    async fn start_local_firefox(config: DriverConfig) -> DriverResult<Launcher> {
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
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }

    /// For local Firefox: this session's own geckodriver (WebDriver and BiDi ports of its own).
    async fn spawn_session_driver(
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
        self.new_session_in(label, false).await
    }

    /// Opens one isolated session; `full_browser`: in full Chromium even when the run is on the
    /// headless shell (a flow that needs a back/forward cache).
    pub async fn new_session_in(
        &self,
        label: &str,
        full_browser: bool,
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
        let _ = tokio::time::timeout(timeout, driver.update_timeouts(timeouts)).await;
        core.discard_network().await;
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

/// The launcher's own directory (removed at shutdown): the driver's `TMPDIR` and the profiles.
fn make_work_dir() -> DriverResult<(PathBuf, PathBuf, PathBuf)> {
    let work_dir = tempfile::Builder::new()
        .prefix("usher-driver-")
        .tempdir()
        .map_err(|e| launch_err("a work directory for the driver", e.to_string()))?
        .keep();
    let tmp = work_dir.join("tmp");
    let profiles = work_dir.join("profiles");
    for dir in [&tmp, &profiles] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            remove_dir_retrying(&work_dir);
            return Err(launch_err("a work directory for the driver", e.to_string()));
        }
    }
    Ok((work_dir, tmp, profiles))
}

/// Spawns a WebDriver server (chromedriver, geckodriver) on a free port and waits (bounded) until
/// `/status` says ready. Returns the child, its port and the version it reports.
async fn spawn_driver(
    driver_path: &Path,
    log_path: &Path,
    tmp: &Path,
    args: impl Fn(u16) -> Vec<String>,
) -> DriverResult<(tokio::process::Child, u16, Option<String>)> {
    let name = driver_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the WebDriver server".into());
    let name = name.as_str();
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let port = free_port()?;
        let log = std::fs::File::create(log_path)
            .map_err(|e| launch_err(name, format!("cannot create its log file: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| launch_err(name, e.to_string()))?;
        let mut child = tokio::process::Command::new(driver_path)
            .args(args(port))
            .env("TMPDIR", tmp)
            .stdin(std::process::Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                launch_err(
                    name,
                    format!("`{}` could not be run: {e}", driver_path.display()),
                )
            })?;

        let client = http_client(Duration::from_secs(2), true);
        let status_url = format!("http://127.0.0.1:{port}/status");
        let start = Instant::now();
        loop {
            if let Ok(Some(exit)) = child.try_wait() {
                last_error = format!(
                    "it exited with {exit} before it was ready: {}",
                    log_tail(log_path, 600)
                );
                break;
            }
            if let Ok(resp) = client.get(&status_url).send().await
                && let Ok(body) = resp.json::<serde_json::Value>().await
                && body["value"]["ready"].as_bool() == Some(true)
            {
                let version = body["value"]["build"]["version"]
                    .as_str()
                    .and_then(version_token);
                return Ok((child, port, version));
            }
            if start.elapsed() > DRIVER_READY_LIMIT {
                let _ = child.kill().await;
                return Err(launch_err(
                    name,
                    format!(
                        "it was not ready on port {port} after {DRIVER_READY_LIMIT:?}: {}",
                        log_tail(log_path, 600)
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Exited early: most likely the port was taken between probing and binding; try another.
        let _ = child.wait().await;
    }
    Err(launch_err(name, last_error))
}
