//! The thirtyfour-backed [`Session`]: one persona's browser behind a WebDriver endpoint.
//!
//! Every WebDriver call is bounded by the launcher's `command_timeout`. Actions that may start a
//! page load (`click`, `select`, `submit`) tag the current document first and afterwards wait,
//! briefly and boundedly, until either nothing started leaving the page or the new document is
//! `complete`, so `current_url` / `is_present` right after them see the page the user would.
//!
//! Network capture reads chromedriver's performance log (`goog:loggingPrefs: {performance: ALL}`),
//! see [`super::network`] for why and how the events are paired; on Firefox it listens to WebDriver
//! BiDi network events instead ([`super::bidi_network`]).

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Value, json};
use thirtyfour::common::command::{Command, ExtensionCommand};
use thirtyfour::error::{WebDriverErrorInner, WebDriverResult};
use thirtyfour::prelude::WebDriverError;
use thirtyfour::{BrowserLogEntry, By, Cookie, SameSite, WebDriver, WebElement};

use super::bidi_network::BidiNetwork;
use super::locator::to_selector;
use super::network::{CdpEntry, NetLog};
use super::process::{kill_all_mentioning, remove_dir_retrying};
use super::session::{
    BrowserCookie, BrowserKind, DriverError, DriverResult, Locator, Look, NetEvent, Session,
};
use super::shadow;

/// How long `drain_network` waits for extra-info events that have not arrived yet.
const NETWORK_SETTLE: Duration = Duration::from_millis(750);
/// After an action, how long to wait for a navigation to announce itself.
const NAVIGATION_GRACE: Duration = Duration::from_millis(150);
/// Upper bound for waiting on a page load an action started.
const NAVIGATION_LIMIT: Duration = Duration::from_secs(15);

const MARK_JS: &str = r#"
window.__usherDoc = arguments[0];
window.__usherLeaving = false;
if (!window.__usherHooked) {
  window.__usherHooked = true;
  window.addEventListener('beforeunload', function () { window.__usherLeaving = true; });
}
return true;"#;
const POLL_JS: &str =
    "return [window.__usherDoc === arguments[0], !!window.__usherLeaving, document.readyState];";
const SUBMIT_JS: &str = r#"
const el = arguments[0];
const form = el.tagName === 'FORM' ? el : (el.form || el.closest('form'));
if (!form) { return false; }
const submitter = (el !== form && el.form === form && (el.type === 'submit' || el.type === 'image')) ? el : null;
if (typeof form.requestSubmit === 'function') {
  if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
} else {
  form.submit();
}
return true;"#;

/// The sessions a launcher still has to close.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    sessions: std::sync::Mutex<HashMap<u64, Arc<SessionCore>>>,
}

impl Registry {
    pub(crate) fn insert(&self, core: Arc<SessionCore>) {
        self.lock().insert(core.id, core);
    }

    pub(crate) fn take_all(&self) -> Vec<Arc<SessionCore>> {
        self.lock().drain().map(|(_, c)| c).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<SessionCore>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// State shared by a session handle and the launcher's registry.
#[derive(Debug)]
pub(crate) struct SessionCore {
    id: u64,
    label: String,
    driver: WebDriver,
    kind: BrowserKind,
    timeout: Duration,
    profile_dir: Option<PathBuf>,
    registry: Weak<Registry>,
    closed: AtomicBool,
    close_lock: tokio::sync::Mutex<()>,
    net: tokio::sync::Mutex<NetLog>,
    marks: AtomicU64,
    /// Cleared when the page cannot run our navigation-settling script (native app contexts).
    js_settle: AtomicBool,
    /// Set once the endpoint has no `POST /session/:id/log` (Appium 3 routes the legacy log
    /// commands only under `/se/log`); the performance log is then read from there.
    se_log: AtomicBool,
    /// Local Firefox: the geckodriver that serves only this session, stopped when it closes.
    own_driver: std::sync::Mutex<Option<tokio::process::Child>>,
    /// Firefox: network capture over BiDi (there is no performance log).
    bidi: Option<BidiNetwork>,
    /// Whether the settling probe is installed in new documents (decided once).
    watching: tokio::sync::OnceCell<bool>,
    /// The HTTP cache switch: what callers want, what the browser has. Switching it back on waits
    /// for the next action that could load something, so answers in a row cost no round trip.
    cache_wanted_off: AtomicBool,
    cache_is_off: AtomicBool,
    /// The browser refused the cache switch once: do not ask again on every action.
    cache_switch_refused: AtomicBool,
    /// `Network.enable` was sent (Chromium): it stays on for the session.
    network_enabled: AtomicBool,
    /// A command went to the browser since the session was handed out: before that there is no
    /// network log to read.
    used: AtomicBool,
}

impl SessionCore {
    pub(crate) fn new(
        id: u64,
        label: &str,
        driver: WebDriver,
        kind: BrowserKind,
        timeout: Duration,
        profile_dir: Option<PathBuf>,
        registry: Weak<Registry>,
    ) -> Self {
        Self {
            id,
            label: label.to_string(),
            driver,
            kind,
            timeout,
            profile_dir,
            registry,
            closed: AtomicBool::new(false),
            close_lock: tokio::sync::Mutex::new(()),
            net: tokio::sync::Mutex::new(NetLog::default()),
            marks: AtomicU64::new(0),
            js_settle: AtomicBool::new(true),
            se_log: AtomicBool::new(false),
            own_driver: std::sync::Mutex::new(None),
            bidi: None,
            watching: tokio::sync::OnceCell::new(),
            cache_wanted_off: AtomicBool::new(false),
            cache_is_off: AtomicBool::new(false),
            cache_switch_refused: AtomicBool::new(false),
            network_enabled: AtomicBool::new(false),
            used: AtomicBool::new(false),
        }
    }

    pub(crate) fn own_driver(&mut self, child: Option<tokio::process::Child>) {
        *self.own_driver.get_mut().unwrap_or_else(|p| p.into_inner()) = child;
    }

    pub(crate) fn bidi_network(&mut self, net: BidiNetwork) {
        self.bidi = Some(net);
    }

    fn bidi(&self, what: &str) -> DriverResult<&BidiNetwork> {
        self.ensure_open()?;
        self.bidi.as_ref().ok_or_else(|| {
            DriverError::Unsupported(format!(
                "{what} on session `{}` (Firefox needs WebDriver BiDi: `webSocketUrl: true`)",
                self.label
            ))
        })
    }

    /// Quits the browser session and removes its profile directory. Idempotent.
    pub(crate) async fn close(&self) -> DriverResult<()> {
        let _guard = self.close_lock.lock().await;
        if self.closed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let quit = tokio::time::timeout(self.timeout, self.driver.clone().quit()).await;
        let result = match quit {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DriverError::Session(format!(
                "closing session `{}`: {e}",
                self.label
            ))),
            Err(_) => Err(DriverError::Timeout(
                self.timeout,
                format!("closing session `{}`", self.label),
            )),
        };
        let own_driver = self
            .own_driver
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut child) = own_driver {
            // geckodriver ends with its session's browser; make sure of it, without waiting long.
            if tokio::time::timeout(Duration::from_secs(2), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
        if let Some(dir) = &self.profile_dir {
            let dir = dir.clone();
            let failed = result.is_err();
            let _ = tokio::task::spawn_blocking(move || {
                if failed {
                    // The driver did not stop the browser: do it ourselves.
                    kill_all_mentioning(&dir, Duration::from_secs(3));
                }
                remove_dir_retrying(&dir);
            })
            .await;
        }
        if let Some(registry) = self.registry.upgrade() {
            registry.remove(self.id);
        }
        result
    }

    /// Marks the session as gone without talking to the driver (the launcher is being dropped and
    /// kills the processes itself); keeps thirtyfour from a blocking teardown on drop.
    pub(crate) fn abandon(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            let _ = self.driver.clone().leak();
        }
    }

    pub(crate) fn browser_version(&self) -> Option<String> {
        self.driver
            .capabilities()
            .get("browserVersion")
            .and_then(Value::as_str)
            .map(String::from)
    }

    fn ensure_open(&self) -> DriverResult<()> {
        if self.closed.load(Ordering::SeqCst) {
            Err(DriverError::Session(format!(
                "session `{}` is closed",
                self.label
            )))
        } else {
            Ok(())
        }
    }

    async fn call<T>(
        &self,
        what: &str,
        fut: impl Future<Output = WebDriverResult<T>>,
    ) -> DriverResult<T> {
        self.ensure_open()?;
        self.used.store(true, Ordering::Relaxed);
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(DriverError::Session(format!("{what}: {e}"))),
            Err(_) => Err(DriverError::Timeout(self.timeout, what.to_string())),
        }
    }

    /// The elements a `HOST >>> INNER` locator matches (src/driver/shadow.rs): each host is the first
    /// element its selector matches in the root before; the last selector's matches are the answer.
    /// `None` for a locator without a shadow path.
    async fn find_in_shadow(&self, locator: &Locator) -> Option<DriverResult<Vec<WebElement>>> {
        if !matches!(locator.strategy.as_str(), "css selector" | "css" | "") {
            return None;
        }
        let parts = shadow::path(&locator.value)?;
        let handle = self.driver.handle().clone();
        let fut = async {
            let resp = handle
                .cmd(Command::FindElements(
                    thirtyfour::common::command::Selector::new("css selector", parts[0]),
                ))
                .await?;
            let mut found = resp.elements(handle.clone())?;
            for css in &parts[1..] {
                let Some(host) = found.into_iter().next() else {
                    return Ok(Vec::new());
                };
                let root = handle
                    .cmd(Command::ExtensionCommand(Box::new(shadow::GetShadowRoot(
                        host.element_id().to_string(),
                    ))))
                    .await;
                // No shadow root (WebDriver's "no such shadow root"): nothing matches inside it.
                let Some(root) = root.ok().and_then(|r| r.value_json().ok()) else {
                    return Ok(Vec::new());
                };
                let Some(root) = shadow::root_id(&root) else {
                    return Ok(Vec::new());
                };
                found = handle
                    .cmd(Command::ExtensionCommand(Box::new(
                        shadow::FindInShadowRoot {
                            root,
                            css: css.to_string(),
                        },
                    )))
                    .await?
                    .elements(handle.clone())?;
            }
            WebDriverResult::Ok(found)
        };
        if let Err(e) = self.ensure_open() {
            return Some(Err(e));
        }
        Some(match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(DriverError::Session(format!("finding {locator}: {e}"))),
            Err(_) => Err(DriverError::Timeout(
                self.timeout,
                format!("finding {locator}"),
            )),
        })
    }

    /// Every element `locator` matches.
    async fn find_all(&self, locator: &Locator) -> DriverResult<Vec<WebElement>> {
        if let Some(found) = self.find_in_shadow(locator).await {
            return found;
        }
        let handle = self.driver.handle().clone();
        let selector = to_selector(self.kind, locator);
        self.call(&format!("looking for {locator}"), async {
            let resp = handle.cmd(Command::FindElements(selector)).await?;
            resp.elements(handle.clone())
        })
        .await
    }

    async fn find(&self, locator: &Locator) -> DriverResult<WebElement> {
        self.ensure_open()?;
        if let Some(found) = self.find_in_shadow(locator).await {
            return found?
                .into_iter()
                .next()
                .ok_or_else(|| DriverError::NotFound(locator.to_string()));
        }
        let handle = self.driver.handle().clone();
        let selector = to_selector(self.kind, locator);
        let fut = async {
            let resp = handle.cmd(Command::FindElement(selector)).await?;
            resp.element(handle.clone())
        };
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(el)) => Ok(el),
            Ok(Err(e)) if is_no_such_element(&e) => Err(DriverError::NotFound(locator.to_string())),
            Ok(Err(e)) => Err(DriverError::Session(format!("finding {locator}: {e}"))),
            Err(_) => Err(DriverError::Timeout(
                self.timeout,
                format!("finding {locator}"),
            )),
        }
    }

    async fn script(&self, what: &str, script: &str, args: Vec<Value>) -> DriverResult<Value> {
        let driver = &self.driver;
        self.call(what, async move {
            Ok(driver.execute(script, args).await?.json().clone())
        })
        .await
    }

    /// Tags the current document so [`Self::settle`] can tell a new one from it.
    async fn mark_document(&self) -> Option<String> {
        if !self.js_settle.load(Ordering::Relaxed) {
            return None;
        }
        let token = format!(
            "usher-{}-{}",
            self.id,
            self.marks.fetch_add(1, Ordering::Relaxed)
        );
        match self
            .script("marking the document", MARK_JS, vec![json!(token)])
            .await
        {
            Ok(_) => Some(token),
            Err(_) => {
                self.js_settle.store(false, Ordering::Relaxed);
                None
            }
        }
    }

    /// Waits (bounded) for a page load the last action may have started; never fails.
    async fn settle(&self, token: Option<String>) {
        let Some(token) = token else { return };
        let start = Instant::now();
        let limit = NAVIGATION_LIMIT.min(self.timeout);
        loop {
            let state = self
                .script("checking navigation", POLL_JS, vec![json!(token)])
                .await;
            if let Ok(Value::Array(v)) = &state {
                let same = v.first().and_then(Value::as_bool).unwrap_or(false);
                let leaving = v.get(1).and_then(Value::as_bool).unwrap_or(false);
                let ready = v.get(2).and_then(Value::as_str) == Some("complete");
                if (!same && ready) || (same && !leaving && start.elapsed() >= NAVIGATION_GRACE) {
                    return;
                }
            }
            // Errors while a document is being replaced are expected; any other (an alert is open,
            // the window is gone, a timeout) ends the wait: the next call will report it.
            let transient = match &state {
                Err(DriverError::Session(msg)) => {
                    let msg = msg.to_ascii_lowercase();
                    msg.contains("unloaded")
                        || msg.contains("execution context")
                        || msg.contains("detached")
                }
                Ok(_) => true,
                Err(_) => false,
            };
            if !transient || start.elapsed() >= limit {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `POST /session/:id/log`, or `POST /session/:id/se/log` where the first route does not exist
    /// (Appium 3 proxies only the latter to chromedriver; chromedriver and Grid answer both).
    async fn read_performance_log(&self) -> WebDriverResult<Vec<BrowserLogEntry>> {
        if !self.se_log.load(Ordering::Relaxed) {
            match self.driver.get_log("performance").await {
                Err(e) if route_missing(&e) => self.se_log.store(true, Ordering::Relaxed),
                other => return other,
            }
        }
        self.driver
            .handle()
            .cmd(Command::ExtensionCommand(Box::new(SeLog)))
            .await?
            .value()
    }

    async fn fetch_performance_log(&self, net: &mut NetLog) -> DriverResult<()> {
        self.ensure_open()?;
        let entries = match tokio::time::timeout(self.timeout, self.read_performance_log()).await {
            Ok(Ok(entries)) => entries,
            Ok(Err(e)) if !log_unsupported(&e) => {
                return Err(DriverError::Session(format!(
                    "reading the performance log: {e}"
                )));
            }
            Ok(Err(e)) => {
                return Err(DriverError::Unsupported(format!(
                    "network capture on session `{}` (the performance log is not available: {e}; \
                     it needs a Chromium driver and the `goog:loggingPrefs` capability)",
                    self.label
                )));
            }
            Err(_) => {
                return Err(DriverError::Timeout(
                    self.timeout,
                    "reading the performance log".into(),
                ));
            }
        };
        for entry in entries {
            if let Some(e) = CdpEntry::parse(&entry.message) {
                net.ingest(e);
            }
        }
        Ok(())
    }

    /// Sends one CDP command on Chromium, turning the Network domain on first (once per session).
    async fn cdp(&self, what: &str, method: &str, params: Value) -> DriverResult<()> {
        let cdp = self.driver.cdp();
        let enable =
            method.starts_with("Network.") && !self.network_enabled.load(Ordering::Relaxed);
        self.call(what, async {
            if enable {
                cdp.send_raw("Network.enable", json!({})).await?;
            }
            cdp.send_raw(method, params).await
        })
        .await?;
        if enable {
            self.network_enabled.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Installs the settling probe (see `Session::watch_settling`); decided once per session.
    pub(crate) async fn watch_settling(&self) -> DriverResult<bool> {
        self.ensure_open()?;
        let watching = self
            .watching
            .get_or_init(|| async {
                if self.kind == BrowserKind::Firefox {
                    let Ok(bidi) = self.bidi("the settling probe") else {
                        return false;
                    };
                    let function = format!("() => {{ {} }}", super::settle::PROBE_JS);
                    bidi.command(
                        "script.addPreloadScript",
                        json!({ "functionDeclaration": function }),
                        self.timeout,
                    )
                    .await
                    .is_ok()
                } else {
                    // Chromium, or a remote endpoint that may be one (Grid); Appium's native
                    // contexts refuse, and keep the fixed wait.
                    self.cdp(
                        "installing the settling probe",
                        "Page.addScriptToEvaluateOnNewDocument",
                        json!({ "source": super::settle::PROBE_JS }),
                    )
                    .await
                    .is_ok()
                }
            })
            .await;
        Ok(*watching)
    }

    /// Turns on CDP's Network domain ahead of the first cache switch (Chromium; best effort: a
    /// refusal here is met again, and reported, where the switch is needed).
    pub(crate) async fn enable_network(&self) {
        if self.kind == BrowserKind::Firefox || self.network_enabled.load(Ordering::Relaxed) {
            return;
        }
        let cdp = self.driver.cdp();
        if self
            .call(
                "enabling network events",
                cdp.send_raw("Network.enable", json!({})),
            )
            .await
            .is_ok()
        {
            self.network_enabled.store(true, Ordering::Relaxed);
        }
    }

    /// Brings the browser's HTTP cache switch to what was last asked for.
    async fn sync_cache(&self) -> DriverResult<()> {
        let want = self.cache_wanted_off.load(Ordering::SeqCst);
        if self.cache_is_off.load(Ordering::SeqCst) == want
            || self.cache_switch_refused.load(Ordering::Relaxed)
        {
            return Ok(());
        }
        let result = if self.kind == BrowserKind::Firefox {
            let behavior = if want { "bypass" } else { "default" };
            self.bidi("switching the HTTP cache")?
                .command(
                    "network.setCacheBehavior",
                    json!({ "cacheBehavior": behavior }),
                    self.timeout,
                )
                .await
                .map(drop)
        } else {
            self.cdp(
                "switching the HTTP cache",
                "Network.setCacheDisabled",
                json!({ "cacheDisabled": want }),
            )
            .await
        };
        match result {
            Ok(()) => self.cache_is_off.store(want, Ordering::SeqCst),
            Err(_) => self.cache_switch_refused.store(true, Ordering::Relaxed),
        }
        result
    }

    /// Before an action that may load a page: the cache as last asked for. A failure to switch it
    /// back on is not the action's failure (the action still does what it was asked).
    async fn before_load(&self) {
        let _ = self.sync_cache().await;
    }

    /// Setup is done: what it sent loaded nothing, so there is no network log to read yet.
    pub(crate) fn handed_out(&self) {
        self.used.store(false, Ordering::Relaxed);
    }

    /// Drops everything the browser did before the session was handed out (start page etc.).
    pub(crate) async fn discard_network(&self) {
        if let Some(bidi) = &self.bidi {
            bidi.discard();
        } else if self.kind == BrowserKind::Chrome {
            let mut net = self.net.lock().await;
            let _ = self.fetch_performance_log(&mut net).await;
            *net = NetLog::default();
        }
    }
}

/// `POST /session/:id/se/log {"type": "performance"}`: the Selenium-style route of Get Log.
#[derive(Debug)]
struct SeLog;

impl ExtensionCommand for SeLog {
    fn parameters_json(&self) -> Option<Value> {
        Some(json!({ "type": "performance" }))
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> Arc<str> {
        "/se/log".into()
    }
}

/// The endpoint has no such route at all (as opposed to a log type it does not know).
fn route_missing(e: &WebDriverError) -> bool {
    matches!(
        e.as_inner(),
        WebDriverErrorInner::UnknownCommand(_) | WebDriverErrorInner::UnknownMethod(_)
    )
}

/// Whether reading the performance log failed because this session has none (not a Chromium
/// driver, or created without `goog:loggingPrefs`), rather than because the session broke.
fn log_unsupported(e: &WebDriverError) -> bool {
    if matches!(
        e.as_inner(),
        WebDriverErrorInner::UnknownCommand(_)
            | WebDriverErrorInner::UnknownMethod(_)
            | WebDriverErrorInner::UnsupportedOperation(_)
            | WebDriverErrorInner::InvalidArgument(_)
    ) {
        return true;
    }
    let msg = e.to_string().to_ascii_lowercase();
    msg.contains("log type") || msg.contains("not supported") || msg.contains("unknown command")
}

fn is_no_such_element(e: &WebDriverError) -> bool {
    matches!(e.as_inner(), WebDriverErrorInner::NoSuchElement(_))
}

fn cookie_from_json(v: &Value) -> Option<BrowserCookie> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    Some(BrowserCookie {
        name: s("name")?,
        value: s("value").unwrap_or_default(),
        domain: s("domain"),
        path: s("path"),
        secure: v.get("secure").and_then(Value::as_bool),
        http_only: v.get("httpOnly").and_then(Value::as_bool),
        same_site: s("sameSite"),
        expiry: v
            .get("expiry")
            .and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64))),
    })
}

fn same_site(value: &str) -> DriverResult<SameSite> {
    match value.to_ascii_lowercase().as_str() {
        "strict" => Ok(SameSite::Strict),
        "lax" => Ok(SameSite::Lax),
        "none" => Ok(SameSite::None),
        _ => Err(DriverError::Session(format!(
            "invalid same_site `{value}` for a cookie; valid values: Strict, Lax, None"
        ))),
    }
}

/// One persona's browser session, driven through thirtyfour.
#[derive(Debug)]
pub struct WebDriverSession {
    core: Arc<SessionCore>,
}

impl WebDriverSession {
    pub(crate) fn new(core: Arc<SessionCore>) -> Self {
        Self { core }
    }
}

impl Drop for WebDriverSession {
    fn drop(&mut self) {
        if !self.core.closed.load(Ordering::SeqCst)
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let core = self.core.clone();
            rt.spawn(async move {
                let _ = core.close().await;
            });
        }
    }
}

#[async_trait]
impl Session for WebDriverSession {
    async fn goto(&self, url: &str) -> DriverResult<()> {
        let c = &self.core;
        c.before_load().await;
        c.call(&format!("opening {url}"), c.driver.goto(url)).await
    }

    async fn current_url(&self) -> DriverResult<String> {
        let c = &self.core;
        c.call("reading the current URL", async {
            c.driver
                .cmd(Command::GetCurrentUrl)
                .await?
                .value::<String>()
        })
        .await
    }

    async fn back(&self) -> DriverResult<()> {
        let c = &self.core;
        c.before_load().await;
        c.call("going back", c.driver.back()).await
    }

    async fn refresh(&self) -> DriverResult<()> {
        let c = &self.core;
        c.before_load().await;
        c.call("reloading", c.driver.refresh()).await
    }

    async fn title(&self) -> DriverResult<String> {
        let c = &self.core;
        c.call("reading the title", c.driver.title()).await
    }

    async fn page_source(&self) -> DriverResult<String> {
        let c = &self.core;
        c.call("reading the page source", c.driver.source()).await
    }

    async fn body_text(&self) -> DriverResult<String> {
        let c = &self.core;
        match c.find(&Locator::css("body")).await {
            Ok(body) => c.call("reading the page text", body.text()).await,
            Err(DriverError::NotFound(_)) => Ok(String::new()),
            Err(e) => Err(e),
        }
    }

    async fn is_present(&self, locator: &Locator) -> DriverResult<bool> {
        Ok(!self.core.find_all(locator).await?.is_empty())
    }

    async fn text_of(&self, locator: &Locator) -> DriverResult<String> {
        let c = &self.core;
        let el = c.find(locator).await?;
        c.call(&format!("reading the text of {locator}"), el.text())
            .await
    }

    async fn text_contents(&self, locator: &Locator) -> DriverResult<Vec<String>> {
        let c = &self.core;
        let found = c.find_all(locator).await?;
        c.call(&format!("reading the text of {locator}"), async {
            let mut out = Vec::new();
            for el in found {
                out.push(match el.prop("textContent").await {
                    Ok(Some(t)) => t,
                    _ => el.text().await?,
                });
            }
            Ok(out)
        })
        .await
    }

    async fn click(&self, locator: &Locator) -> DriverResult<()> {
        let c = &self.core;
        let el = c.find(locator).await?;
        c.before_load().await;
        let token = c.mark_document().await;
        c.call(&format!("clicking {locator}"), el.click()).await?;
        c.settle(token).await;
        Ok(())
    }

    async fn fill(&self, locator: &Locator, text: &str) -> DriverResult<()> {
        let c = &self.core;
        let el = c.find(locator).await?;
        c.before_load().await;
        c.call(&format!("clearing {locator}"), el.clear()).await?;
        c.call(&format!("typing into {locator}"), el.send_keys(text))
            .await
    }

    async fn select(&self, locator: &Locator, option: &str) -> DriverResult<()> {
        let c = &self.core;
        let select = c.find(locator).await?;
        let options = c
            .call(
                &format!("listing the options of {locator}"),
                select.find_all(By::Tag("option")),
            )
            .await?;
        for opt in options {
            let value = c.call("reading an option", opt.prop("value")).await?;
            let label = c.call("reading an option", opt.prop("text")).await?;
            let matches = value.as_deref() == Some(option)
                || label.as_deref().map(str::trim) == Some(option.trim());
            if matches {
                c.before_load().await;
                let token = c.mark_document().await;
                c.call(&format!("choosing `{option}` in {locator}"), opt.click())
                    .await?;
                c.settle(token).await;
                return Ok(());
            }
        }
        Err(DriverError::NotFound(format!(
            "option `{option}` in {locator}"
        )))
    }

    async fn submit(&self, locator: &Locator) -> DriverResult<()> {
        let c = &self.core;
        let el = c.find(locator).await?;
        let arg = el
            .to_json()
            .map_err(|e| DriverError::Session(e.to_string()))?;
        c.before_load().await;
        let token = c.mark_document().await;
        let submitted = c
            .script(
                &format!("submitting the form of {locator}"),
                SUBMIT_JS,
                vec![arg],
            )
            .await?;
        if submitted != Value::Bool(true) {
            return Err(DriverError::Session(format!(
                "{locator} is not inside a form"
            )));
        }
        c.settle(token).await;
        Ok(())
    }

    async fn cookies(&self) -> DriverResult<Vec<BrowserCookie>> {
        let c = &self.core;
        c.ensure_open()?;
        // A native app context has no cookies: `Unsupported`, not a broken session.
        let raw = super::appium_context::bounded(c.timeout, "reading cookies", async {
            c.driver.cmd(Command::GetAllCookies).await?.value_json()
        })
        .await?;
        Ok(raw
            .as_array()
            .map(|a| a.iter().filter_map(cookie_from_json).collect())
            .unwrap_or_default())
    }

    async fn add_cookie(&self, cookie: &BrowserCookie) -> DriverResult<()> {
        let c = &self.core;
        let mut wd = Cookie::new(cookie.name.clone(), cookie.value.clone());
        wd.domain = cookie.domain.clone();
        wd.path = cookie.path.clone();
        wd.secure = cookie.secure;
        wd.http_only = cookie.http_only;
        wd.expiry = cookie.expiry;
        // A browser reports a cookie set without SameSite as `None` (Firefox) but refuses to set
        // `SameSite=None` without `Secure`: leave it out, so the copy gets the same default.
        let insecure_none = cookie
            .same_site
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("none"))
            && cookie.secure != Some(true);
        wd.same_site = match cookie.same_site.as_deref() {
            Some(_) if insecure_none => None,
            other => other.map(same_site).transpose()?,
        };
        c.call(
            &format!("adding cookie `{}`", cookie.name),
            c.driver.add_cookie(wd),
        )
        .await
    }

    async fn delete_cookie(&self, name: &str) -> DriverResult<()> {
        let c = &self.core;
        c.call(
            &format!("deleting cookie `{name}`"),
            c.driver.delete_cookie(name),
        )
        .await
    }

    async fn delete_all_cookies(&self) -> DriverResult<()> {
        let c = &self.core;
        c.call("deleting all cookies", c.driver.delete_all_cookies())
            .await
    }

    async fn execute(&self, script: &str, args: Vec<Value>) -> DriverResult<Value> {
        // A native app context runs no JavaScript: `Unsupported`, not a broken session.
        let c = &self.core;
        c.ensure_open()?;
        c.used.store(true, Ordering::Relaxed);
        super::appium_context::bounded(c.timeout, "running a script", async {
            Ok(c.driver.execute(script, args).await?.json().clone())
        })
        .await
    }

    async fn contexts(&self) -> DriverResult<Vec<String>> {
        let c = &self.core;
        c.call("listing contexts", super::appium_context::list(&c.driver))
            .await
    }

    async fn pull_file(&self, path: &str) -> DriverResult<Vec<u8>> {
        let c = &self.core;
        c.ensure_open()?;
        super::appium_file::pull(&c.driver, c.timeout, path).await
    }

    async fn switch_context(&self, name: &str) -> DriverResult<Option<String>> {
        let c = &self.core;
        let switched = c
            .call(
                &format!("switching to context `{name}`"),
                super::appium_context::switch(&c.driver, name),
            )
            .await?;
        // A WebView runs scripts again, so actions there can wait for the page loads they start.
        if switched.is_some() {
            c.js_settle.store(true, Ordering::Relaxed);
        }
        Ok(switched)
    }

    async fn set_extra_headers(&self, headers: &[(String, String)]) -> DriverResult<()> {
        let c = &self.core;
        if c.kind == BrowserKind::Firefox {
            let list: Vec<Value> = headers
                .iter()
                .map(|(k, v)| json!({"name": k, "value": {"type": "string", "value": v}}))
                .collect();
            return c
                .bidi("extra request headers")?
                .command(
                    "network.setExtraHeaders",
                    json!({ "headers": list }),
                    c.timeout,
                )
                .await
                .map(drop);
        }
        let map: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        c.cdp(
            "setting extra request headers",
            "Network.setExtraHTTPHeaders",
            json!({ "headers": map }),
        )
        .await
    }

    async fn set_cache_disabled(&self, disabled: bool) -> DriverResult<()> {
        // Off at once (the next load must reach the server); back on lazily, before the next
        // action that may load something, so consecutive questions to the server cost nothing.
        let c = &self.core;
        c.cache_wanted_off.store(disabled, Ordering::SeqCst);
        if !disabled {
            return Ok(());
        }
        if c.cache_switch_refused.load(Ordering::Relaxed) {
            return Err(DriverError::Unsupported("switching the HTTP cache".into()));
        }
        c.sync_cache().await
    }

    async fn watch_settling(&self) -> DriverResult<bool> {
        self.core.watch_settling().await
    }

    async fn look(&self, css: Option<&str>, other: Option<&str>) -> DriverResult<Look> {
        let c = &self.core;
        // Without the probe (native app contexts refuse it, and refuse scripts too) there is nothing
        // to read: the caller waits as it would without the signal.
        if c.watching.get() != Some(&true) {
            return Ok(Look::default());
        }
        let arg = |sel: Option<&str>| sel.map_or(Value::Null, |s| json!(s));
        let v = c
            .script(
                "looking at the page",
                super::settle::LOOK_JS,
                vec![arg(css), arg(other)],
            )
            .await?;
        Ok(Look::parse(&v))
    }

    async fn screenshot_png(&self) -> DriverResult<Vec<u8>> {
        let c = &self.core;
        c.call("taking a screenshot", c.driver.screenshot_as_png())
            .await
    }

    async fn drain_network(&self) -> DriverResult<Vec<NetEvent>> {
        let c = &self.core;
        if c.kind == BrowserKind::Firefox {
            return Ok(c.bidi("network capture")?.drain(NETWORK_SETTLE).await);
        }
        if !c.used.load(Ordering::Relaxed) {
            // Nothing was asked of the browser since its start page was discarded.
            return Ok(Vec::new());
        }
        let mut net = c.net.lock().await;
        c.fetch_performance_log(&mut net).await?;
        let mut out = net.take_ready(false);
        let start = Instant::now();
        while net.has_pending() {
            if start.elapsed() >= NETWORK_SETTLE {
                out.extend(net.take_ready(true));
                break;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
            c.fetch_performance_log(&mut net).await?;
            out.extend(net.take_ready(false));
        }
        Ok(out)
    }

    async fn keep_alive(&self) -> DriverResult<()> {
        // Answered by the driver itself (W3C `Get Timeouts`); never reaches the page or its server.
        let c = &self.core;
        c.call("keeping the session alive", async {
            c.driver.cmd(Command::GetTimeouts).await.map(drop)
        })
        .await
    }

    fn kind(&self) -> BrowserKind {
        self.core.kind
    }

    async fn close(&self) -> DriverResult<()> {
        self.core.close().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_keep_every_attribute() {
        let c = cookie_from_json(&json!({
            "name": "a", "value": "1", "domain": "127.0.0.1", "path": "/", "secure": false,
            "httpOnly": true, "sameSite": "Strict", "expiry": 1_900_000_000.0
        }))
        .unwrap();
        assert_eq!(c.http_only, Some(true));
        assert_eq!(c.same_site.as_deref(), Some("Strict"));
        assert_eq!(c.expiry, Some(1_900_000_000));
        assert!(cookie_from_json(&json!({"value": "x"})).is_none());
    }

    #[test]
    fn same_site_is_validated() {
        assert!(matches!(same_site("lax"), Ok(SameSite::Lax)));
        assert!(same_site("sometimes").is_err());
    }
}
