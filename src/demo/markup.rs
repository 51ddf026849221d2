//! Markup variants (`usher demo serve --markup VARIANT`): the same site written the ways real login
//! pages are written (no ids, labels and ARIA only, placeholders, `<input type=submit>`, another
//! language, a login in two steps, a login box in a sidebar or a modal, a form built by script,
//! controls outside any `<form>`), so `usher discover` is proved on more than one way of writing a
//! page. Each variant rewrites the HTML the pages render, after them; the one exception is the login
//! box of `sidebar` and `modal`, which the page shell adds (it carries the visitor's CSRF nonce, which
//! only the shell knows). The server's behaviour (what it accepts, whom it logs in) is the same under
//! every variant.

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
    /// A login box in a sidebar of every anonymous page; no "Log in" link anywhere in the nav.
    Sidebar,
    /// The nav's "Log in" is a button opening a `<dialog>` that holds the login form.
    Modal,
    /// The login page's form is built by a script some time after the load event.
    ScriptRendered,
    /// The login page's controls are not in a `<form>`: a script posts them when the button is
    /// clicked.
    ButtonNoForm,
    /// The login page shows its form in a same-origin `<iframe>` (`/login?embed=1`, a bare page whose
    /// form posts to the top window).
    IframeLogin,
    /// The login page's form inside the open shadow root of a custom element (`<login-box>`).
    ShadowLogin,
}

impl Markup {
    pub const ALL: [Markup; 13] = [
        Markup::Plain,
        Markup::NoIds,
        Markup::AriaOnly,
        Markup::PlaceholderOnly,
        Markup::InputSubmit,
        Markup::Localized,
        Markup::TwoStep,
        Markup::Sidebar,
        Markup::Modal,
        Markup::ScriptRendered,
        Markup::ButtonNoForm,
        Markup::IframeLogin,
        Markup::ShadowLogin,
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
            Markup::Sidebar => "sidebar",
            Markup::Modal => "modal",
            Markup::ScriptRendered => "script-rendered",
            Markup::ButtonNoForm => "button-no-form",
            Markup::IframeLogin => "iframe-login",
            Markup::ShadowLogin => "shadow-login",
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
            // The login page keeps its own form and link; a second login box there would be two.
            Markup::Sidebar | Markup::Modal if path == "/login" => {
                let (open, close) = self.login_box_tags();
                cut_element(html, open, close)
            }
            Markup::Sidebar => cut_element(html, NAV_LOGIN_START, "</a>"),
            Markup::Modal => replace_element(html, NAV_LOGIN_START, "</a>", MODAL_OPENER),
            Markup::ScriptRendered if path == "/login" => script_rendered(html),
            Markup::ButtonNoForm if path == "/login" => button_no_form(html),
            Markup::IframeLogin if path == "/login" => iframe_login(html, query),
            Markup::ShadowLogin if path == "/login" => shadow_login(html),
            Markup::ScriptRendered
            | Markup::ButtonNoForm
            | Markup::IframeLogin
            | Markup::ShadowLogin => html.to_string(),
        }
    }

    /// Where the shell's login box starts and ends.
    fn login_box_tags(self) -> (&'static str, &'static str) {
        match self {
            Markup::Modal => (r#"<dialog class="login-dialog""#, "</dialog>"),
            _ => (r#"<aside class="card login-box""#, "</aside>"),
        }
    }

    /// The login box the page shell puts on every anonymous page under `sidebar` (an `<aside>`) and
    /// `modal` (a closed `<dialog>` the nav's "Log in" button opens), posting to `action` like the
    /// login page's form; `csrf` is the visitor's nonce input (empty without `session-bound-csrf`).
    /// Its fields are named, not id'd.
    pub fn login_box(self, action: &str, csrf: &str) -> String {
        let (open, close) = self.login_box_tags();
        let form = format!(
            r#"<form method="post" action="{action}">
{csrf}<label>Email <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>"#,
            action = super::escape::attr(action),
        );
        match self {
            Markup::Sidebar => format!("{open}>\n<h2>Members</h2>\n{form}\n</form>\n{close}\n"),
            Markup::Modal => format!(
                "{open}>\n<h2>Welcome back</h2>\n{form}\n<button type=\"button\" onclick=\"this.closest('dialog').close()\">Cancel</button>\n</form>\n{close}\n"
            ),
            _ => String::new(),
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

/// The nav's link to the login page, as the page shell writes it.
const NAV_LOGIN_START: &str = r#"<a id="login-link""#;
/// What `modal` writes instead: a button opening the login dialog in place.
const MODAL_OPENER: &str = r#"<button type="button" class="login-open" onclick="document.querySelector('dialog.login-dialog').showModal()">Log in</button>"#;

/// `html` with the element from `open` to the first `close` after it replaced by `with`.
fn replace_element(html: &str, open: &str, close: &str, with: &str) -> String {
    let Some(a) = html.find(open) else {
        return html.to_string();
    };
    let Some(b) = html[a..].find(close).map(|b| a + b + close.len()) else {
        return html.to_string();
    };
    format!("{}{with}{}", &html[..a], &html[b..])
}

fn cut_element(html: &str, open: &str, close: &str) -> String {
    replace_element(html, open, close, "")
}

/// The login page's form, as a script writes it once the page has loaded (and a moment later, as a
/// framework fetching its bundle would).
fn script_rendered(html: &str) -> String {
    let Some((a, b)) = login_form_span(html) else {
        return html.to_string();
    };
    let script = format!(
        r#"<div id="login-root"></div>
<script>
addEventListener("load", function () {{
  setTimeout(function () {{ document.getElementById("login-root").outerHTML = {}; }}, 400);
}});
</script>"#,
        super::escape::js_string(&html[a..b])
    );
    format!("{}{script}{}", &html[..a], &html[b..])
}

/// The login page's controls in a `<div>`, not a `<form>`: its button (`type=button`) has a script
/// build a form from the box's inputs and post it, the way single-page apps submit.
fn button_no_form(html: &str) -> String {
    let Some((a, b)) = login_form_span(html) else {
        return html.to_string();
    };
    let form = &html[a..b];
    let open_end = form.find('>').map_or(0, |e| e + 1);
    let action = attr_of(&form[..open_end], "action").unwrap_or("/login");
    let inner = &form[open_end..form.len() - "</form>".len()];
    let inner = inner.replacen(
        r#"<button id="login-submit" type="submit">"#,
        r#"<button id="login-submit" type="button">"#,
        1,
    );
    format!(
        r#"{}<div id="login-box" data-action="{action}">{inner}</div>
<script>
document.getElementById("login-submit").addEventListener("click", function () {{
  var box = document.getElementById("login-box"), f = document.createElement("form");
  f.method = "post"; f.action = box.dataset.action; f.hidden = true;
  box.querySelectorAll("input").forEach(function (i) {{
    var h = document.createElement("input"); h.type = "hidden"; h.name = i.name; h.value = i.value; f.appendChild(h);
  }});
  document.body.appendChild(f); f.submit();
}});
</script>{}"#,
        &html[..a],
        &html[b..]
    )
}

/// The login page with its form in an `<iframe>`; the frame (`embed=1` in the query) is a bare page
/// holding the form alone, posting to the top window so the login lands there.
fn iframe_login(html: &str, query: &str) -> String {
    let Some((a, b)) = login_form_span(html) else {
        return html.to_string();
    };
    let form = &html[a..b];
    let embedded = url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "embed");
    if embedded {
        let form = form.replacen("<form ", "<form target=\"_top\" ", 1);
        return format!(
            "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Log in</title></head>\n<body>\n{form}\n</body>\n</html>\n"
        );
    }
    let open_end = form.find('>').map_or(0, |e| e + 1);
    let action = attr_of(&form[..open_end], "action").unwrap_or("/login");
    let rest = if query.is_empty() {
        String::new()
    } else {
        format!("&{query}")
    };
    let src = super::escape::attr(&format!("{action}?embed=1{rest}")).into_owned();
    format!(
        r#"{}<iframe src="{src}" title="Log in" style="border:0;width:24em;height:15em"></iframe>{}"#,
        &html[..a],
        &html[b..]
    )
}

/// The login page's form moved into the open shadow root of a `<login-box>` custom element, as
/// web-component design systems write it.
fn shadow_login(html: &str) -> String {
    let Some((a, b)) = login_form_span(html) else {
        return html.to_string();
    };
    let script = format!(
        r#"<login-box></login-box>
<script>
customElements.define("login-box", class extends HTMLElement {{
  connectedCallback() {{ if (!this.shadowRoot) this.attachShadow({{ mode: "open" }}).innerHTML = {}; }}
}});
</script>"#,
        super::escape::js_string(&html[a..b])
    );
    format!("{}{script}{}", &html[..a], &html[b..])
}

/// Where the login page's `<form id="login-form">…</form>` is.
fn login_form_span(html: &str) -> Option<(usize, usize)> {
    let a = html.find(r#"<form id="login-form""#)?;
    let b = html[a..].find("</form>")? + a + "</form>".len();
    Some((a, b))
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
    fn script_rendered_and_formless_logins() {
        let shadow = Markup::ShadowLogin.apply(FORM, "/login", "");
        assert!(
            !shadow.contains("<form") && shadow.contains("attachShadow"),
            "{shadow}"
        );
        let late = Markup::ScriptRendered.apply(FORM, "/login", "");
        assert!(
            !late.contains("<form") && late.contains("login-root"),
            "{late}"
        );
        assert_eq!(Markup::ScriptRendered.apply(FORM, "/account", ""), FORM);
        let boxed = Markup::ButtonNoForm.apply(FORM, "/login", "");
        assert!(
            !boxed.contains("<form id") && boxed.contains(r#"data-action="/login""#),
            "{boxed}"
        );
        assert!(
            boxed.contains(r#"id="login-submit" type="button""#),
            "{boxed}"
        );
    }

    #[test]
    fn login_boxes_replace_the_nav_link_except_on_the_login_page() {
        let nav = r#"<nav><a id="login-link" href="/login">Log in</a></nav>"#;
        for m in [Markup::Sidebar, Markup::Modal] {
            let page = format!("{nav}{}", m.login_box("/login", ""));
            let home = m.apply(&page, "/", "");
            assert!(
                !home.contains("login-link") && home.contains("type=\"password\""),
                "{home}"
            );
            let login = m.apply(&page, "/login", "");
            assert_eq!(login.trim_end(), nav, "{m}");
        }
        assert_eq!(Markup::Plain.login_box("/login", ""), "");
    }

    #[test]
    fn iframe_login_frames_the_form() {
        let outer = Markup::IframeLogin.apply(FORM, "/login", "next=%2Faccount");
        assert!(!outer.contains("<form"), "{outer}");
        assert!(
            outer.contains(r#"<iframe src="/login?embed=1&amp;next=%2Faccount""#),
            "{outer}"
        );
        let frame = Markup::IframeLogin.apply(FORM, "/login", "embed=1");
        assert!(
            frame.contains(r#"<form target="_top" id="login-form""#) && !frame.contains("whoami"),
            "{frame}"
        );
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
