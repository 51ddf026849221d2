//! The small driver trait the engine talks to. thirtyfour (and later Appium native contexts) sit behind it,
//! so the engine never depends on a WebDriver client's types.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub use super::settle::{Look, Settle};

/// Why a driver call failed. `NotFound` is an answer about the page (the element is not there); every
/// other kind is a harness/infrastructure problem and must end in ERROR, never PASS.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("no element matches {0}")]
    NotFound(String),
    #[error("timed out after {0:?}: {1}")]
    Timeout(Duration, String),
    #[error("could not start {what}: {reason}")]
    Launch { what: String, reason: String },
    #[error("the WebDriver session failed: {0}")]
    Session(String),
    #[error("{0} is not supported by this driver")]
    Unsupported(String),
}

pub type DriverResult<T> = Result<T, DriverError>;

/// How to find an element. `strategy` is passed through untouched for Appium (`accessibility id`,
/// `-android uiautomator`, ...); `css` is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locator {
    pub strategy: String,
    pub value: String,
}

impl Locator {
    pub fn css(value: impl Into<String>) -> Self {
        Self {
            strategy: "css selector".into(),
            value: value.into(),
        }
    }
}

impl std::fmt::Display for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.strategy, self.value)
    }
}

/// A cookie as the browser reports it. What the server *sent* is in [`NetEvent::Response`] headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BrowserCookie {
    pub name: String,
    pub value: String,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: Option<bool>,
    pub http_only: Option<bool>,
    pub same_site: Option<String>,
    /// Seconds since the epoch; `None` for a session cookie.
    pub expiry: Option<i64>,
}

/// What the browser sent and received, observed below the page (CDP or BiDi), in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetEvent {
    Request {
        url: String,
        method: String,
        /// Lower-cased header names, as sent (includes `referer` and `cookie` where the browser reports them).
        headers: Vec<(String, String)>,
        /// True for a top-level document navigation (these make up the persona's history).
        is_navigation: bool,
    },
    Response {
        url: String,
        status: u16,
        /// Lower-cased raw header names; one entry per `set-cookie` line.
        headers: Vec<(String, String)>,
    },
}

/// Which browser engine a session runs on; checks use it to explain browser-specific behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrowserKind {
    Chrome,
    Firefox,
    /// A remote endpoint whose browser we did not pick (Grid, Appium).
    Remote,
}

/// One persona's isolated browser (or device) session.
#[async_trait]
pub trait Session: Send + Sync {
    async fn goto(&self, url: &str) -> DriverResult<()>;
    async fn current_url(&self) -> DriverResult<String>;
    async fn back(&self) -> DriverResult<()>;
    async fn refresh(&self) -> DriverResult<()>;
    async fn title(&self) -> DriverResult<String>;
    async fn page_source(&self) -> DriverResult<String>;
    /// The visible text of the page body.
    async fn body_text(&self) -> DriverResult<String>;

    /// Whether at least one element matches, without waiting.
    async fn is_present(&self, locator: &Locator) -> DriverResult<bool>;
    /// The visible text of the first match.
    async fn text_of(&self, locator: &Locator) -> DriverResult<String>;
    /// The text content of every match (the DOM's `textContent`: CSS transforms and visibility do
    /// not change it; native contexts, which have none, give their visible text); empty when none.
    async fn text_contents(&self, locator: &Locator) -> DriverResult<Vec<String>>;
    async fn click(&self, locator: &Locator) -> DriverResult<()>;
    /// Clears the field, then types `text`.
    async fn fill(&self, locator: &Locator, text: &str) -> DriverResult<()>;
    /// Selects the `<option>` whose value or visible text equals `option`.
    async fn select(&self, locator: &Locator, option: &str) -> DriverResult<()>;
    /// Submits the form that contains the element.
    async fn submit(&self, locator: &Locator) -> DriverResult<()>;

    async fn cookies(&self) -> DriverResult<Vec<BrowserCookie>>;
    /// Adds a cookie for the current page's host (navigate there first).
    async fn add_cookie(&self, cookie: &BrowserCookie) -> DriverResult<()>;
    async fn delete_cookie(&self, name: &str) -> DriverResult<()>;
    async fn delete_all_cookies(&self) -> DriverResult<()>;

    /// Runs JavaScript in the page (`arguments[i]` are `args`) and returns its JSON result.
    async fn execute(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> DriverResult<serde_json::Value>;
    /// Adds headers to every request this session sends from now on (empty list removes them).
    async fn set_extra_headers(&self, headers: &[(String, String)]) -> DriverResult<()>;
    /// Makes navigations skip (true) or use (false) the browser's HTTP cache, so a question to the
    /// server is answered by the server, not by a page the browser kept.
    async fn set_cache_disabled(&self, disabled: bool) -> DriverResult<()>;
    async fn screenshot_png(&self) -> DriverResult<Vec<u8>>;

    /// Everything observed on the network since the last call, in order.
    async fn drain_network(&self) -> DriverResult<Vec<NetEvent>>;
    /// A command that keeps a remote session alive during idle waits without reaching the target's backend.
    async fn keep_alive(&self) -> DriverResult<()>;

    /// The Appium contexts of the session (`NATIVE_APP`, `WEBVIEW_1`, ...).
    async fn contexts(&self) -> DriverResult<Vec<String>>;
    /// Switches to the context named `name`, or else to the first whose name starts with it; the
    /// name switched to, or `None` when no context matches.
    async fn switch_context(&self, name: &str) -> DriverResult<Option<String>>;

    /// The content of a file of the app under test, through Appium's pullFile (`@package/...`
    /// paths reach a debuggable Android app's data directory). `Unsupported` where the driver has
    /// no such command (browsers, Appium drivers that leave it unimplemented).
    async fn pull_file(&self, path: &str) -> DriverResult<Vec<u8>>;

    /// Installs the settling probe ([`super::settle`]) in every document this session opens from
    /// now on; `Ok(false)` where the session cannot (native app contexts, endpoints without CDP or
    /// BiDi). Idempotent: later calls only report the first one's result.
    async fn watch_settling(&self) -> DriverResult<bool> {
        Ok(false)
    }

    /// One look at the current document: whether `css` and `other` match (asked in the same round
    /// trip) and how settled the document is (`settle: None` when it is not watched).
    async fn look(&self, css: Option<&str>, other: Option<&str>) -> DriverResult<Look> {
        let _ = (css, other);
        Ok(Look::default())
    }

    fn kind(&self) -> BrowserKind;
    /// Ends the session and removes its profile directory. Safe to call twice.
    async fn close(&self) -> DriverResult<()>;
}
