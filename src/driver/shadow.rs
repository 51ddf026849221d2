//! Locators that reach into open shadow roots: `HOST >>> INNER` in a CSS locator finds INNER inside the
//! open shadow root of the element HOST matches (`a >>> b >>> c` for roots inside roots). CSS has no
//! `>>>` (the old `/deep/` and `>>>` combinators were dropped from it), so no CSS selector a profile
//! could mean is read another way. Puppeteer and WebdriverIO spell their deep selector the same; here
//! the path is explicit (each host is named), the way WebDriver walks it: "Get Element Shadow Root",
//! then "Find Element(s) From Shadow Root" with the next selector (W3C WebDriver, §12.3.4 and
//! §12.3.8), commands thirtyfour 0.38 does not wrap.

use std::sync::Arc;

use http::Method;
use serde_json::{Value, json};
use thirtyfour::common::command::ExtensionCommand;

/// A page script's `usherQuery(css, all)`: `querySelector` (`querySelectorAll` with `all`) that walks a
/// `>>>` path the way the driver does (each host its selector's first match); it throws on invalid
/// CSS as `querySelector` does. For scripts that find a locator's element in the page themselves.
macro_rules! query_js {
    () => {
        r#"const usherQuery = (css, all) => {
  const parts = String(css).split('>>>').map((p) => p.trim());
  let root = document;
  if (parts.length > 1 && parts.every((p) => p)) {
    for (const p of parts.slice(0, -1)) {
      const host = root.querySelector(p);
      if (!host || !host.shadowRoot) return all ? [] : null;
      root = host.shadowRoot;
    }
    css = parts[parts.length - 1];
  }
  return all ? Array.from(root.querySelectorAll(css)) : root.querySelector(css);
};
"#
    };
}
pub(crate) use query_js;

/// The combinator, with the spaces around it optional.
pub const PIERCE: &str = ">>>";

/// The CSS selectors of a shadow path, outermost first; `None` for a selector without `>>>`.
/// Empty parts (`>>> #x`, `a >>>`) make no path: the locator goes to the driver as written and
/// fails there as the invalid CSS it is.
pub fn path(css: &str) -> Option<Vec<&str>> {
    if !css.contains(PIERCE) {
        return None;
    }
    let parts: Vec<&str> = css.split(PIERCE).map(str::trim).collect();
    (parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())).then_some(parts)
}

/// GET /element/{id}/shadow: the element's open shadow root.
#[derive(Debug)]
pub struct GetShadowRoot(pub String);

impl ExtensionCommand for GetShadowRoot {
    fn parameters_json(&self) -> Option<Value> {
        None
    }

    fn method(&self) -> Method {
        Method::GET
    }

    fn endpoint(&self) -> Arc<str> {
        format!("/element/{}/shadow", self.0).into()
    }
}

/// POST /shadow/{id}/elements: the elements a CSS selector matches inside a shadow root.
#[derive(Debug)]
pub struct FindInShadowRoot {
    pub root: String,
    pub css: String,
}

impl ExtensionCommand for FindInShadowRoot {
    fn parameters_json(&self) -> Option<Value> {
        Some(json!({ "using": "css selector", "value": self.css }))
    }

    fn method(&self) -> Method {
        Method::POST
    }

    fn endpoint(&self) -> Arc<str> {
        format!("/shadow/{}/elements", self.root).into()
    }
}

/// The shadow root id in a "Get Element Shadow Root" answer.
pub fn root_id(value: &Value) -> Option<String> {
    value
        .get("shadow-6066-11e4-a52e-4f735466cecf")
        .and_then(Value::as_str)
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_needs_a_selector_on_each_side() {
        assert_eq!(path("#login"), None);
        assert_eq!(path("div > p"), None);
        assert_eq!(
            path("login-box >>> #email"),
            Some(vec!["login-box", "#email"])
        );
        assert_eq!(path("a>>>b >>> c d"), Some(vec!["a", "b", "c d"]));
        assert_eq!(path(">>> #x"), None);
        assert_eq!(path("a >>>"), None);
        assert_eq!(path("a >>> >>> b"), None);
    }

    /// What reads server-sent HTML (identity over HTTP, the login replayed over HTTP) takes a
    /// locator as CSS only if it parses: a shadow path must not, so it is never read as something else.
    #[test]
    fn html_scrapers_refuse_a_shadow_path() {
        assert!(scraper::Selector::parse("login-box >>> #email").is_err());
        assert!(scraper::Selector::parse("login-box #email").is_ok());
    }

    #[test]
    fn the_commands_are_w3c() {
        assert_eq!(
            &*GetShadowRoot("e1".into()).endpoint(),
            "/element/e1/shadow"
        );
        let find = FindInShadowRoot {
            root: "s1".into(),
            css: "#email".into(),
        };
        assert_eq!(&*find.endpoint(), "/shadow/s1/elements");
        assert_eq!(
            find.parameters_json(),
            Some(json!({"using": "css selector", "value": "#email"}))
        );
        assert_eq!(
            root_id(&json!({"shadow-6066-11e4-a52e-4f735466cecf": "s9"})).as_deref(),
            Some("s9")
        );
    }
}
