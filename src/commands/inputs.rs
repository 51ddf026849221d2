//! Turning CLI strings into typed inputs: variables, secrets, capabilities, driver configuration.

use super::error::CommandError::{self, BadInput};
use crate::cli::{BrowserArg, DriverArgs, InputArgs};
use crate::driver::{BrowserKind, DriverConfig};
use crate::redact::{Kind, Redactor};
use crate::scenario::Inputs;
use indexmap::IndexMap;

fn split_pair<'a>(flag: &str, text: &'a str) -> Result<(&'a str, Option<&'a str>), CommandError> {
    let (name, value) = match text.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (text, None),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
    {
        return Err(BadInput(format!(
            "{flag} wants NAME=VALUE with a name of letters, digits, `_`, `.` and `-` (got a malformed name)"
        )));
    }
    Ok((name, value))
}

/// Variables and secrets; secret values are registered for redaction before anything can print them.
pub fn inputs(args: &InputArgs, redactor: &Redactor) -> Result<Inputs, CommandError> {
    let mut vars = IndexMap::new();
    for v in &args.vars {
        let (name, value) = split_pair("--var", v)?;
        let Some(value) = value else {
            return Err(BadInput(format!(
                "--var {name} has no value; write --var {name}=VALUE"
            )));
        };
        vars.insert(name.to_string(), value.to_string());
    }
    let mut secrets = IndexMap::new();
    for s in &args.secrets {
        let (name, value) = split_pair("--secret", s)?;
        let value = match value {
            // Never echo the value in errors: only the name.
            Some(v) if v.starts_with('@') => std::fs::read_to_string(&v[1..])
                .map(|t| t.trim_end_matches(['\n', '\r']).to_string())
                .map_err(|e| {
                    BadInput(format!(
                        "--secret {name}: cannot read the file it names: {e}"
                    ))
                })?,
            Some(v) => v.to_string(),
            None => std::env::var(name).map_err(|_| {
                BadInput(format!(
                    "--secret {name}: the environment variable {name} is not set"
                ))
            })?,
        };
        redactor.register(Kind::Secret, &value);
        secrets.insert(name.to_string(), value);
    }
    let mut policy = Vec::new();
    for p in &args.policy {
        let Some((k, v)) = p.split_once('=') else {
            return Err(BadInput(format!(
                "--policy wants KEY=VALUE, e.g. --policy idle_timeout=5m (got `{p}`)"
            )));
        };
        policy.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Inputs {
        vars,
        secrets,
        policy,
        profile: args.profile.clone(),
        secrets_later: false,
    })
}

/// The driver configuration from the CLI, over the profile's browser and capabilities.
pub fn driver_config(
    args: &DriverArgs,
    profile_browser: Option<&str>,
    profile_caps: &serde_json::Map<String, serde_json::Value>,
) -> Result<DriverConfig, CommandError> {
    let browser = match (args.browser, profile_browser) {
        (Some(BrowserArg::Firefox), _) | (None, Some("firefox")) => BrowserKind::Firefox,
        _ => BrowserKind::Chrome,
    };
    let mut capabilities = profile_caps.clone();
    for c in &args.capabilities {
        let Some((name, json)) = c.split_once('=') else {
            return Err(BadInput(format!(
                "--capability wants NAME=JSON, e.g. 'goog:chromeOptions={{\"args\":[]}}' (got `{c}`)"
            )));
        };
        let value: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|_| serde_json::Value::String(json.to_string()));
        capabilities.insert(name.to_string(), value);
    }
    if browser == BrowserKind::Firefox
        && capabilities
            .get("goog:chromeOptions")
            .and_then(|o| o.get("mobileEmulation"))
            .is_some()
    {
        return Err(BadInput(
            "mobile emulation (`mobile_emulation`, or `mobileEmulation` in goog:chromeOptions) is Chrome's; \
             run this profile with --browser chrome, or leave the emulation out for Firefox"
                .into(),
        ));
    }
    // A native app on Appium is no browser of ours: no browser options, locators as written.
    let browser = if args.browser.is_none()
        && args.webdriver_url.is_some()
        && crate::driver::is_native_app(&capabilities)
    {
        BrowserKind::Remote
    } else {
        browser
    };
    Ok(DriverConfig {
        browser,
        driver_path: args.driver_path.clone(),
        browser_path: args.browser_path.clone(),
        webdriver_url: args.webdriver_url.clone(),
        capabilities,
        headless: !args.headed,
        ..DriverConfig::default()
    })
}
