//! What each step of a flow does: the one match over step kinds, calling the file that holds each.

use super::browser_step;
use super::context::FlowCtx;
use super::expand::looks_secret;
use super::step_error::{InputError, PageError, StepError, StepResult};
use super::token_io::chosen_token;
use crate::record::Mark;
use crate::redact::Kind;
use crate::scenario::TokenLocation;
use crate::scenario::step::{Action, Step};
use std::time::Duration;

impl FlowCtx {
    pub(super) async fn dispatch(&mut self, step: &Step, persona: &str) -> StepResult<()> {
        let limit = self.limit(step);
        match &step.action {
            a if a.is_browser_only() => {
                let session = self.session(persona).await?;
                let this = &*self;
                let resolve = |t: &str| this.expand(t, persona);
                let url_of = |t: &str| this.url_of(persona, t);
                let fut = browser_step::run(&*session, a, &url_of, &resolve, limit);
                let saved = tokio::time::timeout(limit + Duration::from_secs(1), fut)
                    .await
                    .map_err(|_| StepError::step_timeout(limit))??;
                if let Some((name, value)) = saved {
                    self.saved.insert(name, value);
                }
                Ok(())
            }
            Action::Run(name) => {
                let Some(flow) = self.profile.flows.get(name).cloned() else {
                    return Err(InputError::UnknownFlow(name.clone()).into());
                };
                self.exec_steps(&flow.steps, persona)
                    .await
                    .map_err(|f| f.error.in_flow(name, &f.origin))?;
                self.mark_as(
                    persona,
                    format!("ran {name}"),
                    Mark::Ran { flow: name.clone() },
                );
                match name.as_str() {
                    "login" => self.persona_mut(persona).ran_login = true,
                    "logged_in" => self.note_authenticated(persona).await,
                    _ => {}
                }
                Ok(())
            }
            Action::RunPart(part) => {
                let Some(flow) = self.profile.flows.get(&part.flow).cloned() else {
                    return Err(InputError::UnknownFlow(part.flow.clone()).into());
                };
                let steps = crate::scenario::step::flow_part(&flow.steps, part)
                    .map_err(StepError::input)?;
                self.exec_steps(steps, persona)
                    .await
                    .map_err(|f| f.error.in_flow(&part.flow, &f.origin))?;
                let half = if part.until.is_some() {
                    "up to its submit"
                } else {
                    "from its submit"
                };
                let text = format!("ran {} {half}", part.flow);
                match part.until {
                    // The second half completes the flow: for a login, the browser is now logged in.
                    None => self.mark_as(
                        persona,
                        text,
                        Mark::Ran {
                            flow: part.flow.clone(),
                        },
                    ),
                    Some(_) => self.mark(persona, text),
                }
                Ok(())
            }
            Action::LoginHttp(args) => self.login_http(persona, args, limit).await,
            Action::Require(c) => {
                self.observe_for(c).await;
                let outcome = crate::engine::checks::evaluate(self, c, persona, &step.origin).await;
                self.mark(
                    persona,
                    format!("required {}: {}", c.name(), outcome.verdict.label()),
                );
                if outcome.verdict == crate::record::Verdict::Pass {
                    Ok(())
                } else {
                    Err(PageError::RequiredCheck {
                        check: c.name(),
                        verdict: outcome.verdict.label(),
                        message: outcome.message,
                    }
                    .into())
                }
            }
            Action::Variants(v) => self.variants(v, persona, &step.origin).await,
            Action::Idle(d) => self.idle(*d).await,
            Action::BackTo(_) => self.back_to_authenticated(persona).await,
            Action::Screenshot(name) => {
                let session = self.session(persona).await?;
                let png = session.screenshot_png().await?;
                let file = format!(
                    "{}-{}.png",
                    name.as_deref().unwrap_or("screenshot"),
                    self.steps.len()
                );
                self.save_artifact(persona, &file, &png)?;
                Ok(())
            }
            Action::Steal(s) => {
                let t = self.read_token(&s.from).await?;
                if t.is_empty() {
                    return Err(PageError::NoToken {
                        persona: s.from.clone(),
                        token: self.profile.token.describe(),
                        purpose: "steal",
                    }
                    .into());
                }
                self.put_token(&s.to, &t).await?;
                let fp = self.fingerprints(&t);
                self.mark_as(
                    &s.to,
                    format!("holds {}'s token {fp}", s.from),
                    Mark::Stole {
                        from: s.from.clone(),
                        token: fp,
                    },
                );
                Ok(())
            }
            Action::Plant(p) => {
                if let TokenLocation::Header(name) = &self.profile.token {
                    // A precondition the app lacks: SKIPPED, never ERROR (nor PASS).
                    return Err(StepError::Unsupported(format!(
                        "the session token travels in request header `{name}`, which the page's own \
                         script sets: nothing another site does can plant an id there (no cookie, no \
                         URL), so session fixation does not apply to this app"
                    )));
                }
                let t = match (&p.value, &p.from) {
                    (Some(v), _) => {
                        let v = self.expand(v, persona)?;
                        self.run.redactor.register(Kind::Token, &v);
                        self.tokens_seen.insert(v.clone());
                        chosen_token(&self.profile.token, v)
                    }
                    (_, Some(from)) => self.read_token(from).await?,
                    _ => unreachable!("validated: value or from"),
                };
                if t.is_empty() {
                    return Err(StepError::page("there is no session id to plant"));
                }
                self.put_token(&p.into, &t).await?;
                let fp = self.fingerprints(&t);
                self.mark_as(
                    &p.into,
                    format!("planted id {fp}"),
                    Mark::Planted {
                        token: fp,
                        from: p.from.clone(),
                    },
                );
                Ok(())
            }
            Action::Capture(c) => {
                let from = c.from.as_deref().unwrap_or(persona);
                let t = self.read_token(from).await?;
                if t.is_empty() && !self.persona_mut(from).ran_login {
                    // A precondition the app lacks, not a broken page: SKIPPED, never ERROR.
                    return Err(StepError::Unsupported(format!(
                        "{from} holds no session token ({}) before logging in: the app issues no session \
                         id to anonymous visitors, so there is none to capture (say `anonymous_sessions: \
                         false` in the profile to skip such scenarios before a browser starts)",
                        self.profile.token.describe()
                    )));
                }
                if t.is_empty() {
                    return Err(PageError::NoToken {
                        persona: from.to_string(),
                        token: self.profile.token.describe(),
                        purpose: "capture",
                    }
                    .into());
                }
                let fp = self.fingerprints(&t);
                self.mark_as(
                    from,
                    format!("token {fp} captured as {}", c.label),
                    Mark::Captured {
                        token: fp,
                        label: c.label.clone(),
                    },
                );
                self.captured.insert(c.label.clone(), t);
                Ok(())
            }
            Action::Replay(r) => {
                let Some(t) = self.captured.get(&r.token).cloned() else {
                    return Err(InputError::NotCaptured(r.token.clone()).into());
                };
                if let Some(into) = &r.into {
                    self.put_token(into, &t).await?;
                    let fp = self.fingerprints(&t);
                    self.mark_as(
                        into,
                        format!("replays {fp}"),
                        Mark::Replayed {
                            token: fp,
                            label: r.token.clone(),
                        },
                    );
                    return Ok(());
                }
                let h = r.http.as_ref().expect("validated: into or http");
                self.replay_http(&t, &h.method, &self.expand(&h.path, persona)?, limit)
                    .await
            }
            Action::Fresh(p) => {
                let name = p.clone().unwrap_or_else(|| persona.to_string());
                // What the old browser did is read before it goes (its log goes with it).
                self.observe(&name).await;
                if let Some(s) = self.persona_mut(&name).session.take() {
                    let _ = s.close().await;
                }
                let p = self.persona_mut(&name);
                p.url_token = None;
                self.session(&name).await?;
                self.mark_as(&name, "fresh browser", Mark::NoSession);
                Ok(())
            }
            Action::Forget(p) => {
                let name = p.clone().unwrap_or_else(|| persona.to_string());
                let session = self.session(&name).await?;
                session.delete_all_cookies().await?;
                let _ = session
                    .execute(
                        "try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}",
                        vec![],
                    )
                    .await;
                session.set_extra_headers(&[]).await.ok();
                self.persona_mut(&name).url_token = None;
                self.mark_as(&name, "cookies and storage cleared", Mark::NoSession);
                Ok(())
            }
            Action::Parallel(p) => self.parallel(&p.personas, &p.run, limit).await,
            Action::Browse => self.browse(persona, limit).await,
            Action::SetVar(vars) => {
                for (name, value) in vars {
                    let v = self.expand(value, persona)?;
                    if looks_secret(name) {
                        self.run.redactor.register(crate::redact::Kind::Secret, &v);
                    }
                    self.saved.insert(name.clone(), v);
                }
                Ok(())
            }
            Action::Check(c) => {
                self.observe_for(c).await;
                let outcome = crate::engine::checks::evaluate(self, c, persona, &step.origin).await;
                self.record_check(outcome);
                Ok(())
            }
            other => Err(InputError::NotRunnable {
                keyword: other.keyword(),
            }
            .into()),
        }
    }
}
