//! Running the tools doctor asks about: always bounded in time, never attached to our terminal.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::driver::{find_on_path, version_token};

/// `--version` of a browser or driver answers in well under a second; five is a hang.
pub(super) const VERSION_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub(super) struct Probe {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

#[derive(Debug, Clone)]
pub(super) enum ProbeError {
    Spawn(String),
    TimedOut(Duration),
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Spawn(e) => write!(f, "could not be started: {e}"),
            ProbeError::TimedOut(limit) => write!(f, "did not answer within {}s", limit.as_secs()),
        }
    }
}

/// Runs `program args`, killing it when `limit` passes.
pub(super) async fn probe(
    program: &Path,
    args: &[&str],
    limit: Duration,
) -> Result<Probe, ProbeError> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        // Node tools (appium) print colours and spinners only to a terminal; keep them plain anyway.
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    match tokio::time::timeout(limit, cmd.output()).await {
        Err(_) => Err(ProbeError::TimedOut(limit)),
        Ok(Err(e)) => Err(ProbeError::Spawn(e.to_string())),
        Ok(Ok(out)) => Ok(Probe {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            success: out.status.success(),
        }),
    }
}

/// An executable found on PATH and what its `--version` said.
#[derive(Debug)]
pub(super) struct Found {
    pub path: PathBuf,
    /// `Ok(None)`: it answered, but with nothing that looks like a version.
    pub version: Result<Option<String>, ProbeError>,
}

impl Found {
    /// The name it was found under (`google-chrome`, `firefox-esr`, ...).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_ref().ok().and_then(|v| v.as_deref())
    }

    pub fn major(&self) -> Option<u32> {
        self.version().and_then(major)
    }
}

/// The first of `names` on PATH, with its `--version` (stdout first; some tools print to stderr).
pub(super) async fn locate(names: &[&str], limit: Duration) -> Option<Found> {
    let path = find_on_path(names)?;
    let version = probe(&path, &["--version"], limit)
        .await
        .map(|p| version_token(&p.stdout).or_else(|| version_token(&p.stderr)));
    Some(Found { path, version })
}

/// "156.0.8078.108" -> 156.
pub(super) fn major(version: &str) -> Option<u32> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|m| m.parse().ok())
}

/// A control-free, bounded excerpt of text a tool or endpoint printed, for one line of output.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    let clean: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if clean.chars().count() > max {
        format!("{}...", clean.chars().take(max).collect::<String>())
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(major("156.0.8078.108"), Some(156));
        assert_eq!(major("128.5.0esr"), Some(128));
        assert_eq!(major("unknown"), None);
    }

    #[test]
    fn excerpts_are_one_bounded_line() {
        assert_eq!(excerpt("a\n  b\x1b[31m", 100), "a b[31m");
        assert_eq!(excerpt("abcdef", 3), "abc...");
    }

    #[tokio::test]
    async fn a_hanging_tool_is_cut_off() {
        let started = std::time::Instant::now();
        let out = probe(Path::new("sleep"), &["30"], Duration::from_millis(300)).await;
        assert!(matches!(out, Err(ProbeError::TimedOut(_))), "{out:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
