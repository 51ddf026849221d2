//! The records a run leaves: what each step, check and flow did and came to, and the run's summary.
//! The engine fills them in; every report (JSON, JUnit, HTML, the console's lines) is a function of
//! them. Everything in a record is already redacted: tokens appear only as fingerprints.

mod check_outcome;
mod flow_record;
pub mod measured;
mod regression;
mod run_summary;
mod secs;
mod step_record;
mod timeline;
mod verdict;

pub use check_outcome::{CheckOutcome, Evidence};
pub use flow_record::FlowRecord;
pub use regression::{Regression, RegressionKind};
pub use run_summary::{RunInfo, RunSummary};
pub use step_record::StepRecord;
pub use timeline::{Mark, TimelineEntry};
pub use verdict::Verdict;
