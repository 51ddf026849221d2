//! The local driver process and the work directory it runs in, shared by the Chrome and Firefox
//! starts.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::super::process::{free_port, log_tail, remove_dir_retrying, version_token};
use super::super::session::DriverResult;
use super::{http_client, launch_err};

const DRIVER_READY_LIMIT: Duration = Duration::from_secs(20);

/// The launcher's own directory (removed at shutdown): the driver's `TMPDIR` and the profiles.
pub(super) fn make_work_dir() -> DriverResult<(PathBuf, PathBuf, PathBuf)> {
    let work_dir = tempfile::Builder::new()
        .prefix("usher-driver-")
        .tempdir()
        .map_err(|e| launch_err("a work directory for the driver", e.to_string()))?
        .keep();
    let tmp = work_dir.join("tmp");
    let profiles = work_dir.join("profiles");
    for dir in [&tmp, &profiles] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            remove_dir_retrying(&work_dir);
            return Err(launch_err("a work directory for the driver", e.to_string()));
        }
    }
    Ok((work_dir, tmp, profiles))
}

/// Spawns a WebDriver server (chromedriver, geckodriver) on a free port and waits (bounded) until
/// `/status` says ready. Returns the child, its port and the version it reports.
pub(super) async fn spawn_driver(
    driver_path: &Path,
    log_path: &Path,
    tmp: &Path,
    args: impl Fn(u16) -> Vec<String>,
) -> DriverResult<(tokio::process::Child, u16, Option<String>)> {
    let name = driver_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "the WebDriver server".into());
    let name = name.as_str();
    let mut last_error = String::new();
    for _attempt in 0..3 {
        let port = free_port()?;
        let log = std::fs::File::create(log_path)
            .map_err(|e| launch_err(name, format!("cannot create its log file: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| launch_err(name, e.to_string()))?;
        let mut child = tokio::process::Command::new(driver_path)
            .args(args(port))
            .env("TMPDIR", tmp)
            .stdin(std::process::Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                launch_err(
                    name,
                    format!("`{}` could not be run: {e}", driver_path.display()),
                )
            })?;

        let client = http_client(Duration::from_secs(2), true);
        let status_url = format!("http://127.0.0.1:{port}/status");
        let start = Instant::now();
        loop {
            if let Ok(Some(exit)) = child.try_wait() {
                last_error = format!(
                    "it exited with {exit} before it was ready: {}",
                    log_tail(log_path, 600)
                );
                break;
            }
            if let Ok(resp) = client.get(&status_url).send().await
                && let Ok(body) = resp.json::<serde_json::Value>().await
                && body["value"]["ready"].as_bool() == Some(true)
            {
                let version = body["value"]["build"]["version"]
                    .as_str()
                    .and_then(version_token);
                return Ok((child, port, version));
            }
            if start.elapsed() > DRIVER_READY_LIMIT {
                let _ = child.kill().await;
                return Err(launch_err(
                    name,
                    format!(
                        "it was not ready on port {port} after {DRIVER_READY_LIMIT:?}: {}",
                        log_tail(log_path, 600)
                    ),
                ));
            }
            // It is usually ready within a few tens of milliseconds; every run waits for it.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Exited early: most likely the port was taken between probing and binding; try another.
        let _ = child.wait().await;
    }
    Err(launch_err(name, last_error))
}
