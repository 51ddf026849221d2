//! Element locators as written in scenarios: a CSS selector string, or a one-key mapping naming the
//! strategy (`xpath`, `id`, `accessibility_id`, `android_uiautomator`, ...), passed through to the driver.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The strategies a mapping may name, with the WebDriver/Appium strategy string each becomes.
pub const STRATEGIES: &[(&str, &str)] = &[
    ("css", "css selector"),
    ("xpath", "xpath"),
    ("id", "id"),
    ("name", "name"),
    ("link_text", "link text"),
    ("class_name", "class name"),
    ("tag_name", "tag name"),
    ("accessibility_id", "accessibility id"),
    ("android_uiautomator", "-android uiautomator"),
    ("ios_predicate", "-ios predicate string"),
    ("ios_class_chain", "-ios class chain"),
];

/// Where to find an element: `"#login"` (CSS) or `{xpath: "//button"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LocatorDoc {
    /// A CSS selector; `HOST >>> INNER` finds INNER inside the open shadow root of HOST (chains go
    /// deeper: `a >>> b >>> #field`).
    Css(String),
    /// One strategy and its value, e.g. `{accessibility_id: login}`.
    Strategy(std::collections::BTreeMap<String, String>),
}

impl LocatorDoc {
    /// The (WebDriver strategy, value) pair.
    pub fn resolve(&self) -> (String, String) {
        match self {
            LocatorDoc::Css(s) => ("css selector".into(), s.clone()),
            LocatorDoc::Strategy(m) => {
                let (k, v) = m.iter().next().expect("validated: one key");
                let strategy = STRATEGIES
                    .iter()
                    .find(|(name, _)| name == k)
                    .map(|(_, s)| s.to_string())
                    .unwrap_or_else(|| k.clone());
                (strategy, v.clone())
            }
        }
    }
}

impl<'de> Deserialize<'de> for LocatorDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) if s.trim().is_empty() => {
                Err(D::Error::custom("a locator must not be empty"))
            }
            serde_json::Value::String(s) => Ok(LocatorDoc::Css(s)),
            serde_json::Value::Object(m) => {
                if m.len() != 1 {
                    return Err(D::Error::custom(format!(
                        "a locator mapping has exactly one strategy key, found {}; valid: {}",
                        m.len(),
                        strategy_names()
                    )));
                }
                let (k, v) = m.into_iter().next().expect("one entry");
                if !STRATEGIES.iter().any(|(n, _)| *n == k) {
                    let hint = crate::scenario::suggest::did_you_mean(
                        &k,
                        STRATEGIES.iter().map(|(n, _)| *n),
                    );
                    return Err(D::Error::custom(format!(
                        "unknown locator strategy `{k}`{hint}; valid: {}",
                        strategy_names()
                    )));
                }
                match v {
                    serde_json::Value::String(s) => Ok(LocatorDoc::Strategy([(k, s)].into())),
                    other => Err(D::Error::custom(format!(
                        "the `{k}` locator takes a string, found {}",
                        crate::scenario::suggest::json_kind(&other)
                    ))),
                }
            }
            other => Err(D::Error::custom(format!(
                "expected a locator (a CSS selector string or e.g. `{{xpath: ...}}`), found {}",
                crate::scenario::suggest::json_kind(&other)
            ))),
        }
    }
}

fn strategy_names() -> String {
    STRATEGIES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
