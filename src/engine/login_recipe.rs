//! Learning, from one browser login, the requests a token sampler replays over HTTP: the login form
//! as the browser submits it (read with `FormData` at the login flow's submit), the `logged_in`
//! oracle as a page and the elements that must be on it, and the logout the `logout` flow's last
//! click sends (a link's GET or a form). What cannot be replayed faithfully is said, never guessed:
//! the caller then samples through the browser.

use super::context::FlowCtx;
use super::login_http::{Control, FormState, read_control, read_form};
use super::step_error::{StepError, StepResult};
use crate::sampling::{LoginRecipe, LogoutRecipe, SessionProof};
use crate::scenario::TokenLocation;
use crate::scenario::locator::LocatorDoc;
use crate::scenario::step::{Action, Expect, Step, submit_index};
use url::Url;

/// What learning the login gave.
pub enum Learned {
    /// The login replays over HTTP; `notes` say what the sampler will not do (e.g. log out).
    Recipe {
        recipe: Box<LoginRecipe>,
        notes: Vec<String>,
    },
    /// Why the login cannot be replayed over HTTP.
    NotReplayable(String),
}

/// A locator as a CSS selector scraper can match in server-sent HTML, if it is one.
fn css_of(l: &LocatorDoc) -> Option<String> {
    let quoted = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"");
    match l {
        LocatorDoc::Css(s) => Some(s.clone()),
        LocatorDoc::Strategy(m) => {
            let (k, v) = m.iter().next()?;
            match k.as_str() {
                "css" => Some(v.clone()),
                "id" => Some(format!("[id=\"{}\"]", quoted(v))),
                "name" => Some(format!("[name=\"{}\"]", quoted(v))),
                _ => None,
            }
        }
    }
    .filter(|css| scraper::Selector::parse(css).is_ok())
}

/// `url` without the query parameters holding one of `values` (the learning browser's own session
/// ids, which an app that carries sessions in URLs writes into its links and forms).
fn without_values(url: &Url, values: &[String]) -> Url {
    let mut u = url.clone();
    if values.is_empty() || url.query().is_none() {
        return u;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(_, v)| !values.iter().any(|t| t == v))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    u
}

impl FlowCtx {
    /// The values of the token cookies `learner`'s browser holds now.
    async fn held_ids(&mut self, learner: &str, names: &[String]) -> StepResult<Vec<String>> {
        let session = self.session(learner).await?;
        Ok(session
            .cookies()
            .await?
            .into_iter()
            .filter(|c| names.contains(&c.name) && !c.value.is_empty())
            .map(|c| c.value)
            .collect())
    }

    /// Logs `learner` (a probe of `persona`'s account) in and out in its browser, learning the
    /// requests on the way. Errors are the browser's: the login itself did not work.
    pub async fn learn_login(&mut self, persona: &str, learner: &str) -> StepResult<Learned> {
        let TokenLocation::Cookie(names) = self.profile.token.clone() else {
            return Ok(Learned::NotReplayable(format!(
                "the token is read from {}, not from a cookie a login answer sets",
                self.profile.token.describe()
            )));
        };
        let proof = match self.oracle_over_http(persona, learner) {
            Ok(p) => p,
            Err(why) => {
                return Ok(Learned::NotReplayable(format!(
                    "the `logged_in` oracle cannot be asked over HTTP: {why}"
                )));
            }
        };
        let Some(login) = self.profile.flows.get("login").cloned() else {
            return Err(StepError::input("the profile has no `login` flow"));
        };
        let Some(at) = submit_index(&login.steps) else {
            return Ok(Learned::NotReplayable(
                "the login flow has no submit (a `click` or `submit` after its last `fill`) whose \
                 form could be read"
                    .into(),
            ));
        };
        self.exec_steps(&login.steps[..at], learner)
            .await
            .map_err(|f| f.error)?;
        let form = match self.submitted_form(learner, &login.steps[at]).await {
            Ok(f) => f,
            Err(why) => return Ok(Learned::NotReplayable(why)),
        };
        let mut ids = self.held_ids(learner, &names).await?;
        let page = Url::parse(&form.page).map(|u| without_values(&u, &ids));
        let action = Url::parse(&form.action).map(|u| without_values(&u, &ids));
        let (Ok(page), Ok(action)) = (page, action) else {
            return Ok(Learned::NotReplayable(
                "the login form's page or action is not a usable URL".into(),
            ));
        };
        if !super::token::same_origin(action.as_str(), &self.base_url) {
            return Ok(Learned::NotReplayable(format!(
                "the login form posts to another origin ({}); usher sends logins only to the app",
                action.origin().ascii_serialization()
            )));
        }
        let method = match form.http_method() {
            Ok(m) => m,
            Err(e) => return Ok(Learned::NotReplayable(e.to_string())),
        };
        self.exec_steps(&login.steps[at..], learner)
            .await
            .map_err(|f| f.error)?;
        self.persona_mut(learner).ran_login = true;
        self.mark(
            learner,
            "logged in once in the browser to learn the login request",
        );

        ids.extend(self.held_ids(learner, &names).await?);
        let mut notes = Vec::new();
        let logout = match self.learn_logout(learner, &ids).await {
            Ok(l) => Some(l),
            Err(why) => {
                notes.push(format!("samples were not logged out: {why}"));
                None
            }
        };
        Ok(Learned::Recipe {
            recipe: Box::new(LoginRecipe {
                page,
                method,
                action,
                enctype: form.enctype,
                fields: form.fields,
                hidden: form.hidden,
                user_agent: form.ua,
                token_cookies: names,
                proof,
                logout,
            }),
            notes,
        })
    }

    /// The form the login flow's submit step sends, read in the browser before the submit.
    async fn submitted_form(&mut self, learner: &str, submit: &Step) -> Result<FormState, String> {
        let session = self.session(learner).await.map_err(|e| e.to_string())?;
        let locator = match &submit.action {
            Action::Click(l) | Action::Submit(l) => Some(l.resolve()),
            _ => None,
        };
        let by_submit = match &locator {
            Some((strategy, value)) => read_form(self, &*session, strategy, value).await,
            None => Err(StepError::page("no locator")),
        };
        match by_submit {
            Ok(f) => Ok(f),
            // The submit may be a control outside the form (a script's button): the password
            // field's form is then the login form.
            Err(_) => read_form(self, &*session, "", "")
                .await
                .map_err(|e| format!("the login form cannot be read at its submit: {e}")),
        }
    }

    /// The `logged_in` oracle as a page and its elements, when it is only `open`s and `see`s of
    /// elements and URLs that server-sent HTML answers; the profile's `identity` element is added
    /// when it is CSS.
    fn oracle_over_http(&self, persona: &str, learner: &str) -> Result<SessionProof, String> {
        let flow = self
            .profile
            .flows
            .get("logged_in")
            .ok_or("the profile has no `logged_in` flow")?;
        let mut url: Option<Url> = None;
        let mut present = Vec::new();
        let mut absent = Vec::new();
        let mut url_contains = Vec::new();
        let element = |e: &Expect, what: &str| -> Result<Option<String>, String> {
            if e.text.is_some() {
                return Err(format!(
                    "its `{what}` of text is judged on rendered text, not on HTML"
                ));
            }
            match &e.element {
                Some(l) => {
                    let css = css_of(l).ok_or_else(|| {
                        format!("its `{what}` locator is not CSS, an id or a name")
                    })?;
                    Ok(Some(self.expand(&css, learner).map_err(|e| e.to_string())?))
                }
                None => Ok(None),
            }
        };
        for step in &flow.steps {
            match &step.action {
                Action::Open(t) if present.is_empty() && url_contains.is_empty() => {
                    let t = self.expand(t, learner).map_err(|e| e.to_string())?;
                    let u = self.url_of(learner, &t).map_err(|e| e.to_string())?;
                    url = Some(Url::parse(&u).map_err(|e| e.to_string())?);
                }
                Action::See(e) | Action::WaitFor(e) => {
                    if let Some(css) = element(e, "see")? {
                        present.push(css);
                    }
                    if let Some(u) = &e.url {
                        url_contains.push(self.expand(u, learner).map_err(|e| e.to_string())?);
                    }
                }
                Action::NotSee(e) => {
                    if e.url.is_some() {
                        return Err("its `not_see` of a URL is not translated".into());
                    }
                    if let Some(css) = element(e, "not_see")? {
                        absent.push(css);
                    }
                }
                other => {
                    return Err(format!(
                        "its `{}` step ({}) needs a browser",
                        other.keyword(),
                        step.origin
                    ));
                }
            }
        }
        let url = url.ok_or("it opens no page")?;
        if present.is_empty() && url_contains.is_empty() {
            return Err("it sees no element or URL that only a logged-in user gets".into());
        }
        let identity = self
            .profile
            .identity
            .as_ref()
            .and_then(css_of)
            .and_then(|css| {
                let username = self.lookup(persona, "persona.username")?;
                Some((css, username))
            });
        Ok(SessionProof {
            url,
            present,
            absent,
            url_contains,
            identity,
        })
    }

    /// Logs `learner` out with the `logout` flow, learning what its last click sends (or the last
    /// page it opens, when it clicks nothing). `Err` says why no logout can be replayed.
    async fn learn_logout(
        &mut self,
        learner: &str,
        ids: &[String],
    ) -> Result<LogoutRecipe, String> {
        let flow = self
            .profile
            .flows
            .get("logout")
            .cloned()
            .ok_or("the profile has no `logout` flow")?;
        let steps = &flow.steps;
        let click = steps
            .iter()
            .rposition(|s| matches!(s.action, Action::Click(_) | Action::Submit(_)));
        let Some(k) = click else {
            let Some(Action::Open(t)) = steps
                .iter()
                .rev()
                .map(|s| &s.action)
                .find(|a| matches!(a, Action::Open(_)))
            else {
                return Err("the `logout` flow neither clicks nor opens anything".into());
            };
            let t = self.expand(t, learner).map_err(|e| e.to_string())?;
            let url = self.url_of(learner, &t).map_err(|e| e.to_string())?;
            let url = without_values(&Url::parse(&url).map_err(|e| e.to_string())?, ids);
            self.logout_in_browser(learner, steps).await?;
            return Ok(LogoutRecipe::Get { url });
        };
        self.exec_steps(&steps[..k], learner)
            .await
            .map_err(|f| format!("the `logout` flow failed in the browser: {}", f.error))?;
        let session = self.session(learner).await.map_err(|e| e.to_string())?;
        let (strategy, value) = match &steps[k].action {
            Action::Click(l) | Action::Submit(l) => l.resolve(),
            _ => unreachable!("found as a click or submit"),
        };
        let control = read_control(self, &*session, &strategy, &value).await;
        self.logout_in_browser(learner, &steps[k..]).await?;
        let origin_ok = |u: &Url| super::token::same_origin(u.as_str(), &self.base_url);
        match control.map_err(|e| format!("its logout control cannot be read: {e}"))? {
            Control::Link { url, .. } => {
                let url = without_values(&Url::parse(&url).map_err(|e| e.to_string())?, ids);
                if !origin_ok(&url) {
                    return Err("its logout link leads to another origin".into());
                }
                Ok(LogoutRecipe::Get { url })
            }
            Control::Form(f) => {
                let method = f.http_method().map_err(|e| e.to_string())?;
                let (Ok(page), Ok(action)) = (Url::parse(&f.page), Url::parse(&f.action)) else {
                    return Err("its logout form has no usable URL".into());
                };
                let (page, action) = (without_values(&page, ids), without_values(&action, ids));
                if !origin_ok(&action) {
                    return Err("its logout form posts to another origin".into());
                }
                Ok(LogoutRecipe::Form {
                    page,
                    method,
                    action,
                    enctype: f.enctype,
                    fields: f.fields,
                    hidden: f.hidden,
                })
            }
            Control::Script => {
                Err("its logout control runs page script, which only a browser can".into())
            }
        }
    }

    async fn logout_in_browser(&mut self, learner: &str, steps: &[Step]) -> Result<(), String> {
        self.exec_steps(steps, learner)
            .await
            .map_err(|f| format!("the `logout` flow failed in the browser: {}", f.error))?;
        self.mark(
            learner,
            "logged out in the browser to learn the logout request",
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_locators_html_can_answer_become_css() {
        let strategy = |k: &str, v: &str| LocatorDoc::Strategy([(k.into(), v.into())].into());
        assert_eq!(css_of(&LocatorDoc::Css("#a".into())).as_deref(), Some("#a"));
        assert_eq!(
            css_of(&strategy("id", "account-email")).as_deref(),
            Some("[id=\"account-email\"]")
        );
        assert_eq!(
            css_of(&strategy("name", "q\"x")).as_deref(),
            Some("[name=\"q\\\"x\"]")
        );
        assert_eq!(css_of(&strategy("xpath", "//a")), None);
        assert_eq!(css_of(&LocatorDoc::Css("a[".into())), None);
    }

    #[test]
    fn learned_urls_lose_the_learning_browsers_session_ids() {
        let u = Url::parse("http://app.localhost/app/logout?sid=abc&next=%2Fx").unwrap();
        let ids = vec!["abc".to_string()];
        assert_eq!(
            without_values(&u, &ids).as_str(),
            "http://app.localhost/app/logout?next=%2Fx"
        );
        let only = Url::parse("http://app.localhost/account?sid=abc").unwrap();
        assert_eq!(
            without_values(&only, &ids).as_str(),
            "http://app.localhost/account"
        );
        assert_eq!(without_values(&only, &[]), only);
    }
}
