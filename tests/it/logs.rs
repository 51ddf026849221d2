//! `usher logs` as a user runs it: on generated logs with planted incidents (every one found, nothing
//! else: the clean traffic raises no false alarm), compressed and piped inputs, nginx `log_format`
//! strings and JSON lines, malformed lines counted by number and never fatal, bad input exit 2, and
//! reports that show session ids only as fingerprints.

use crate::support::usher::{quiet_usher as usher, show};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

fn generate(dir: &Path, name: &str, size: &str, seed: &str) -> (std::path::PathBuf, Value) {
    let log = dir.join(name);
    let out = usher()
        .args(["logs", "generate", "--size", size, "--seed", seed])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let manifest = std::fs::read_to_string(format!("{}.planted.json", log.display())).unwrap();
    (log, serde_json::from_str(&manifest).unwrap())
}

fn logs(args: &[&str], files: &[&Path], reports: &Path) -> (Output, Value) {
    let out = usher()
        .arg("logs")
        .args(args)
        .arg("--report-dir")
        .arg(reports)
        .args(files)
        .output()
        .unwrap();
    let results = std::fs::read_to_string(reports.join("results.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out, results)
}

/// rule id -> (verdict, [session fingerprint or account or network of each incident]).
fn findings(results: &Value) -> Vec<(String, String, Vec<String>)> {
    results["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let who = r["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    i["session"]
                        .as_str()
                        .or(i["account"].as_str())
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            // login bursts name their network in the message
                            let m = i["message"].as_str().unwrap();
                            m.split(" from ")
                                .nth(1)
                                .unwrap()
                                .split(' ')
                                .next()
                                .unwrap()
                                .to_string()
                        })
                })
                .collect();
            (
                r["id"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
                who,
            )
        })
        .collect()
}

#[test]
fn every_planted_incident_is_found_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (log, manifest) = generate(dir.path(), "access.log", "3MB", "11");
    let (out, results) = logs(&["--format", "ticketbooth"], &[&log], &dir.path().join("r"));
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let planted = manifest["planted"].as_object().unwrap();
    for (id, verdict, who) in findings(&results) {
        let mut want: Vec<String> = planted
            .get(&id)
            .map(|v| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let mut got = who.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{id}\n{}", show(&out));
        let clean = if id == "impossible-travel" {
            "SKIPPED" // it needs --geoip: `geoip_database_finds_impossible_travel`
        } else {
            "PASS"
        };
        assert_eq!(
            verdict,
            if want.is_empty() { clean } else { "FAIL" },
            "{id}"
        );
    }
    assert_eq!(planted.len(), 8, "every rule has a planted incident");
    // The odd lines at the top and the cut lines are counted by number; the blank one is not a line.
    let input = &results["input"];
    assert!(input["malformed"].as_u64().unwrap() >= 2, "{input}");
    assert_eq!(input["malformed_lines"][0]["line"], 1);
    assert_eq!(input["malformed_lines"][1]["line"], 3);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("malformed: line 1 ("),
        "{}",
        show(&out)
    );
}

#[test]
fn gzip_zstd_and_stdin_read_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, _) = generate(dir.path(), "a.log", "400KB", "5");
    let (gz, _) = generate(dir.path(), "a.log.gz", "400KB", "5");
    let (zst, _) = generate(dir.path(), "a.log.zst", "400KB", "5");
    let (_, base) = logs(
        &["--format", "ticketbooth"],
        &[&plain],
        &dir.path().join("p"),
    );
    for (name, file) in [("gz", &gz), ("zst", &zst)] {
        let (out, r) = logs(
            &["--format", "ticketbooth"],
            &[file.as_path()],
            &dir.path().join(name),
        );
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        assert_eq!(r["rules"], base["rules"], "{name}");
        assert_eq!(r["input"]["lines"], base["input"]["lines"], "{name}");
    }
    let reports = dir.path().join("stdin");
    let mut child = usher()
        .args(["logs", "--format", "ticketbooth", "--report-dir"])
        .arg(&reports)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&plain).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(r["rules"], base["rules"]);
}

#[test]
fn reports_hold_fingerprints_never_session_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = generate(dir.path(), "access.log", "500KB", "2");
    let reports = dir.path().join("r");
    let (out, _) = logs(
        &["--format", "ticketbooth", "--redact-ips"],
        &[&log],
        &reports,
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let text = std::fs::read_to_string(&log).unwrap();
    let ids: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.rsplit('"').nth(1))
        .filter(|v| v.len() == 64)
        .collect();
    assert!(ids.len() > 10);
    for f in ["junit.xml", "results.json", "index.html"] {
        let r = std::fs::read_to_string(reports.join(f)).unwrap();
        assert!(r.contains("tok:"), "{f}");
        for id in &ids {
            assert!(!r.contains(id), "a session id in clear in {f}");
        }
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    for id in &ids {
        assert!(!stdout.contains(id));
    }
    // --redact-ips: the far address of the network incident is cut to its /24.
    let r = std::fs::read_to_string(reports.join("results.json")).unwrap();
    assert!(r.contains("203.0.113.0/24"), "{r}");
    let html = std::fs::read_to_string(reports.join("index.html")).unwrap();
    assert!(
        html.contains("<svg class=\"plot\""),
        "distributions are drawn"
    );
    assert!(!html.contains("<script"), "no script");
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "nothing loaded from the network"
    );
}

#[test]
fn nginx_log_format_strings_and_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sid = "9f8a7c6b5d4e3f2a1b0c9d8e7f6a5b4c";
    let nginx = dir.path().join("nginx.log");
    std::fs::write(
        &nginx,
        format!(
            "[2024-03-01T10:00:00+00:00] 10.0.0.1 \"GET /home HTTP/1.1\" 200 0.012 \"{sid}\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36\"\n\
             [2024-03-01T10:01:00+00:00] 10.0.0.1 \"GET /cart?APPSESSION={sid} HTTP/1.1\" 200 0.010 \"{sid}\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36\"\n\
             [2024-03-01T10:40:00+00:00] 10.0.0.1 \"GET /home HTTP/1.1\" 200 0.011 \"{sid}\" \"Mozilla/5.0 (Windows NT 10.0) Chrome/121.0 Safari/537.36\"\n"
        ),
    )
    .unwrap();
    let format = r#"[$time_iso8601] $remote_addr "$request" $status $request_time "$cookie_APPSESSION" "$http_user_agent""#;
    let (out, r) = logs(
        &[
            "--format",
            format,
            "--session",
            "cookie:APPSESSION",
            "--session",
            "query:APPSESSION",
        ],
        &[&nginx],
        &dir.path().join("n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let f = findings(&r);
    let verdict = |id: &str| f.iter().find(|x| x.0 == id).unwrap().1.clone();
    assert_eq!(verdict("session-id-in-url"), "FAIL");
    assert_eq!(
        verdict("idle-gap"),
        "FAIL",
        "39 minutes idle, accepted (no user column: judged by status)"
    );
    assert_eq!(
        verdict("multiple-agents"),
        "PASS",
        "a Chrome update is the same agent"
    );
    assert_eq!(
        verdict("used-after-logout"),
        "SKIPPED",
        "no logout in the log: never a PASS"
    );
    assert_eq!(verdict("concurrent-sessions"), "SKIPPED");

    let json = dir.path().join("app.jsonl");
    std::fs::write(
        &json,
        format!(
            "{{\"ts\":\"2024-03-01T10:00:00Z\",\"client\":{{\"ip\":\"10.0.0.1\"}},\"req\":\"POST /logout HTTP/1.1\",\"code\":303,\"who\":\"bob\",\"sess\":\"{sid}\"}}\n\
             not json at all\n\
             {{\"ts\":\"2024-03-01T10:00:05Z\",\"client\":{{\"ip\":\"10.0.0.1\"}},\"req\":\"GET /orders HTTP/1.1\",\"code\":200,\"who\":\"bob\",\"sess\":\"{sid}\"}}\n"
        ),
    )
    .unwrap();
    let (out, r) = logs(
        &[
            "--format",
            "json",
            "--field",
            "time=ts",
            "--field",
            "addr=client.ip",
            "--field",
            "request=req",
            "--field",
            "status=code",
            "--field",
            "user=who",
            "--field",
            "cookie:sess=sess",
        ],
        &[&json],
        &dir.path().join("j"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let f = findings(&r);
    assert_eq!(
        f.iter().find(|x| x.0 == "used-after-logout").unwrap().1,
        "FAIL"
    );
    assert_eq!(r["input"]["malformed_lines"][0]["line"], 2);
}

#[test]
fn bad_input_is_exit_2_and_a_clean_log_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.log");
    std::fs::write(&garbage, "this\nis not\na log\n").unwrap();
    let (out, r) = logs(&[], &[&garbage], &dir.path().join("g"));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(r["input"]["malformed"], 3, "reports are still written");
    let (out, _) = logs(
        &["--format", "$remote_addr $status"],
        &[&garbage],
        &dir.path().join("f"),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a format without time or request: {}",
        show(&out)
    );
    let (out, _) = logs(
        &[],
        &[&dir.path().join("missing.log")],
        &dir.path().join("m"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let (out, _) = logs(
        &["--policy", "idle_timeout=soon"],
        &[&garbage],
        &dir.path().join("p"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));

    let clean = dir.path().join("clean.log");
    let sid = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    std::fs::write(
        &clean,
        format!(
            "10.1.1.1 - - [01/Mar/2024:10:00:00 +0000] \"POST /login HTTP/1.1\" 303 0 \"-\" \"{ua}\" \"-\"\n\
             10.1.1.1 - ann [01/Mar/2024:10:00:01 +0000] \"GET /account HTTP/1.1\" 200 10 \"-\" \"{ua}\" \"{sid}\"\n\
             10.1.1.1 - ann [01/Mar/2024:10:05:00 +0000] \"POST /logout HTTP/1.1\" 303 0 \"-\" \"{ua}\" \"{sid}\"\n\
             10.1.1.1 - - [01/Mar/2024:10:05:01 +0000] \"GET /account HTTP/1.1\" 303 0 \"-\" \"{ua}\" \"{sid}\"\n"
        ),
    )
    .unwrap();
    let (out, r) = logs(
        &["--format", "ticketbooth"],
        &[&clean],
        &dir.path().join("c"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    for (id, verdict, _) in findings(&r) {
        assert_ne!(verdict, "FAIL", "{id}");
    }
}

/// `--geoip FILE` (a DB-IP city-lite CSV): one session used in Paris and ten minutes later in Sydney
/// is impossible travel; another going from Paris to Lyon in an hour is not (nor is an address the
/// database does not know). Without the file the rule is SKIPPED, never PASS.
#[test]
fn geoip_database_finds_impossible_travel() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dbip-city-lite.csv");
    std::fs::write(
        &db,
        "203.0.113.0,203.0.113.255,EU,FR,\"Ile-de-France\",Paris,48.8566,2.3522\n\
         198.51.100.0,198.51.100.255,OC,AU,\"New South Wales\",Sydney,-33.8688,151.2093\n\
         192.0.2.0,192.0.2.255,EU,FR,Auvergne-Rhone-Alpes,Lyon,45.764,4.8357\n",
    )
    .unwrap();
    let log = dir.path().join("access.log");
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    let (a, b, c) = (
        "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "b1b2c3d4e5f60718293a4b5c6d7e8f91",
        "c1b2c3d4e5f60718293a4b5c6d7e8f92",
    );
    let line = |ip: &str, user: &str, time: &str, sid: &str| {
        format!(
            "{ip} - {user} [01/Mar/2024:{time} +0000] \"GET /account HTTP/1.1\" 200 10 \"-\" \"{ua}\" \"{sid}\"\n"
        )
    };
    let text = [
        line("203.0.113.9", "ann", "10:00:00", a),
        line("203.0.113.20", "bob", "10:00:05", b),
        line("203.0.113.30", "cid", "10:00:09", c),
        line("198.51.100.7", "ann", "10:10:00", a),
        line("10.9.9.9", "cid", "10:12:00", c),
        line("192.0.2.5", "bob", "11:00:05", b),
    ]
    .concat();
    std::fs::write(&log, text).unwrap();
    let travel = |r: &Value| {
        findings(r)
            .into_iter()
            .find(|(id, _, _)| id == "impossible-travel")
            .unwrap()
    };
    let with_db = format!("--geoip={}", db.display());
    let (out, r) = logs(
        &["--format", "ticketbooth", &with_db],
        &[&log],
        &dir.path().join("g"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let (_, verdict, who) = travel(&r);
    assert_eq!(verdict, "FAIL");
    assert_eq!(
        who,
        vec![usher::redact::fingerprint(usher::redact::Kind::Token, a)]
    );
    let rule = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "impossible-travel")
        .unwrap();
    let message = rule["incidents"][0]["message"].as_str().unwrap();
    assert!(message.contains("km apart within 10m"), "{message}");
    assert_eq!(rule["incidents"][0]["lines"], serde_json::json!([1, 4]));

    let (_, r) = logs(&["--format", "ticketbooth"], &[&log], &dir.path().join("n"));
    assert_eq!(travel(&r).1, "SKIPPED", "no database, no verdict");
    let not_a_db = format!("--geoip={}", log.display());
    let (out, _) = logs(
        &["--format", "ticketbooth", &not_a_db],
        &[&log],
        &dir.path().join("bad"),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a log is no GeoIP database: {}",
        show(&out)
    );
}

/// `login-burst` counts accounts, not logins: one client logging into one account 60 times in a
/// minute (a token sampler, a retrying script; the login lines name no user, as Ticketbooth's do) is
/// no burst, where 25 accounts logged in from one /24 are, each known only from the request that
/// follows its anonymous login line.
#[test]
fn a_login_burst_is_many_accounts_not_many_logins() {
    let dir = tempfile::tempdir().unwrap();
    let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    let line = |ip: &str, user: &str, s: u32, req: &str, status: u32, sid: &str| {
        format!(
            "{ip} - {user} [01/Mar/2024:10:00:{s:02} +0000] \"{req} HTTP/1.1\" {status} 0 \"-\" \"{ua}\" \"{sid}\"\n"
        )
    };
    let mut sampler = String::new();
    for k in 0..60 {
        let sid = format!("{:032x}", 0x5a5a_0000 + k);
        sampler += &line("10.9.9.9", "-", k % 60, "POST /login", 303, "-");
        if k % 3 == 0 {
            sampler += &line("10.9.9.9", "ann", k % 60, "GET /account", 200, &sid);
        }
    }
    let mut scalper = String::new();
    for k in 0..25 {
        let ip = format!("45.33.7.{}", 10 + k);
        let sid = format!("{:032x}", 0x7e7e_0000 + k);
        scalper += &line(&ip, "-", k, "POST /login", 303, "-");
        scalper += &line(&ip, &format!("holder{k}"), k + 1, "GET /account", 200, &sid);
    }
    for (name, text, burst) in [("sampler", sampler, false), ("scalper", scalper, true)] {
        let log = dir.path().join(format!("{name}.log"));
        std::fs::write(&log, text).unwrap();
        let (out, r) = logs(
            &["--format", "ticketbooth"],
            &[&log],
            &dir.path().join(name),
        );
        let found = findings(&r);
        let (_, verdict, who) = found
            .iter()
            .find(|(id, _, _)| id == "login-burst")
            .unwrap_or_else(|| panic!("{name}: no login-burst rule: {}", show(&out)));
        if burst {
            assert_eq!(verdict, "FAIL", "{name}: {found:?}");
            assert_eq!(who, &["45.33.7.0/24"], "{name}");
            let message = r["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == "login-burst")
                .unwrap()["incidents"][0]["message"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                message.starts_with("20 logins for 20 accounts from 45.33.7.0/24"),
                "{message}"
            );
        } else {
            assert_eq!(verdict, "PASS", "{name}: {found:?} {}", show(&out));
        }
    }
}
