//! The usher binary as the tests run it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use super::turns;

/// Ticketbooth's demo passwords (public: printed by `usher demo serve`).
pub const ALICE: &str = "alice-demo-password";
pub const MALLORY: &str = "mallory-demo-password";

/// The usher binary cargo built for these tests.
pub fn usher() -> Command {
    Command::new(env!("CARGO_BIN_EXE_usher"))
}

/// The bundled Ticketbooth profile, as a user names it from the repository's root.
pub const TICKETBOOTH_PROFILE: &str = "scenarios/ticketbooth/app.yaml";

/// The scenarios of the project in scenarios/ticketbooth, by flow name.
pub const BUNDLED_SCENARIOS: [&str; 5] = [
    "cookie-attributes",
    "login-works",
    "logout-invalidates-token",
    "no-token-in-url",
    "token-rotates-at-login",
];

/// `usher run --suite builtin --profile <profile>`: the built-in suite, arguments to follow.
pub fn builtin_run(profile: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = usher();
    cmd.args(["run", "--suite", "builtin", "--profile"])
        .arg(profile);
    cmd
}

/// `scenario` alone of the built-in suite with `profile`, against `target` with Ticketbooth's
/// secrets, its reports in `report_dir`: run to the end.
pub fn run_builtin_scenario(
    profile: impl AsRef<std::ffi::OsStr>,
    scenario: &str,
    target: &str,
    report_dir: &Path,
) -> Output {
    builtin_run(profile)
        .args(["--only", scenario])
        .ticketbooth_secrets()
        .args(["--target", target, "--report-dir"])
        .arg(report_dir)
        .run()
}

/// [`usher`] without the caller's `RUST_LOG` and `USHER_LOG`, which would add lines to what it prints.
pub fn quiet_usher() -> Command {
    let mut cmd = usher();
    cmd.env_remove("RUST_LOG").env_remove("USHER_LOG");
    cmd
}

pub trait UsherCommand {
    /// The two Ticketbooth passwords as `--secret TB_ALICE_PASSWORD=…`, `--secret TB_MALLORY_PASSWORD=…`.
    fn ticketbooth_secrets(&mut self) -> &mut Self;
    /// Runs to the end in a shared turn on the machine (see `turns`).
    fn run(&mut self) -> Output;
}

impl UsherCommand for Command {
    fn ticketbooth_secrets(&mut self) -> &mut Self {
        self.args(["--secret", &format!("TB_ALICE_PASSWORD={ALICE}")])
            .args(["--secret", &format!("TB_MALLORY_PASSWORD={MALLORY}")])
    }

    fn run(&mut self) -> Output {
        let _turn = turns::shared();
        self.output().expect("usher runs")
    }
}

/// An output for an assertion's message: exit code, stdout and stderr.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What `out` printed, for an assertion's message: stdout, then stderr.
pub fn streams(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The text of the results.json in `report_dir`; panics, with `shown` (what the run printed), where
/// there is none.
pub fn results_text(report_dir: &Path, shown: &str) -> String {
    std::fs::read_to_string(report_dir.join("results.json"))
        .unwrap_or_else(|e| panic!("no results.json ({e})\n{shown}"))
}

/// What `out` printed on stdout, once it is known to have exited 0 (else the assertion shows stdout,
/// then stderr).
#[track_caller]
pub fn stdout_of_success(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The results.json in `report_dir`, `Null` where there is none (or it does not parse).
pub fn results(report_dir: &Path) -> Value {
    std::fs::read_to_string(report_dir.join("results.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// The results.json in `report_dir`; panics where there is none (or it does not parse).
pub fn written_results(report_dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(report_dir.join("results.json")).unwrap())
        .unwrap()
}

/// Flow name → verdict of `results` (a results.json).
pub fn verdicts_of(results: &Value) -> BTreeMap<String, String> {
    results["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or("?").to_string(),
                f["verdict"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// Flow name → verdict from the results.json in `report_dir` (empty where there is none).
/// The value of a check's first `label` evidence in results.json ("" when it has none).
pub fn evidence<'a>(check: &'a Value, label: &str) -> &'a str {
    check["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["label"] == label)
        .and_then(|e| e["value"].as_str())
        .unwrap_or_default()
}

pub fn verdicts(report_dir: &Path) -> BTreeMap<String, String> {
    verdicts_of(&results(report_dir))
}

/// A finished `usher run`: its exit code, output and results.json.
pub struct Run {
    pub code: i32,
    pub out: Output,
    pub results: Value,
}

impl Run {
    /// The run that printed `out` and wrote its reports to `report_dir`.
    pub fn of(out: Output, report_dir: &Path) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            results: results(report_dir),
            out,
        }
    }

    pub fn verdicts(&self) -> BTreeMap<String, String> {
        verdicts_of(&self.results)
    }

    pub fn verdict(&self, flow: &str) -> String {
        self.verdicts().get(flow).cloned().unwrap_or_default()
    }

    /// The `check` outcome of `flow`; panics, showing the run, where there is none.
    pub fn check(&self, flow: &str, check: &str) -> &Value {
        self.results["flows"]
            .as_array()
            .and_then(|flows| flows.iter().find(|f| f["name"] == flow))
            .and_then(|f| f["checks"].as_array())
            .and_then(|cs| cs.iter().find(|c| c["check"] == check))
            .unwrap_or_else(|| panic!("no `{check}` check in `{flow}`\n{}", self.show()))
    }

    pub fn show(&self) -> String {
        show(&self.out)
    }
}
