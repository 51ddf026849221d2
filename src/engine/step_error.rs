//! Why a step did not do what it was written to do, by kind: the kind decides the flow's verdict
//! (SKIPPED for `Unsupported`, ERROR otherwise) and how reports name it.

use crate::driver::DriverError;
use crate::scenario::step::Origin;
use std::time::Duration;

/// Why a step did not do what it was written to do. Every kind but `Unsupported` (SKIPPED) ends the flow in ERROR.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StepError {
    /// The page was not as the scenario expected (element missing, text absent).
    #[error("{0}")]
    Page(String),
    /// The driver, browser or target failed.
    #[error("{0}")]
    Infra(String),
    #[error("the step did not finish within {0:?}")]
    Timeout(Duration),
    #[error("interrupted")]
    Cancelled,
    /// A scenario mistake only visible at run time (e.g. an unset variable).
    #[error("{0}")]
    Input(String),
    /// What the step needs cannot be done in this session at all (the session token of a native
    /// app context): the flow cannot be judged here, which is SKIPPED, never PASS.
    #[error("{0}")]
    Unsupported(String),
}

impl StepError {
    /// The error of a step of the flow `flow` (at `origin`) as the step that ran the flow reports it:
    /// the message names the flow and where in it; the kind stays, but a timeout inside a flow is
    /// told as the page not being as expected, with the limit in words.
    pub fn in_flow(self, flow: &str, origin: &Origin) -> StepError {
        let at = |m: String| format!("{m} (in flow `{flow}` at {origin})");
        match self {
            StepError::Cancelled => StepError::Cancelled,
            StepError::Timeout(d) => StepError::Page(at(format!(
                "the step did not finish within {}",
                crate::duration::format_duration(d)
            ))),
            StepError::Page(m) => StepError::Page(at(m)),
            StepError::Infra(m) => StepError::Infra(at(m)),
            StepError::Input(m) => StepError::Input(at(m)),
            StepError::Unsupported(m) => StepError::Unsupported(at(m)),
        }
    }
}

impl From<DriverError> for StepError {
    fn from(e: DriverError) -> Self {
        match e {
            DriverError::NotFound(what) => StepError::Page(format!("no element matches {what}")),
            DriverError::Timeout(d, _) => StepError::Timeout(d),
            other => StepError::Infra(one_line(&other.to_string())),
        }
    }
}

pub type StepResult<T> = Result<T, StepError>;

/// WebDriver errors carry multi-line stack traces of the driver binary; users need the first lines.
fn one_line(text: &str) -> String {
    let head = text.split("Stacktrace").next().unwrap_or(text);
    let words: Vec<&str> = head.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() > 300 {
        format!("{}…", joined.chars().take(300).collect::<String>())
    } else {
        joined
    }
}
