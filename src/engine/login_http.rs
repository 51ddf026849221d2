//! `login_http`: the login a persona's browser is about to send, sent over plain HTTP instead.
//!
//! The browser has loaded and filled the login form; its cookie jar holds whatever the scenario put
//! there (a planted session id). Real apps defend the browser path in ways that have nothing to do with
//! fixation: they redirect an authenticated visitor away from the login page, or bind the form's CSRF
//! nonce to the session the page was served to, so a form filled before the plant is refused after it.
//! An attacker who forces a cookie is not stopped by either, and neither is this step: it fetches the
//! login page again under the browser's cookies (following redirects), takes the fresh values of the
//! form's hidden inputs from the page it reaches, posts the form, and puts the session the login left
//! back into the browser, where the oracle can ask whose it is.

use super::browser_step::{StepError, StepResult};
use super::context::FlowCtx;
use crate::driver::{BrowserCookie, Session};
use crate::redact::Kind;
use crate::scenario::step::LoginHttpArgs;
use cookie_store::{CookieDomain, CookieExpiration, CookieStore};
use std::collections::HashMap;
use std::time::Duration;
use url::Url;

/// Redirects followed per request, as browsers bound them (Chromium: 20).
const MAX_REDIRECTS: usize = 20;

/// The form as the browser would submit it. Field values may hold the password: never printed.
#[derive(Debug, serde::Deserialize)]
struct FormState {
    method: String,
    action: String,
    enctype: String,
    fields: Vec<(String, String)>,
    hidden: Vec<String>,
    secret: Vec<String>,
    page: String,
    ua: String,
}

/// Reads the form with `FormData`, exactly the fields a submit would send (disabled, unchecked and
/// file inputs left out, as the browser does).
const READ_FORM: &str = r#"
const [strategy, value] = arguments;
let el = null;
if (strategy === 'css selector') el = document.querySelector(value);
else if (strategy === 'xpath') el = document.evaluate(value, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
else if (strategy === 'id') el = document.getElementById(value);
else if (strategy === 'name') el = document.getElementsByName(value)[0] || null;
else if (strategy === '') {
  const pws = [...document.querySelectorAll('input[type=password]')].filter(i => i.form);
  el = pws.find(i => i.value) || pws[0] || null;
}
else return {error: 'strategy'};
if (!el) return {error: 'missing'};
const form = el.tagName === 'FORM' ? el : (el.form || el.closest('form'));
if (!form) return {error: 'no form'};
const submitter = form.querySelector('button[type=submit], input[type=submit], button:not([type])');
let data;
try { data = submitter && submitter.name ? new FormData(form, submitter) : new FormData(form); }
catch (e) { data = new FormData(form); }
const fields = [];
for (const [k, v] of data.entries()) { if (typeof v === 'string') fields.push([k, v]); }
const names = sel => [...form.querySelectorAll(sel)].map(i => i.name).filter(n => n);
const own = submitter && submitter.hasAttribute('formaction');
return {
  method: (own && submitter.hasAttribute('formmethod') ? submitter.formMethod : form.method) || 'get',
  action: own ? submitter.formAction : form.action,
  enctype: form.enctype || 'application/x-www-form-urlencoded',
  fields,
  hidden: names('input[type=hidden]'),
  secret: names('input[type=password]'),
  page: location.href,
  ua: navigator.userAgent,
};
"#;

/// The URL cookie scoping is judged against. Browsers treat `http://localhost` and `*.localhost` as
/// secure contexts and send `Secure` cookies there; cookie_store knows only `localhost` itself, so
/// such URLs are looked at as `https` (scheme plays no other part in cookie matching).
fn cookie_url(url: &Url) -> Url {
    let trustworthy = url
        .host_str()
        .is_some_and(|h| h == "localhost" || h.ends_with(".localhost"));
    let mut u = url.clone();
    if url.scheme() == "http" && trustworthy {
        let _ = u.set_scheme("https");
    }
    u
}

/// The browser's cookies as a cookie store seen from `page`.
fn jar_from_browser(cookies: &[BrowserCookie], page: &Url) -> CookieStore {
    let mut jar = CookieStore::new();
    let at = cookie_url(page);
    for c in cookies {
        let mut line = format!("{}={}", c.name, c.value);
        if let Some(p) = &c.path {
            line.push_str(&format!("; Path={p}"));
        }
        if let Some(d) = c.domain.as_deref().filter(|d| d.starts_with('.')) {
            line.push_str(&format!("; Domain={d}"));
        }
        if c.secure == Some(true) {
            line.push_str("; Secure");
        }
        if c.http_only == Some(true) {
            line.push_str("; HttpOnly");
        }
        if let Some(s) = &c.same_site {
            line.push_str(&format!("; SameSite={s}"));
        }
        let _ = jar.parse(&line, &at);
    }
    jar
}

/// The jar's cookies as the browser should hold them, with their scope.
fn browser_cookies(jar: &CookieStore) -> Vec<BrowserCookie> {
    jar.iter_unexpired()
        .map(|c| BrowserCookie {
            name: c.name().to_string(),
            value: c.value().to_string(),
            domain: match &c.domain {
                CookieDomain::Suffix(d) => Some(format!(".{}", d.trim_start_matches('.'))),
                _ => None,
            },
            path: Some(String::from(&c.path)),
            secure: c.secure(),
            http_only: c.http_only(),
            same_site: c.same_site().map(|s| s.to_string()),
            expiry: match c.expires {
                CookieExpiration::AtUtc(t) => Some(t.unix_timestamp()),
                CookieExpiration::SessionEnd => None,
            },
        })
        .collect()
}

/// The value of every `<input type=hidden name=...>` on a page at `page`: from a form that posts to
/// `action` first (apps with a nonce per form), then the first of the name anywhere (a page the login
/// page redirected to may hold no login form, but another form carrying the session's nonce).
fn hidden_inputs(html: &str, page: &Url, action: &Url) -> HashMap<String, String> {
    let doc = scraper::Html::parse_document(html);
    let forms = scraper::Selector::parse("form").expect("valid selector");
    let hidden = scraper::Selector::parse("input[type=hidden][name]").expect("valid selector");
    let posts_to_action = |form: &scraper::ElementRef| {
        let target = form.value().attr("action").unwrap_or_default();
        page.join(target).is_ok_and(|u| u == *action)
    };
    let mut out = HashMap::new();
    let login_forms = doc.select(&forms).filter(|f| posts_to_action(f));
    let inputs = login_forms
        .flat_map(|f| f.select(&hidden).collect::<Vec<_>>())
        .chain(doc.select(&hidden));
    for input in inputs {
        let el = input.value();
        if let Some(name) = el.attr("name") {
            out.entry(name.to_string())
                .or_insert_with(|| el.attr("value").unwrap_or_default().to_string());
        }
    }
    out
}

/// One browser-like exchange: the request, then its redirects, cookies kept in `jar` at every hop.
struct Exchange<'a> {
    client: &'a reqwest::Client,
    jar: &'a mut CookieStore,
    ua: &'a str,
    limit: Duration,
}

/// The end of an exchange: where it landed, its status and body.
struct Landed {
    url: Url,
    status: u16,
    body: String,
}

impl Exchange<'_> {
    async fn send(
        &mut self,
        mut method: reqwest::Method,
        mut url: Url,
        mut body: Option<(String, Vec<u8>)>,
        referer: Option<&str>,
    ) -> StepResult<Landed> {
        let mut referer = referer.map(str::to_string);
        for _ in 0..=MAX_REDIRECTS {
            let mut req = self
                .client
                .request(method.clone(), url.clone())
                .header("user-agent", self.ua)
                .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            let cookies: Vec<String> = self
                .jar
                .get_request_values(&cookie_url(&url))
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            if !cookies.is_empty() {
                req = req.header("cookie", cookies.join("; "));
            }
            if let Some(r) = &referer {
                req = req.header("referer", r.as_str());
            }
            if let Some((ctype, bytes)) = &body {
                // Browsers send Origin with every POST; CSRF defences often compare it.
                req = req
                    .header("content-type", ctype.as_str())
                    .header("origin", url.origin().ascii_serialization())
                    .body(bytes.clone());
            }
            let resp = tokio::time::timeout(self.limit, req.send())
                .await
                .map_err(|_| StepError::Timeout(self.limit))?
                .map_err(|e| {
                    // The path only: a redirect may have put a token in the query.
                    StepError::Infra(format!(
                        "HTTP request to {}{} failed: {}",
                        url.origin().ascii_serialization(),
                        url.path(),
                        e.without_url()
                    ))
                })?;
            let at = cookie_url(&url);
            for line in resp.headers().get_all("set-cookie") {
                if let Ok(line) = line.to_str() {
                    let _ = self.jar.parse(line, &at);
                }
            }
            let status = resp.status();
            let location = resp
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok());
            match location {
                Some(next) if status.is_redirection() => {
                    // 307/308 repeat the request; the others turn it into a GET, as browsers do.
                    if !matches!(status.as_u16(), 307 | 308) {
                        method = reqwest::Method::GET;
                        body = None;
                    }
                    referer = Some(url.to_string());
                    url = next;
                }
                _ => {
                    let body = tokio::time::timeout(self.limit, resp.text())
                        .await
                        .map_err(|_| StepError::Timeout(self.limit))?
                        .unwrap_or_default();
                    return Ok(Landed {
                        url,
                        status: status.as_u16(),
                        body,
                    });
                }
            }
        }
        Err(StepError::Page(format!(
            "more than {MAX_REDIRECTS} redirects, the last to {}",
            url.path()
        )))
    }
}

/// The form's fields encoded as its `enctype` says.
fn encode(enctype: &str, fields: &[(String, String)]) -> (String, Vec<u8>) {
    if enctype.eq_ignore_ascii_case("multipart/form-data") {
        let boundary = format!("----usher{:016x}", rand::random::<u64>());
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{v}\r\n",
                    k.replace('"', "%22")
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    } else {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        (
            "application/x-www-form-urlencoded".to_string(),
            body.into_bytes(),
        )
    }
}

impl FlowCtx {
    pub async fn login_http(
        &mut self,
        persona: &str,
        args: &LoginHttpArgs,
        limit: Duration,
    ) -> StepResult<()> {
        let session = self.session(persona).await?;
        let (strategy, value) = args.form.as_ref().map(|l| l.resolve()).unwrap_or_default();
        let raw = session
            .execute(
                READ_FORM,
                vec![strategy.clone().into(), value.clone().into()],
            )
            .await?;
        if let Some(why) = raw.get("error").and_then(|e| e.as_str()) {
            return Err(match why {
                "strategy" => StepError::Input(format!(
                    "`login_http` finds its form by css, xpath, id or name, not by {strategy}"
                )),
                "missing" if strategy.is_empty() => StepError::Page(
                    "the page holds no form with a password field: load and fill the login form \
                     first (e.g. `run: {flow: login, until: submit}`)"
                        .into(),
                ),
                "missing" => {
                    StepError::Page(format!("no element matches the form locator {value}"))
                }
                _ => StepError::Page("the element found is not inside a form".into()),
            });
        }
        let mut form: FormState = serde_json::from_value(raw).map_err(|e| {
            StepError::Infra(format!("the browser described the form unreadably: {e}"))
        })?;
        for (name, v) in &form.fields {
            if form.secret.contains(name) && !v.is_empty() {
                self.run.redactor.register(Kind::Secret, v);
            }
        }
        let page = Url::parse(&form.page)
            .map_err(|e| StepError::Page(format!("the login page has no usable URL: {e}")))?;
        let action = Url::parse(&form.action)
            .map_err(|e| StepError::Page(format!("the form has no usable action: {e}")))?;
        if !super::token::same_origin(action.as_str(), &self.base_url) {
            return Err(StepError::Page(format!(
                "the login form posts to another origin ({}); usher sends a login only to the app",
                action.origin().ascii_serialization()
            )));
        }
        let cookies = session.cookies().await?;
        let mut jar = jar_from_browser(&cookies, &page);
        let client = self.run.http.clone();
        let ua = form.ua.clone();
        let mut ex = Exchange {
            client: &client,
            jar: &mut jar,
            ua: &ua,
            limit,
        };

        // The form the browser holds was served to the session it had then; an app that binds hidden
        // values (CSRF nonces) to the session wants the ones of the session presented now.
        let again = ex
            .send(reqwest::Method::GET, page.clone(), None, None)
            .await?;
        let fresh = hidden_inputs(&again.body, &again.url, &action);
        let mut refreshed = Vec::new();
        for (name, v) in form.fields.iter_mut() {
            if form.hidden.contains(name)
                && let Some(new) = fresh.get(name.as_str())
            {
                if v != new {
                    refreshed.push(name.clone());
                }
                *v = new.clone();
            }
        }

        let method = match form.method.to_ascii_lowercase().as_str() {
            "post" => reqwest::Method::POST,
            "get" => reqwest::Method::GET,
            other => {
                return Err(StepError::Page(format!(
                    "the form's method is `{other}`: a browser sends a form only by GET or POST"
                )));
            }
        };
        // Referer: the login page, where the browser's submit would come from.
        let landed = if method == reqwest::Method::GET {
            let mut url = action.clone();
            url.query_pairs_mut().clear().extend_pairs(&form.fields);
            ex.send(method.clone(), url, None, Some(page.as_str()))
                .await?
        } else {
            let body = encode(&form.enctype, &form.fields);
            ex.send(
                method.clone(),
                action.clone(),
                Some(body),
                Some(page.as_str()),
            )
            .await?
        };
        let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
        let path_of = |u: &Url| u.path().to_string();
        self.mark(
            persona,
            format!(
                "login over HTTP: fetched {} again (landed on {}, {}; fresh hidden inputs: {}), \
                 sent {method} {} with fields {} → {} at {}",
                path_of(&page),
                path_of(&again.url),
                again.status,
                if refreshed.is_empty() {
                    "none".to_string()
                } else {
                    refreshed.join(", ")
                },
                path_of(&action),
                names.join(", "),
                landed.status,
                path_of(&landed.url),
            ),
        );
        if landed.status >= 400 {
            return Err(StepError::Page(format!(
                "the app refused the login sent over HTTP: {method} {} ended with status {} at {}",
                path_of(&action),
                landed.status,
                path_of(&landed.url)
            )));
        }

        // The session the login left goes back into the browser, replacing what it held.
        let back = browser_cookies(&jar);
        put_back(&*session, &back).await?;
        if let crate::scenario::TokenLocation::Cookie(names) = &self.profile.token {
            for c in back.iter().filter(|c| names.contains(&c.name)) {
                self.run.redactor.register(Kind::Token, &c.value);
                self.tokens_seen.insert(c.value.clone());
            }
        }
        self.mark_as(
            persona,
            "logged in over HTTP; the browser holds the session it left",
            super::events::Mark::Ran {
                flow: "login".into(),
            },
        );
        Ok(())
    }
}

/// Replaces the browser's cookies for the current site with `cookies`.
async fn put_back(session: &dyn Session, cookies: &[BrowserCookie]) -> StepResult<()> {
    session.delete_all_cookies().await?;
    for c in cookies {
        session.add_cookie(c).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_inputs_come_from_the_login_form_first_then_any_form() {
        let page = Url::parse("http://app.localhost/app/login").unwrap();
        let action = Url::parse("http://app.localhost/app/login").unwrap();
        let html = r#"<form action="/app/logout"><input type="hidden" name="csrf" value="a1"></form>
            <form method=post action=""><input type="hidden" name="csrf" value="b2">
            <input type="text" name="email" value="x"></form>
            <form><input type=hidden name=next value="/x"></form>"#;
        let h = hidden_inputs(html, &page, &action);
        assert_eq!(h.get("csrf").map(String::as_str), Some("b2"));
        assert_eq!(h.get("next").map(String::as_str), Some("/x"));
        assert!(!h.contains_key("email"));
        // Redirected to the account page: no login form; the logout form's nonce is the session's.
        let account = Url::parse("http://app.localhost/app/account").unwrap();
        let html = r#"<form action="/app/logout" method="post"><input type="hidden" name="csrf" value="c3"></form>"#;
        let h = hidden_inputs(html, &account, &action);
        assert_eq!(h.get("csrf").map(String::as_str), Some("c3"));
    }

    #[test]
    fn localhost_subdomains_see_secure_cookies_as_browsers_do() {
        let page = Url::parse("http://tickets.ticketbooth.localhost:8080/login").unwrap();
        let mut jar = CookieStore::new();
        jar.parse(
            "__Host-tb_sid=abc; Path=/; Secure; HttpOnly",
            &cookie_url(&page),
        )
        .unwrap();
        let sent: Vec<(&str, &str)> = jar.get_request_values(&cookie_url(&page)).collect();
        assert_eq!(sent, vec![("__Host-tb_sid", "abc")]);
        let plain = Url::parse("http://example.test/").unwrap();
        assert_eq!(cookie_url(&plain).scheme(), "http");
    }

    #[test]
    fn a_mounted_cookie_keeps_its_path_through_the_jar() {
        let page = Url::parse("http://app.localhost/app/login").unwrap();
        let browser = vec![BrowserCookie {
            name: "sid".into(),
            value: "planted".into(),
            path: Some("/app/".into()),
            domain: Some("app.localhost".into()),
            ..Default::default()
        }];
        let mut jar = jar_from_browser(&browser, &page);
        jar.parse("sid=new; Path=/app/; HttpOnly", &cookie_url(&page))
            .unwrap();
        let back = browser_cookies(&jar);
        assert_eq!(back.len(), 1, "{back:?}");
        assert_eq!(back[0].value, "new");
        assert_eq!(back[0].path.as_deref(), Some("/app/"));
        assert_eq!(back[0].domain, None, "host-only stays host-only");
        assert_eq!(back[0].http_only, Some(true));
        let outside = Url::parse("http://app.localhost/other").unwrap();
        assert_eq!(jar.get_request_values(&cookie_url(&outside)).count(), 0);
    }

    #[test]
    fn forms_encode_as_their_enctype_says() {
        let fields = vec![("email".to_string(), "a@b.test".to_string())];
        let (ctype, body) = encode("application/x-www-form-urlencoded", &fields);
        assert_eq!(ctype, "application/x-www-form-urlencoded");
        assert_eq!(body, b"email=a%40b.test");
        let (ctype, body) = encode("multipart/form-data", &fields);
        assert!(ctype.starts_with("multipart/form-data; boundary="));
        let text = String::from_utf8(body).unwrap();
        assert!(
            text.contains("name=\"email\"\r\n\r\na@b.test\r\n"),
            "{text}"
        );
    }
}
