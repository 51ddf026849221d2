//! The reports of `usher logs`: JUnit (a testcase per rule), results.json and a self-contained HTML
//! page with inline SVG plots; written atomically, as `usher run`'s are.

mod console;
mod html;
pub mod json;
mod junit;
mod svg;

pub use console::summary;
pub use html::html;
pub use json::{LOGS_SCHEMA_VERSION, json};
pub use junit::junit;

use super::outcome::Outcome;
use crate::report::write_atomic;
use std::path::{Path, PathBuf};

/// Writes junit.xml, results.json and index.html into `dir` (or the given paths); returns them.
pub fn write_all(
    outcome: &Outcome,
    dir: &Path,
    junit_path: Option<&Path>,
    json_path: Option<&Path>,
    html_path: Option<&Path>,
) -> std::io::Result<Vec<PathBuf>> {
    let pick =
        |p: Option<&Path>, name: &str| p.map(Path::to_path_buf).unwrap_or_else(|| dir.join(name));
    let files = [
        (pick(junit_path, "junit.xml"), junit(outcome)),
        (pick(json_path, "results.json"), json(outcome)),
        (pick(html_path, "index.html"), html(outcome)),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
