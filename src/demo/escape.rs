//! Escaping for the pages: every piece of user-controlled text goes through `text` or `attr`, every
//! string put in an inline script through `js_string`. A leaf, so the page shell and the markup
//! rewriter can both use it.

use std::borrow::Cow;

pub fn text(s: &str) -> Cow<'_, str> {
    html_escape::encode_text(s)
}

pub fn attr(s: &str) -> Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(s)
}

/// A JSON string literal safe inside an inline `<script>`.
pub fn js_string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c")
}
