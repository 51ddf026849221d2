//! Records in, files out. JUnit, JSON and HTML are functions of the finished records (`crate::record`);
//! only the console listens to the run's events as it goes. Files are written once, at the end (`write_all`),
//! atomically (temp file + rename), so an interrupted run never leaves a truncated report.

mod atomic;
pub mod baseline;
mod console;
mod drawing;
mod html;
mod html_view;
mod json;
mod junit;
mod write_all;

pub use atomic::write_atomic;
pub use console::Console;
pub use html::html_report;
pub use json::{JSON_SCHEMA_VERSION, Results, results_json, results_schema};
pub use junit::junit_xml;
pub use write_all::{NotWritten, ReportPaths, write_all};
