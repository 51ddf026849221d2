//! Key confusion against a token app that publishes no JWKS (issue 17): Ticketbooth `--auth jwt
//! --jwks none` answers 404 at /.well-known/jwks.json, and the built-in `jwt-key-confusion` scenario
//! derives the RSA public key from the victim's and the attacker's tokens (src/jwt/recovery.rs), then
//! forges with it: FAIL with `jwt-key-confusion`, the evidence saying where the key came from. Needs
//! `chromium` and `chromedriver` on PATH; the run derives a 2048-bit key (tens of seconds of one core,
//! docs/PERFORMANCE.md). The PASS side is not run again here: once the key is in hand, the forgery
//! and its judgement are the JWKS path's, which `jwt_chrome`'s no-flaw row proves PASS; a second
//! derivation would only cost CI another minute. The secure app's 404 is still asked, so the FAIL is
//! not a JWKS found somewhere else.

use reqwest::StatusCode;
use serde_json::Value;
use usher::demo::{DemoConfig, Jwks, JwtConfig, JwtFlaw, JwtFlawSet};

use crate::support::usher::{UsherCommand, evidence, quiet_usher, results_text, streams};

const PROFILE: &str = "scenarios/ticketbooth-jwt/app.yaml";
const SCENARIO: &str = "jwt-key-confusion";

async fn start(flaws: JwtFlawSet) -> usher::demo::RunningDemo {
    usher::demo::start(DemoConfig {
        jwt: Some(JwtConfig {
            flaws,
            jwks: Jwks::None,
            ..JwtConfig::default()
        }),
        ..DemoConfig::default()
    })
    .await
    .expect("Ticketbooth starts")
}

/// The JWKS path's status, asked over HTTP.
async fn jwks_status(demo: &usher::demo::RunningDemo) -> StatusCode {
    let host = url::Url::parse(&demo.base_url()).unwrap();
    reqwest::Client::builder()
        .resolve(host.host_str().unwrap(), demo.addr())
        .build()
        .unwrap()
        .get(format!("{}/.well-known/jwks.json", demo.base_url()))
        .send()
        .await
        .unwrap()
        .status()
}

/// The scenario's verdict and the key-confusion check's evidence, run as a user would.
fn run_scenario(target: &str) -> (String, Value, String) {
    let reports = tempfile::tempdir().unwrap();
    let out = quiet_usher()
        .args(["run", "--suite", "builtin", "--profile", PROFILE])
        .args(["--only", SCENARIO, "--target", target, "--report-dir"])
        .arg(reports.path())
        .ticketbooth_secrets()
        .run();
    let shown = streams(&out);
    let results: Value = serde_json::from_str(&results_text(reports.path(), &shown)).unwrap();
    let flow = results["flows"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == SCENARIO))
        .cloned()
        .unwrap_or_else(|| panic!("{SCENARIO} did not run\n{shown}"));
    let check = flow["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["check"] == "jwt_forgery")
        .cloned()
        .unwrap_or_else(|| panic!("no jwt_forgery check\n{shown}"));
    (
        flow["verdict"].as_str().unwrap_or_default().to_string(),
        check,
        shown,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn key_confusion_derives_the_key_when_no_jwks_is_published() {
    let flawed = start(JwtFlawSet::only(JwtFlaw::KeyConfusion)).await;
    let secure = start(JwtFlawSet::none()).await;
    for demo in [&flawed, &secure] {
        assert_eq!(jwks_status(demo).await, StatusCode::NOT_FOUND);
    }
    let (verdict, check, shown) = run_scenario(&flawed.base_url());
    assert_eq!(verdict, "FAIL", "{check:#}\n{shown}");
    let key = evidence(&check, "public key");
    assert!(
        key.starts_with("derived from two issued tokens (tok:")
            && key.contains("RSA-2048 e = 65537"),
        "{check:#}"
    );
    assert!(!shown.contains("eyJ"), "a token in clear:\n{shown}");
    flawed.shutdown().await;
    secure.shutdown().await;
}
