//! The flow's timeline: what each persona's state became, redacted, with when.

use super::context::FlowCtx;
use crate::record::{Mark, TimelineEntry};

impl FlowCtx {
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
}
