//! The `logged_in` oracle: the profile flow whose `see`/`not_see` steps say whether the current session
//! acts as an authenticated user. Judged by content, never by status code, and on the page as it
//! settles (src/driver/settle.rs): a `see` answers "yes" as soon as its element appears and "no" once
//! the page is done without it, or at the profile's `defaults.oracle_grace` (a ceiling, 5 s unless
//! set); a `not_see` looks at the settled page. Where the page cannot be watched (native app
//! contexts) a `see` waits a fixed `oracle_grace` (800 ms unless set) as it always did.

use super::browser_step;
use super::context::FlowCtx;
use super::step_error::{PageError, StepError, StepResult};
use crate::scenario::step::Action;

/// The oracle's answer and the observation behind it.
pub struct OracleAnswer {
    pub logged_in: bool,
    pub observed: Vec<String>,
    /// The page the answer was given on, when the answering look read it (no extra round trip).
    pub url: Option<String>,
    /// Whether a look of a `see` with `otherwise` saw that sign of a logged-out page (None: the
    /// oracle names none, or the page could not be watched). check-profile proves it.
    pub otherwise_seen: Option<bool>,
}

impl FlowCtx {
    /// Runs the oracle for a persona. Errors (driver, navigation) are ERRORs, never a "no".
    pub async fn oracle(&mut self, persona: &str) -> StepResult<OracleAnswer> {
        // The server must answer, not a page the browser cached (apps with cacheable authenticated
        // pages would otherwise look logged in after logout). Drivers without the switch still ask.
        let session = self.session(persona).await?;
        let bypass = session.set_cache_disabled(true).await.is_ok();
        let answer = self.predicate_flow(persona, "logged_in").await;
        if bypass {
            let _ = session.set_cache_disabled(false).await;
        }
        let answer = answer?;
        // Standing on the oracle's page, the browser sends every cookie that page gets.
        if let Some(dups) = super::token::duplicate_cookies(&*session, &self.profile.token).await {
            self.mark(persona, format!("holds {dups}"));
            return Err(StepError::page(format!(
                "{persona}'s browser holds {dups}: the app reads one of them and which one cannot \
                 be known, so its session cannot be judged; plant ids with the app's cookie scope \
                 (`token: {{cookie: NAME, path: ...}}` in the profile)"
            )));
        }
        if answer.logged_in {
            match &answer.url {
                Some(url) => self.persona_mut(persona).last_authenticated = Some(url.clone()),
                None => self.note_authenticated(persona).await,
            }
        }
        self.mark_as(
            persona,
            if answer.logged_in {
                "oracle: logged in"
            } else {
                "oracle: logged out"
            },
            crate::record::Mark::Oracle {
                logged_in: answer.logged_in,
            },
        );
        Ok(answer)
    }

    /// The oracle's `otherwise` selectors (the signs of a logged-out page its `see` steps name).
    pub fn oracle_otherwise(&self) -> Vec<String> {
        let Some(flow) = self.profile.flows.get("logged_in") else {
            return Vec::new();
        };
        flow.steps
            .iter()
            .filter_map(|s| match &s.action {
                Action::See(e) => e.otherwise.clone(),
                _ => None,
            })
            .collect()
    }

    /// Which of `selectors` are on `persona`'s current page once it has settled (bounded by the
    /// oracle's ceiling); `None` where the page cannot be watched.
    pub async fn on_settled_page(
        &mut self,
        persona: &str,
        selectors: &[String],
    ) -> StepResult<Option<Vec<String>>> {
        let session = self.session(persona).await?;
        let ceiling = self.profile.oracle_grace;
        let this = &*self;
        let resolve = |t: &str| this.expand(t, persona);
        let mut present = Vec::new();
        for sel in selectors {
            let e = crate::scenario::step::Expect {
                element: Some(crate::scenario::locator::LocatorDoc::Css(sel.clone())),
                ..Default::default()
            };
            match browser_step::settled_holds(&*session, &e, false, ceiling, &resolve).await? {
                Some(s) if s.holds => present.push(sel.clone()),
                Some(_) => {}
                None => return Ok(None),
            }
        }
        Ok(Some(present))
    }

    /// Runs a flow whose `see`/`not_see` steps are questions, not assertions: the answer is whether
    /// they all hold (`logged_in` carries it). Other steps must succeed.
    pub async fn predicate_flow(&mut self, persona: &str, name: &str) -> StepResult<OracleAnswer> {
        let Some(flow) = self.profile.flows.get(name).cloned() else {
            return Err(StepError::input(format!(
                "the profile has no `{name}` flow"
            )));
        };
        let session = self.session(persona).await?;
        let mut observed = Vec::new();
        let mut logged_in = true;
        // Where the flow ended, when its last step was a look that read it.
        let mut url = None;
        let mut otherwise_seen: Option<bool> = None;
        for step in &flow.steps {
            url = None;
            let who = step.persona.as_deref().unwrap_or(persona);
            let limit = self.limit(step);
            let this = &*self;
            let resolve = |t: &str| this.expand(t, who);
            let url_of = |t: &str| this.url_of(who, t);
            match &step.action {
                Action::See(e) => {
                    let ceiling = self.profile.oracle_grace.min(limit);
                    let settled =
                        browser_step::settled_holds(&*session, e, true, ceiling, &resolve).await?;
                    let mut sign = String::new();
                    let seen = match settled {
                        Some(settled) => {
                            url = settled.url;
                            if let Some(o) = settled.otherwise_seen {
                                otherwise_seen = Some(otherwise_seen.unwrap_or(false) || o);
                            }
                            if settled.by_otherwise {
                                sign = format!(
                                    "; saw `{}`, what only logged-out visitors get",
                                    e.otherwise.as_deref().unwrap_or_default()
                                );
                            }
                            settled.holds
                        }
                        None => {
                            let grace = self.profile.oracle_unwatched_grace.min(limit);
                            browser_step::wait_until(&*session, e, true, grace, &resolve).await?
                        }
                    };
                    observed.push(format!(
                        "{} {}{sign}",
                        if seen { "saw" } else { "did not see" },
                        e.describe()
                    ));
                    logged_in &= seen;
                }
                Action::NotSee(e) => {
                    let ceiling = self.profile.oracle_grace.min(limit);
                    let settled =
                        browser_step::settled_holds(&*session, e, false, ceiling, &resolve).await?;
                    let seen = match settled {
                        Some(settled) => {
                            url = settled.url;
                            settled.holds
                        }
                        None => browser_step::holds(&*session, e, &resolve).await?,
                    };
                    observed.push(format!(
                        "{} {}",
                        if seen { "saw" } else { "did not see" },
                        e.describe()
                    ));
                    logged_in &= !seen;
                }
                a if a.is_browser_only() => {
                    tokio::time::timeout(
                        limit,
                        browser_step::run(&*session, a, &url_of, &resolve, limit),
                    )
                    .await
                    .map_err(|_| StepError::step_timeout(limit))?
                    .map_err(|e| PageError::FlowFailed {
                        flow: name.to_string(),
                        origin: step.origin.clone(),
                        error: Box::new(e),
                    })?;
                }
                other => {
                    return Err(StepError::input(format!(
                        "the `{name}` flow may only use browser steps here, not `{}` ({})",
                        other.keyword(),
                        step.origin
                    )));
                }
            }
        }
        Ok(OracleAnswer {
            logged_in,
            observed,
            url,
            otherwise_seen,
        })
    }
}
