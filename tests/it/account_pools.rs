//! Account pools: with `scenarios/ticketbooth-pool/app.yaml` (four victims, four attackers) built-in
//! scenarios run at the same time under `--jobs 2` in headless Chromium against a secure Ticketbooth,
//! each on its own accounts, with the verdicts of a serial run, and no pooled password written anywhere.

use crate::support::demo::demo;
use crate::support::usher::{UsherCommand, usher};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use usher::demo::{ACCOUNTS, FlawSet};

const POOL_PROFILE: &str = "scenarios/ticketbooth-pool/app.yaml";

/// A password change (which must use the leased account's password), two fixation probes, a logout
/// replay and the cookie judgement: enough flows that two always wait for accounts or a job slot.
const SCENARIOS: [&str; 5] = [
    "password-change-ends-sessions",
    "fixation-planted-valid-id",
    "logout-invalidates-token",
    "fixation-token-rotates",
    "cookie-attributes",
];

fn secrets(cmd: &mut Command) -> &mut Command {
    for a in ACCOUNTS {
        let user = a.email.split('@').next().unwrap().to_ascii_uppercase();
        cmd.arg("--secret")
            .arg(format!("TB_{user}_PASSWORD={}", a.password));
    }
    cmd
}

struct Flow {
    name: String,
    verdict: String,
    start: f64,
    end: f64,
    users: Vec<String>,
}

/// Runs the scenarios with `jobs` and returns their flows as results.json has them.
fn run(target: &str, jobs: &str, dir: &Path) -> Vec<Flow> {
    let mut cmd = usher();
    cmd.args(["run", "--suite", "builtin", "--profile", POOL_PROFILE])
        .args(["--target", target, "--jobs", jobs, "--report-dir"])
        .arg(dir);
    for s in SCENARIOS {
        cmd.args(["--only", s]);
    }
    let out = secrets(&mut cmd).run();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "--jobs {jobs}:\n{stdout}\n{stderr}"
    );
    let mut written = format!("{stdout}{stderr}");
    for f in ["results.json", "junit.xml", "index.html"] {
        written.push_str(&std::fs::read_to_string(dir.join(f)).unwrap());
    }
    for a in ACCOUNTS {
        assert!(
            !written.contains(a.password),
            "the password of {} was written in clear",
            a.email
        );
    }
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    results["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let start = f["started"]
                .as_f64()
                .expect("a flow that ran has `started`");
            let mut users: Vec<String> = f["accounts"]
                .as_object()
                .expect("a flow that ran names its accounts")
                .values()
                .map(|u| u.as_str().unwrap().to_string())
                .collect();
            users.sort();
            users.dedup();
            Flow {
                name: f["name"].as_str().unwrap().to_string(),
                verdict: f["verdict"].as_str().unwrap().to_string(),
                start,
                end: start + f["duration"].as_f64().unwrap(),
                users,
            }
        })
        .collect()
}

/// results.json gives times to the millisecond, and a flow takes an account back within a millisecond
/// of the flow before it giving it up: closer than this is one after the other, not at once.
const SAME_INSTANT: f64 = 0.005;

fn overlapping(flows: &[Flow]) -> Vec<(&Flow, &Flow)> {
    let mut out = Vec::new();
    for (i, a) in flows.iter().enumerate() {
        for b in &flows[i + 1..] {
            if a.start + SAME_INSTANT < b.end && b.start + SAME_INSTANT < a.end {
                out.push((a, b));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn pooled_flows_overlap_on_distinct_accounts_with_serial_verdicts() {
    let app = demo(FlawSet::none()).await;
    let dir = tempfile::tempdir().unwrap();
    let target = app.base_url();
    let serial = run(&target, "1", &dir.path().join("serial"));
    let parallel = run(&target, "2", &dir.path().join("parallel"));
    app.shutdown().await;

    let verdicts = |flows: &[Flow]| -> Vec<(String, String)> {
        flows
            .iter()
            .map(|f| (f.name.clone(), f.verdict.clone()))
            .collect()
    };
    assert_eq!(
        verdicts(&parallel),
        verdicts(&serial),
        "results stay in file order with the same verdicts"
    );
    assert_eq!(parallel.len(), SCENARIOS.len());
    assert!(
        parallel.iter().all(|f| f.verdict == "PASS"),
        "a secure Ticketbooth passes"
    );
    assert!(
        overlapping(&serial).is_empty(),
        "--jobs 1 runs one flow at a time"
    );

    let pairs = overlapping(&parallel);
    assert!(
        !pairs.is_empty(),
        "under --jobs 2 some flows ran at the same time"
    );
    for (a, b) in pairs {
        for u in &a.users {
            assert!(
                !b.users.contains(u),
                "{} ({:.3}-{:.3} s) and {} ({:.3}-{:.3} s) overlapped on {u}",
                a.name,
                a.start,
                a.end,
                b.name,
                b.start,
                b.end
            );
        }
    }
    // Pools were used: more than one victim account served the flows.
    let mut victims: Vec<&String> = parallel
        .iter()
        .flat_map(|f| &f.users)
        .filter(|u| {
            ["alice@", "bob@", "dave@", "erin@"]
                .iter()
                .any(|p| u.starts_with(p))
        })
        .collect();
    victims.sort();
    victims.dedup();
    assert!(victims.len() >= 2, "{victims:?}");
}

/// The pool profile is the bundled profile with pooled personas: everything else is the same text.
#[test]
fn pool_profile_differs_only_in_personas() {
    let strip = |path: &str| -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        let mut out = Vec::new();
        let mut in_personas = false;
        for line in text.lines() {
            if line.trim_start().starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !line.starts_with(' ') {
                in_personas = line == "personas:";
            }
            if !in_personas {
                out.push(line.to_string());
            }
        }
        out
    };
    assert_eq!(strip(POOL_PROFILE), strip("scenarios/ticketbooth/app.yaml"));
}
