//! One Appium server on a free loopback port for the tests that drive it: its log and its `TMPDIR`
//! (and so that of every process it starts) in a directory of its own. `Drop` ends it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::loopback::{free_port, http_get};
use super::processes::signal;

pub struct AppiumServer {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub child: Option<Child>,
}

impl AppiumServer {
    /// Starts the Appium that `install` holds (ci/install-appium.sh), in a new directory named
    /// `prefix…`, with `TMPDIR` at `tmp` inside it ("" for the directory itself) and `env` besides.
    /// Does not wait for it: see [`AppiumServer::wait_ready`].
    pub fn spawn(install: &Path, prefix: &str, tmp: &str, env: &[(&str, &str)]) -> AppiumServer {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
        let tmp = if tmp.is_empty() {
            dir.path().to_path_buf()
        } else {
            dir.path().join(tmp)
        };
        std::fs::create_dir_all(&tmp).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("appium.log")).unwrap();
        let child = Command::new(install.join("node_modules/.bin/appium"))
            .args(["server", "--address", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--log-no-colors")
            .env("APPIUM_HOME", install.join("home"))
            .env("TMPDIR", &tmp)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("appium starts");
        AppiumServer {
            dir,
            port,
            child: Some(child),
        }
    }

    /// Waits until `/status` says ready; panics, with `log` of the server, where Appium exits first
    /// or where `limit` passes ("{not_ready} {limit:?}").
    pub fn wait_ready(&mut self, limit: Duration, not_ready: &str, log: impl Fn(&Self) -> String) {
        let start = Instant::now();
        loop {
            let ready = http_get(self.port, "/status")
                .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                .is_some_and(|v| v["value"]["ready"] == Value::Bool(true));
            if ready {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("Appium exited with {status}:\n{}", log(self));
            }
            assert!(
                start.elapsed() < limit,
                "{not_ready} {limit:?}:\n{}",
                log(self)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("appium.log")).unwrap_or_default()
    }

    /// The last 40 lines of the log.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// SIGTERM (Appium then ends its sessions), up to 5 s to exit, then SIGKILL.
    pub fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal("TERM", &[child.id()]);
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for AppiumServer {
    fn drop(&mut self) {
        self.terminate();
    }
}
