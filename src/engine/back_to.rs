//! `back_to: last_authenticated`: Back, as many times as it takes, to the last page the persona was
//! seen logged in on. Counting Back presses is wrong on real apps: Chromium turns a navigation to the
//! URL already shown into a replacement of that history entry, so a logout flow that opens the account
//! page first leaves one entry fewer, and two Backs overshoot to the login page, where a check of
//! account data passes without having looked at the account page.

use super::context::FlowCtx;
use super::step_error::{StepError, StepResult};

/// A URL without its fragment: going back to `/account#orders` is going back to `/account`.
fn page(url: &str) -> &str {
    url.split('#').next().unwrap_or(url)
}

impl FlowCtx {
    /// Goes back until the last authenticated page is reached: shown again (from a cache), or asked
    /// for again (the app may then redirect an anonymous visitor elsewhere, which is the point). At
    /// most the history's length; never reached is an error, never a page to judge.
    pub async fn back_to_authenticated(&mut self, persona: &str) -> StepResult<()> {
        let Some(target) = self
            .personas
            .get(persona)
            .and_then(|p| p.last_authenticated.clone())
        else {
            return Err(StepError::page(format!(
                "{persona} was never seen logged in in this flow (no `run: logged_in` or oracle answer \
                 \"logged in\" before), so there is no authenticated page to go back to"
            )));
        };
        let session = self.session(persona).await?;
        let length = session
            .execute("return window.history.length;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
        self.observe_all().await;
        let mut passed = Vec::new();
        for _ in 1..length {
            let before = self.persona_mut(persona).history.len();
            session.back().await?;
            self.observe_all().await;
            let here = session.current_url().await?;
            let asked = self.persona_mut(persona).history[before..]
                .iter()
                .any(|u| page(u) == page(&target));
            if page(&here) == page(&target) || asked {
                self.mark(
                    persona,
                    format!("back at the last authenticated page ({here})"),
                );
                return Ok(());
            }
            passed.push(here);
        }
        Err(StepError::page(format!(
            "went back through the whole history ({} page(s): {}) without reaching {target}, the last \
             page {persona} was seen logged in on",
            passed.len(),
            if passed.is_empty() {
                "none".to_string()
            } else {
                passed.join(", ")
            }
        )))
    }
}
