//! What a test left running: processes found by a directory only they mention (their `TMPDIR`, a
//! profile directory), independent of the bookkeeping of the code under test.

use std::process::{Command, Stdio};

/// Live processes (pid, command line) other than this one whose command line or environment mentions
/// `marker`. A zombie (empty command line) is gone, only not yet reaped, and is not listed.
pub fn processes_mentioning(marker: &std::path::Path) -> Vec<(u32, String)> {
    let needle = marker.to_string_lossy().into_owned().into_bytes();
    let me = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if cmdline.is_empty() {
            continue;
        }
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        let mentions = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        if mentions(&cmdline) || mentions(&environ) {
            found.push((pid, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
        }
    }
    found
}

/// Sends `sig` (e.g. "TERM", "KILL") to `pids`, ignoring any that are gone.
pub fn signal(sig: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .args(pids.iter().map(u32::to_string))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
