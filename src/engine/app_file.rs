//! Finding the session token in a file of a native app's storage (pulled through Appium): the
//! value of one key in Android SharedPreferences XML, JSON, or `KEY=VALUE` lines. A hand-written
//! reader, not a full parser: these files are small and machine-written.

use std::fmt;

/// How a file was read, for the message when the key is not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `<map><string name="KEY">VALUE</string><long name="KEY" value="1" /></map>`.
    Xml,
    Json,
    /// `KEY=VALUE` lines (`.env`, Java properties, shell-style exports).
    Lines,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xml => "SharedPreferences XML",
            Format::Json => "JSON",
            Format::Lines => "KEY=VALUE lines",
        })
    }
}

pub fn format_of(content: &str) -> Format {
    let body = content.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('<') {
        Format::Xml
    } else if (body.starts_with('{') || body.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(body).is_ok()
    {
        Format::Json
    } else {
        Format::Lines
    }
}

/// The value of `key` in `content`, read as [`format_of`] says; the first one in document order.
pub fn extract(content: &str, key: &str) -> Option<String> {
    let body = content.trim_start_matches('\u{feff}');
    match format_of(body) {
        Format::Xml => from_xml(body, key),
        Format::Json => serde_json::from_str(body.trim())
            .ok()
            .and_then(|v| from_json(&v, key)),
        Format::Lines => from_lines(body, key),
    }
}

/// Depth first: the token is often nested (`{"session": {"token": ...}}`). Only a scalar counts;
/// a key holding an object is searched on.
fn from_json(v: &serde_json::Value, key: &str) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Object(map) => map.iter().find_map(|(k, v)| match v {
            Value::String(s) if k == key => Some(s.clone()),
            Value::Number(n) if k == key => Some(n.to_string()),
            Value::Bool(b) if k == key => Some(b.to_string()),
            other => from_json(other, key),
        }),
        Value::Array(items) => items.iter().find_map(|i| from_json(i, key)),
        _ => None,
    }
}

fn from_lines(body: &str, key: &str) -> Option<String> {
    body.lines().find_map(|line| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with('!') || line.starts_with(';') {
            return None;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| unquote(v.trim()).to_string())
    })
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// SharedPreferences: `<string name="K">V</string>` (text content), or `<int|long|boolean|float
/// name="K" value="V" />` (an attribute).
fn from_xml(body: &str, key: &str) -> Option<String> {
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if rest.starts_with("!--") {
            rest = &rest[rest.find("-->")? + 3..];
            continue;
        }
        let end = tag_end(rest)?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with(['?', '!', '/']) {
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(tag.len());
        let (element, attrs) = tag.split_at(name_end);
        let attrs = attributes(attrs);
        if !attrs
            .iter()
            .any(|(n, v)| *n == "name" && unescape(v) == key)
        {
            continue;
        }
        if let Some((_, v)) = attrs.iter().find(|(n, _)| *n == "value") {
            return Some(unescape(v));
        }
        if self_closing {
            return Some(String::new());
        }
        let close = format!("</{element}");
        let text = &rest[..rest.find(&close)?];
        return Some(unescape(text));
    }
    None
}

/// The `>` that ends a tag, not one inside a quoted attribute value.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn attributes(mut s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        let Some(eq) = s.find('=') else {
            return out;
        };
        let name = s[..eq].trim();
        s = s[eq + 1..].trim_start();
        let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return out;
        };
        let Some(close) = s[1..].find(q) else {
            return out;
        };
        out.push((name, &s[1..1 + close]));
        s = &s[close + 2..];
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|i| *i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFS: &str = r#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
<map>
    <!-- <string name="session_token">commented-out</string> -->
    <string name="user_email">alice@example.test</string>
    <string name="session_token">eyJhbGciOi.J9&amp;x&lt;y&#65;&#x42;</string>
    <long name="expires_at" value="1764000000" />
    <boolean name="remember" value="true" />
    <string name="empty"></string>
    <string name="quoted">a &quot;b&quot; > c</string>
</map>
"#;

    #[test]
    fn shared_preferences_xml() {
        assert_eq!(format_of(PREFS), Format::Xml);
        let get = |k: &str| extract(PREFS, k);
        assert_eq!(get("session_token").as_deref(), Some("eyJhbGciOi.J9&x<yAB"));
        assert_eq!(get("user_email").as_deref(), Some("alice@example.test"));
        assert_eq!(get("expires_at").as_deref(), Some("1764000000"));
        assert_eq!(get("remember").as_deref(), Some("true"));
        assert_eq!(get("empty").as_deref(), Some(""));
        assert_eq!(get("quoted").as_deref(), Some("a \"b\" > c"));
        assert_eq!(get("session"), None);
        assert_eq!(get("map"), None);
    }

    #[test]
    fn xml_attribute_order_and_quotes_do_not_matter() {
        let xml = "<map><string\n  name='tok'>v1</string><int value=\"7\" name=\"n\"/></map>";
        assert_eq!(extract(xml, "tok").as_deref(), Some("v1"));
        assert_eq!(extract(xml, "n").as_deref(), Some("7"));
        let gt_in_value = r#"<map><x name="a>b" value="1"/><string name="k">v</string></map>"#;
        assert_eq!(extract(gt_in_value, "a>b").as_deref(), Some("1"));
        assert_eq!(extract(gt_in_value, "k").as_deref(), Some("v"));
    }

    #[test]
    fn truncated_xml_is_no_value() {
        assert_eq!(extract("<map><string name=\"k\">v", "k"), None);
        assert_eq!(extract("<map><string name=\"k", "k"), None);
    }

    #[test]
    fn json_at_any_depth_first_in_document_order() {
        let json = r#"{"user": {"email": "a@x", "auth": {"session_token": "t-1", "n": 5}},
                       "items": [{"session_token": "t-2"}], "flag": false,
                       "session_token_obj": {"session_token": "t-3"}}"#;
        assert_eq!(format_of(json), Format::Json);
        assert_eq!(extract(json, "session_token").as_deref(), Some("t-1"));
        assert_eq!(extract(json, "n").as_deref(), Some("5"));
        assert_eq!(extract(json, "flag").as_deref(), Some("false"));
        assert_eq!(extract(json, "email").as_deref(), Some("a@x"));
        assert_eq!(extract(json, "auth"), None, "an object is not a token");
        assert_eq!(extract(json, "missing"), None);
        let list = r#"[{"a": 1}, {"tok": "in-a-list"}]"#;
        assert_eq!(extract(list, "tok").as_deref(), Some("in-a-list"));
    }

    #[test]
    fn key_value_lines() {
        let env = "# comment\n! also\nuser=alice\n export  TOKEN = \"abc=def\" \nother='x'\nTOKEN=second\nplain\n";
        assert_eq!(format_of(env), Format::Lines);
        assert_eq!(extract(env, "TOKEN").as_deref(), Some("abc=def"));
        assert_eq!(extract(env, "other").as_deref(), Some("x"));
        assert_eq!(extract(env, "user").as_deref(), Some("alice"));
        assert_eq!(extract(env, "plain"), None);
        assert_eq!(extract(env, "comment"), None);
        assert_eq!(extract("", "TOKEN"), None);
    }

    #[test]
    fn broken_json_is_read_as_lines() {
        let text = "{not json\ntoken=t";
        assert_eq!(format_of(text), Format::Lines);
        assert_eq!(extract(text, "token").as_deref(), Some("t"));
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        assert_eq!(extract("\u{feff}{\"k\": \"v\"}", "k").as_deref(), Some("v"));
        assert_eq!(extract("\u{feff}k=v", "k").as_deref(), Some("v"));
    }

    #[test]
    fn unknown_entities_stay_as_written() {
        assert_eq!(
            unescape("a&b;c &nope; &#xZZ; &amp"),
            "a&b;c &nope; &#xZZ; &amp"
        );
    }
}
