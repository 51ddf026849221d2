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
