//! The built-in fixation scenarios in real headless Chromium against Ticketbooth shaped like real apps:
//! a login page that redirects an authenticated visitor, CSRF nonces bound to the session, no
//! anonymous sessions, and a site mounted under `/app/` whose cookie has `Path=/app/`. Each of these
//! made the old scenarios ERROR (or judge the wrong cookie) where the app had the flaw.
//! Needs `chromium` and `chromedriver` on PATH.

use crate::support::demo::switched as demo;
use crate::support::usher::{UsherCommand, quiet_usher, results_text, streams};
use serde_json::Value;
use std::path::Path;
use usher::demo::{Flaw, Shape};

/// Runs one built-in scenario as a user would and returns its flow record from results.json.
fn builtin(profile: &Path, scenario: &str, target: &str, report_dir: &Path) -> (Value, String) {
    let out = quiet_usher()
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(profile)
        .args(["--only", scenario, "--target", target, "--report-dir"])
        .arg(report_dir)
        .ticketbooth_secrets()
        .run();
    let shown = streams(&out);
    let results = results_text(report_dir, &shown);
    let v: Value = serde_json::from_str(&results).unwrap();
    let flow = v["flows"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == scenario))
        .cloned()
        .unwrap_or_else(|| panic!("{scenario} did not run\n{shown}"));
    (flow, shown)
}

fn verdict(flow: &Value) -> &str {
    flow["verdict"].as_str().unwrap_or_default()
}

/// The evidence line of one variant in the `variants` outcome.
fn variant<'a>(flow: &'a Value, name: &str) -> &'a str {
    flow["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["check"] == "variants")
        .flat_map(|c| c["evidence"].as_array().into_iter().flatten())
        .find(|e| e["label"] == format!("variant {name}"))
        .and_then(|e| e["value"].as_str())
        .unwrap_or_default()
}

const PROFILE: &str = "scenarios/ticketbooth/app.yaml";

/// The login page redirects an authenticated visitor, the login form's nonce is bound to the session
/// it was served to, and no session exists before login: planting first and opening the login page
/// after (the old scenario) ERRORs; the form filled before the plant is refused in the browser, so
/// only the login replayed over HTTP, with the nonce fetched again under the planted id, can judge.
#[tokio::test(flavor = "multi_thread")]
async fn planted_valid_id_is_judged_behind_a_redirect_and_a_session_bound_nonce() {
    let shapes = [
        Shape::LoginRedirectsAuthenticated,
        Shape::SessionBoundCsrf,
        Shape::NoAnonymousSessions,
    ];
    let secure = demo(&[], &shapes).await;
    let dir = tempfile::tempdir().unwrap();
    let (flow, shown) = builtin(
        Path::new(PROFILE),
        "fixation-planted-valid-id",
        &secure.base_url(),
        dir.path(),
    );
    assert_eq!(verdict(&flow), "PASS", "{flow:#}\n{shown}");
    assert!(
        variant(&flow, "in_browser").starts_with("could not run"),
        "the browser's own submit is refused by the nonce: {flow:#}"
    );
    assert!(variant(&flow, "over_http").starts_with("PASS"), "{flow:#}");
    secure.shutdown().await;

    let flawed = demo(&[Flaw::FixationAuthenticatedOnly], &shapes).await;
    let dir = tempfile::tempdir().unwrap();
    let (flow, shown) = builtin(
        Path::new(PROFILE),
        "fixation-planted-valid-id",
        &flawed.base_url(),
        dir.path(),
    );
    assert_eq!(verdict(&flow), "FAIL", "{flow:#}\n{shown}");
    assert!(
        variant(&flow, "over_http").starts_with("FAIL"),
        "the HTTP login catches it: {flow:#}"
    );
    // The replayed form held the password: reports name its fields, never its values.
    assert!(
        flow.to_string()
            .contains("with fields csrf, email, password"),
        "{flow:#}"
    );
    for file in ["results.json", "junit.xml", "index.html"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(
            !text.contains("alice-demo-password"),
            "{file} shows a password"
        );
    }
    flawed.shutdown().await;
}

/// Ticketbooth as it is: both variants run, and judge alike.
#[tokio::test(flavor = "multi_thread")]
async fn planted_valid_id_on_plain_ticketbooth_runs_both_variants() {
    for (flaws, want) in [(vec![Flaw::Fixation], "FAIL"), (vec![], "PASS")] {
        let app = demo(&flaws, &[]).await;
        let dir = tempfile::tempdir().unwrap();
        let (flow, shown) = builtin(
            Path::new(PROFILE),
            "fixation-planted-valid-id",
            &app.base_url(),
            dir.path(),
        );
        assert_eq!(verdict(&flow), want, "{flaws:?}: {flow:#}\n{shown}");
        for name in ["in_browser", "over_http"] {
            assert!(
                variant(&flow, name).starts_with(want),
                "{flaws:?}: variant {name}: {flow:#}"
            );
        }
        app.shutdown().await;
    }
}

/// The profile of Ticketbooth mounted under /app/ (flow paths written out in full), naming the one
/// cookie the mounted app uses, as a real app's profile does.
fn mounted_profile(dir: &Path) -> std::path::PathBuf {
    // Paths stay as written: `/login` resolves under the target's `/app/`, as on any mounted app.
    let text = std::fs::read_to_string(PROFILE).unwrap().replace(
        "cookie: [__Host-tb_sid, __Secure-tb_sid, tb_sid]",
        "cookie: __Secure-tb_sid",
    );
    assert!(text.contains("cookie: __Secure-tb_sid"), "{text}");
    let path = dir.join("app.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The app's cookie has `Path=/app/` and the app reads the last cookie of its name: a chosen id planted
/// with `Path=/` stays beside the one the app sets at login and is the one read, so the secure app
/// looked as if the victim's login failed (ERROR). Planted with the app's own scope, it is judged.
#[tokio::test(flavor = "multi_thread")]
async fn chosen_id_is_planted_with_the_mounted_apps_cookie_path() {
    let files = tempfile::tempdir().unwrap();
    let profile = mounted_profile(files.path());
    let cases = [
        (vec![], vec![Shape::Mounted], "PASS"),
        (vec![Flaw::Fixation], vec![Shape::Mounted], "FAIL"),
        // No cookie before login: the scope is learnt from the attacker's own login.
        (
            vec![Flaw::Fixation],
            vec![Shape::Mounted, Shape::NoAnonymousSessions],
            "FAIL",
        ),
        (
            vec![],
            vec![Shape::Mounted, Shape::NoAnonymousSessions],
            "PASS",
        ),
    ];
    for (flaws, shapes, want) in cases {
        let app = demo(&flaws, &shapes).await;
        let dir = tempfile::tempdir().unwrap();
        let (flow, shown) = builtin(
            &profile,
            "fixation-planted-chosen-id",
            &format!("{}/app/", app.base_url()),
            dir.path(),
        );
        assert_eq!(
            verdict(&flow),
            want,
            "{flaws:?} {shapes:?}: {flow:#}\n{shown}"
        );
        app.shutdown().await;
    }
}

/// A browser holding the session cookie's name twice (`Path=/app/` from the app, `Path=/` beside it)
/// sends both, and the mounted app reads the last: whose session the oracle sees is not the one the
/// login made. Judging it would be judging the wrong cookie; it is an ERROR that says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_session_cookie_held_twice_is_an_error_not_a_verdict() {
    let files = tempfile::tempdir().unwrap();
    let profile = mounted_profile(files.path());
    let text = std::fs::read_to_string(&profile)
        .unwrap()
        .replace("cookie: __Secure-tb_sid", "cookie: tb_sid");
    std::fs::write(&profile, text).unwrap();
    let scenario = files.path().join("duplicate.yaml");
    std::fs::write(
        &scenario,
        "scenario: duplicate-session-cookie\n\
         personas: [victim]\n\
         steps:\n\
         \x20 - run: login\n\
         \x20 - set_cookie: { name: tb_sid, value: usher-duplicate-id, path: / }\n\
         \x20 - check: logged_in\n",
    )
    .unwrap();
    // Weak cookie flags: the mounted app's cookie is plain `tb_sid; Path=/app/`, which a step can
    // set beside it without the Secure attribute a prefixed name needs.
    let app = demo(&[Flaw::WeakCookieFlags], &[Shape::Mounted]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = quiet_usher()
        .arg("run")
        .arg(&scenario)
        .arg("--profile")
        .arg(&profile)
        .args([
            "--target",
            &format!("{}/app/", app.base_url()),
            "--report-dir",
        ])
        .arg(dir.path())
        .ticketbooth_secrets()
        .run();
    let shown = streams(&out);
    let results = results_text(dir.path(), &shown);
    let v: Value = serde_json::from_str(&results).unwrap();
    let flow = &v["flows"][0];
    assert_eq!(verdict(flow), "ERROR", "{flow:#}\n{shown}");
    let check = &flow["checks"][0];
    let message = check["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("2 cookies named tb_sid") && message.contains("Path=/app/"),
        "{check:#}"
    );
    assert!(
        !results.contains("usher-duplicate-id"),
        "values stay out of reports"
    );
    app.shutdown().await;
}
