//! Waiting without touching the target: `idle` and the waits of timing checks, keeping remote
//! sessions alive meanwhile.

use super::context::FlowCtx;
use super::step_error::StepResult;
use crate::driver::Session;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often an idle wait pokes remote sessions so the endpoint does not end them (Appium's
/// `newCommandTimeout` is 60 s by default); the poke never reaches the target's backend.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(20);

impl FlowCtx {
    /// Waits without touching the target; remote sessions get a local keep-alive.
    pub(super) async fn idle(&mut self, d: Duration) -> StepResult<()> {
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
}
