//! Local driver processes: finding executables, free ports, readiness, and reaping everything a
//! launcher started (also synchronously, from `Drop`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::session::{DriverError, DriverResult};

/// Finds the first of `names` on `PATH`.
pub(crate) fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if is_executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

pub(crate) fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> DriverResult<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| DriverError::Launch {
        what: "a local port for the driver".into(),
        reason: e.to_string(),
    })?;
    let port = listener.local_addr().map_err(|e| DriverError::Launch {
        what: "a local port for the driver".into(),
        reason: e.to_string(),
    })?;
    Ok(port.port())
}

/// First version-looking token of `text` ("ChromeDriver 156.0.1.2 (abc)" -> "156.0.1.2").
pub(crate) fn version_token(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('.'))
        .map(String::from)
}

/// `<browser> --version`, bounded; `None` when it cannot tell.
pub(crate) async fn browser_version(binary: &Path) -> Option<String> {
    let mut cmd = tokio::process::Command::new(binary);
    cmd.arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(10), cmd.output())
        .await
        .ok()?
        .ok()?;
    version_token(&String::from_utf8_lossy(&out.stdout))
}

/// The last `max` bytes of a log file, for error messages.
pub(crate) fn log_tail(path: &Path, max: usize) -> String {
    let text = std::fs::read(path).unwrap_or_default();
    let start = text.len().saturating_sub(max);
    String::from_utf8_lossy(&text[start..]).trim().to_string()
}

/// Ids of live processes whose command line or environment mentions `marker` (a directory only
/// this launcher uses: every process it started, and every browser those started, carries it in
/// `TMPDIR` or `--user-data-dir`). Linux only; elsewhere empty.
pub fn processes_mentioning(marker: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    #[cfg(target_os = "linux")]
    {
        let needle = marker.as_os_str().as_encoded_bytes();
        if needle.is_empty() {
            return pids;
        }
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return pids;
        };
        for entry in entries.flatten() {
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
            let dir = entry.path();
            // Zombies have an empty cmdline and are not "remaining" processes.
            let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            if cmdline.is_empty() {
                continue;
            }
            let environ = std::fs::read(dir.join("environ")).unwrap_or_default();
            if contains(&cmdline, needle) || contains(&environ, needle) {
                pids.push(pid);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = marker;
    pids
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// SIGKILLs the given processes (via `kill(1)`; best effort, synchronous).
pub(crate) fn kill_pids(pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    #[cfg(unix)]
    {
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .args(pids.iter().map(u32::to_string))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Kills every process that mentions `marker` until none is left (bounded, synchronous).
pub(crate) fn kill_all_mentioning(marker: &Path, budget: Duration) {
    let start = Instant::now();
    loop {
        let pids = processes_mentioning(marker);
        if pids.is_empty() || start.elapsed() > budget {
            return;
        }
        kill_pids(&pids);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Removes a directory tree, retrying briefly (a browser may still be writing into it).
pub(crate) fn remove_dir_retrying(dir: &Path) {
    for attempt in 0..10 {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                if attempt == 9 {
                    tracing::warn!(dir = %dir.display(), error = %e, "could not remove a temporary directory");
                }
                std::thread::sleep(Duration::from_millis(30));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_found() {
        assert_eq!(
            version_token("Chromium 156.0.7000.1 built on Debian").as_deref(),
            Some("156.0.7000.1")
        );
        assert_eq!(
            version_token("156.0.7000.1 (deadbeef-refs/branch@{#1})").as_deref(),
            Some("156.0.7000.1")
        );
        assert_eq!(version_token("nothing here"), None);
    }

    #[test]
    fn sh_is_found_on_path() {
        assert!(find_on_path(&["sh"]).is_some());
        assert!(find_on_path(&["definitely-not-a-binary-usher"]).is_none());
    }
}
