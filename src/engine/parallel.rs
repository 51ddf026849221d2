//! `parallel`: one browser-only flow run by several personas at the same moment.

use super::browser_step;
use super::context::FlowCtx;
use super::step_error::{InputError, PageError, StepError, StepResult};
use crate::record::Mark;
use std::time::Duration;

impl FlowCtx {
    /// Logs several personas in (or runs any browser-only flow) at the same moment.
    pub async fn parallel(
        &mut self,
        personas: &[String],
        flow: &str,
        limit: Duration,
    ) -> StepResult<()> {
        let Some(flow) = self.profile.flows.get(flow).cloned() else {
            return Err(InputError::UnknownFlow(flow.to_string()).into());
        };
        if let Some(s) = flow.steps.iter().find(|s| !s.action.is_browser_only()) {
            return Err(StepError::input(format!(
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
                    .map_err(|_| StepError::step_timeout(lim))?
                    .map_err(|e| PageError::InParallel {
                        persona: name.to_string(),
                        origin: step.origin.clone(),
                        error: Box::new(e),
                    })?;
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
}
