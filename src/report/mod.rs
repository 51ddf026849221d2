//! Events in, files out. Each reporter consumes the same event stream; files are written once, at the
//! end, atomically (temp file + rename), so an interrupted run never leaves a truncated report.

mod atomic;
pub mod baseline;
mod console;
mod drawing;
mod html;
mod html_view;
mod json;
mod junit;

pub use atomic::write_atomic;
pub use console::Console;
pub use html::html_report;
pub use json::{JSON_SCHEMA_VERSION, Results, results_json, results_schema};
pub use junit::junit_xml;
