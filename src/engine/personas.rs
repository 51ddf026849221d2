//! A flow's personas and their browsers: started on first use (or ahead, by `prestart`), closed
//! at the end.

use super::context::{FlowCtx, Persona};
use super::step_error::{InfraError, StepError, StepResult};
use crate::driver::Session;
use crate::record::Mark;
use std::sync::Arc;

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
                StepError::Infra(InfraError::BrowserStart {
                    persona: name.to_string(),
                    error: e.to_string(),
                })
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
        self.warm_up();
        Ok(session)
    }

    /// Starts, in the background, the browsers of the scenario's `personas:` that its first step
    /// will not use, so that the first `steal` or `check ... as:` finds one ready instead of
    /// waiting for a browser to start. They start once the first browser is up (see `warm_up`).
    /// Only on this machine's own chromedriver: a Grid or Appium endpoint decides itself how many
    /// sessions it runs at once, and an early request could queue the first persona's behind it;
    /// local Firefox (one geckodriver per session, several CPU-seconds a start) once failed to
    /// connect when started beside the first persona's on a loaded machine, so its sessions still
    /// start one at a time.
    pub fn prestart(&mut self, personas: &[String], first: &str) {
        let launcher = &self.run.launcher;
        if launcher.work_dir().is_none() || launcher.endpoint().is_empty() {
            return;
        }
        self.warm_plan = personas.iter().filter(|n| *n != first).cloned().collect();
    }

    /// Starts the browsers `prestart` planned. Called once the first browser is up (or the first
    /// step is done): started beside it, they competed with it for the CPU and held up the first
    /// step, the one that waits for a browser in any case.
    pub fn warm_up(&mut self) {
        for name in std::mem::take(&mut self.warm_plan) {
            let has_browser = self
                .personas
                .get(&name)
                .is_some_and(|p| p.session.is_some());
            if has_browser || self.warming.contains_key(&name) {
                continue;
            }
            let start = start_session(
                self.run.clone(),
                format!("{}-{}", self.flow, name),
                self.full_browser,
            );
            self.warming.insert(name, tokio::spawn(start));
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

    /// Closes every browser of the flow at once: each close is a quit and a profile directory to
    /// remove, which one after another would add up on every flow's critical path.
    pub async fn close_all(&mut self) {
        let open: Vec<Arc<dyn Session>> = self
            .personas
            .values_mut()
            .filter_map(|p| p.session.take())
            .collect();
        // Browsers started ahead that no step took: let each start finish, then close it (cutting a
        // start short could leave a browser no registry knows of).
        let warming: Vec<_> = self.warming.drain().map(|(_, start)| start).collect();
        let started = async {
            futures::future::join_all(warming.into_iter().map(|start| async move {
                if let Ok(Ok(s)) = start.await {
                    let _ = s.close().await;
                }
            }))
            .await
        };
        let closed = futures::future::join_all(open.iter().map(|s| s.close()));
        tokio::join!(closed, started);
    }
}

/// Starts one browser session with the settling probe installed (src/driver/settle.rs).
async fn start_session(
    run: Arc<super::context::RunCtx>,
    label: String,
    full_browser: bool,
) -> crate::driver::DriverResult<Box<dyn Session>> {
    run.launcher
        .new_session_in(&label, full_browser, true)
        .await
}
