//! Running one scenario: its steps across personas, the profile flows they call, and its checks.

use super::browser_step::{self, StepError, StepResult};
use super::context::{FlowCtx, HttpResponse, Persona};
use super::events::{Event, Mark, StepRecord, TimelineEntry};
use super::token::{self, Placement, Token, TokenPart};
use crate::driver::{NetEvent, Session};
use crate::redact::Kind;
use crate::scenario::step::{Action, Origin, Step};
use crate::scenario::{TokenLocation, vars};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often an idle wait pokes remote sessions so the endpoint does not end them (Appium's
/// `newCommandTimeout` is 60 s by default); the poke never reaches the target's backend.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(20);

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A step that failed, with where it was written.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: StepError,
    pub origin: Origin,
}

impl FlowCtx {
    pub fn persona_mut(&mut self, name: &str) -> &mut Persona {
        self.personas
            .entry(name.to_string())
            .or_insert_with(|| Persona::new(name))
    }

    /// The persona's browser: the one `prestart` started for it, or one started now.
    pub async fn session(&mut self, name: &str) -> StepResult<Arc<dyn Session>> {
        if let Some(s) = self.persona_mut(name).session.clone() {
            return Ok(s);
        }
        let session: Arc<dyn Session> = match self.warming.remove(name) {
            Some(start) => Arc::from(start.await.map_err(|e| {
                StepError::Infra(format!("starting {name}'s browser failed: {e}"))
            })??),
            None => {
                let session = start_session(
                    self.run.clone(),
                    format!("{}-{}", self.flow, name),
                    self.full_browser,
                )
                .await?;
                Arc::from(session)
            }
        };
        self.persona_mut(name).session = Some(session.clone());
        self.mark_as(name, "browser started (no session)", Mark::NoSession);
        Ok(session)
    }

    /// Starts, in the background, the browsers of the scenario's `personas:` that its first step
    /// will not use, so that the first `steal` or `check ... as:` finds one ready instead of
    /// waiting for a browser to start. Only on this machine's own chromedriver: a Grid or Appium
    /// endpoint decides itself how many sessions it runs at once, and an early request could queue
    /// the first persona's behind it; local Firefox (one geckodriver per session, several
    /// CPU-seconds a start) once failed to connect when started beside the first persona's on a
    /// loaded machine, so its sessions still start one at a time.
    pub fn prestart(&mut self, personas: &[String], first: &str) {
        let launcher = &self.run.launcher;
        if launcher.work_dir().is_none() || launcher.endpoint().is_empty() {
            return;
        }
        for name in personas {
            if name == first || self.warming.contains_key(name) || self.personas.contains_key(name)
            {
                continue;
            }
            let start = start_session(
                self.run.clone(),
                format!("{}-{}", self.flow, name),
                self.full_browser,
            );
            self.warming.insert(name.clone(), tokio::spawn(start));
        }
    }

    pub fn mark(&mut self, persona: &str, state: impl Into<String>) {
        self.push_mark(persona, state.into(), None);
    }

    /// [`Self::mark`] with what the entry means, for the drawn timeline.
    pub fn mark_as(&mut self, persona: &str, state: impl Into<String>, mark: Mark) {
        self.push_mark(persona, state.into(), Some(mark));
    }

    fn push_mark(&mut self, persona: &str, state: String, mark: Option<Mark>) {
        let state = self.run.redactor.redact(&state);
        self.timeline.push(TimelineEntry {
            at: self.started.elapsed(),
            persona: persona.to_string(),
            state,
            mark,
        });
    }

    /// Looks up `${NAME}` for a step performed by `persona`.
    pub fn lookup(&self, persona: &str, name: &str) -> Option<String> {
        if let Some(v) = self.saved.get(name) {
            return Some(v.clone());
        }
        if name == vars::RANDOM {
            return Some(format!("{:032x}", rand::random::<u128>()));
        }
        if let Some(field) = name.strip_prefix("persona.") {
            let real = self.aliases.get(persona).map_or(persona, String::as_str);
            let account = self.profile.account_of(real, &self.leased)?;
            return match field {
                "name" => Some(persona.to_string()),
                "username" => self.expand(&account.username, persona).ok(),
                "password" => self.expand(&account.password, persona).ok(),
                _ => None,
            };
        }
        let inputs = &self.run.inputs;
        inputs
            .vars
            .get(name)
            .or_else(|| inputs.secrets.get(name))
            .or_else(|| self.profile.vars.get(name))
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }

    /// Substitutes variables; values of persona passwords and secrets are registered for redaction.
    pub fn expand(&self, text: &str, persona: &str) -> StepResult<String> {
        let out = vars::substitute(text, |n| {
            let v = self.lookup(persona, n)?;
            if n == "persona.password" || self.run.inputs.secrets.contains_key(n) || looks_secret(n)
            {
                self.run.redactor.register(Kind::Secret, &v);
            }
            Some(v)
        });
        out.map_err(|name| StepError::Input(format!("undefined variable `${{{name}}}`")))
    }

    pub fn url_of(&self, persona: &str, target: &str) -> StepResult<String> {
        let base = url::Url::parse(&self.base_url)
            .map_err(|e| StepError::Input(format!("bad base URL `{}`: {e}", self.base_url)))?;
        let mut url = super::url_join::resolve(&base, target)
            .map_err(|e| StepError::Input(format!("bad URL `{target}`: {e}")))?;
        if let Some((param, value)) = self.personas.get(persona).and_then(|p| p.url_token.clone())
            && token::same_origin(url.as_str(), &self.base_url)
        {
            url.query_pairs_mut().append_pair(&param, &value);
        }
        Ok(url.to_string())
    }

    pub fn limit(&self, step: &Step) -> Duration {
        step.timeout
            .or(self.run.step_timeout)
            .unwrap_or(self.profile.step_timeout)
    }

    /// Runs steps in order; `performer` does every step that names no persona.
    pub fn exec_steps<'a>(
        &'a mut self,
        steps: &'a [Step],
        performer: &'a str,
    ) -> Boxed<'a, Result<(), Failure>> {
        Box::pin(async move {
            for step in steps {
                if self.run.cancel.is_cancelled() {
                    return Err(Failure {
                        error: StepError::Cancelled,
                        origin: step.origin.clone(),
                    });
                }
                self.exec_step(step, performer).await?;
            }
            Ok(())
        })
    }

    async fn exec_step(&mut self, step: &Step, performer: &str) -> Result<(), Failure> {
        let persona = step
            .persona
            .clone()
            .unwrap_or_else(|| performer.to_string());
        let started = Instant::now();
        let cancel = self.run.cancel.clone();
        // Browser steps bound themselves; an explicit `timeout:` bounds any other step as a whole.
        let bound = step.timeout.filter(|_| {
            !browser_step::is_browser_only(&step.action) && !matches!(step.action, Action::Idle(_))
        });
        let result = tokio::select! {
            r = self.dispatch(step, &persona) => r,
            _ = cancel.cancelled() => Err(StepError::Cancelled),
            _ = async {
                match bound {
                    Some(b) => tokio::time::sleep(b).await,
                    None => std::future::pending().await,
                }
            } => Err(StepError::Timeout(bound.unwrap_or_default())),
        };
        self.observe_all().await;
        let error = result
            .as_ref()
            .err()
            .map(|e| self.run.redactor.redact(&e.to_string()));
        // `run` records its own steps; recording the call too would double the timeline.
        if !matches!(step.action, Action::Run(_) | Action::RunPart(_)) || error.is_some() {
            let record = StepRecord {
                index: self.steps.len(),
                keyword: step.action.keyword().to_string(),
                label: self.run.redactor.redact(
                    &step
                        .name
                        .clone()
                        .unwrap_or_else(|| browser_step::label(&step.action)),
                ),
                persona: persona.clone(),
                origin: step.origin.to_string(),
                at: started.duration_since(self.started),
                duration: started.elapsed(),
                error: error.clone(),
            };
            self.run.emit(Event::StepFinished {
                suite: self.suite.clone(),
                flow: self.flow.clone(),
                step: record.clone(),
            });
            self.steps.push(record);
        }
        result.map_err(|error| Failure {
            error,
            origin: step.origin.clone(),
        })
    }

    async fn dispatch(&mut self, step: &Step, persona: &str) -> StepResult<()> {
        let limit = self.limit(step);
        match &step.action {
            a if browser_step::is_browser_only(a) => {
                let session = self.session(persona).await?;
                let this = &*self;
                let resolve = |t: &str| this.expand(t, persona);
                let url_of = |t: &str| this.url_of(persona, t);
                let fut = browser_step::run(&*session, a, &url_of, &resolve, limit);
                let saved = tokio::time::timeout(limit + Duration::from_secs(1), fut)
                    .await
                    .map_err(|_| StepError::Timeout(limit))??;
                if let Some((name, value)) = saved {
                    self.saved.insert(name, value);
                }
                Ok(())
            }
            Action::Run(name) => {
                let Some(flow) = self.profile.flows.get(name).cloned() else {
                    return Err(StepError::Input(format!("unknown flow `{name}`")));
                };
                self.exec_steps(&flow.steps, persona)
                    .await
                    .map_err(|f| nest(f, name))?;
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
                    return Err(StepError::Input(format!("unknown flow `{}`", part.flow)));
                };
                let steps = crate::scenario::step::flow_part(&flow.steps, part)
                    .map_err(StepError::Input)?;
                self.exec_steps(steps, persona)
                    .await
                    .map_err(|f| nest(f, &part.flow))?;
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
                let outcome = crate::checks::evaluate(self, c, persona, &step.origin).await;
                self.mark(
                    persona,
                    format!("required {}: {}", c.name(), outcome.verdict.label()),
                );
                if outcome.verdict == crate::engine::Verdict::Pass {
                    Ok(())
                } else {
                    Err(StepError::Page(format!(
                        "required check {} did not hold ({}): {}",
                        c.name(),
                        outcome.verdict.label(),
                        outcome.message
                    )))
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
                    return Err(StepError::Page(format!(
                        "{} holds no session token ({}) to steal",
                        s.from,
                        self.profile.token.describe()
                    )));
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
                    return Err(StepError::Page("there is no session id to plant".into()));
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
                    return Err(StepError::Page(format!(
                        "{from} holds no session token ({}) to capture",
                        self.profile.token.describe()
                    )));
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
                    return Err(StepError::Input(format!(
                        "no token captured as `{}`",
                        r.token
                    )));
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
                let outcome = crate::checks::evaluate(self, c, persona, &step.origin).await;
                self.run.emit(Event::CheckFinished {
                    suite: self.suite.clone(),
                    flow: self.flow.clone(),
                    check: outcome.clone(),
                });
                self.checks.push(outcome);
                Ok(())
            }
            other => Err(StepError::Input(format!(
                "`{}` is not runnable here",
                other.keyword()
            ))),
        }
    }

    /// Remembers the page the persona is on as its last authenticated one (the `logged_in` flow just
    /// held there).
    pub async fn note_authenticated(&mut self, persona: &str) {
        let Some(session) = self.persona_mut(persona).session.clone() else {
            return;
        };
        if let Ok(url) = session.current_url().await {
            self.persona_mut(persona).last_authenticated = Some(url);
        }
    }

    /// Waits without touching the target; remote sessions get a local keep-alive.
    async fn idle(&mut self, d: Duration) -> StepResult<()> {
        self.sleep_until(Instant::now() + d).await
    }

    /// Sleeps until `deadline` without a request to the target, poking every open session locally.
    pub async fn sleep_until(&self, deadline: Instant) -> StepResult<()> {
        let sessions: Vec<Arc<dyn Session>> = self
            .personas
            .values()
            .filter_map(|p| p.session.clone())
            .collect();
        while Instant::now() < deadline {
            let chunk = (deadline - Instant::now()).min(KEEP_ALIVE_EVERY);
            tokio::time::sleep(chunk).await;
            if Instant::now() < deadline {
                for s in &sessions {
                    s.keep_alive().await?;
                }
            }
        }
        Ok(())
    }

    /// Logs several personas in (or runs any browser-only flow) at the same moment.
    pub async fn parallel(
        &mut self,
        personas: &[String],
        flow: &str,
        limit: Duration,
    ) -> StepResult<()> {
        let Some(flow) = self.profile.flows.get(flow).cloned() else {
            return Err(StepError::Input(format!("unknown flow `{flow}`")));
        };
        if let Some(s) = flow
            .steps
            .iter()
            .find(|s| !browser_step::is_browser_only(&s.action))
        {
            return Err(StepError::Input(format!(
                "flow `{}` has a `{}` step at {}; `parallel` runs only browser steps",
                flow.name,
                s.action.keyword(),
                s.origin
            )));
        }
        let mut sessions = Vec::new();
        for p in personas {
            sessions.push((p.clone(), self.session(p).await?));
        }
        let this = &*self;
        let runs = sessions.iter().map(|(name, session)| {
            let flow = &flow;
            async move {
                for step in &flow.steps {
                    let who = step.persona.as_deref().unwrap_or(name);
                    let resolve = |t: &str| this.expand(t, who);
                    let url_of = |t: &str| this.url_of(who, t);
                    let lim = step.timeout.unwrap_or(limit);
                    tokio::time::timeout(
                        lim + Duration::from_secs(1),
                        browser_step::run(&**session, &step.action, &url_of, &resolve, lim),
                    )
                    .await
                    .map_err(|_| StepError::Timeout(lim))?
                    .map_err(|e| StepError::Page(format!("{name}: {e} (at {})", step.origin)))?;
                }
                Ok::<(), StepError>(())
            }
        });
        let results = futures::future::join_all(runs).await;
        for p in personas {
            self.mark_as(
                p,
                format!("ran {} (in parallel)", flow.name),
                Mark::Ran {
                    flow: flow.name.clone(),
                },
            );
            if flow.name == "login" {
                self.persona_mut(p).ran_login = true;
            }
        }
        results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(())
    }

    async fn replay_http(
        &mut self,
        t: &Token,
        method: &str,
        path: &str,
        limit: Duration,
    ) -> StepResult<()> {
        let mut url = url::Url::parse(&self.url_of("", path)?)
            .map_err(|e| StepError::Input(e.to_string()))?;
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| StepError::Input(format!("bad HTTP method `{method}`")))?;
        let mut req = self.run.http.request(method.clone(), url.clone());
        match &self.profile.token {
            TokenLocation::Cookie(_) => {
                let cookie = t
                    .parts
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect::<Vec<_>>()
                    .join("; ");
                req = req.header("cookie", cookie);
            }
            TokenLocation::Header(name) => {
                req = req.header(name.as_str(), t.values().next().unwrap_or_default());
            }
            TokenLocation::UrlParam(param) => {
                url.query_pairs_mut()
                    .append_pair(param, t.values().next().unwrap_or_default());
                req = self.run.http.request(method, url.clone());
            }
            other => {
                return Err(StepError::Input(format!(
                    "a token in {} cannot be replayed over plain HTTP; replay it `into` a persona",
                    other.describe()
                )));
            }
        }
        let resp = tokio::time::timeout(limit, req.send())
            .await
            .map_err(|_| StepError::Timeout(limit))?
            .map_err(|e| {
                let mut why = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    why.push_str(&format!(": {s}"));
                    src = s.source();
                }
                StepError::Infra(format!("HTTP replay to {url} failed: {why}"))
            })?;
        self.last_http = Some(HttpResponse {
            url: resp.url().to_string(),
            status: resp.status().as_u16(),
            headers: resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
        });
        Ok(())
    }

    /// The persona's current token, registered for redaction.
    pub async fn read_token(&mut self, persona: &str) -> StepResult<Token> {
        let session = self.session(persona).await?;
        let p = &self.personas[persona];
        let t = token::read(&*session, &self.profile.token, &p.history, &p.net).await?;
        for v in t.values() {
            self.run.redactor.register(Kind::Token, v);
            self.tokens_seen.insert(v.to_string());
        }
        Ok(t)
    }

    async fn put_token(&mut self, persona: &str, t: &Token) -> StepResult<()> {
        let session = self.session(persona).await?;
        let base = self.base_url.clone();
        // The app scopes its cookie the same for every visitor: the newest Set-Cookie any persona saw.
        let app_cookie = match &self.profile.token {
            TokenLocation::Cookie(names) => {
                let mine = self.personas.get(persona).map(|p| p.net.as_slice());
                let others = self.personas.values().map(|p| p.net.as_slice());
                mine.into_iter()
                    .chain(others)
                    .find_map(|net| token::app_cookie(net, names))
            }
            _ => None,
        };
        let place = Placement {
            base_url: &base,
            scope: &self.profile.cookie_scope,
            app_cookie,
        };
        let url_token = token::write(&*session, &self.profile.token, t, &place).await?;
        if url_token.is_some() {
            self.persona_mut(persona).url_token = url_token;
        }
        Ok(())
    }

    pub fn fingerprints(&self, t: &Token) -> String {
        let fps: Vec<String> = t
            .values()
            .map(|v| crate::redact::fingerprint(Kind::Token, v))
            .collect();
        fps.join("+")
    }

    /// Drains every open session's network log into its persona, noting navigations and tokens set.
    /// The sessions are read at once: each read is a round trip to the driver.
    pub async fn observe_all(&mut self) {
        let sessions: Vec<(String, Arc<dyn Session>)> = self
            .personas
            .iter()
            .filter_map(|(n, p)| p.session.clone().map(|s| (n.clone(), s)))
            .collect();
        let drained = futures::future::join_all(
            sessions
                .iter()
                .map(|(name, s)| async move { (name, s.drain_network().await) }),
        )
        .await;
        for (name, events) in drained {
            if let Ok(events) = events {
                self.absorb(name, events);
            }
        }
    }

    /// Drains one persona's network log.
    pub async fn observe(&mut self, name: &str) {
        let Some(session) = self.personas.get(name).and_then(|p| p.session.clone()) else {
            return;
        };
        if let Ok(events) = session.drain_network().await {
            self.absorb(name, events);
        }
    }

    fn absorb(&mut self, name: &str, events: Vec<NetEvent>) {
        if let TokenLocation::Cookie(names) = &self.profile.token {
            for v in token::set_cookie_values(&events, names) {
                self.run.redactor.register(Kind::Token, &v);
                self.tokens_seen.insert(v);
            }
        }
        let p = self.persona_mut(name);
        for e in &events {
            if let NetEvent::Request {
                url,
                is_navigation: true,
                ..
            } = e
            {
                p.history.push(url.clone());
            }
        }
        p.net.extend(events);
    }

    pub fn save_artifact(&self, persona: &str, file: &str, bytes: &[u8]) -> StepResult<String> {
        let rel = format!(
            "artifacts/{}/{}/{}-{}",
            slug(&self.suite),
            slug(&self.flow),
            slug(persona),
            file
        );
        let path = self.run.report_dir.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StepError::Infra(format!("cannot create {}: {e}", dir.display())))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| StepError::Infra(format!("cannot write {}: {e}", path.display())))?;
        Ok(rel)
    }

    /// On FAIL or ERROR: each persona's screenshot and (redacted) page source.
    pub async fn keep_artifacts(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let sessions: Vec<(String, Arc<dyn Session>)> = self
            .personas
            .iter()
            .filter_map(|(n, p)| p.session.clone().map(|s| (n.clone(), s)))
            .collect();
        for (name, s) in sessions {
            if let Ok(png) = s.screenshot_png().await
                && let Ok(rel) = self.save_artifact(&name, "screenshot.png", &png)
            {
                out.push(rel);
            }
            if let Ok(html) = s.page_source().await {
                let clean = self.run.redactor.redact(&html);
                if let Ok(rel) = self.save_artifact(&name, "page.html", clean.as_bytes()) {
                    out.push(rel);
                }
            }
        }
        out
    }

    pub async fn close_all(&mut self) {
        for p in self.personas.values_mut() {
            if let Some(s) = p.session.take() {
                let _ = s.close().await;
            }
        }
        // Browsers started ahead that no step took: let each start finish, then close it (cutting a
        // start short could leave a browser no registry knows of).
        for (_, start) in self.warming.drain() {
            if let Ok(Ok(s)) = start.await {
                let _ = s.close().await;
            }
        }
    }
}

/// Starts one browser session and installs the settling probe in it (src/driver/settle.rs).
async fn start_session(
    run: Arc<super::context::RunCtx>,
    label: String,
    full_browser: bool,
) -> crate::driver::DriverResult<Box<dyn Session>> {
    let session = run.launcher.new_session_in(&label, full_browser).await?;
    // Where it cannot be installed, the oracle keeps its fixed wait.
    let _ = session.watch_settling().await;
    Ok(session)
}

/// Variables whose names say they hold a secret are redacted even when they come from the environment.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "PRIVATE",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Names the calling flow in an error from inside it.
pub(super) fn nest(f: Failure, flow: &str) -> StepError {
    match f.error {
        StepError::Cancelled => StepError::Cancelled,
        StepError::Page(m) => StepError::Page(format!("{m} (in flow `{flow}` at {})", f.origin)),
        StepError::Infra(m) => StepError::Infra(format!("{m} (in flow `{flow}` at {})", f.origin)),
        StepError::Input(m) => StepError::Input(format!("{m} (in flow `{flow}` at {})", f.origin)),
        StepError::Unsupported(m) => {
            StepError::Unsupported(format!("{m} (in flow `{flow}` at {})", f.origin))
        }
        StepError::Timeout(d) => StepError::Page(format!(
            "the step did not finish within {} (in flow `{flow}` at {})",
            crate::duration::format_duration(d),
            f.origin
        )),
    }
}

/// A chosen id, shaped like the profile's token (first cookie name, storage key, ...).
fn chosen_token(location: &TokenLocation, value: String) -> Token {
    let name = match location {
        TokenLocation::Cookie(names) => names.first().cloned().unwrap_or_default(),
        TokenLocation::LocalStorage(k)
        | TokenLocation::SessionStorage(k)
        | TokenLocation::UrlParam(k)
        | TokenLocation::Header(k)
        | TokenLocation::AppFile { key: k, .. } => k.clone(),
        TokenLocation::Auto => String::new(),
    };
    Token {
        parts: vec![TokenPart {
            name,
            value,
            cookie: None,
        }],
    }
}

pub fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.trim_matches('-').chars().take(60).collect()
}
