//! The report files of a finished run: JUnit XML, results.json and the HTML report, written together.

use super::{html_report, junit_xml, results_json, write_atomic};
use crate::record::{FlowRecord, RunInfo, RunSummary};
use crate::redact::Redactor;
use std::path::{Path, PathBuf};

/// Where the reports go: into the report directory (which also holds the artifacts they name)
/// unless `--junit`, `--json` or `--html` place one elsewhere.
pub struct ReportPaths {
    pub dir: PathBuf,
    pub junit: PathBuf,
    pub json: PathBuf,
    pub html: PathBuf,
}

impl ReportPaths {
    pub fn in_dir(dir: &Path) -> Self {
        ReportPaths {
            dir: dir.to_path_buf(),
            junit: dir.join("junit.xml"),
            json: dir.join("results.json"),
            html: dir.join("index.html"),
        }
    }
}

/// Some reports could not be written: those that were, and each that was not with why.
#[derive(Debug)]
pub struct NotWritten {
    pub written: Vec<PathBuf>,
    pub failed: Vec<(PathBuf, std::io::Error)>,
}

/// Writes JUnit, JSON and HTML atomically, each even when another fails; returns the paths written,
/// in that order.
pub fn write_all(
    info: &RunInfo,
    summary: &RunSummary,
    flows: &[FlowRecord],
    paths: &ReportPaths,
    redactor: &Redactor,
) -> Result<Vec<PathBuf>, NotWritten> {
    let files = [
        (
            &paths.junit,
            redactor.redact(&junit_xml(info, summary, flows)),
        ),
        (
            &paths.json,
            redactor.redact(&results_json(info, summary, flows)),
        ),
        // Redacted field by field inside, so inlined image bytes are never rewritten.
        (
            &paths.html,
            html_report(info, summary, flows, &paths.dir, redactor),
        ),
    ];
    let (mut written, mut failed) = (Vec::new(), Vec::new());
    for (path, text) in files {
        match write_atomic(path, text.as_bytes()) {
            Ok(()) => written.push(path.clone()),
            Err(e) => failed.push((path.clone(), e)),
        }
    }
    if failed.is_empty() {
        Ok(written)
    } else {
        Err(NotWritten { written, failed })
    }
}
