//! The CI templates users copy (ci/templates/), rehearsed without a CI service: their keys are where
//! GitHub and GitLab look for them, and their shell steps run in order, as the runners would, against
//! stub apt-get, git, cargo and usher. This proves the exit-code handling (1 and 3 fail the job),
//! that passwords reach usher only through the environment and are never printed, and that the
//! usher binary is rebuilt only when its commit changes. (ci/lint-templates.sh lints them.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const REV: &str = "0123456789abcdef0123456789abcdef01234567";
const VICTIM_PASSWORD: &str = "victim-pw-9f1c2e77";
const ATTACKER_PASSWORD: &str = "attacker-pw-41d0aa3b";
const EXPECTED_RUN: &str = "usher run scenarios/myapp --target https://staging.example.com \
                            --report-dir reports --secret VICTIM_PASSWORD --secret ATTACKER_PASSWORD";

fn template(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ci/templates")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("the template exists");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A work directory, and stub tools that log what they were asked into `log`.
struct Rehearsal {
    dir: tempfile::TempDir,
    stubs: PathBuf,
    cargo_bin: PathBuf,
    log: PathBuf,
}

fn write_script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn rehearsal() -> Rehearsal {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("stubs");
    let cargo_bin = dir.path().join("cargo-bin");
    let source = dir.path().join("usher-source");
    let work = dir.path().join("work");
    for d in [&stubs, &cargo_bin, &source, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    // usher is not on PATH until the template's `cargo install` puts it there.
    write_script(
        &source.join("usher"),
        r#"echo "usher $*" >> "$STUB_LOG"
if [ "$1" = run ]; then
  echo "env VICTIM_PASSWORD length ${#VICTIM_PASSWORD}" >> "$STUB_LOG"
  exit "${STUB_EXIT:-0}"
fi
[ "$1" = --version ] && echo "usher 0.1.0"
exit 0"#,
    );
    write_script(
        &stubs.join("apt-get"),
        r#"echo "apt-get $*" >> "$STUB_LOG""#,
    );
    write_script(
        &stubs.join("git"),
        r#"echo "git $*" >> "$STUB_LOG"
if [ "$1" = ls-remote ] && [ -n "$STUB_REV" ]; then printf '%s\trefs/heads/main\n' "$STUB_REV"; fi"#,
    );
    write_script(
        &stubs.join("cargo"),
        &format!(
            r#"echo "cargo $*" >> "$STUB_LOG"
dest="{}"
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then dest="$2/bin"; fi
  shift
done
mkdir -p "$dest" && cp "{}" "$dest/usher""#,
            cargo_bin.display(),
            source.join("usher").display()
        ),
    );
    let log = dir.path().join("stub.log");
    std::fs::write(&log, "").unwrap();
    Rehearsal {
        dir,
        stubs,
        cargo_bin,
        log,
    }
}

impl Rehearsal {
    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }

    /// Runs `script` as a CI runner does (bash, errexit, pipefail) in the work directory.
    fn bash(&self, script: &str, env: &HashMap<String, String>, usher_exit: i32) -> (i32, String) {
        let file = self.dir.path().join("step.sh");
        std::fs::write(&file, script).unwrap();
        let path = format!(
            "{}:{}:{}",
            self.stubs.display(),
            self.cargo_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .current_dir(self.work())
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .envs(env)
            .env("STUB_LOG", &self.log)
            .env("STUB_EXIT", usher_exit.to_string())
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }
}

fn strings(map: &Value) -> HashMap<String, String> {
    map.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("a string value").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// What the GitHub runner puts in place of `${{ ... }}` before the shell sees it.
fn github_expand(text: &str, outputs: &HashMap<String, HashMap<String, String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = match expr.split('.').collect::<Vec<_>>().as_slice() {
            ["secrets", "USHER_VICTIM_PASSWORD"] => VICTIM_PASSWORD.to_string(),
            ["secrets", "USHER_ATTACKER_PASSWORD"] => ATTACKER_PASSWORD.to_string(),
            ["steps", id, "outputs", key] => outputs[*id][*key].clone(),
            ["runner", "os"] => "Linux".to_string(),
            _ => panic!("the rehearsal does not know `{expr}`: teach github_expand"),
        };
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out + rest
}

/// Every `run:` step of the workflow's job in order, stopping at the first failure, as GitHub does.
fn run_github(rehearsal: &Rehearsal, usher_exit: i32, rev: &str) -> (i32, String) {
    let workflow = template("github-actions.yml");
    let (_, job) = workflow["jobs"].as_object().unwrap().iter().next().unwrap();
    let mut outputs: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut transcript = String::new();
    for step in job["steps"].as_array().unwrap() {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        let output_file = rehearsal.dir.path().join("github_output");
        std::fs::write(&output_file, "").unwrap();
        let mut env = strings(&workflow["env"]);
        for (k, v) in strings(&step["env"]) {
            env.insert(k, github_expand(&v, &outputs));
        }
        env.insert("GITHUB_OUTPUT".into(), output_file.display().to_string());
        env.insert("STUB_REV".into(), rev.into());
        let (code, text) = rehearsal.bash(&github_expand(run, &outputs), &env, usher_exit);
        transcript.push_str(&text);
        if let Some(id) = step["id"].as_str() {
            let written = std::fs::read_to_string(&output_file).unwrap();
            let values = written
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            outputs.insert(id.to_string(), values);
        }
        if code != 0 {
            return (code, transcript);
        }
    }
    (0, transcript)
}

/// The job's before_script and script in one shell, as GitLab runs them.
fn run_gitlab(rehearsal: &Rehearsal, usher_exit: i32) -> (i32, String) {
    let pipeline = template("gitlab-ci.yml");
    let job = &pipeline["usher"];
    let lines: Vec<&str> = ["before_script", "script"]
        .iter()
        .flat_map(|k| job[*k].as_array().unwrap())
        .map(|l| l.as_str().unwrap())
        .collect();
    let mut env = strings(&job["variables"]);
    env.insert(
        "CI_PROJECT_DIR".into(),
        rehearsal.work().display().to_string(),
    );
    env.insert("VICTIM_PASSWORD".into(), VICTIM_PASSWORD.into());
    env.insert("ATTACKER_PASSWORD".into(), ATTACKER_PASSWORD.into());
    env.insert("STUB_REV".into(), REV.into());
    rehearsal.bash(&lines.join("\n"), &env, usher_exit)
}

fn assert_no_password(what: &str, text: &str) {
    for secret in [VICTIM_PASSWORD, ATTACKER_PASSWORD] {
        assert!(!text.contains(secret), "{what} shows a password:\n{text}");
    }
}

#[test]
fn github_workflow_fails_the_job_on_flaws_and_infrastructure_errors() {
    for usher_exit in [0, 1, 2, 3] {
        let rehearsal = rehearsal();
        let (code, transcript) = run_github(&rehearsal, usher_exit, REV);
        let log = rehearsal.log();
        assert_eq!(code, usher_exit, "{transcript}\n{log}");
        assert_eq!(
            transcript.contains("::error::"),
            usher_exit != 0,
            "{transcript}"
        );
        assert!(
            log.contains("apt-get install -y -qq --no-install-recommends chromium chromium-driver"),
            "{log}"
        );
        assert!(log.contains("chromium-headless-shell"), "{log}");
        assert!(
            log.contains(&format!(
                "cargo install --locked --git https://github.com/OWNER/usher.git --rev {REV} usher"
            )),
            "{log}"
        );
        assert!(log.contains("usher doctor"), "{log}");
        assert!(log.contains(EXPECTED_RUN), "{log}");
        let length = format!("env VICTIM_PASSWORD length {}", VICTIM_PASSWORD.len());
        assert!(
            log.contains(&length),
            "the password did not reach usher:\n{log}"
        );
        assert_no_password("the job log", &transcript);
        assert_no_password("usher's command line", &log);
    }
}

#[test]
fn github_workflow_stops_on_an_unknown_usher_ref() {
    let rehearsal = rehearsal();
    let (code, transcript) = run_github(&rehearsal, 0, "");
    assert_ne!(code, 0, "{transcript}");
    assert!(transcript.contains("::error::no ref main"), "{transcript}");
    assert!(!rehearsal.log().contains("usher run"));
}

#[test]
fn github_workflow_publishes_reports_always() {
    let workflow = template("github-actions.yml");
    assert!(
        workflow["on"].get("pull_request").is_some(),
        "runs on pull requests"
    );
    let (_, job) = workflow["jobs"].as_object().unwrap().iter().next().unwrap();
    let steps = job["steps"].as_array().unwrap();
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix)))
            .unwrap_or_else(|| panic!("a step using {prefix}"))
    };
    let junit = uses("mikepenz/action-junit-report@");
    assert_eq!(junit["if"], "always()");
    assert_eq!(junit["with"]["report_paths"], "reports/junit.xml");
    let upload = uses("actions/upload-artifact@");
    assert_eq!(upload["if"], "always()");
    assert_eq!(upload["with"]["path"], "reports/");
    for step in steps {
        if let Some(action) = step["uses"].as_str() {
            let version = action.split_once('@').map(|(_, v)| v).unwrap_or_default();
            let major = version.strip_prefix('v').unwrap_or_default();
            assert!(
                !major.is_empty() && major.chars().all(|c| c.is_ascii_digit()),
                "{action}: pin actions to a major version"
            );
        }
    }
    assert_eq!(workflow["permissions"]["checks"], "write");
}

#[test]
fn gitlab_job_fails_on_flaws_and_infrastructure_errors() {
    for usher_exit in [0, 1, 2, 3] {
        let rehearsal = rehearsal();
        let (code, transcript) = run_gitlab(&rehearsal, usher_exit);
        let log = rehearsal.log();
        assert_eq!(code, usher_exit, "{transcript}\n{log}");
        assert!(log.contains("chromium chromium-driver"), "{log}");
        assert!(log.contains("usher doctor"), "{log}");
        assert!(log.contains(EXPECTED_RUN), "{log}");
        let length = format!("env VICTIM_PASSWORD length {}", VICTIM_PASSWORD.len());
        assert!(
            log.contains(&length),
            "the password did not reach usher:\n{log}"
        );
        assert_no_password("the job log", &transcript);
        assert_no_password("usher's command line", &log);
    }
}

#[test]
fn gitlab_job_reuses_the_cached_usher_of_the_same_commit() {
    let rehearsal = rehearsal();
    for _ in 0..2 {
        let (code, transcript) = run_gitlab(&rehearsal, 0);
        assert_eq!(code, 0, "{transcript}");
    }
    let log = rehearsal.log();
    assert_eq!(log.matches("cargo install").count(), 1, "{log}");
    assert_eq!(log.matches("usher run").count(), 2, "{log}");
}

#[test]
fn gitlab_job_publishes_reports_always() {
    let pipeline = template("gitlab-ci.yml");
    let job = &pipeline["usher"];
    let rules = job["rules"].to_string();
    assert!(rules.contains("merge_request_event"), "{rules}");
    assert_eq!(job["artifacts"]["when"], "always");
    assert_eq!(job["artifacts"]["reports"]["junit"], "reports/junit.xml");
    assert!(
        job["artifacts"]["paths"]
            .as_array()
            .unwrap()
            .contains(&Value::from("reports/"))
    );
}
