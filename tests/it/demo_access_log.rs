//! Ticketbooth's access log (`--access-log`): every request one line in the documented `ticketbooth`
//! format (combined, the logged-in user in `$remote_user`, the session cookie last), proved at HTTP
//! level; attacks made over HTTP are found in it by `usher logs` and nothing is found when the secure
//! Ticketbooth refused them; and the loop with the suite: a real `usher run` in headless Chromium
//! against a flawed Ticketbooth leaves the token-in-URL, the replay from another agent, the idle gap
//! and the use after logout in its log, and the secure one's log holds none of them.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::ticketbooth::{PASSWORD, Target, UA, fast_config};
use crate::support::usher::{UsherCommand, quiet_usher};
use reqwest::StatusCode;
use usher::demo::{DemoConfig, Flaw, FlawSet};
use usher::logs::format::{Format, JsonScratch};
use usher::logs::session_id::Sources;
use usher::logs::{Input, Options, Outcome, Verdict};

/// Waits until the log holds `n` lines (the writer flushes as soon as its queue is empty).
fn lines_of(path: &Path, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn analyse(path: &Path, policy: &[&str]) -> Outcome {
    let mut p = usher::logs::policy::LogPolicy::default();
    for kv in policy {
        p.set_pair(kv).unwrap();
    }
    let options = Options {
        format: Format::parse("ticketbooth", &[]).unwrap(),
        format_name: "ticketbooth".into(),
        sources: Sources::default(),
        policy: p,
        redact_ips: false,
        workers: 0,
        geoip: None,
    };
    usher::logs::analyse(vec![Input::File(path.to_path_buf())], &options)
        .unwrap_or_else(|(e, _)| panic!("{e}"))
}

fn verdict(o: &Outcome, id: &str) -> Verdict {
    o.rules.iter().find(|r| r.id == id).unwrap().verdict
}

/// The fast test timers, but a lifetime long enough that only the flaw under test ends a session.
fn logged(config: DemoConfig, log: &Path) -> DemoConfig {
    DemoConfig {
        access_log: Some(log.to_path_buf()),
        absolute_timeout: Duration::from_secs(120),
        ..config
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_request_is_one_line_with_user_and_session_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let t = Target::start(logged(fast_config(FlawSet::none()), &log)).await;
    let email = t.new_user("log").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let sid = b.session().expect("a session cookie");
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    let mut odd = b.with_ua("Evil \"quoted\" agent\\");
    odd.get("/account").await;
    let form = b.get("/").await;
    b.submit(&form, "/logout", &[]).await;

    // signup form + post, login form + post, /account, the odd agent's /account, /, logout
    let lines = lines_of(&log, 8);
    assert_eq!(lines.len(), 8, "{lines:#?}");
    let format = Format::parse("ticketbooth", &[]).unwrap();
    let mut scratch = JsonScratch::default();
    for l in &lines {
        let f = format
            .read(l.as_bytes(), &mut scratch)
            .unwrap_or_else(|e| panic!("{e}: {l}"));
        assert_eq!(f.addr, b"127.0.0.1", "{l}");
        assert!(f.time.is_some(), "{l}");
    }
    let field = |l: &str, n: usize| l.rsplit('"').nth(n).unwrap().to_string();
    let account = lines
        .iter()
        .find(|l| l.contains("\"GET /account "))
        .unwrap();
    assert!(
        account.starts_with(&format!("127.0.0.1 - {email} [")),
        "{account}"
    );
    assert!(account.contains("\" 200 "), "{account}");
    assert_eq!(
        field(account, 1),
        sid,
        "the session cookie is the last field: {account}"
    );
    assert_eq!(field(account, 3), UA, "{account}");
    let login = lines.iter().find(|l| l.contains("\"POST /login ")).unwrap();
    assert!(
        login.starts_with("127.0.0.1 - - ["),
        "a login is logged as anonymous: {login}"
    );
    let logout = lines
        .iter()
        .find(|l| l.contains("\"POST /logout "))
        .unwrap();
    assert!(logout.contains(&format!(" - {email} [")), "{logout}");
    assert!(logout.contains("\" 303 0 "), "{logout}");
    let odd = &lines[5];
    assert!(
        odd.contains(r#""Evil \x22quoted\x22 agent\x5C""#),
        "escaped like nginx: {odd}"
    );
    t.demo.shutdown().await;
}

/// Attacks over HTTP: a token in a URL, a replay from another agent, a use after logout and after an
/// idle gap. The flawed Ticketbooth accepts them and `usher logs` finds each in its log; the secure
/// one refuses them and its log raises nothing.
#[tokio::test(flavor = "multi_thread")]
async fn http_attacks_are_found_in_the_flawed_log_and_nothing_in_the_secure_one() {
    let flaws: FlawSet = [
        Flaw::TokenInUrl,
        Flaw::NoClientBinding,
        Flaw::NoLogoutInvalidation,
        Flaw::NoIdleTimeout,
    ]
    .into_iter()
    .collect();
    let policy = ["idle_timeout=2500ms", "absolute_timeout=1h"];
    for (name, flaws) in [("secure", FlawSet::none()), ("flawed", flaws)] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        let t = Target::start(logged(fast_config(flaws), &log)).await;
        let email = t.new_user("attack").await;
        let (mut victim, _) = t.logged_in(&email, PASSWORD, UA).await;
        let sid = victim.session().unwrap();
        let page = victim.get("/account").await;
        // Under token-in-url the page's links carry ?sid=; a click on one puts it in the log.
        if let Some(link) = page
            .body
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .find(|h| h.contains("sid="))
        {
            victim.get(&link.replace("&amp;", "&")).await;
        }
        let mut thief = t.browser_with_ua(
            "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        );
        thief.set_cookie(&victim.session_cookie_name().unwrap(), &sid);
        thief.get("/account").await;
        let (mut idler, _) = t.logged_in(&email, PASSWORD, UA).await;
        idler.get("/account").await;
        tokio::time::sleep(Duration::from_millis(4500)).await;
        idler.get("/account").await;
        let kept = victim.clone();
        let form = victim.get("/").await;
        victim.submit(&form, "/logout", &[]).await;
        let mut replay = kept;
        replay.get("/account").await;
        // `shutdown` returns once the log is written whole.
        t.demo.shutdown().await;
        let o = analyse(&log, &policy);
        let text = std::fs::read_to_string(&log).unwrap();
        for id in [
            "session-id-in-url",
            "multiple-agents",
            "idle-gap",
            "used-after-logout",
        ] {
            let want = if name == "flawed" {
                Verdict::Fail
            } else {
                Verdict::Pass
            };
            assert_eq!(
                verdict(&o, id),
                want,
                "{name}: {id}\n{}\n{text}",
                usher::logs::report::summary(&o)
            );
        }
        for id in ["distant-networks", "lifetime", "concurrent-sessions"] {
            assert_eq!(
                verdict(&o, id),
                Verdict::Pass,
                "{name}: {id}\n{}",
                usher::logs::report::summary(&o)
            );
        }
    }
}

/// The loop with the suite, in real headless Chromium: needs chromium and chromedriver on PATH. The
/// flawed and the secure run go at the same time (their idle probes wait side by side), each with
/// only the four scenarios whose attacks the log must show.
#[tokio::test(flavor = "multi_thread")]
async fn a_suite_run_leaves_its_attacks_in_the_log_and_usher_logs_finds_them() {
    let flaws: FlawSet = [
        Flaw::TokenInUrl,
        Flaw::NoClientBinding,
        Flaw::NoLogoutInvalidation,
        Flaw::NoIdleTimeout,
    ]
    .into_iter()
    .collect();
    let mut runs = Vec::new();
    for (name, flaws) in [("flawed", flaws), ("secure", FlawSet::none())] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        // Short timeouts so the idle scenario waits seconds (as `usher demo`'s timing instance).
        let demo = usher::demo::start(DemoConfig {
            flaws,
            idle_timeout: Duration::from_secs(8),
            absolute_timeout: Duration::from_secs(120),
            access_log: Some(log.clone()),
            ..DemoConfig::default()
        })
        .await
        .expect("Ticketbooth starts");
        let reports = dir.path().join("reports");
        let mut cmd = quiet_usher();
        cmd.args([
            "run",
            "--suite",
            "builtin",
            "--profile",
            "scenarios/ticketbooth/app.yaml",
        ]);
        for only in [
            "token-not-in-url",
            "client-binding",
            "idle-timeout",
            "logout-invalidates-token",
        ] {
            cmd.args(["--only", only]);
        }
        cmd.args(["--target", &demo.base_url(), "--report-dir"])
            .arg(&reports);
        cmd.args([
            "--policy",
            "idle_timeout=8s",
            "--policy",
            "absolute_timeout=120s",
        ]);
        cmd.ticketbooth_secrets();
        let run = tokio::task::spawn_blocking(move || cmd.run());
        runs.push((name, dir, log, demo, run));
    }
    for (name, dir, log, demo, run) in runs {
        let out = run.await.expect("usher run finishes");
        demo.shutdown().await;
        let want_run = if name == "flawed" { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(want_run),
            "{name}: usher run\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let logs_reports = dir.path().join("logs");
        let out = quiet_usher()
            .args(["logs", "--format", "ticketbooth", "--report-dir"])
            .arg(&logs_reports)
            // Ticketbooth stamps each line as it answers, so no slack for clocks is needed: the probe
            // idle just over the timeout shows a gap just over it.
            .args([
                "--policy",
                "idle_timeout=8s",
                "--policy",
                "absolute_timeout=120s",
                "--policy",
                "slack=0s",
            ])
            .arg(&log)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let results: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(logs_reports.join("results.json")).unwrap(),
        )
        .unwrap();
        let verdict_of = |id: &str| {
            results["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap()["verdict"]
                .as_str()
                .unwrap()
                .to_string()
        };
        if name == "flawed" {
            assert_eq!(out.status.code(), Some(1), "{stdout}");
            for id in [
                "session-id-in-url",
                "multiple-agents",
                "idle-gap",
                "used-after-logout",
            ] {
                assert_eq!(verdict_of(id), "FAIL", "{id}\n{stdout}");
            }
        } else {
            assert_eq!(
                out.status.code(),
                Some(0),
                "the secure log raises nothing\n{stdout}"
            );
        }
        // The log holds session ids; the reports only their fingerprints.
        let log_text = std::fs::read_to_string(&log).unwrap();
        let ids: Vec<&str> = log_text
            .lines()
            .filter_map(|l| l.rsplit('"').nth(1))
            .filter(|v| v.len() >= 32)
            .collect();
        assert!(!ids.is_empty(), "{name}: the log holds session cookies");
        for f in ["junit.xml", "results.json", "index.html"] {
            let text = std::fs::read_to_string(logs_reports.join(f)).unwrap();
            for id in &ids {
                assert!(!text.contains(id), "{name}: a session id in clear in {f}");
            }
        }
    }
}
