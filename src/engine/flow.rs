//! Running one scenario: its steps in order across personas, each bounded and recorded.
//! What a step does is in dispatch.rs; the flow's other concerns sit in the files named for them
//! (personas.rs, marks.rs, expand.rs, urls.rs, keep_alive.rs, parallel.rs, replay_http.rs,
//! token_io.rs, observe.rs, artifacts.rs).

use super::context::FlowCtx;
use super::events::Event;
use super::step_error::StepError;
use crate::record::StepRecord;
use crate::scenario::step::{Action, Origin, Step};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A step that failed, with where it was written.
#[derive(Debug, Clone)]
pub struct Failure {
    pub error: StepError,
    pub origin: Origin,
}

impl FlowCtx {
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
        let bound = step
            .timeout
            .filter(|_| !step.action.is_browser_only() && !matches!(step.action, Action::Idle(_)));
        let result = tokio::select! {
            r = self.dispatch(step, &persona) => r,
            _ = cancel.cancelled() => Err(StepError::Cancelled),
            _ = async {
                match bound {
                    Some(b) => tokio::time::sleep(b).await,
                    None => std::future::pending().await,
                }
            } => Err(StepError::step_timeout(bound.unwrap_or_default())),
        };
        if !self.warm_plan.is_empty() {
            self.warm_up();
        }
        // The browsers' network logs are read where something needs them (checks that judge
        // traffic, token reads and writes, `back_to`, `browse`, a closing browser), not after every
        // step: each read is a round trip per browser. A failed step reads them now, so any token
        // the app set is known to the redactor before the error is written down.
        if result.is_err() {
            self.observe_all().await;
        }
        let error = result
            .as_ref()
            .err()
            .map(|e| self.run.redactor.redact(&e.to_string()));
        // `run` records its own steps; recording the call too would double the timeline.
        if !matches!(step.action, Action::Run(_) | Action::RunPart(_)) || error.is_some() {
            let record = StepRecord {
                index: self.steps.len(),
                keyword: step.action.keyword().to_string(),
                label: self
                    .run
                    .redactor
                    .redact(&step.name.clone().unwrap_or_else(|| step.action.label())),
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
}
