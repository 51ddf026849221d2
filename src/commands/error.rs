//! How a command ends, in one place: the error that stops it (rendered once, `error: …` on stderr)
//! and the outcome of a run that finished, each mapped to its exit code here and nowhere else.

use crate::exit::Exit;
use crate::record::{RegressionKind, RunSummary, Verdict};
use std::fmt;
use std::path::PathBuf;

/// Why a command stopped before its work was done.
#[derive(Debug)]
pub enum CommandError {
    /// A command-line value, a file given, a profile or a scenario is wrong; nothing ran (exit 2).
    BadInput(String),
    /// The loader's diagnostics, already rendered in full, rustc style (exit 2).
    Diagnostics(String),
    /// The harness could not do its part: a driver, browser or server that would not start (exit 3).
    Infrastructure(String),
    /// A file the command writes could not be written (exit 3).
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The work was done, but what it found disagrees with what was expected (the README's copy of
    /// the verdict matrix): a flaw found, unless the work's own `outcome` already says worse.
    Disagrees { message: String, outcome: Exit },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::BadInput(m)
            | CommandError::Infrastructure(m)
            | CommandError::Disagrees { message: m, .. } => f.write_str(m),
            CommandError::Diagnostics(text) => f.write_str(text.trim_end_matches('\n')),
            CommandError::Write { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

impl CommandError {
    /// The text on stderr: `error: …` and a newline; diagnostics as rendered.
    pub fn render(&self) -> String {
        match self {
            CommandError::Diagnostics(text) => text.clone(),
            other => format!("error: {other}\n"),
        }
    }
}

impl From<&CommandError> for Exit {
    fn from(e: &CommandError) -> Exit {
        match e {
            CommandError::BadInput(_) | CommandError::Diagnostics(_) => Exit::BadInput,
            CommandError::Infrastructure(_) | CommandError::Write { .. } => Exit::Infrastructure,
            CommandError::Disagrees {
                outcome: Exit::Passed,
                ..
            } => Exit::FlawFound,
            CommandError::Disagrees { outcome, .. } => *outcome,
        }
    }
}

/// Prints an error on stderr: the one that ends a command (from `main`), or one a command says on its
/// way without stopping (a browser that would not start for one demo column, a report not written).
pub fn report(e: &CommandError) {
    eprint!("{}", e.render());
}

/// The exit code of a finished run: a FAIL, or a regression to anything but ERROR, is a flaw found;
/// else an ERROR or an interruption is the harness's problem.
pub fn run_exit(summary: &RunSummary) -> Exit {
    // A regression to ERROR alone is an infrastructure matter; every other regression is a finding.
    let regressed = (summary.regressions.iter()).any(|r| r.kind != RegressionKind::NowErrors);
    if summary.failed > 0 || regressed {
        Exit::FlawFound
    } else if summary.errors > 0 || summary.interrupted {
        Exit::Infrastructure
    } else {
        Exit::Passed
    }
}

/// A run's exit code once its reports were (or were not all) written: a run that passed but left no
/// report is no pass.
pub fn with_reports(outcome: Exit, written: bool) -> Exit {
    if !written && outcome == Exit::Passed {
        Exit::Infrastructure
    } else {
        outcome
    }
}

/// `usher demo` and its matrix: the exit code after a flow ended in `got` where another verdict was
/// expected. An unexpected ERROR is the harness's problem unless a real miss was already seen; any
/// other miss (a missing flow too) is a wrong verdict.
pub fn missed(exit: Exit, got: Option<Verdict>) -> Exit {
    match (got, exit) {
        (Some(Verdict::Error), Exit::FlawFound) => Exit::FlawFound,
        (Some(Verdict::Error), _) => Exit::Infrastructure,
        _ => Exit::FlawFound,
    }
}
