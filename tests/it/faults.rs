//! Faults: something breaks under a run. In every case the affected flow is ERROR with a clear cause
//! (never PASS or FAIL), the other flows go on, the reports are complete and valid, the exit code is 3,
//! and no browser, driver or temporary directory is left behind.
//!
//! Each run gets its own TMPDIR; usher keeps all its processes' files under it (driver work directory,
//! browser profiles), so "left behind" is: any live process or directory entry mentioning it.

use crate::support::processes::processes_mentioning;
use crate::support::turns;
use crate::support::usher::{UsherCommand, show, usher};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use usher::demo::{DemoConfig, RunningDemo};

const IDLE: &str = "tests/data/faults/idle-then-check.yaml";
const HEALTHY: &str = "scenarios/ticketbooth/cookie-attributes.yaml";

struct Run {
    tmp: tempfile::TempDir,
    reports: PathBuf,
}

impl Run {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let reports = tmp.path().join("reports");
        Self { tmp, reports }
    }

    /// `usher run` as a user would start it, with its own TMPDIR.
    fn command(&self, paths: &[&str], target: &str, extra: &[&str]) -> Command {
        let mut cmd = usher();
        cmd.arg("run")
            .args(paths)
            .args(["--target", target, "--report-dir"])
            .arg(&self.reports)
            .ticketbooth_secrets()
            .args(extra)
            .env("TMPDIR", self.tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn verdicts(&self) -> BTreeMap<String, (String, String)> {
        let text = std::fs::read_to_string(self.reports.join("results.json"))
            .expect("results.json is written");
        let v: Value = serde_json::from_str(&text).expect("results.json is valid JSON");
        v["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["name"].as_str().unwrap().to_string(),
                    (
                        f["verdict"].as_str().unwrap().to_string(),
                        f["summary"].as_str().unwrap_or("").to_string(),
                    ),
                )
            })
            .collect()
    }

    /// The reports are complete: valid JSON with every flow, well-formed JUnit with one testcase each.
    fn assert_reports_complete(&self, flows: usize) {
        assert_eq!(self.verdicts().len(), flows);
        let junit = self.reports.join("junit.xml");
        let text = std::fs::read_to_string(&junit).expect("junit.xml is written");
        assert_eq!(text.matches("<testcase ").count(), flows, "{text}");
        if which("xmllint") {
            let ok = Command::new("xmllint")
                .arg("--noout")
                .arg(&junit)
                .status()
                .unwrap();
            assert!(ok.success(), "junit.xml is not well-formed:\n{text}");
        }
    }

    /// Nothing usher started is still running, and its work directory is gone.
    fn assert_nothing_left(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let procs = processes_mentioning(self.tmp.path());
            let dirs: Vec<_> = std::fs::read_dir(self.tmp.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "reports")
                .collect();
            if procs.is_empty() && dirs.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "left behind: processes {procs:?}, entries {dirs:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn which(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Waits until a process of ours matching `pred` runs, then returns its pids.
fn wait_for_process(dir: &Path, pred: impl Fn(&str) -> bool) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found: Vec<u32> = processes_mentioning(dir)
            .into_iter()
            .filter(|(_, cmd)| pred(cmd))
            .map(|(pid, _)| pid)
            .collect();
        if !found.is_empty() {
            return found;
        }
        assert!(Instant::now() < deadline, "no such process appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status();
}

fn finish(child: Child) -> (i32, Output) {
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), out)
}

async fn ticketbooth() -> RunningDemo {
    usher::demo::start(DemoConfig::default())
        .await
        .expect("Ticketbooth starts")
}

/// The idle flow is ERROR with a cause matching `cause`; the healthy flow (run first) PASSed; exit 3.
fn assert_idle_flow_errored(run: &Run, code: i32, out: &Output, cause: &[&str]) {
    let v = run.verdicts();
    let (verdict, summary) = &v["idle-then-check"];
    eprintln!("idle-then-check: {verdict}: {summary}");
    assert_eq!(verdict, "ERROR", "{v:?}\n{}", show(out));
    let lower = summary.to_ascii_lowercase();
    assert!(
        cause.iter().any(|c| lower.contains(c)),
        "unclear cause: {summary}"
    );
    assert_eq!(v["cookie-attributes"].0, "PASS", "{v:?}");
    assert_eq!(code, 3, "{}", show(out));
    run.assert_reports_complete(2);
    run.assert_nothing_left();
}

/// The browser process (not its helpers) of the session under `dir`.
fn is_browser(cmd: &str) -> bool {
    cmd.contains("--user-data-dir") && !cmd.contains("--type=")
}

/// The idle flow only starts once the healthy one is done (they share the victim's account), and the
/// healthy flow's browser is closed by then: wait for the second browser.
fn wait_for_idle_flow_browser(dir: &Path) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let browsers: Vec<(u32, String)> = processes_mentioning(dir)
            .into_iter()
            .filter(|(_, c)| is_browser(c) && c.contains("idle-then-check"))
            .collect();
        if !browsers.is_empty() {
            // Let it log in and start idling.
            std::thread::sleep(Duration::from_secs(3));
            return browsers.into_iter().map(|(p, _)| p).collect();
        }
        assert!(Instant::now() < deadline, "the idle flow never started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chromedriver_killed_mid_flow() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let run = Run::new();
    let child = run
        .command(&[HEALTHY, IDLE], &tb.base_url(), &["--jobs", "1"])
        .spawn()
        .unwrap();
    wait_for_idle_flow_browser(run.tmp.path());
    for pid in wait_for_process(run.tmp.path(), |c| c.contains("chromedriver")) {
        kill("-KILL", pid);
    }
    let (code, out) = finish(child);
    assert_idle_flow_errored(
        &run,
        code,
        &out,
        &["session", "driver", "connect", "webdriver"],
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_crashes_mid_flow() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let run = Run::new();
    let child = run
        .command(&[HEALTHY, IDLE], &tb.base_url(), &["--jobs", "1"])
        .spawn()
        .unwrap();
    for pid in wait_for_idle_flow_browser(run.tmp.path()) {
        kill("-KILL", pid);
    }
    let (code, out) = finish(child);
    assert_idle_flow_errored(
        &run,
        code,
        &out,
        &["session", "browser", "crash", "tab", "window", "chrome"],
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn target_goes_down_mid_flow() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let run = Run::new();
    let child = run
        .command(&[HEALTHY, IDLE], &tb.base_url(), &["--jobs", "1"])
        .spawn()
        .unwrap();
    wait_for_idle_flow_browser(run.tmp.path());
    tb.shutdown().await;
    let (code, out) = finish(child);
    assert_idle_flow_errored(
        &run,
        code,
        &out,
        &["refused", "unreachable", "could not", "err_"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn target_down_before_the_run() {
    let _turn = turns::shared();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = Run::new();
    let target = format!("http://tickets.ticketbooth.localhost:{port}");
    let (code, out) = finish(run.command(&[HEALTHY, IDLE], &target, &[]).spawn().unwrap());
    assert_eq!(code, 3, "{}", show(&out));
    for (name, (verdict, summary)) in run.verdicts() {
        assert_eq!(verdict, "ERROR", "{name}: {summary}");
    }
    run.assert_reports_complete(2);
    run.assert_nothing_left();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_and_sigint_mid_run() {
    let _turn = turns::shared();
    for signal in ["-TERM", "-INT"] {
        let tb = ticketbooth().await;
        let run = Run::new();
        let child = run
            .command(&[HEALTHY, IDLE], &tb.base_url(), &["--jobs", "1"])
            .spawn()
            .unwrap();
        wait_for_idle_flow_browser(run.tmp.path());
        kill(signal, child.id());
        let (code, out) = finish(child);
        assert_idle_flow_errored(&run, code, &out, &["interrupt", "cancel", "signal"]);
        tb.shutdown().await;
    }
}

/// A server that accepts connections and never answers: a page that never finishes loading.
fn hanging_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hang",
        listener.local_addr().unwrap().port()
    );
    let handle = std::thread::spawn(move || {
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(120);
        while Instant::now() < until {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
            if held.len() > 64 {
                break;
            }
        }
    });
    (url, handle)
}

#[tokio::test(flavor = "multi_thread")]
async fn page_that_never_loads_and_element_that_never_appears() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let (slow, _server) = hanging_server();
    let run = Run::new();
    let (code, out) = finish(
        run.command(
            &[
                "tests/data/faults/page-never-loads.yaml",
                "tests/data/faults/element-never-appears.yaml",
                HEALTHY,
            ],
            &tb.base_url(),
            &["--var", &format!("SLOW_URL={slow}")],
        )
        .spawn()
        .unwrap(),
    );
    let v = run.verdicts();
    assert_eq!(v["page-never-loads"].0, "ERROR", "{v:?}");
    assert!(
        v["page-never-loads"].1.contains("did not finish within 3s"),
        "{:?}",
        v["page-never-loads"]
    );
    assert_eq!(v["element-never-appears"].0, "ERROR", "{v:?}");
    assert!(
        v["element-never-appears"].1.contains("#no-such-element"),
        "{:?}",
        v["element-never-appears"]
    );
    assert_eq!(v["cookie-attributes"].0, "PASS", "{v:?}");
    assert_eq!(code, 3, "{}", show(&out));
    run.assert_reports_complete(3);
    run.assert_nothing_left();
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn report_directory_not_writable() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let run = Run::new();
    // A regular file where the directory should be: even root cannot create a directory under it.
    let blocker = run.tmp.path().join("reports");
    std::fs::write(&blocker, "not a directory").unwrap();
    let mut cmd = run.command(&[HEALTHY], &tb.base_url(), &[]);
    let (code, out) = finish(cmd.spawn().unwrap());
    assert_eq!(code, 3, "{}", show(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&*blocker.to_string_lossy()),
        "the error names the directory: {stderr}"
    );
    std::fs::remove_file(&blocker).unwrap();
    run.assert_nothing_left();
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_capabilities() {
    let _turn = turns::shared();
    let tb = ticketbooth().await;
    let run = Run::new();
    let (code, out) = finish(
        run.command(
            &[HEALTHY],
            &tb.base_url(),
            &[
                "--capability",
                r#"goog:chromeOptions={"binary":"/nonexistent/chromium"}"#,
            ],
        )
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, 3, "{}", show(&out));
    let v = run.verdicts();
    assert_eq!(v["cookie-attributes"].0, "ERROR", "{v:?}");
    assert!(
        v["cookie-attributes"].1.contains("/nonexistent/chromium")
            || v["cookie-attributes"].1.contains("binary"),
        "{v:?}"
    );
    run.assert_reports_complete(1);
    run.assert_nothing_left();
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn webdriver_endpoint_answering_garbage() {
    let _turn = turns::shared();
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let garbage = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>certainly not WebDriver"))
        .mount(&garbage)
        .await;
    let tb = ticketbooth().await;
    let run = Run::new();
    let (code, out) = finish(
        run.command(
            &[HEALTHY, IDLE],
            &tb.base_url(),
            &["--webdriver-url", &garbage.uri()],
        )
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, 3, "{}", show(&out));
    for (name, (verdict, summary)) in run.verdicts() {
        assert_eq!(verdict, "ERROR", "{name}: {summary}");
        assert!(summary.contains(&garbage.uri()), "{name}: {summary}");
    }
    run.assert_reports_complete(2);
    run.assert_nothing_left();
    tb.shutdown().await;
}
