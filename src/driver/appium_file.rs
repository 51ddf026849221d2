//! Appium's `pullFile`: a file of the app under test (a debuggable Android build's data directory,
//! an iOS app container), which is where a native app keeps a session token no cookie or script
//! can reach.
//!
//! Browsers (chromedriver, geckodriver) do not have the route and Appium drivers without it (the
//! fake driver) leave it unimplemented: both are [`DriverError::Unsupported`], so a check that
//! needs the token says SKIPPED; any other failure (no such file, an app that is not debuggable) is
//! a [`DriverError::Session`] with the driver's message.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use thirtyfour::WebDriver;
use thirtyfour::common::command::{Command, ExtensionCommand};
use thirtyfour::error::{WebDriverError, WebDriverErrorInner};

use super::session::{DriverError, DriverResult};

/// `POST /session/:id/appium/device/pull_file {"path": ...}`; the answer is the file in base64.
#[derive(Debug)]
struct PullFile(String);

impl ExtensionCommand for PullFile {
    fn parameters_json(&self) -> Option<Value> {
        Some(json!({ "path": self.0 }))
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> Arc<str> {
        "/appium/device/pull_file".into()
    }
}

pub(crate) async fn pull(
    driver: &WebDriver,
    timeout: Duration,
    path: &str,
) -> DriverResult<Vec<u8>> {
    let what = format!("pulling app file `{path}` (Appium pullFile)");
    let fut = async {
        driver
            .handle()
            .cmd(Command::ExtensionCommand(Box::new(PullFile(
                path.to_string(),
            ))))
            .await?
            .value_json()
    };
    let encoded = match tokio::time::timeout(timeout, fut).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) if not_implemented(&e) => {
            return Err(DriverError::Unsupported(format!(
                "{what}: the driver has no such command ({})",
                short(&e)
            )));
        }
        Ok(Err(e)) => return Err(DriverError::Session(format!("{what}: {}", short(&e)))),
        Err(_) => return Err(DriverError::Timeout(timeout, what)),
    };
    decode(&encoded).map_err(|why| DriverError::Session(format!("{what}: {why}")))
}

/// No route (chromedriver, geckodriver: `unknown command`) or a route the driver leaves
/// unimplemented (Appium's base driver: `unknown method`, "not yet implemented").
fn not_implemented(e: &WebDriverError) -> bool {
    matches!(
        e.as_inner(),
        WebDriverErrorInner::UnknownCommand(_)
            | WebDriverErrorInner::UnknownMethod(_)
            | WebDriverErrorInner::UnsupportedOperation(_)
    )
}

/// The driver's message on one line, without the stack trace drivers append.
fn short(e: &WebDriverError) -> String {
    let text = e.to_string();
    let text = text.split("Stacktrace").next().unwrap_or(&text);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn decode(encoded: &Value) -> Result<Vec<u8>, String> {
    let text = encoded.as_str().ok_or_else(|| {
        format!(
            "the driver answered {} instead of base64 text",
            kind(encoded)
        )
    })?;
    // Some drivers wrap long base64 output in lines.
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| format!("the driver's answer is not base64 ({e})"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64_even_wrapped() {
        assert_eq!(decode(&json!("a2V5PXZhbHVl")).unwrap(), b"key=value");
        assert_eq!(decode(&json!("a2V5PX\nZhbHVl\n")).unwrap(), b"key=value");
        assert_eq!(decode(&json!("")).unwrap(), b"");
    }

    #[test]
    fn missing_command_is_unsupported_other_failures_are_not() {
        let info = |m: &str| thirtyfour::error::WebDriverErrorInfo::new(m.to_string());
        let e = |inner: WebDriverErrorInner| -> WebDriverError { inner.into() };
        assert!(not_implemented(&e(WebDriverErrorInner::UnknownCommand(
            info("no route")
        ))));
        assert!(not_implemented(&e(WebDriverErrorInner::UnknownMethod(
            info("Method has not yet been implemented")
        ))));
        assert!(!not_implemented(&e(WebDriverErrorInner::UnknownError(
            info("Remote path does not exist")
        ))));
        let long = e(WebDriverErrorInner::UnknownError(info(&"x ".repeat(400))));
        assert!(short(&long).ends_with('…') && short(&long).chars().count() <= 301);
    }

    #[test]
    fn refuses_what_is_not_base64() {
        assert!(
            decode(&json!("not base64!"))
                .unwrap_err()
                .contains("not base64")
        );
        assert!(decode(&json!(null)).unwrap_err().contains("null"));
        assert!(decode(&json!({"a": 1})).unwrap_err().contains("an object"));
    }
}
