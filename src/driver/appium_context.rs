//! Appium contexts (`NATIVE_APP`, `WEBVIEW_1`, `WEBVIEW_com.example.app`, ...): Appium's own routes,
//! which thirtyfour does not wrap, and how a command the current context cannot run is told apart
//! from a broken session.
//!
//! In a native context there are no cookies, no page and no JavaScript: Appium answers such commands
//! with `unknown method` (not implemented here), `unknown command` or `unsupported operation`, or an
//! "invalid context" error. Those become [`DriverError::Unsupported`], so a check that needs the
//! session token can say SKIPPED with a hint instead of reporting a harness failure.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use thirtyfour::WebDriver;
use thirtyfour::common::command::{Command, ExtensionCommand};
use thirtyfour::error::{WebDriverErrorInner, WebDriverResult};
use thirtyfour::prelude::WebDriverError;

use super::session::{DriverError, DriverResult};

/// Whether capabilities ask an Appium endpoint for a native app (an app file, package or bundle,
/// and no browser) rather than a browser: such a session gets no browser options from usher and
/// its locators go to the driver as written.
pub fn is_native_app(caps: &serde_json::Map<String, Value>) -> bool {
    let has = |name: &str| caps.contains_key(name) || caps.contains_key(&format!("appium:{name}"));
    (has("app") || has("appPackage") || has("bundleId")) && !caps.contains_key("browserName")
}

/// `GET /session/:id/contexts`.
#[derive(Debug)]
struct GetContexts;

impl ExtensionCommand for GetContexts {
    fn parameters_json(&self) -> Option<Value> {
        None
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::GET
    }

    fn endpoint(&self) -> Arc<str> {
        "/contexts".into()
    }
}

/// `POST /session/:id/context {"name": ...}`.
#[derive(Debug)]
struct SetContext(String);

impl ExtensionCommand for SetContext {
    fn parameters_json(&self) -> Option<Value> {
        Some(json!({ "name": self.0 }))
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> Arc<str> {
        "/context".into()
    }
}

pub(crate) async fn list(driver: &WebDriver) -> WebDriverResult<Vec<String>> {
    driver
        .handle()
        .cmd(Command::ExtensionCommand(Box::new(GetContexts)))
        .await?
        .value()
}

/// Switches to the context named `wanted`, or else to the first whose name starts with it
/// (`WEBVIEW` finds `WEBVIEW_com.example.app`, whose suffix a profile cannot know in advance).
/// `None` when no context matches (yet: WebViews appear once the app creates them).
pub(crate) async fn switch(driver: &WebDriver, wanted: &str) -> WebDriverResult<Option<String>> {
    let names = list(driver).await?;
    let Some(name) = pick(&names, wanted) else {
        return Ok(None);
    };
    driver
        .handle()
        .cmd(Command::ExtensionCommand(Box::new(SetContext(
            name.clone(),
        ))))
        .await?;
    Ok(Some(name))
}

fn pick(names: &[String], wanted: &str) -> Option<String> {
    names
        .iter()
        .find(|n| *n == wanted)
        .or_else(|| names.iter().find(|n| n.starts_with(wanted)))
        .cloned()
}

/// Whether the endpoint refused the command because the current context cannot run it (a native
/// context asked for cookies or a script), rather than because the session broke.
fn unavailable_here(e: &WebDriverError) -> bool {
    matches!(
        e.as_inner(),
        WebDriverErrorInner::UnknownCommand(_)
            | WebDriverErrorInner::UnknownMethod(_)
            | WebDriverErrorInner::UnsupportedOperation(_)
    ) || e
        .to_string()
        .to_ascii_lowercase()
        .contains("in the current context")
}

/// Like the session's bounded call, but a command the current context cannot run is
/// [`DriverError::Unsupported`].
pub(crate) async fn bounded<T>(
    timeout: Duration,
    what: &str,
    fut: impl Future<Output = WebDriverResult<T>>,
) -> DriverResult<T> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) if unavailable_here(&e) => {
            let why = e.to_string();
            let why = why.split("Stacktrace").next().unwrap_or(&why);
            let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
            Err(DriverError::Unsupported(format!(
                "{what} in the session's current context ({})",
                why.chars().take(200).collect::<String>()
            )))
        }
        Ok(Err(e)) => Err(DriverError::Session(format!("{what}: {e}"))),
        Err(_) => Err(DriverError::Timeout(timeout, what.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn native_app_capabilities() {
        let caps = |v: Value| v.as_object().unwrap().clone();
        assert!(is_native_app(&caps(json!({"appium:app": "/a.apk"}))));
        assert!(is_native_app(&caps(
            json!({"appium:appPackage": "com.x", "appium:appActivity": ".Main"})
        )));
        assert!(is_native_app(&caps(json!({"appium:bundleId": "com.x"}))));
        assert!(!is_native_app(&caps(
            json!({"appium:automationName": "Chromium"})
        )));
        assert!(!is_native_app(&caps(
            json!({"appium:app": "/a.apk", "browserName": "chrome"})
        )));
    }

    #[test]
    fn exact_name_wins_over_prefix() {
        let all = names(&["NATIVE_APP", "WEBVIEW_10", "WEBVIEW_1"]);
        assert_eq!(pick(&all, "WEBVIEW_1").as_deref(), Some("WEBVIEW_1"));
        assert_eq!(pick(&all, "WEBVIEW").as_deref(), Some("WEBVIEW_10"));
        assert_eq!(pick(&all, "NATIVE_APP").as_deref(), Some("NATIVE_APP"));
        assert_eq!(pick(&all, "CHROMIUM"), None);
    }

    #[test]
    fn not_implemented_here_is_unsupported() {
        let info = |m: &str| thirtyfour::error::WebDriverErrorInfo::new(m.to_string());
        let unknown_method: WebDriverError =
            WebDriverErrorInner::UnknownMethod(info("Method has not yet been implemented")).into();
        assert!(unavailable_here(&unknown_method));
        let wrong_context: WebDriverError = WebDriverErrorInner::UnknownError(info(
            "That command could not be executed in the current context.",
        ))
        .into();
        assert!(unavailable_here(&wrong_context));
        let broken: WebDriverError = WebDriverErrorInner::InvalidSessionId(info("gone")).into();
        assert!(!unavailable_here(&broken));
    }
}
