//! [`Launcher`]: starts (or reaches) the WebDriver endpoint and hands out isolated sessions.
//!
//! Local Chrome: ONE chromedriver on a free 127.0.0.1 port serves every session; each session is
//! its own Chromium with a fresh `--user-data-dir`. Everything lives under one work directory that
//! only this launcher uses (`TMPDIR` of the driver, so Chromium's `/tmp/org.chromium.*` land there
//! too, plus the profiles); `shutdown` (or, as a synchronous fallback, `Drop`) closes the sessions,
//! stops the driver, kills any process that still mentions the work directory and removes it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use thirtyfour::{Capabilities, TimeoutConfiguration, WebDriver};

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

/// The headless shell (old headless mode, no browser UI): same engine and network stack, about a
/// quarter of the CPU per session and page (docs/PERFORMANCE.md). Preferred for headless runs.
pub(crate) const HEADLESS_SHELL_NAMES: &[&str] =
    &["chromium-headless-shell", "chrome-headless-shell"];
pub(crate) const BROWSER_NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];
const DRIVER_READY_LIMIT: Duration = Duration::from_secs(20);

/// A chromedriver this launcher started, and the directory it owns.
#[derive(Debug)]
struct LocalDriver {
    work_dir: PathBuf,
    profiles: PathBuf,
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

/// Starts or reaches a WebDriver endpoint and opens isolated browser sessions on it.
#[derive(Debug)]
pub struct Launcher {
    config: DriverConfig,
    endpoint: String,
    local: Option<LocalDriver>,
    browser: Option<LocalBrowser>,
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
            BrowserKind::Firefox => Err(DriverError::Unsupported(
                "a local Firefox (one geckodriver per session is not implemented yet); run Firefox behind \
                 a Selenium Grid and set the WebDriver URL, or use Chrome"
                    .into(),
            )),
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
        let (spawned, version) = tokio::join!(
            spawn_chromedriver(&driver_path, &work_dir, &tmp),
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
                profiles,
                port,
                pid,
                child: Mutex::new(Some(child)),
            }),
            browser: Some(browser),
            driver_version,
            browser_version: Mutex::new(version),
            registry: Arc::new(Registry::default()),
            next_id: AtomicU64::new(1),
            shut_down: AtomicBool::new(false),
        })
    }

    /// Opens one isolated browser session (fresh profile for local browsers).
    pub async fn new_session(&self, label: &str) -> DriverResult<Box<dyn Session>> {
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
        let mut caps =
            default_capabilities(&self.config, self.browser.as_ref(), profile_dir.as_deref());
        merge_capabilities(&mut caps, &self.config.capabilities);
        // Appium's Chromium driver on this machine: one free chromedriver port per session
        // (see `needs_chromedriver_port`). A remote host's free ports are not ours to pick.
        if self.local.is_none() && needs_chromedriver_port(&caps) && is_loopback(&self.endpoint) {
            caps.insert("appium:chromedriverPort".into(), free_port()?.into());
        }

        let timeout = self.config.command_timeout;
        let create_limit = timeout.max(Duration::from_secs(30));
        let builder = WebDriver::builder(self.endpoint.clone(), Capabilities::from(caps))
            .request_timeout(create_limit + Duration::from_secs(5))
            .client(http_client(
                timeout + Duration::from_secs(5),
                self.local.is_some() || is_loopback(&self.endpoint),
            ));
        let started = Instant::now();
        let driver = match tokio::time::timeout(create_limit, builder).await {
            Ok(Ok(d)) => d,
            failure => {
                if let Some(dir) = &profile_dir {
                    remove_dir_retrying(dir);
                }
                let reason = match failure {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no session after {create_limit:?}"),
                };
                return Err(launch_err(
                    format!("a browser session for `{label}` at {}", self.endpoint),
                    reason,
                ));
            }
        };
        tracing::debug!(label, elapsed = ?started.elapsed(), "browser session created");

        let kind = match (&self.local, self.config.browser) {
            (Some(_), _) => BrowserKind::Chrome,
            (None, k) => k,
        };
        let core = Arc::new(SessionCore::new(
            id,
            label,
            driver.clone(),
            kind,
            timeout,
            profile_dir,
            Arc::downgrade(&self.registry),
        ));
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

        // Ask chromedriver to quit (it closes whatever is left), then make sure.
        let client = http_client(Duration::from_secs(3), true);
        let _ = client
            .get(format!("http://127.0.0.1:{}/shutdown", local.port))
            .send()
            .await;
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
                let name = match &self.browser {
                    Some(b) if b.headless_shell => "chromium-headless-shell",
                    _ => "chrome",
                };
                format!("{name} {browser} via chromedriver {driver} (local)")
            }
            None => format!("remote {}", self.endpoint),
        }
    }

    /// The WebDriver endpoint sessions are created on (always ends in `/`).
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

/// Spawns chromedriver on a free port and waits (bounded) until `/status` says ready.
/// Returns the child, its port and its version.
async fn spawn_chromedriver(
    driver_path: &Path,
    work_dir: &Path,
    tmp: &Path,
) -> DriverResult<(tokio::process::Child, u16, Option<String>)> {
    let log_path = work_dir.join("chromedriver.log");
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let port = free_port()?;
        let log = std::fs::File::create(&log_path)
            .map_err(|e| launch_err("chromedriver", format!("cannot create its log file: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| launch_err("chromedriver", e.to_string()))?;
        let mut child = tokio::process::Command::new(driver_path)
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp)
            .stdin(std::process::Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                launch_err(
                    "chromedriver",
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
                    log_tail(&log_path, 600)
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
                    "chromedriver",
                    format!(
                        "it was not ready on port {port} after {DRIVER_READY_LIMIT:?}: {}",
                        log_tail(&log_path, 600)
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Exited early: most likely the port was taken between probing and binding; try another.
        let _ = child.wait().await;
    }
    Err(launch_err("chromedriver", last_error))
}
