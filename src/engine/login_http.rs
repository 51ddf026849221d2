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

use super::context::FlowCtx;
use super::step_error::{Awaited, StepError, StepResult};
use crate::driver::{BrowserCookie, Session};
use crate::redact::Kind;
use crate::sampling::exchange::{Exchange, HttpError, cookie_url};
use crate::sampling::form::{encode, hidden_inputs, refresh};
use crate::scenario::step::LoginHttpArgs;
use cookie_store::{CookieDomain, CookieExpiration, CookieStore};
use std::time::Duration;
use url::Url;

/// The form as the browser would submit it. Field values may hold the password: never printed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct FormState {
    pub method: String,
    pub action: String,
    pub enctype: String,
    pub fields: Vec<(String, String)>,
    pub hidden: Vec<String>,
    pub secret: Vec<String>,
    pub page: String,
    pub ua: String,
}

impl FormState {
    /// GET or POST, the only ways a browser sends a form.
    pub fn http_method(&self) -> StepResult<reqwest::Method> {
        match self.method.to_ascii_lowercase().as_str() {
            "post" => Ok(reqwest::Method::POST),
            "get" => Ok(reqwest::Method::GET),
            other => Err(StepError::page(format!(
                "the form's method is `{other}`: a browser sends a form only by GET or POST"
            ))),
        }
    }
}

/// Finds the element a locator names (`strategy` '' = the login form's password field, a filled one
/// first) as `el`, or returns an error object.
const FIND_ELEMENT: &str = concat!(
    crate::driver::shadow::query_js!(),
    r#"
const [strategy, value] = arguments;
let el = null;
if (strategy === 'css selector') el = usherQuery(value);
else if (strategy === 'xpath') el = document.evaluate(value, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
else if (strategy === 'id') el = document.getElementById(value);
else if (strategy === 'name') el = document.getElementsByName(value)[0] || null;
else if (strategy === '') {
  const pws = [...document.querySelectorAll('input[type=password]')].filter(i => i.form);
  el = pws.find(i => i.value) || pws[0] || null;
}
else return {error: 'strategy'};
if (!el) return {error: 'missing'};
"#
);

/// Describes `form` with `FormData`, exactly the fields a submit would send (disabled, unchecked and
/// file inputs left out, as the browser does).
const DESCRIBE_FORM: &str = r#"
function describeForm(form) {
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
}
"#;

/// Reads the form holding the located element.
const READ_FORM: &str = r#"
const form = el.tagName === 'FORM' ? el : (el.form || el.closest('form'));
if (!form) return {error: 'no form'};
return describeForm(form);
"#;

/// What clicking the located element sends, when a browser alone decides it: a link's GET, or the
/// form the element submits. Anything else (a script's handler) is `{error: 'script'}`.
const READ_CONTROL: &str = r#"
const link = el.closest('a[href]');
if (link && !link.getAttribute('href').trim().toLowerCase().startsWith('javascript:')
    && !el.getAttribute('onclick') && !link.getAttribute('onclick')) {
  return {link: link.href, page: location.href, ua: navigator.userAgent};
}
const form = el.form || el.closest('form');
const submits = el.tagName === 'FORM' || (el.form && (el.type === 'submit' || el.type === 'image'));
if (form && submits && !form.getAttribute('onsubmit')) return {form: describeForm(form)};
return {error: 'script'};
"#;

/// What clicking an element sends (see `READ_CONTROL`).
#[derive(Debug, Clone)]
pub enum Control {
    /// A link: GET its URL from `page`.
    Link {
        url: String,
        page: String,
        ua: String,
    },
    Form(FormState),
    /// A control whose effect a script decides.
    Script,
}

/// The form holding the element `strategy`/`value` locates ('' = the password field's form), as the
/// browser would submit it. Its secret fields' values are registered for redaction.
pub async fn read_form(
    ctx: &FlowCtx,
    session: &dyn Session,
    strategy: &str,
    value: &str,
) -> StepResult<FormState> {
    let script = format!("{DESCRIBE_FORM}{FIND_ELEMENT}{READ_FORM}");
    let raw = session
        .execute(&script, vec![strategy.into(), value.into()])
        .await?;
    if let Some(why) = raw.get("error").and_then(|e| e.as_str()) {
        return Err(locate_error(why, strategy, value));
    }
    let form: FormState = serde_json::from_value(raw)
        .map_err(|e| StepError::infra(format!("the browser described the form unreadably: {e}")))?;
    for (name, v) in &form.fields {
        if form.secret.contains(name) && !v.is_empty() {
            ctx.run.redactor.register(Kind::Secret, v);
        }
    }
    Ok(form)
}

/// What clicking the located element would send.
pub async fn read_control(
    ctx: &FlowCtx,
    session: &dyn Session,
    strategy: &str,
    value: &str,
) -> StepResult<Control> {
    let script = format!("{DESCRIBE_FORM}{FIND_ELEMENT}{READ_CONTROL}");
    let raw = session
        .execute(&script, vec![strategy.into(), value.into()])
        .await?;
    match raw.get("error").and_then(|e| e.as_str()) {
        Some("script") => return Ok(Control::Script),
        Some(why) => return Err(locate_error(why, strategy, value)),
        None => {}
    }
    let text = |k: &str| raw.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(url) = text("link") {
        return Ok(Control::Link {
            url,
            page: text("page").unwrap_or_default(),
            ua: text("ua").unwrap_or_default(),
        });
    }
    let form: FormState = serde_json::from_value(raw.get("form").cloned().unwrap_or_default())
        .map_err(|e| StepError::infra(format!("the browser described the form unreadably: {e}")))?;
    for (name, v) in &form.fields {
        if form.secret.contains(name) && !v.is_empty() {
            ctx.run.redactor.register(Kind::Secret, v);
        }
    }
    Ok(Control::Form(form))
}

fn locate_error(why: &str, strategy: &str, value: &str) -> StepError {
    match why {
        "strategy" => StepError::input(format!(
            "a form is found by css, xpath, id or name, not by {strategy}"
        )),
        "missing" if strategy.is_empty() => StepError::page(
            "the page holds no form with a password field: load and fill the login form \
             first (e.g. `run: {flow: login, until: submit}`)",
        ),
        "missing" => StepError::page(format!("no element matches the locator {value}")),
        _ => StepError::page("the element found is not inside a form"),
    }
}

impl From<HttpError> for StepError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Timeout(limit) => StepError::Timeout {
                limit,
                awaited: Awaited::HttpLogin,
            },
            // The HTTP client's chain of causes, and a redirect loop told with its paths: free text.
            HttpError::Failed(m) => StepError::infra(m),
            HttpError::Redirects(m) => StepError::page(m),
        }
    }
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

impl FlowCtx {
    pub async fn login_http(
        &mut self,
        persona: &str,
        args: &LoginHttpArgs,
        limit: Duration,
    ) -> StepResult<()> {
        let session = self.session(persona).await?;
        let (strategy, value) = args.form.as_ref().map(|l| l.resolve()).unwrap_or_default();
        let mut form = read_form(self, &*session, &strategy, &value).await?;
        let page = Url::parse(&form.page)
            .map_err(|e| StepError::page(format!("the login page has no usable URL: {e}")))?;
        let action = Url::parse(&form.action)
            .map_err(|e| StepError::page(format!("the form has no usable action: {e}")))?;
        if !super::token::same_origin(action.as_str(), &self.base_url) {
            return Err(StepError::page(format!(
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
            same_origin: false,
        };

        // The form the browser holds was served to the session it had then; an app that binds hidden
        // values (CSRF nonces) to the session wants the ones of the session presented now.
        let again = ex
            .send(reqwest::Method::GET, page.clone(), None, None)
            .await?;
        let fresh = hidden_inputs(&again.body, &again.url, &action);
        let refreshed = refresh(&mut form.fields, &form.hidden, &fresh);

        let method = form.http_method()?;
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
            return Err(StepError::page(format!(
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
            crate::record::Mark::Ran {
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
}
