//! Events in, files out. Each reporter consumes the same event stream; files are written once, at the
//! end, atomically (temp file + rename), so an interrupted run never leaves a truncated report.

mod atomic;
mod console;
mod json;
mod junit;

pub use atomic::write_atomic;
pub use console::Console;
pub use json::{JSON_SCHEMA_VERSION, results_json};
pub use junit::junit_xml;
