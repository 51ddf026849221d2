//! `token: {app_file: {path, key}}`: the session token read from a native app's file through
//! Appium's pullFile (`POST /session/:id/appium/device/pull_file`, answered with base64).
//!
//! A wiremock endpoint plays the Appium server (no Android device here): the real driver layer and
//! token reader talk HTTP to it, so the request usher sends and its handling of every answer
//! (the file, a missing file, garbage, "unknown command") are what is tested. A real Chromium
//! session shows what a browser answers. tests/it/appium_native.rs adds Appium's fake driver, which has
//! the route but leaves pullFile unimplemented.

use base64::Engine as _;
use serde_json::{Value, json};
use usher::driver::{BrowserKind, DriverConfig, DriverError, Launcher, Session};
use usher::engine::step_error::StepError;
use usher::engine::token::{self, Placement, Token, TokenPart};
use usher::scenario::TokenLocation;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PREFS_PATH: &str = "@com.example.shop/shared_prefs/session.xml";
const JSON_PATH: &str = "@com.example.shop/files/auth.json";
const MISSING_PATH: &str = "@com.example.shop/shared_prefs/nothing.xml";
const GARBAGE_PATH: &str = "@com.example.shop/files/garbage";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.c2hvcA.s3cr3t-t0k3n";
/// Another secret in the same file: no message may show it.
const PASSWORD: &str = "hunter2-in-prefs";

fn prefs() -> String {
    format!(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
         <string name=\"password\">{PASSWORD}</string>\n    \
         <string name=\"session_token\">{TOKEN}</string>\n    \
         <long name=\"expires_at\" value=\"1764000000\" />\n</map>\n"
    )
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn w3c_error(status: u16, error: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"value": {"error": error, "message": message, "stacktrace": ""}}))
}

/// A WebDriver endpoint that creates session `s1` and answers what a session start sends.
async fn endpoint() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": {"ready": true}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/session"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": {
            "sessionId": "s1",
            "capabilities": {"platformName": "Android", "automationName": "UiAutomator2"}
        }})))
        .mount(&server)
        .await;
    for (m, p) in [("POST", "/session/s1/timeouts"), ("DELETE", "/session/s1")] {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": null})))
            .mount(&server)
            .await;
    }
    server
}

async fn pull_answer(server: &MockServer, file: &str, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/session/s1/appium/device/pull_file"))
        .and(body_json(json!({ "path": file })))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// An Appium-like server with the app's files.
async fn appium() -> MockServer {
    let server = endpoint().await;
    let ok =
        |content: &str| ResponseTemplate::new(200).set_body_json(json!({"value": b64(content)}));
    pull_answer(&server, PREFS_PATH, ok(&prefs())).await;
    let auth = json!({"user": {"email": "alice@example.test", "password": PASSWORD},
                      "auth": {"access_token": TOKEN, "expires_in": 3600}});
    pull_answer(&server, JSON_PATH, ok(&auth.to_string())).await;
    // What UiAutomator2 answers for a file the app has not written.
    pull_answer(
        &server,
        MISSING_PATH,
        w3c_error(
            500,
            "unknown error",
            &format!("Remote path '{MISSING_PATH}' does not exist on the device"),
        ),
    )
    .await;
    pull_answer(
        &server,
        GARBAGE_PATH,
        ResponseTemplate::new(200).set_body_json(json!({"value": "%%% not base64 %%%"})),
    )
    .await;
    server
}

async fn session_at(server: &MockServer) -> (Launcher, Box<dyn Session>) {
    let mut caps = serde_json::Map::new();
    caps.insert("platformName".into(), "Android".into());
    caps.insert("appium:automationName".into(), "UiAutomator2".into());
    caps.insert("appium:app".into(), "/builds/shop-debug.apk".into());
    let config = DriverConfig {
        browser: BrowserKind::Remote,
        webdriver_url: Some(server.uri()),
        capabilities: caps,
        ..DriverConfig::default()
    };
    let launcher = Launcher::start(config).await.expect("endpoint answers");
    let session = launcher.new_session("victim").await.expect("session s1");
    (launcher, session)
}

fn app_file(path: &str, key: &str) -> TokenLocation {
    TokenLocation::AppFile {
        path: path.into(),
        key: key.into(),
    }
}

fn message(e: &StepError) -> String {
    let m = e.to_string();
    assert!(
        !m.contains(PASSWORD) && !m.contains(TOKEN),
        "a secret in {m}"
    );
    m
}

#[tokio::test]
async fn pull_file_sends_the_path_and_decodes_the_answer() {
    let server = appium().await;
    let (launcher, session) = session_at(&server).await;

    let bytes = session.pull_file(PREFS_PATH).await.expect("the file");
    assert_eq!(String::from_utf8(bytes).unwrap(), prefs());
    let sent: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/session/s1/appium/device/pull_file")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(sent, vec![json!({"path": PREFS_PATH})]);

    match session.pull_file(MISSING_PATH).await {
        Err(DriverError::Session(m)) => {
            assert!(
                m.contains(MISSING_PATH) && m.contains("does not exist"),
                "{m}"
            )
        }
        other => panic!("a missing file must be a session error, got {other:?}"),
    }
    match session.pull_file(GARBAGE_PATH).await {
        Err(DriverError::Session(m)) => assert!(m.contains("not base64"), "{m}"),
        other => panic!("garbage must be refused, got {other:?}"),
    }
    launcher.shutdown().await;
}

#[tokio::test]
async fn app_file_token_is_read_from_xml_and_json() {
    let server = appium().await;
    let (launcher, session) = session_at(&server).await;

    let t = token::read(&*session, &app_file(PREFS_PATH, "session_token"), &[], &[])
        .await
        .expect("token from SharedPreferences");
    assert_eq!(t.values().collect::<Vec<_>>(), vec![TOKEN]);
    assert_eq!(t.parts[0].name, "session_token");

    let t = token::read(&*session, &app_file(JSON_PATH, "access_token"), &[], &[])
        .await
        .expect("token from JSON");
    assert_eq!(t.values().collect::<Vec<_>>(), vec![TOKEN]);
    launcher.shutdown().await;
}

#[tokio::test]
async fn missing_file_key_or_garbage_is_an_error_that_says_which() {
    let server = appium().await;
    let (launcher, session) = session_at(&server).await;
    let read = |loc: TokenLocation| {
        let session = &session;
        async move { token::read(&**session, &loc, &[], &[]).await }
    };

    let e = read(app_file(PREFS_PATH, "refresh_token"))
        .await
        .unwrap_err();
    let m = message(&e);
    assert!(matches!(e, StepError::Page(_)), "{e:?}");
    assert!(
        m.contains("refresh_token")
            && m.contains(PREFS_PATH)
            && m.contains("SharedPreferences XML"),
        "{m}"
    );

    let e = read(app_file(JSON_PATH, "refresh_token"))
        .await
        .unwrap_err();
    assert!(message(&e).contains("read as JSON"), "{e}");

    let e = read(app_file(MISSING_PATH, "session_token"))
        .await
        .unwrap_err();
    let m = message(&e);
    assert!(matches!(e, StepError::Infra(_)), "{e:?}");
    assert!(
        m.contains(MISSING_PATH) && m.contains("does not exist") && m.contains("debuggable"),
        "{m}"
    );

    let e = read(app_file(GARBAGE_PATH, "session_token"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StepError::Infra(_)) && message(&e).contains("not base64"),
        "{e:?}"
    );
    launcher.shutdown().await;
}

#[tokio::test]
async fn an_app_file_token_cannot_be_planted() {
    let server = appium().await;
    let (launcher, session) = session_at(&server).await;
    let chosen = Token {
        parts: vec![TokenPart {
            name: "session_token".into(),
            value: "attacker-chosen-0001".into(),
            cookie: None,
        }],
    };
    let place = Placement {
        base_url: "https://shop.example.test",
        scope: &Default::default(),
        app_cookie: None,
    };
    let e = token::write(
        &*session,
        &app_file(PREFS_PATH, "session_token"),
        &chosen,
        &place,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, StepError::Unsupported(m) if m.contains("cannot put it into a persona")),
        "{e:?}"
    );
    // Nothing was pushed to the device.
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| !r.url.path().contains("push_file")),
        "a planted token must not be written to the app's storage"
    );
    launcher.shutdown().await;
}

/// chromedriver's answer for a route it does not have, as it reaches usher through Grid or Appium's
/// Chromium driver: the token read is Unsupported (SKIPPED with the hint), not a broken session.
#[tokio::test]
async fn a_driver_without_pull_file_is_unsupported_with_a_hint() {
    let server = endpoint().await;
    Mock::given(method("POST"))
        .and(path("/session/s1/appium/device/pull_file"))
        .respond_with(w3c_error(
            404,
            "unknown command",
            "unknown command: session/s1/appium/device/pull_file",
        ))
        .mount(&server)
        .await;
    let (launcher, session) = session_at(&server).await;
    assert!(
        matches!(
            session.pull_file(PREFS_PATH).await,
            Err(DriverError::Unsupported(_))
        ),
        "unknown command must be Unsupported"
    );
    let e = token::read(&*session, &app_file(PREFS_PATH, "session_token"), &[], &[])
        .await
        .unwrap_err();
    match &e {
        StepError::Unsupported(m) => assert!(
            m.contains("cannot be read") && m.contains("pullFile") && m.contains("debuggable"),
            "{m}"
        ),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    launcher.shutdown().await;
}

/// A real browser session (local Chromium through chromedriver) has no pullFile.
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_session_has_no_pull_file() {
    let launcher = Launcher::start(DriverConfig::default())
        .await
        .expect("chromedriver starts");
    let session = launcher.new_session("victim").await.expect("a browser");
    let got = session.pull_file(PREFS_PATH).await;
    launcher.shutdown().await;
    match got {
        Err(DriverError::Unsupported(m)) => assert!(m.contains("pullFile"), "{m}"),
        other => panic!("a browser must refuse pullFile as unsupported, got {other:?}"),
    }
}
