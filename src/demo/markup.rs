//! Markup variants (`usher demo serve --markup VARIANT`): the same site written the ways real login
//! pages are written (no ids, labels and ARIA only, placeholders, `<input type=submit>`, another
//! language, a login in two steps), so `usher discover` is proved on more than one way of writing a
//! page. Each variant rewrites the HTML the pages render, after them: no page knows about variants,
//! and the server's behaviour (what it accepts, whom it logs in) is the same under every one.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Markup {
    /// Ticketbooth as written: ids on every control, labels tied to them.
    #[default]
    Plain,
    /// No `id` anywhere: each becomes a class (kept off elements that have one); labels lose `for`.
    NoIds,
    /// No ids and no visible labels: each field carries its label as `aria-label`.
    AriaOnly,
    /// No ids and no labels: each field says what it is in its `placeholder`.
    PlaceholderOnly,
    /// Every `<button>` is an `<input type="submit" value="...">`.
    InputSubmit,
    /// The page in German: "Anmelden", "Abmelden", "Passwort".
    Localized,
    /// The login asks for the email first (a GET form), then for the password on the next page.
    TwoStep,
}

impl Markup {
    pub const ALL: [Markup; 7] = [
        Markup::Plain,
        Markup::NoIds,
        Markup::AriaOnly,
        Markup::PlaceholderOnly,
        Markup::InputSubmit,
        Markup::Localized,
        Markup::TwoStep,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Markup::Plain => "plain",
            Markup::NoIds => "no-ids",
            Markup::AriaOnly => "aria-only",
            Markup::PlaceholderOnly => "placeholder-only",
            Markup::InputSubmit => "input-submit",
            Markup::Localized => "localized",
            Markup::TwoStep => "two-step",
        }
    }

    /// The page as this variant writes it; `path` and `query` are the request's (the two-step login
    /// shows its second step when the email is in the query).
    pub fn apply(self, html: &str, path: &str, query: &str) -> String {
        match self {
            Markup::Plain => html.to_string(),
            Markup::NoIds => without_ids(html, true),
            Markup::AriaOnly => without_ids(&labels_into(html, "aria-label"), false),
            Markup::PlaceholderOnly => without_ids(&labels_into(html, "placeholder"), false),
            Markup::InputSubmit => input_submits(html),
            Markup::Localized => localized(html),
            Markup::TwoStep if path == "/login" => two_step(html, query),
            Markup::TwoStep => html.to_string(),
        }
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Markup {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Markup::ALL
            .into_iter()
            .find(|m| m.name() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Markup::ALL.iter().map(|m| m.name()).collect();
                format!("unknown markup `{s}`; one of: {}", names.join(", "))
            })
    }
}

/// The middleware: rewrites HTML responses under the configured variant (its state: the config's
/// `markup`).
pub async fn rewrite(State(markup): State<Markup>, req: Request, next: Next) -> Response {
    if markup == Markup::Plain {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let response = next.run(req).await;
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(markup.apply(&text, &path, &query)))
}

/// The value of `attr="..."` inside one tag's text.
fn attr_of<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!(" {attr}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// `tag` without its ` attr="..."`.
fn drop_attr(tag: &str, attr: &str) -> String {
    let key = format!(" {attr}=\"");
    match tag.find(&key) {
        Some(i) => {
            let rest = &tag[i + key.len()..];
            let end = rest.find('"').map_or(rest.len(), |e| e + 1);
            format!("{}{}", &tag[..i], &rest[end..])
        }
        None => tag.to_string(),
    }
}

/// Rewrites every start tag with `f`; text between tags is kept.
fn each_tag(html: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('>') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let tag = &rest[i..i + end + 1];
        let is_start = tag[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        out.push_str(&if is_start { f(tag) } else { tag.to_string() });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Ids a page's own script reads (the account page's `/api/me` box): kept, or the script breaks.
const SCRIPT_IDS: &[&str] = &["api-me"];

fn without_ids(html: &str, as_classes: bool) -> String {
    each_tag(html, |tag| {
        let mut t = drop_attr(tag, "for");
        if let Some(id) = attr_of(&t, "id").map(str::to_string)
            && !SCRIPT_IDS.contains(&id.as_str())
        {
            t = drop_attr(&t, "id");
            if as_classes && attr_of(&t, "class").is_none() {
                let name_end = t.find([' ', '>']).unwrap_or(t.len());
                t = format!("{} class=\"{id}\"{}", &t[..name_end], &t[name_end..]);
            }
        }
        t
    })
}

/// Each `<label for="X">TEXT</label>` removed, its TEXT moved into the field `X` as `attr`.
fn labels_into(html: &str, attr: &str) -> String {
    let mut out = html.to_string();
    while let Some(i) = out.find("<label for=\"") {
        let Some(close) = out[i..].find("</label>").map(|c| c + i) else {
            break;
        };
        let open_end = out[i..].find('>').map_or(close, |e| e + i + 1);
        let target = attr_of(&out[i..open_end], "for").unwrap_or("").to_string();
        let text = out[open_end..close].trim().to_string();
        out.replace_range(i..close + "</label>".len(), "");
        let key = format!(" id=\"{target}\"");
        if let Some(at) = out.find(&key) {
            out.insert_str(at, &format!(" {attr}=\"{text}\""));
        }
    }
    out
}

fn input_submits(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<button") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let (Some(open_end), Some(close)) = (after.find('>'), after.find("</button>")) else {
            out.push_str(after);
            return out;
        };
        let open = &after[..open_end];
        if attr_of(open, "value").is_some() {
            // A button that sends its own value (a seat) stays a button.
            out.push_str(&after[..close + "</button>".len()]);
        } else {
            let label = after[open_end + 1..close].trim();
            let attrs = drop_attr(&open["<button".len()..], "type");
            out.push_str(&format!(
                "<input type=\"submit\"{attrs} value=\"{}\">",
                label.replace('"', "&quot;")
            ));
        }
        rest = &after[close + "</button>".len()..];
    }
    out.push_str(rest);
    out
}

fn localized(html: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("<html lang=\"en\">", "<html lang=\"de\">"),
        (">Log in<", ">Anmelden<"),
        (">Log out<", ">Abmelden<"),
        (">Sign up<", ">Registrieren<"),
        (">Account<", ">Konto<"),
        (">Events<", ">Veranstaltungen<"),
        (">Email<", ">E-Mail<"),
        (">Password<", ">Passwort<"),
        (">Change password<", ">Passwort ändern<"),
        ("Log in · ", "Anmelden · "),
    ];
    WORDS
        .iter()
        .fold(html.to_string(), |h, (en, de)| h.replace(en, de))
}

/// The login page's first step (no email in the query: the email field only, sent by GET to the
/// same page) or second (the email carried hidden, the password asked for).
fn two_step(html: &str, query: &str) -> String {
    let email: Option<String> = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "email")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.trim().is_empty());
    let Some(form) = html.find("<form id=\"login-form\"") else {
        return html.to_string();
    };
    let Some(form_end) = html[form..].find("</form>").map(|e| e + form) else {
        return html.to_string();
    };
    let mut inner = html[form..form_end].to_string();
    let cut = |inner: &mut String, from: &str, to_tag_of: &str| {
        if let (Some(a), Some(b)) = (inner.find(from), inner.find(to_tag_of)) {
            let end = inner[b..].find('>').map_or(inner.len(), |e| b + e + 1);
            inner.replace_range(a..end, "");
        }
    };
    match email {
        None => {
            cut(
                &mut inner,
                "<label for=\"password\">",
                "<input type=\"password\"",
            );
            inner = inner
                .replacen("method=\"post\"", "method=\"get\"", 1)
                .replace(">Log in</button>", ">Next</button>");
        }
        Some(e) => {
            cut(&mut inner, "<label for=\"email\">", "<input type=\"email\"");
            let hidden = format!(
                "<input type=\"hidden\" name=\"email\" value=\"{}\">",
                super::escape::attr(&e)
            );
            inner = inner.replacen(
                "<label for=\"password\">",
                &format!("{hidden}\n<label for=\"password\">"),
                1,
            );
        }
    }
    format!("{}{inner}{}", &html[..form], &html[form_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"<html lang="en"><form id="login-form" method="post" action="/login">
<label for="email">Email</label>
<input type="email" id="email" name="email" value="" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div><button id="login-submit" type="submit">Log in</button></div>
</form><span id="whoami" class="x">a</span><p id="api-me"></p>"#;

    #[test]
    fn no_ids_turns_ids_into_classes() {
        let h = Markup::NoIds.apply(FORM, "/login", "");
        assert!(!h.contains(" id=\"email\"") && !h.contains(" for="), "{h}");
        assert!(h.contains(r#"<input class="email" type="email""#), "{h}");
        assert!(
            h.contains(r#"<span class="x">"#),
            "an element with a class keeps its own: {h}"
        );
        assert!(h.contains(r#"id="api-me""#), "{h}");
    }

    #[test]
    fn labels_move_into_the_fields() {
        let h = Markup::AriaOnly.apply(FORM, "/login", "");
        assert!(
            !h.contains("<label") && !h.contains(" id=\"password\""),
            "{h}"
        );
        assert!(h.contains(r#"aria-label="Password""#), "{h}");
        let h = Markup::PlaceholderOnly.apply(FORM, "/login", "");
        assert!(h.contains(r#"placeholder="Email""#), "{h}");
    }

    #[test]
    fn buttons_become_submit_inputs() {
        let h = Markup::InputSubmit.apply(FORM, "/login", "");
        assert!(
            h.contains(r#"<input type="submit" id="login-submit" value="Log in">"#),
            "{h}"
        );
        let seat = r#"<button type="submit" name="seat" value="A1">A1</button>"#;
        assert_eq!(Markup::InputSubmit.apply(seat, "/", ""), seat);
    }

    #[test]
    fn two_steps() {
        let first = Markup::TwoStep.apply(FORM, "/login", "");
        assert!(
            !first.contains("type=\"password\"") && first.contains("method=\"get\""),
            "{first}"
        );
        let second = Markup::TwoStep.apply(FORM, "/login", "email=alice%40x.test");
        assert!(
            second.contains(r#"<input type="hidden" name="email" value="alice@x.test">"#),
            "{second}"
        );
        assert!(
            second.contains("type=\"password\"") && !second.contains("type=\"email\""),
            "{second}"
        );
        assert_eq!(Markup::TwoStep.apply(FORM, "/account", ""), FORM);
    }

    #[test]
    fn localized_and_names() {
        assert!(
            Markup::Localized
                .apply(FORM, "/", "")
                .contains(">Anmelden<")
        );
        for m in Markup::ALL {
            assert_eq!(m.name().parse::<Markup>(), Ok(m));
        }
        assert!("nope".parse::<Markup>().is_err());
    }
}
