//! Apps shaped like a tracker or an admin back-office: no checkout, nothing loaded from another origin.
//! The URL, Referer and caching scenarios must still judge them (real headless Chromium, real
//! Ticketbooth): the Referer is provoked through usher's own loopback origin, and without a `browse`
//! flow the authenticated pages are found by crawling links from the oracle's page — never a logout.
//! Needs `chromium` and `chromedriver` on PATH.

use std::collections::BTreeMap;
use std::path::Path;
use usher::demo::{Flaw, FlawSet, Shape, ShapeSet};

use crate::support::demo::{demo, shaped};
use crate::support::usher::{Run, UsherCommand, quiet_usher};

/// The three scenarios that used to `run: start_checkout`, and the flaw each must catch.
const BROWSING: [(&str, Flaw); 3] = [
    ("token-not-in-url", Flaw::TokenInUrl),
    ("token-not-in-referer", Flaw::RefererLeak),
    ("authenticated-pages-not-cacheable", Flaw::CacheablePages),
];

fn profile_without(dir: &Path, drop: &[&str]) -> String {
    let text = std::fs::read_to_string("scenarios/ticketbooth/app.yaml").unwrap();
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let top = line.starts_with("  ") && !line.starts_with("   ");
        if top {
            let key = line.trim().trim_end_matches(':');
            skipping = drop.contains(&key);
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    for flow in drop {
        assert!(!out.contains(&format!("  {flow}:\n")), "{flow} left in");
    }
    let path = dir.join("app.yaml");
    std::fs::write(&path, out).unwrap();
    path.display().to_string()
}

fn tracker_profile(dir: &Path) -> String {
    profile_without(dir, &["start_checkout", "complete_checkout", "browse"])
}

/// The whole `check` outcome of `flow`, as JSON text.
fn message(run: &Run, flow: &str, check: &str) -> String {
    run.check(flow, check).to_string()
}

fn usher_run(args: &[&str], target: &str, report_dir: &Path) -> Run {
    let out = quiet_usher()
        .arg("run")
        .args(args)
        .args(["--target", target, "--jobs", "1", "--report-dir"])
        .arg(report_dir)
        .ticketbooth_secrets()
        .run();
    Run::of(out, report_dir)
}

fn builtin(profile: &str, only: &[&str], target: &str, report_dir: &Path) -> Run {
    let mut args = vec!["--suite", "builtin", "--profile", profile];
    for o in only {
        args.extend(["--only", o]);
    }
    usher_run(&args, target, report_dir)
}

/// Nothing shaped like a Ticketbooth id (64 or 32 hex digits) in the output or the reports.
fn assert_no_token_in_clear(run: &Run, dir: &Path) {
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.out.stdout),
        String::from_utf8_lossy(&run.out.stderr)
    );
    for f in ["results.json", "junit.xml", "index.html"] {
        all.push_str(&std::fs::read_to_string(dir.join(f)).unwrap_or_default());
    }
    let clear = all
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        .any(|w| w.len() >= 32 && w.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        !clear,
        "something shaped like a session id appears in clear"
    );
}

/// /account loads nothing from another origin: the Referer is provoked through usher's loopback
/// origin and judged under the page's Referrer-Policy, which the verdict reports.
#[tokio::test(flavor = "multi_thread")]
async fn referer_is_provoked_where_pages_load_nothing_cross_origin() {
    let dir = tempfile::tempdir().unwrap();
    let profile = tracker_profile(dir.path());
    let scenario = dir.path().join("referer-without-third-party.yaml");
    std::fs::write(
        &scenario,
        format!(
            "scenario: referer-without-third-party\nprofile: {profile}\npersonas: [victim]\nsteps:\n  - run: login\n  - open: /account\n  - check: no_token_in_referer\n"
        ),
    )
    .unwrap();
    let scenario = scenario.display().to_string();
    let flow = "referer-without-third-party";

    let secure = demo(FlawSet::none()).await;
    let report = tempfile::tempdir().unwrap();
    let run = usher_run(&[&scenario], &secure.base_url(), report.path());
    assert_eq!(
        (run.code, run.verdict(flow).as_str()),
        (0, "PASS"),
        "{}",
        run.show()
    );
    let msg = message(&run, flow, "no_token_in_referer");
    assert!(msg.contains("same-origin"), "the policy is reported: {msg}");
    secure.shutdown().await;

    let leaky = demo(FlawSet::only(Flaw::RefererLeak)).await;
    let report = tempfile::tempdir().unwrap();
    let run = usher_run(&[&scenario], &leaky.base_url(), report.path());
    assert_eq!(
        (run.code, run.verdict(flow).as_str()),
        (1, "FAIL"),
        "{}",
        run.show()
    );
    let msg = message(&run, flow, "no_token_in_referer");
    assert!(msg.contains("unsafe-url"), "the policy is reported: {msg}");
    assert!(msg.contains("/account"), "the leaked page is named: {msg}");
    leaky.shutdown().await;

    // The token itself in the Referer (links carry ?sid=): a FAIL that names it by fingerprint only.
    let worst = demo([Flaw::RefererLeak, Flaw::TokenInUrl].into_iter().collect()).await;
    let report = tempfile::tempdir().unwrap();
    let run = usher_run(&[&scenario], &worst.base_url(), report.path());
    assert_eq!(
        (run.code, run.verdict(flow).as_str()),
        (1, "FAIL"),
        "{}",
        run.show()
    );
    let msg = message(&run, flow, "no_token_in_referer");
    assert!(
        msg.contains("session token reached another origin"),
        "{msg}"
    );
    assert_no_token_in_clear(&run, report.path());
    worst.shutdown().await;
}

/// The built-in scenario with the bundled profile (its `browse` flow includes the checkout) on a
/// Ticketbooth whose checkout embeds no analytics either: the leak is still caught.
#[tokio::test(flavor = "multi_thread")]
async fn builtin_referer_scenario_judges_an_app_without_third_party_content() {
    let profile = "scenarios/ticketbooth/app.yaml";
    let flow = "token-not-in-referer";
    let no_third_party = ShapeSet::only(Shape::NoThirdParty);
    for (flaws, want, code) in [
        (FlawSet::none(), "PASS", 0),
        (FlawSet::only(Flaw::RefererLeak), "FAIL", 1),
    ] {
        let app = shaped(flaws, no_third_party).await;
        let report = tempfile::tempdir().unwrap();
        let run = builtin(profile, &[flow], &app.base_url(), report.path());
        assert_eq!(
            (run.code, run.verdict(flow).as_str()),
            (code, want),
            "{}",
            run.show()
        );
        let msg = message(&run, flow, "no_token_in_referer");
        assert!(
            msg.contains("\"cross_origin_requests\":0"),
            "the app itself sent nothing to another origin: {msg}"
        );
        app.shutdown().await;
    }
}

/// No `browse` flow and no checkout: the three scenarios crawl from the oracle's page instead of
/// being SKIPPED, FAIL on the flaw each judges and PASS on the secure app.
#[tokio::test(flavor = "multi_thread")]
async fn url_referer_and_cache_scenarios_crawl_without_browse_or_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let profile = tracker_profile(dir.path());
    let names: Vec<&str> = BROWSING.iter().map(|(n, _)| *n).collect();

    let secure = demo(FlawSet::none()).await;
    let report = tempfile::tempdir().unwrap();
    let run = builtin(&profile, &names, &secure.base_url(), report.path());
    let all_pass: BTreeMap<String, String> = names
        .iter()
        .map(|n| (n.to_string(), "PASS".to_string()))
        .collect();
    assert_eq!(run.verdicts(), all_pass, "{}", run.show());
    assert_eq!(run.code, 0, "{}", run.show());
    secure.shutdown().await;

    for (scenario, flaw) in BROWSING {
        let app = demo(FlawSet::only(flaw)).await;
        let report = tempfile::tempdir().unwrap();
        let run = builtin(&profile, &[scenario], &app.base_url(), report.path());
        assert_eq!(
            (run.code, run.verdict(scenario).as_str()),
            (1, "FAIL"),
            "{flaw:?}\n{}",
            run.show()
        );
        assert_no_token_in_clear(&run, report.path());
        app.shutdown().await;
    }
}

/// The crawl follows links only, never a logout: the persona is still logged in afterwards, and it
/// went beyond the oracle's page.
#[tokio::test(flavor = "multi_thread")]
async fn the_crawl_never_logs_itself_out() {
    let dir = tempfile::tempdir().unwrap();
    let profile = tracker_profile(dir.path());
    let scenario = dir.path().join("crawl-stays-logged-in.yaml");
    std::fs::write(
        &scenario,
        format!(
            "scenario: crawl-stays-logged-in\nprofile: {profile}\npersonas: [victim]\nsteps:\n  - run: login\n  - browse\n  - check: logged_in\n"
        ),
    )
    .unwrap();
    let app = demo(FlawSet::none()).await;
    let report = tempfile::tempdir().unwrap();
    let run = usher_run(
        &[scenario.to_str().unwrap()],
        &app.base_url(),
        report.path(),
    );
    assert_eq!(
        (run.code, run.verdict("crawl-stays-logged-in").as_str()),
        (0, "PASS"),
        "{}",
        run.show()
    );
    let timeline = run.results.to_string();
    assert!(
        timeline.contains("/password") && timeline.contains("/events/"),
        "the crawl reached pages linked from the oracle's page and from those: {}",
        run.show()
    );
    app.shutdown().await;
}
