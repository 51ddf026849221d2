//! `--browser firefox`: real Firefox ESR through one geckodriver per session, network capture over
//! WebDriver BiDi. The Ticketbooth scenarios PASS on a secure Ticketbooth, and the built-in scenarios
//! whose evidence comes from the wire (raw `Set-Cookie`, Referer sent to another origin, URLs) or
//! from copying cookies between personas FAIL on an all-flaws one, with the same findings as Chrome.
//!
//! Needs `firefox-esr` (apt) and geckodriver (`cargo install geckodriver --locked`); `bash
//! ci/install-firefox.sh` installs both. Without them the test prints why and passes without running,
//! unless `USHER_REQUIRE_FIREFOX` is set (CI), which makes that a failure.

use axum::Router;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use usher::demo::FlawSet;
use usher::driver::{BrowserKind, DriverConfig, Launcher, NetEvent};

use crate::support::demo::demo;
use crate::support::processes::processes_mentioning;
use crate::support::tools::{Require, firefox_missing, skip};
use crate::support::turns;
use crate::support::usher::{BUNDLED_SCENARIOS, Run, UsherCommand, quiet_usher};

/// Built-in scenarios that read what Firefox reports over BiDi or what it accepts as cookies.
const WIRE_SCENARIOS: [&str; 4] = [
    "cookie-attributes",
    "token-not-in-referer",
    "token-not-in-url",
    "fixation-planted-valid-id",
];

/// The `message` of the `check` outcome of `flow`.
fn message(run: &Run, flow: &str, check: &str) -> String {
    run.check(flow, check)["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no `{check}` check in `{flow}`\n{}", run.show()))
        .to_string()
}

/// `usher run --browser firefox` with its own TMPDIR, as a user would start it.
fn usher_firefox(args: &[&str], target: &str, report_dir: &Path, tmp: &Path) -> Run {
    let out = quiet_usher()
        .env("TMPDIR", tmp)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run"])
        .args(args)
        .args(["--target", target, "--browser", "firefox"])
        .ticketbooth_secrets()
        .arg("--report-dir")
        .arg(report_dir)
        .run();
    Run::of(out, report_dir)
}

/// Processes whose command line or environment mentions `dir`.
fn processes_under(dir: &Path) -> Vec<String> {
    processes_mentioning(dir)
        .into_iter()
        .map(|(_, cmd)| cmd)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn firefox_gets_the_chrome_verdicts_and_sees_the_wire() {
    if let Some(why) = firefox_missing() {
        return skip(Require::Firefox, why);
    }
    let (secure, flawed) = tokio::join!(demo(FlawSet::none()), demo(FlawSet::all()));
    let dir = tempfile::tempdir().unwrap();
    let (tmp_a, tmp_b) = (dir.path().join("tmp-a"), dir.path().join("tmp-b"));
    std::fs::create_dir_all(&tmp_a).unwrap();
    std::fs::create_dir_all(&tmp_b).unwrap();
    let (secure_url, flawed_url) = (secure.base_url(), flawed.base_url());

    // Both at once: the two runs share nothing but the machine.
    let (reports_a, reports_b) = (dir.path().join("secure"), dir.path().join("flawed"));
    let mut args = vec![
        "--suite",
        "builtin",
        "--profile",
        "scenarios/ticketbooth/app.yaml",
    ];
    for name in WIRE_SCENARIOS {
        args.extend(["--only", name]);
    }
    let (a, b) = std::thread::scope(|s| {
        let a =
            s.spawn(|| usher_firefox(&["scenarios/ticketbooth"], &secure_url, &reports_a, &tmp_a));
        let b = s.spawn(|| usher_firefox(&args, &flawed_url, &reports_b, &tmp_b));
        (a.join().unwrap(), b.join().unwrap())
    });

    let all_pass: BTreeMap<String, String> = BUNDLED_SCENARIOS
        .into_iter()
        .map(|f| (f.to_string(), "PASS".to_string()))
        .collect();
    assert_eq!(a.verdicts(), all_pass, "{}", a.show());
    assert_eq!(a.code, 0, "{}", a.show());
    let browser = a.results["run"]["browser"].as_str().unwrap_or_default();
    assert!(
        browser.starts_with("firefox ") && browser.contains("geckodriver"),
        "results.json names the browser: {browser:?}\n{}",
        a.show()
    );

    let all_fail: BTreeMap<String, String> = WIRE_SCENARIOS
        .into_iter()
        .map(|f| (f.to_string(), "FAIL".to_string()))
        .collect();
    assert_eq!(b.verdicts(), all_fail, "{}", b.show());
    assert_eq!(b.code, 1, "{}", b.show());
    // Only the raw Set-Cookie line (read over BiDi) shows the Domain attribute and a missing SameSite.
    let cookies = message(&b, "cookie-attributes", "cookie_attributes");
    assert!(
        cookies.contains("Domain=ticketbooth.localhost") && cookies.contains("SameSite is not set"),
        "{cookies}"
    );
    let referer = message(&b, "token-not-in-referer", "no_token_in_referer");
    assert!(referer.contains("reached another origin"), "{referer}");
    let urls = message(&b, "token-not-in-url", "no_token_in_url");
    assert!(urls.contains("appears in"), "{urls}");

    // Every geckodriver and Firefox is gone, and nothing is left in the runs' TMPDIRs.
    for tmp in [&tmp_a, &tmp_b] {
        assert_eq!(processes_under(tmp), Vec::<String>::new());
        let left: Vec<_> = std::fs::read_dir(tmp).unwrap().flatten().collect();
        assert!(left.is_empty(), "left in {}: {left:?}", tmp.display());
    }
    secure.shutdown().await;
    flawed.shutdown().await;
}

/// A page that sets a cookie, and a page that records the `x-usher-probe` header it receives.
async fn probe_server(seen: Arc<Mutex<Vec<String>>>) -> String {
    let app = Router::new()
        .route(
            "/set",
            get(|| async {
                (
                    [(
                        "set-cookie",
                        "sid=abc123; HttpOnly; SameSite=Strict; Path=/",
                    )],
                    Html("<!doctype html><title>set</title><p>set</p>"),
                )
                    .into_response()
            }),
        )
        .route(
            "/probe",
            get(move |headers: HeaderMap| {
                let seen = seen.clone();
                async move {
                    let v = headers
                        .get("x-usher-probe")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    seen.lock().unwrap().push(v);
                    Html("<!doctype html><title>probe</title><p>probe</p>")
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn firefox_personas_are_isolated_and_the_wire_is_seen() {
    if let Some(why) = firefox_missing() {
        return skip(Require::Firefox, why);
    }
    let _turn = turns::shared();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = probe_server(seen.clone()).await;
    let launcher = Launcher::start(DriverConfig {
        browser: BrowserKind::Firefox,
        ..DriverConfig::default()
    })
    .await
    .expect("Firefox launcher starts");
    assert!(
        launcher.describe().starts_with("firefox "),
        "{}",
        launcher.describe()
    );
    let work_dir = launcher.work_dir().expect("local").to_path_buf();
    let (victim, attacker) = tokio::join!(
        launcher.new_session("victim"),
        launcher.new_session("attacker")
    );
    let (victim, attacker) = (victim.unwrap(), attacker.unwrap());
    assert_eq!(victim.kind(), BrowserKind::Firefox);

    victim.goto(&format!("{base}/set")).await.unwrap();
    let jar = victim.cookies().await.unwrap();
    let sid = jar
        .iter()
        .find(|c| c.name == "sid")
        .expect("the cookie is set");
    assert_eq!(sid.http_only, Some(true));
    assert_eq!(sid.same_site.as_deref(), Some("Strict"));
    // The raw Set-Cookie line, as sent, comes over BiDi.
    let events = victim.drain_network().await.unwrap();
    let raw: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            NetEvent::Response { url, headers, .. } if url.ends_with("/set") => Some(headers),
            _ => None,
        })
        .flatten()
        .filter(|(n, _)| n == "set-cookie")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        raw,
        vec!["sid=abc123; HttpOnly; SameSite=Strict; Path=/"],
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, NetEvent::Request { url, is_navigation: true, .. } if url.ends_with("/set"))),
        "{events:?}"
    );
    victim
        .execute(
            "localStorage.setItem('who', 'victim'); return null;",
            vec![],
        )
        .await
        .unwrap();

    // The attacker's Firefox has its own cookie jar and storage.
    attacker.goto(&format!("{base}/set")).await.unwrap();
    attacker.delete_all_cookies().await.unwrap();
    assert!(
        victim
            .cookies()
            .await
            .unwrap()
            .iter()
            .any(|c| c.name == "sid")
    );
    let who = attacker
        .execute("return localStorage.getItem('who');", vec![])
        .await
        .unwrap();
    assert_eq!(who, Value::Null);

    // Extra headers (tokens carried in a header) and a bypassed cache, both over BiDi.
    attacker
        .set_extra_headers(&[("x-usher-probe".into(), "attacker".into())])
        .await
        .unwrap();
    attacker.set_cache_disabled(true).await.unwrap();
    attacker.goto(&format!("{base}/probe")).await.unwrap();
    victim.goto(&format!("{base}/probe")).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["attacker".to_string(), String::new()]
    );

    victim.close().await.unwrap();
    attacker.close().await.unwrap();
    launcher.shutdown().await;
    assert!(!work_dir.exists(), "the work directory is removed");
    assert_eq!(processes_under(&work_dir), Vec::<String>::new());
}
