//! Whose account a page shows, judged in real headless Chromium against Ticketbooth: an attacker whose
//! username contains the victim's (`xalice@…` or, shaped, `malice@…` holds `alice@…`) is not the victim,
//! a title that holds the username inside a longer word is not the account, and an anonymous page that
//! repeats its URL (`?email=`, `?bye=`) is not the account's. All were read as the account by a
//! substring search. Needs `chromium` and `chromedriver` on PATH.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use usher::demo::{DemoConfig, Flaw, FlawSet, MALICE, RunningDemo, Shape};

use crate::support;
use crate::support::usher::{ALICE, UsherCommand, quiet_usher, show, verdicts};

const XALICE: &str = "xalice-demo-password";
const ATTACKER: &str = "xalice@ticketbooth.test";

async fn demo(flaws: FlawSet) -> RunningDemo {
    let app = support::demo::demo(flaws).await;
    sign_up(&app, ATTACKER, XALICE).await;
    app
}

/// Signs up an account through Ticketbooth's own /signup form, over HTTP.
async fn sign_up(app: &RunningDemo, email: &str, password: &str) {
    let base = url::Url::parse(&app.base_url()).unwrap();
    let client = reqwest::Client::builder()
        .resolve(base.host_str().unwrap(), app.addr())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/signup", app.base_url()))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("signup answers");
    assert_eq!(resp.status(), reqwest::StatusCode::SEE_OTHER, "signed up");
}

const FIXATION: &str = "scenario: identity-prefix-fixation
description: The attacker, whose username contains the victim's, plants its authenticated id; the victim logs in on it.
personas: [victim, attacker]
steps:
  - run: login
    as: attacker
  - capture: { label: attacker_id, from: attacker }
  - plant: { into: victim, from: attacker }
  - run: login
  - fresh: attacker
  - replay: { token: attacker_id, into: attacker }
  - check: { not_acting_as: victim }
    as: attacker
";

const OWN: &str = "scenario: identity-prefix-own-session
description: The attacker, whose username contains the victim's, logs in as itself; its session is not the victim's.
personas: [victim, attacker]
steps:
  - run: login
    as: attacker
  - check: { not_acting_as: victim }
    as: attacker
";

const ECHO: &str = "scenario: identity-url-echo
description: An anonymous page lists what its URL's ?email= asks for; it is not the victim's account.
personas: [victim]
steps:
  - open: /reset
  - fill: { field: '#reset-email', value: '${persona.username}' }
  - click: '#reset-submit'
  - open: /outbox?email=${persona.username}
  - see: { text: '${persona.username}' }
  - check: no_account_data
";

const BINDING: &str = "scenario: identity-client-binding
description: The token replayed over HTTP is judged by the identity element too.
personas: [attacker]
steps:
  - run: login
  - check: client_binding
";

/// A project directory: Ticketbooth's profile with `xalice` as the attacker (with or without its
/// `identity:` line) and the three scenarios.
fn project(with_identity: bool) -> tempfile::TempDir {
    let profile = std::fs::read_to_string("scenarios/ticketbooth/app.yaml")
        .unwrap()
        .replace("mallory@ticketbooth.test", ATTACKER);
    assert!(profile.contains("identity: \"#whoami\""), "{profile}");
    let profile = if with_identity {
        profile
    } else {
        profile.replace("identity: \"#whoami\"", "")
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), profile).unwrap();
    for (name, text) in [
        ("fixation.yaml", FIXATION),
        ("own.yaml", OWN),
        ("echo.yaml", ECHO),
        ("binding.yaml", BINDING),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn usher_run(project: &Path, target: &str) -> (i32, Output, BTreeMap<String, String>) {
    usher_run_as(project, target, XALICE)
}

/// `usher run` with `attacker_password` as the attacker's password (TB_MALLORY_PASSWORD).
fn usher_run_as(
    project: &Path,
    target: &str,
    attacker_password: &str,
) -> (i32, Output, BTreeMap<String, String>) {
    let reports = tempfile::tempdir().unwrap();
    let reports = reports.path();
    let out = quiet_usher()
        .arg("run")
        .arg(project)
        .args(["--target", target, "--report-dir"])
        .arg(reports)
        .args(["--secret", &format!("TB_ALICE_PASSWORD={ALICE}")])
        .args([
            "--secret",
            &format!("TB_MALLORY_PASSWORD={attacker_password}"),
        ])
        .args(["--jobs", "2"])
        .run();
    (out.status.code().unwrap_or(-1), out, verdicts(reports))
}

fn verdict<'a>(v: &'a BTreeMap<String, String>, flow: &str) -> Option<&'a str> {
    v.get(flow).map(String::as_str)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_username_inside_another_or_echoed_from_the_url_is_not_the_account() {
    let secure = demo(FlawSet::none()).await;

    // Without `identity:`: whole words. xalice is not alice; the outbox's echo of ?email= cannot be
    // told from the account, which is ERROR (cannot tell), never PASS and no longer FAIL.
    let bare = project(false);
    let (_, out, v) = usher_run(bare.path(), &secure.base_url());
    assert_eq!(
        verdict(&v, "identity-prefix-own-session"),
        Some("PASS"),
        "xalice's own session is not alice's\n{v:?}\n{}",
        show(&out)
    );
    assert_eq!(
        verdict(&v, "identity-prefix-fixation"),
        Some("PASS"),
        "xalice's session is not alice's\n{v:?}\n{}",
        show(&out)
    );
    assert_eq!(
        verdict(&v, "identity-url-echo"),
        Some("ERROR"),
        "{v:?}\n{}",
        show(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("URL parameter `email`"),
        "{}",
        show(&out)
    );
    assert_eq!(
        verdict(&v, "identity-client-binding"),
        Some("PASS"),
        "{v:?}\n{}",
        show(&out)
    );

    // With `identity: "#whoami"`: equality of the navigation bar's e-mail.
    let with = project(true);
    let (code, out, v) = usher_run(with.path(), &secure.base_url());
    assert_eq!(code, 0, "{v:?}\n{}", show(&out));
    assert!(v.values().all(|x| x == "PASS"), "{v:?}\n{}", show(&out));
    assert_eq!(v.len(), 4, "{v:?}");
    secure.shutdown().await;

    // The flaw is still caught both ways: the planted id now acts as alice.
    let flawed = demo(FlawSet::only(Flaw::Fixation)).await;
    for dir in [&bare, &with] {
        let (code, out, v) = usher_run(dir.path(), &flawed.base_url());
        assert_eq!(
            verdict(&v, "identity-prefix-fixation"),
            Some("FAIL"),
            "{v:?}\n{}",
            show(&out)
        );
        assert_ne!(code, 0, "{}", show(&out));
    }
    flawed.shutdown().await;
}

const LOGOUT_ECHO: &str = "scenario: identity-logout-echo
description: Logging out lands on a page that says goodbye by name from its URL (?bye=); it is not the account.
personas: [victim]
steps:
  - run: login
  - run: logout
  - see: { url: 'bye=' }
  - check: no_account_data
";

const TITLE: &str = "scenario: identity-title
description: An anonymous page whose chrome carries the victim's username inside a longer word.
personas: [victim]
steps:
  - open: /
  - see: { text: 'alice@ticketbooth.testing' }
  - check: no_account_data
";

/// Ticketbooth with the shapes that trouble whose-account judgements: the attacker `malice@…` holds
/// `alice@…`, every page's chrome says `alice@ticketbooth.testing`, logout greets by name from `?bye=`.
async fn shaped(flaws: FlawSet) -> RunningDemo {
    usher::demo::start(DemoConfig {
        flaws,
        shapes: [
            Shape::PrefixUsernames,
            Shape::TitleHasUsername,
            Shape::EchoParam,
        ]
        .into_iter()
        .collect(),
        ..DemoConfig::default()
    })
    .await
    .expect("Ticketbooth starts")
}

fn shaped_project(with_identity: bool) -> tempfile::TempDir {
    let profile = std::fs::read_to_string("scenarios/ticketbooth/app.yaml")
        .unwrap()
        .replace("mallory@ticketbooth.test", MALICE.email);
    let profile = if with_identity {
        profile
    } else {
        profile.replace("identity: \"#whoami\"", "")
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), profile).unwrap();
    for (name, text) in [
        ("own.yaml", OWN),
        ("fixation.yaml", FIXATION),
        ("logout-echo.yaml", LOGOUT_ECHO),
        ("title.yaml", TITLE),
        ("binding.yaml", BINDING),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn shaped_ticketbooth_prefix_title_and_echo_are_not_the_account() {
    let secure = shaped(FlawSet::none()).await;
    let bare = shaped_project(false);
    let (_, out, v) = usher_run_as(bare.path(), &secure.base_url(), MALICE.password);
    for flow in [
        "identity-prefix-own-session",
        "identity-prefix-fixation",
        "identity-title",
        "identity-client-binding",
    ] {
        assert_eq!(
            verdict(&v, flow),
            Some("PASS"),
            "{flow}\n{v:?}\n{}",
            show(&out)
        );
    }
    // "Goodbye, alice@…!" on /?bye=alice@…: an echo cannot be told from the account without
    // `identity:`, so ERROR (cannot tell), never PASS.
    assert_eq!(
        verdict(&v, "identity-logout-echo"),
        Some("ERROR"),
        "{v:?}\n{}",
        show(&out)
    );
    let with = shaped_project(true);
    let (code, out, v) = usher_run_as(with.path(), &secure.base_url(), MALICE.password);
    assert_eq!(code, 0, "{v:?}\n{}", show(&out));
    assert_eq!(v.len(), 5, "{v:?}");
    assert!(v.values().all(|x| x == "PASS"), "{v:?}\n{}", show(&out));
    secure.shutdown().await;

    let flawed = shaped(FlawSet::only(Flaw::Fixation)).await;
    for dir in [&bare, &with] {
        let (_, out, v) = usher_run_as(dir.path(), &flawed.base_url(), MALICE.password);
        assert_eq!(
            verdict(&v, "identity-prefix-fixation"),
            Some("FAIL"),
            "{v:?}\n{}",
            show(&out)
        );
    }
    flawed.shutdown().await;
}
