//! [`Locator`] to the wire selector a WebDriver server understands.

use thirtyfour::common::command::Selector;

use super::session::{BrowserKind, Locator};

fn css_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\a "),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The selector to send. Browsers (W3C) only know `css selector`, `xpath`, `link text`,
/// `partial link text` and `tag name`, so `id`, `name` and `class name` become CSS there; on a
/// remote endpoint we did not pick (Appium) they, and every other strategy (`accessibility id`,
/// `-android uiautomator`, `-ios predicate string`, ...), go through untouched.
pub(crate) fn to_selector(kind: BrowserKind, locator: &Locator) -> Selector {
    let value = locator.value.as_str();
    let strategy = locator.strategy.trim();
    let web = kind != BrowserKind::Remote;
    match strategy.to_ascii_lowercase().as_str() {
        "" | "css" | "css selector" => Selector::new("css selector", value),
        "xpath" => Selector::new("xpath", value),
        "link text" => Selector::new("link text", value),
        "partial link text" => Selector::new("partial link text", value),
        "tag name" | "tag" => Selector::new("tag name", value),
        "id" if web => Selector::new("css selector", format!("[id={}]", css_string(value))),
        "name" if web => Selector::new("css selector", format!("[name={}]", css_string(value))),
        "class name" if web => {
            Selector::new("css selector", format!("[class~={}]", css_string(value)))
        }
        _ => Selector::new(strategy, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(kind: BrowserKind, strategy: &str, value: &str) -> (String, String) {
        let s = to_selector(
            kind,
            &Locator {
                strategy: strategy.into(),
                value: value.into(),
            },
        );
        (s.name.to_string(), s.query.to_string())
    }

    #[test]
    fn browser_strategies_become_w3c() {
        assert_eq!(
            sel(BrowserKind::Chrome, "id", "a\"b"),
            ("css selector".into(), "[id=\"a\\\"b\"]".into())
        );
        assert_eq!(
            sel(BrowserKind::Chrome, "name", "user"),
            ("css selector".into(), "[name=\"user\"]".into())
        );
        assert_eq!(
            sel(BrowserKind::Chrome, "class name", "btn"),
            ("css selector".into(), "[class~=\"btn\"]".into())
        );
        assert_eq!(
            sel(BrowserKind::Chrome, "", "#x"),
            ("css selector".into(), "#x".into())
        );
        assert_eq!(
            sel(BrowserKind::Chrome, "XPath", "//a"),
            ("xpath".into(), "//a".into())
        );
    }

    #[test]
    fn remote_strategies_pass_through() {
        assert_eq!(
            sel(BrowserKind::Remote, "id", "login"),
            ("id".into(), "login".into())
        );
        assert_eq!(
            sel(BrowserKind::Remote, "accessibility id", "Login"),
            ("accessibility id".into(), "Login".into())
        );
        assert_eq!(
            sel(
                BrowserKind::Remote,
                "-android uiautomator",
                "new UiSelector()"
            ),
            ("-android uiautomator".into(), "new UiSelector()".into())
        );
        assert_eq!(
            sel(BrowserKind::Chrome, "-ios predicate string", "x"),
            ("-ios predicate string".into(), "x".into())
        );
    }
}
