//! One page as discovery reads it: the login and password forms, the log-in and log-out controls, the
//! elements showing a username and the links, each with a selector the page itself proved unique.

use crate::driver::{DriverResult, Locator, Session};
use serde::Deserialize;
use std::time::{Duration, Instant};

const SCAN: &str = include_str!("scan.js");

/// A selector that matched exactly one element when the page was read, and why it was chosen.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Sel {
    #[serde(default)]
    pub css: Option<String>,
    #[serde(default)]
    pub xpath: Option<String>,
    #[serde(default)]
    pub why: String,
}

impl Sel {
    pub fn locator(&self) -> Locator {
        match (&self.css, &self.xpath) {
            (Some(c), _) => Locator::css(c.clone()),
            (None, Some(x)) => Locator {
                strategy: "xpath".into(),
                value: x.clone(),
            },
            (None, None) => Locator::css(":not(*)"),
        }
    }

    /// As a profile writes it: a CSS string, or `{ xpath: ... }`, single-quoted for YAML.
    pub fn yaml(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        match (&self.css, &self.xpath) {
            (Some(c), _) => quote(c),
            (None, Some(x)) => format!("{{ xpath: {} }}", quote(x)),
            (None, None) => "''".into(),
        }
    }

    /// For comments and the table.
    pub fn show(&self) -> String {
        self.css
            .clone()
            .or_else(|| self.xpath.clone())
            .unwrap_or_default()
    }
}

/// One control or field.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Element {
    pub sel: Option<Sel>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub href: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LoginForm {
    pub user: Option<Element>,
    pub pass: Option<Element>,
    pub submit: Option<Element>,
    /// Inside a `<form>` (else a box of controls a script submits).
    #[serde(default)]
    pub form: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FirstStep {
    pub user: Option<Element>,
    pub submit: Option<Element>,
}

/// A form asking only for a username or e-mail address.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestForm {
    pub user: Option<Element>,
    pub submit: Option<Element>,
    /// The form's words, to tell a reset request from a newsletter box.
    #[serde(default)]
    pub words: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChangeForm {
    pub current: Option<Element>,
    pub new: Option<Element>,
    pub confirm: Option<Element>,
    pub submit: Option<Element>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Logout {
    #[serde(flatten)]
    pub element: Element,
    /// Submits a POST form (else a link or a script's button).
    #[serde(default)]
    pub post: bool,
    /// Names of the form's hidden inputs (a CSRF nonce among them).
    #[serde(default)]
    pub hidden: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Scan {
    pub url: String,
    #[serde(default)]
    pub logins: Vec<LoginForm>,
    #[serde(default)]
    pub changes: Vec<ChangeForm>,
    pub first_step: Option<FirstStep>,
    #[serde(default)]
    pub requests: Vec<RequestForm>,
    #[serde(default)]
    pub login_links: Vec<Element>,
    /// "Forgot your password?" links.
    #[serde(default)]
    pub reset_links: Vec<Element>,
    #[serde(default)]
    pub logouts: Vec<Logout>,
    #[serde(default)]
    pub identity: Vec<Element>,
    #[serde(default)]
    pub links: Vec<crate::engine::browse::Link>,
    /// URLs of same-origin frames holding a password field.
    #[serde(default)]
    pub framed: Vec<String>,
    /// Hosts of open shadow roots holding a password field.
    #[serde(default)]
    pub shadowed: Vec<Element>,
}

/// How long a page may keep working (timers, fetches, scripts) before it is read as it is.
const SETTLE_CEILING: Duration = Duration::from_secs(5);
/// Quiet this long (no DOM change, nothing pending) counts as settled.
const QUIET: Duration = Duration::from_millis(100);

/// Waits until the current page has settled (src/driver/settle.rs: loaded, no timer, fetch or script
/// pending, no DOM change for a moment), so a form a script builds after the load event is read once
/// it is there. `false` when the session does not watch settling: the caller waits its own way.
pub async fn settle(s: &dyn Session) -> DriverResult<bool> {
    let until = Instant::now() + SETTLE_CEILING;
    loop {
        let Some(state) = s.look(None, None).await?.settle else {
            return Ok(false);
        };
        // Work pending for half the ceiling is a long-lived connection (a long-poll), not a render.
        if state.is_settled(QUIET, SETTLE_CEILING / 2) || Instant::now() >= until {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Reads the current page once it has settled; `username` names the elements showing it.
pub async fn scan(s: &dyn Session, username: &str) -> DriverResult<Scan> {
    scan_in(s, username, "").await
}

/// Reads the open shadow root at `root` (a `>>>` path of hosts, src/driver/shadow.rs; "" for the
/// document); its selectors start with that path.
pub async fn scan_in(s: &dyn Session, username: &str, root: &str) -> DriverResult<Scan> {
    settle(s).await?;
    let v = s.execute(SCAN, vec![username.into(), root.into()]).await?;
    serde_json::from_value(v).map_err(|e| {
        crate::driver::DriverError::Session(format!("reading the page for discovery: {e}"))
    })
}

/// How many elements `sel` matches on the current page.
pub async fn count(s: &dyn Session, sel: &Sel) -> DriverResult<usize> {
    const COUNT: &str = concat!(
        crate::driver::shadow::query_js!(),
        r#"
const [css, xp] = arguments;
try {
  if (css) return usherQuery(css, true).length;
  return document.evaluate(xp, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength;
} catch (e) { return -1; }"#
    );
    let v = s
        .execute(
            COUNT,
            vec![
                sel.css.clone().into(),
                sel.xpath.clone().unwrap_or_default().into(),
            ],
        )
        .await?;
    Ok(v.as_i64().unwrap_or(-1).max(0) as usize)
}

/// Whether `sel` appears within `wait` (pages that render late).
pub async fn appears(s: &dyn Session, sel: &Sel, wait: Duration) -> DriverResult<bool> {
    let until = Instant::now() + wait;
    loop {
        if count(s, sel).await? > 0 {
            return Ok(true);
        }
        if Instant::now() >= until {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
