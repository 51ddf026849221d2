//! Whose account a page shows: the one judgement behind `not_acting_as`, `no_account_data` and
//! `client_binding`. With the profile's `identity:` element, that element's text (textContent,
//! trimmed, so CSS text transforms do not count) must equal the username. Without it the username
//! must stand as a whole word in the page text: `alice@x.test` is not seen in `malice@x.test` or in a
//! title saying `alice@x.testing`, and a username that appears only inside text the URL put on the
//! page (a query parameter the page echoes) tells nothing. Such an echo is reported as "cannot tell",
//! never as "not shown", so that it can turn a verdict into ERROR but never hide a FAIL.

use crate::driver::{Locator, NetEvent};
use crate::engine::context::FlowCtx;
use crate::engine::step_error::{StepError, StepResult};
use crate::scenario::locator::LocatorDoc;
use std::ops::Range;

/// What one page says about who is logged in; read once, asked about several usernames.
#[derive(Debug, Clone)]
pub enum PageIdentity {
    /// The trimmed texts of the profile's `identity:` elements; empty when none is on the page (the
    /// page shows no identity, which is not "someone else's").
    Element { what: String, texts: Vec<String> },
    /// No `identity:` (or one that cannot be evaluated here, said in `note`): the page's text, and the
    /// decoded query-parameter values of the URLs that led to the page.
    Text {
        text: String,
        from_url: Vec<UrlValue>,
        note: Option<String>,
    },
}

/// A decoded query-parameter value of a URL that led to the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlValue {
    pub param: String,
    pub value: String,
}

/// Whether a page shows a username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sighting {
    Shown,
    NotShown,
    /// Only inside text equal to a URL parameter's value: the page may just echo its URL, so whether
    /// it shows the account cannot be told.
    OnlyEchoed {
        param: String,
    },
}

impl PageIdentity {
    pub fn shows(&self, username: &str) -> Sighting {
        let username = username.trim();
        match self {
            PageIdentity::Element { texts, .. } => {
                if texts.iter().any(|t| same_name(t.trim(), username)) {
                    Sighting::Shown
                } else {
                    Sighting::NotShown
                }
            }
            PageIdentity::Text { text, from_url, .. } => text_shows(text, from_url, username),
        }
    }

    /// How the page was judged, for the evidence.
    pub fn method(&self) -> String {
        match self {
            PageIdentity::Element { what, texts } if texts.is_empty() => {
                format!("the profile's `identity` {what} (not on the page)")
            }
            PageIdentity::Element { what, .. } => format!("the profile's `identity` {what}"),
            PageIdentity::Text { note: Some(n), .. } => {
                format!("whole words of the page text ({n})")
            }
            PageIdentity::Text { .. } => {
                "whole words of the page text (no `identity` in the profile)".into()
            }
        }
    }
}

/// The hint for a page whose identity cannot be told from its text.
pub const HINT: &str = "set `identity:` in the profile to the element that shows who is logged in (e.g. `identity: \"#user-email\"`): its text is compared for equality";

/// Usernames and e-mail addresses are compared as apps treat them: ignoring ASCII case.
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Characters that can be part of a username or an e-mail address.
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || is_joiner(c)
}

/// Punctuation inside usernames; at the edge of a match it continues the name only when a letter or
/// digit follows it (`alice@x.test.` ends a sentence; `alice@x.test.org` is another address).
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '_' | '-' | '+' | '@')
}

/// Does the name continue past a match, reading `chars` outward from its edge?
fn continues(mut chars: impl Iterator<Item = char>) -> bool {
    loop {
        match chars.next() {
            Some(c) if c.is_alphanumeric() => return true,
            Some(c) if is_joiner(c) => continue,
            _ => return false,
        }
    }
}

/// Byte ranges where `needle` occurs in `text` (ASCII case ignored), anywhere.
fn occurrences(text: &str, needle: &str) -> Vec<Range<usize>> {
    let (hay, pat) = (text.as_bytes(), needle.as_bytes());
    if pat.is_empty() || hay.len() < pat.len() {
        return Vec::new();
    }
    (0..=hay.len() - pat.len())
        .filter(|&i| {
            text.is_char_boundary(i)
                && text.is_char_boundary(i + pat.len())
                && hay[i..i + pat.len()].eq_ignore_ascii_case(pat)
        })
        .map(|i| i..i + pat.len())
        .collect()
}

/// Byte ranges where `name` occurs in `text` as a whole word: not part of a longer username.
pub fn whole_word(text: &str, name: &str) -> Vec<Range<usize>> {
    occurrences(text, name)
        .into_iter()
        .filter(|r| !continues(text[..r.start].chars().rev()) && !continues(text[r.end..].chars()))
        .collect()
}

fn text_shows(text: &str, from_url: &[UrlValue], username: &str) -> Sighting {
    if username.is_empty() {
        return Sighting::NotShown;
    }
    let found = whole_word(text, username);
    if found.is_empty() {
        return Sighting::NotShown;
    }
    // Every place where the page repeats a URL value that holds the username.
    let echoes: Vec<(Range<usize>, &str)> = from_url
        .iter()
        .filter(|v| !occurrences(&v.value, username).is_empty())
        .flat_map(|v| {
            occurrences(text, v.value.trim())
                .into_iter()
                .map(move |r| (r, v.param.as_str()))
        })
        .collect();
    let mut echoed_by = None;
    for r in &found {
        match echoes
            .iter()
            .find(|(e, _)| e.start <= r.start && r.end <= e.end)
        {
            Some((_, param)) => echoed_by = echoed_by.or(Some(*param)),
            None => return Sighting::Shown,
        }
    }
    Sighting::OnlyEchoed {
        param: echoed_by.unwrap_or_default().to_string(),
    }
}

/// The decoded query (and fragment-query) parameter values of `urls`.
pub fn url_values<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<UrlValue> {
    let mut out: Vec<UrlValue> = Vec::new();
    for u in urls {
        let Ok(parsed) = url::Url::parse(u) else {
            continue;
        };
        let fragment_query = parsed
            .fragment()
            .and_then(|f| f.split_once('?').map(|(_, q)| q).or(Some(f)))
            .filter(|q| q.contains('='));
        let pairs = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()));
        let frag = fragment_query
            .into_iter()
            .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()));
        for (param, value) in pairs.chain(frag) {
            let v = UrlValue {
                param,
                value: value.trim().to_string(),
            };
            if !v.value.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// The top-level document URLs that led to `current`: it and the redirect hops before it, read from
/// the persona's network log (a page restored by `back` without a request has only its own URL).
pub fn redirect_chain(net: &[NetEvent], current: &str) -> Vec<String> {
    let strip = |u: &str| u.split('#').next().unwrap_or(u).to_string();
    let mut chain = vec![current.to_string()];
    let navs: Vec<(usize, &str)> = net
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            NetEvent::Request {
                url,
                is_navigation: true,
                ..
            } => Some((i, url.as_str())),
            _ => None,
        })
        .collect();
    let Some(mut at) = navs.iter().rposition(|(_, u)| strip(u) == strip(current)) else {
        return chain;
    };
    while at > 0 {
        let (prev_i, prev_url) = navs[at - 1];
        let (this_i, this_url) = navs[at];
        let redirected = net[prev_i..this_i].iter().any(|e| match e {
            NetEvent::Response {
                url,
                status,
                headers,
            } => {
                url == prev_url
                    && (300..400).contains(status)
                    && headers.iter().any(|(k, v)| {
                        k == "location"
                            && url::Url::parse(prev_url)
                                .and_then(|b| b.join(v))
                                .is_ok_and(|t| strip(t.as_str()) == strip(this_url))
                    })
            }
            _ => false,
        });
        if !redirected {
            break;
        }
        chain.push(prev_url.to_string());
        at -= 1;
    }
    chain
}

/// What the persona's page shows now, read in its browser without navigating.
pub async fn read_page(ctx: &mut FlowCtx, persona: &str) -> StepResult<(PageIdentity, String)> {
    let session = ctx.session(persona).await?;
    let url = session.current_url().await?;
    if let Some(doc) = ctx.profile.identity.clone() {
        let locator = identity_locator(ctx, &doc, persona)?;
        let texts = session
            .text_contents(&locator)
            .await?
            .into_iter()
            .map(|t| t.trim().to_string())
            .collect();
        return Ok((
            PageIdentity::Element {
                what: describe(&doc),
                texts,
            },
            url,
        ));
    }
    let text = session.body_text().await?;
    // The redirects that led here are in the traffic since the check began.
    ctx.observe(persona).await;
    let net = ctx
        .personas
        .get(persona)
        .map(|p| p.net.clone())
        .unwrap_or_default();
    let chain = redirect_chain(&net, &url);
    Ok((
        PageIdentity::Text {
            text,
            from_url: url_values(chain.iter().map(String::as_str)),
            note: None,
        },
        url,
    ))
}

/// What an HTML document fetched over HTTP from `url` shows. Only CSS `identity:` locators can be
/// evaluated without a browser; with another kind the page text is judged and the note says so.
pub fn read_html(html: &str, url: &str, identity: Option<&Locator>) -> PageIdentity {
    let doc = scraper::Html::parse_document(html);
    let mut note = None;
    if let Some(loc) = identity {
        if loc.strategy == "css selector" {
            match scraper::Selector::parse(&loc.value) {
                Ok(sel) => {
                    return PageIdentity::Element {
                        what: format!("`{}`", loc.value),
                        texts: doc
                            .select(&sel)
                            .map(|e| e.text().collect::<String>().trim().to_string())
                            .collect(),
                    };
                }
                Err(_) => {
                    note = Some(format!(
                        "the `identity` selector `{}` cannot be evaluated without a browser",
                        loc.value
                    ))
                }
            }
        } else {
            note = Some(format!(
                "the `identity` locator ({} `{}`) needs a browser; over HTTP only CSS selectors are evaluated",
                loc.strategy, loc.value
            ));
        }
    }
    PageIdentity::Text {
        text: html_text(&doc),
        from_url: url_values([url]),
        note,
    }
}

/// The text of the document's body, text nodes apart (so cells and lines do not run together);
/// scripts, styles and templates are not text.
fn html_text(doc: &scraper::Html) -> String {
    let body = scraper::Selector::parse("body").expect("valid selector");
    let mut out = String::new();
    for root in doc.select(&body) {
        for node in root.descendants() {
            let Some(t) = node.value().as_text() else {
                continue;
            };
            let hidden = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "script" | "style" | "template"))
            });
            if !hidden {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    out
}

pub fn identity_locator(ctx: &FlowCtx, doc: &LocatorDoc, persona: &str) -> StepResult<Locator> {
    crate::engine::browser_step::locator(doc, &|t: &str| ctx.expand(t, persona))
        .map_err(|e| StepError::input(format!("the profile's `identity` locator: {e}")))
}

pub fn describe(doc: &LocatorDoc) -> String {
    let (s, v) = doc.resolve();
    if s == "css selector" {
        format!("`{v}`")
    } else {
        format!("{s} `{v}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str, url: &str) -> PageIdentity {
        PageIdentity::Text {
            text: t.into(),
            from_url: url_values([url]),
            note: None,
        }
    }

    #[test]
    fn a_username_inside_a_longer_word_of_the_title_is_not_the_account() {
        let page = text(
            "Ticketbooth for alice@ticketbooth.testing\nEvents\nLog in",
            "http://t.localhost/",
        );
        assert_eq!(page.shows("alice@ticketbooth.test"), Sighting::NotShown);
        // `admin` in "Site administration" is not the user `admin`.
        assert_eq!(
            text("Site administration", "http://a/").shows("admin"),
            Sighting::NotShown
        );
    }

    #[test]
    fn one_username_inside_another_is_not_that_account() {
        let page = text(
            "Account\nmalice@ticketbooth.test\nLog out",
            "http://t.localhost/account",
        );
        assert_eq!(page.shows("alice@ticketbooth.test"), Sighting::NotShown);
        assert_eq!(page.shows("malice@ticketbooth.test"), Sighting::Shown);
        assert_eq!(
            text("Hello demo2", "http://a/").shows("demo"),
            Sighting::NotShown
        );
        assert_eq!(
            text("x.alice@t.test", "http://a/").shows("alice@t.test"),
            Sighting::NotShown
        );
        assert_eq!(
            text("alice@t.test.org", "http://a/").shows("alice@t.test"),
            Sighting::NotShown
        );
    }

    #[test]
    fn punctuation_that_ends_a_sentence_does_not_hide_the_account() {
        for t in [
            "You are logged in as alice@t.test.",
            "(alice@t.test)",
            "Hi @alice@t.test!",
            "alice@t.test",
            "Signed in: ALICE@T.TEST, welcome",
        ] {
            assert_eq!(
                text(t, "http://a/").shows("alice@t.test"),
                Sighting::Shown,
                "{t}"
            );
        }
    }

    #[test]
    fn text_echoed_from_the_url_tells_nothing() {
        let page = text(
            "Events\nGoodbye, alice@ticketbooth.test!",
            "http://t.localhost/?bye=alice%40ticketbooth.test",
        );
        assert_eq!(
            page.shows("alice@ticketbooth.test"),
            Sighting::OnlyEchoed {
                param: "bye".into()
            }
        );
        let welcome = text("Welcome demo!", "http://a/?msg=Welcome+demo%21");
        assert_eq!(
            welcome.shows("demo"),
            Sighting::OnlyEchoed {
                param: "msg".into()
            }
        );
        // Shown once more outside the echoed text: the page does show the account.
        let both = text(
            "alice@ticketbooth.test\nGoodbye, alice@ticketbooth.test!",
            "http://t.localhost/?msg=Goodbye%2C+alice%40ticketbooth.test%21",
        );
        assert_eq!(both.shows("alice@ticketbooth.test"), Sighting::Shown);
        // When the URL value is the username itself, no occurrence can be told from an echo.
        let same = text(
            "alice@ticketbooth.test\nGoodbye, alice@ticketbooth.test!",
            "http://t.localhost/?bye=alice%40ticketbooth.test",
        );
        assert!(matches!(
            same.shows("alice@ticketbooth.test"),
            Sighting::OnlyEchoed { .. }
        ));
        // A URL value without the username changes nothing.
        let other = text("alice@t.test", "http://a/?next=%2Faccount");
        assert_eq!(other.shows("alice@t.test"), Sighting::Shown);
    }

    #[test]
    fn the_identity_element_is_compared_for_equality() {
        let el = |texts: &[&str]| PageIdentity::Element {
            what: "`#whoami`".into(),
            texts: texts.iter().map(|t| t.to_string()).collect(),
        };
        assert_eq!(
            el(&["malice@ticketbooth.test"]).shows("alice@ticketbooth.test"),
            Sighting::NotShown
        );
        assert_eq!(
            el(&["alice@ticketbooth.test"]).shows("alice@ticketbooth.test"),
            Sighting::Shown
        );
        assert_eq!(el(&[]).shows("alice@ticketbooth.test"), Sighting::NotShown);
    }

    #[test]
    fn html_over_http_is_judged_the_same_way() {
        let html = r#"<html><head><title>alice@t.test</title></head><body>
            <nav><span id="whoami">  malice@t.test </span></nav>
            <script>var u = "alice@t.test";</script>
            <p>Goodbye, alice@t.test!</p></body></html>"#;
        let css = Locator::css("#whoami");
        let by_element = read_html(html, "http://a/?bye=alice%40t.test", Some(&css));
        assert_eq!(by_element.shows("malice@t.test"), Sighting::Shown);
        assert_eq!(by_element.shows("alice@t.test"), Sighting::NotShown);
        let by_text = read_html(html, "http://a/?bye=alice%40t.test", None);
        assert_eq!(by_text.shows("malice@t.test"), Sighting::Shown);
        assert_eq!(
            by_text.shows("alice@t.test"),
            Sighting::OnlyEchoed {
                param: "bye".into()
            }
        );
        let xpath = Locator {
            strategy: "xpath".into(),
            value: "//span".into(),
        };
        let fallback = read_html(html, "http://a/", Some(&xpath));
        assert!(
            fallback.method().contains("needs a browser"),
            "{}",
            fallback.method()
        );
        assert_eq!(fallback.shows("alice@t.test"), Sighting::Shown);
    }

    #[test]
    fn the_redirect_chain_leads_back_through_3xx_hops_only() {
        let nav = |u: &str| NetEvent::Request {
            url: u.into(),
            method: "GET".into(),
            headers: vec![],
            is_navigation: true,
        };
        let resp = |u: &str, s: u16, loc: Option<&str>| NetEvent::Response {
            url: u.into(),
            status: s,
            headers: loc
                .map(|l| vec![("location".to_string(), l.to_string())])
                .unwrap_or_default(),
        };
        let net = vec![
            nav("http://a/account"),
            resp("http://a/account", 200, None),
            nav("http://a/logout?u=alice"),
            resp("http://a/logout?u=alice", 303, Some("/?bye=1")),
            nav("http://a/?bye=1"),
            resp("http://a/?bye=1", 200, None),
        ];
        assert_eq!(
            redirect_chain(&net, "http://a/?bye=1"),
            vec!["http://a/?bye=1", "http://a/logout?u=alice"]
        );
        assert_eq!(
            redirect_chain(&net, "http://a/account"),
            vec!["http://a/account"]
        );
    }
}
