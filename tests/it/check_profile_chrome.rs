//! `usher check-profile` in real headless Chromium against Ticketbooth: every persona is proved in one
//! call, the password forms are looked at without being submitted, a wrong form selector is a wrong
//! profile, an oracle that anonymous pages match too is called out, and usernames that pages could
//! confuse are warned about. Needs `chromium` and `chromedriver` on PATH.

use crate::support::usher::{UsherCommand, quiet_usher, show};
use std::process::Output;
use usher::demo::{DemoConfig, RunningDemo};

const ALICE: &str = "alice-demo-password";
const MALLORY: &str = "mallory-demo-password";
const XALICE: &str = "xalice-demo-password";
/// The shipped profile's oracle question.
const ORACLE_SEE: &str = "    - see: { element: \"#account-email\", otherwise: \"#login-submit\" }";

fn client(app: &RunningDemo) -> reqwest::Client {
    let base = url::Url::parse(&app.base_url()).unwrap();
    reqwest::Client::builder()
        .resolve(base.host_str().unwrap(), app.addr())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(app: &RunningDemo, path: &str, form: &[(&str, &str)]) -> reqwest::StatusCode {
    client(app)
        .post(format!("{}{path}", app.base_url()))
        .form(form)
        .send()
        .await
        .expect("Ticketbooth answers")
        .status()
}

fn check_profile(app: &RunningDemo, profile: &str, attacker_password: &str) -> Output {
    quiet_usher()
        .args(["check-profile", profile, "--target", &app.base_url()])
        .args(["--secret", &format!("TB_ALICE_PASSWORD={ALICE}")])
        .args([
            "--secret",
            &format!("TB_MALLORY_PASSWORD={attacker_password}"),
        ])
        .run()
}

fn lines(out: &Output, mark: &str) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with(mark))
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_profile_proves_every_persona_and_the_password_forms_without_submitting() {
    let app = usher::demo::start(DemoConfig::default())
        .await
        .expect("Ticketbooth starts");

    let good = check_profile(&app, "scenarios/ticketbooth/app.yaml", MALLORY);
    assert_eq!(good.status.code(), Some(0), "{}", show(&good));
    let ok = lines(&good, "ok");
    for persona in ["victim", "attacker"] {
        for what in [
            "before login, the oracle says: logged out",
            "after login, the oracle says: logged in",
            "after logout, the oracle says: logged out",
            "the session token is where the profile says",
            "before login, the oracle's page shows `#login-submit`",
            "after login, the oracle's page never shows `#login-submit`",
            "after logout, the oracle's page shows `#login-submit`",
        ] {
            assert!(
                ok.iter().any(|l| l.contains(&format!("{persona}: {what}"))),
                "{persona}: {what}\n{}",
                show(&good)
            );
        }
    }
    assert!(
        ok.iter()
            .any(|l| l.contains("victim_phone uses victim's account")),
        "{}",
        show(&good)
    );
    let form = |flow: &str, fields: &str| {
        ok.iter().any(|l| {
            l.contains(&format!("`{flow}`: the form at"))
                && l.contains(fields)
                && l.contains("not submitted")
        })
    };
    assert!(
        form(
            "change_password",
            "holds `#current-password`, `#new-password`"
        ),
        "{}",
        show(&good)
    );
    assert!(
        form("reset_password", "holds `#reset-email`"),
        "{}",
        show(&good)
    );
    assert!(lines(&good, "warn").is_empty(), "{}", show(&good));
    // Nothing was submitted: the passwords are unchanged and no reset mail was asked for.
    for (email, password) in [
        ("alice@ticketbooth.test", ALICE),
        ("mallory@ticketbooth.test", MALLORY),
    ] {
        assert_eq!(
            post(&app, "/login", &[("email", email), ("password", password)]).await,
            reqwest::StatusCode::SEE_OTHER,
            "{email} still logs in with its password"
        );
    }
    let outbox = client(&app)
        .get(format!("{}/outbox", app.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!outbox.contains("reset-link"), "no reset was requested");

    // A change_password form field that is not on the page is a wrong profile (exit 2).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("scenarios/ticketbooth/app.yaml").unwrap();
    let broken = text.replace("field: \"#new-password\"", "field: \"#new-pasword\"");
    assert_ne!(broken, text);
    let path = dir.path().join("app.yaml");
    std::fs::write(&path, broken).unwrap();
    let bad = check_profile(&app, path.to_str().unwrap(), MALLORY);
    assert_eq!(bad.status.code(), Some(2), "{}", show(&bad));
    assert!(
        lines(&bad, "FAIL").iter().any(
            |l| l.contains("`change_password`: no element matches `#new-pasword` on /password")
        ),
        "{}",
        show(&bad)
    );

    // An oracle that matches anonymous pages too (the events list) must be called out (exit 2). This
    // was a test of its own in engine_chrome.rs, with a Ticketbooth and a good run of its own that
    // repeated the one above.
    let loose = text.replace(ORACLE_SEE, "    - see: \"body\"");
    assert_ne!(loose, text);
    let loose_path = dir.path().join("loose-oracle.yaml");
    std::fs::write(&loose_path, loose).unwrap();
    let out = check_profile(&app, loose_path.to_str().unwrap(), MALLORY);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("before login, the oracle says: LOGGED IN"),
        "{}",
        show(&out)
    );

    // `otherwise` names what only logged-out visitors get. One the logged-in page shows too would
    // let the oracle answer "logged out" for a live session (a replay flaw would PASS), and one the
    // logged-out page never shows says nothing: both are a wrong profile (exit 2).
    for (sign, wrong) in [
        (
            "body",
            "victim: after login, the oracle's page shows `body`",
        ),
        (
            "#no-such-sign",
            "victim: before login, the oracle's page does not show `#no-such-sign`",
        ),
    ] {
        let changed = text.replace(ORACLE_SEE, &ORACLE_SEE.replace("#login-submit", sign));
        assert_ne!(changed, text);
        std::fs::write(&path, changed).unwrap();
        let out = check_profile(&app, path.to_str().unwrap(), MALLORY);
        assert_eq!(out.status.code(), Some(2), "{sign}: {}", show(&out));
        assert!(
            lines(&out, "FAIL").iter().any(|l| l.contains(wrong)),
            "{sign}: {}",
            show(&out)
        );
    }

    // A form reached through a link is looked at; a click that may submit is never made.
    let detours = text
        .replace(
            "  change_password:\n    - open: /password\n",
            "  change_password:\n    - open: /account\n    - click: \"#change-password-link\"\n",
        )
        .replace(
            "  reset_password:\n    - open: /reset\n",
            "  reset_password:\n    - open: /login\n    - click: \"#login-submit\"\n    - open: /reset\n",
        );
    assert_eq!(detours.matches("#change-password-link").count(), 1);
    assert_eq!(detours.matches("- click: \"#login-submit\"").count(), 2);
    std::fs::write(&path, detours).unwrap();
    let out = check_profile(&app, path.to_str().unwrap(), MALLORY);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        lines(&out, "ok").iter().any(|l| l.contains(
            "`change_password`: the form at /password holds `#current-password`, `#new-password`"
        )),
        "{}",
        show(&out)
    );
    assert!(
        lines(&out, "warn").iter().any(|l| l.contains(
            "`reset_password`: its form was not checked: reaching its form needs `click #login-submit`"
        )),
        "{}",
        show(&out)
    );

    // Without `identity:`: an attacker whose username holds the victim's, and an oracle page that
    // shows the victim's username to anonymous visitors (the outbox lists what ?email= asks for), are
    // warned about; the profile is still sound.
    assert_eq!(
        post(
            &app,
            "/signup",
            &[("email", "xalice@ticketbooth.test"), ("password", XALICE)]
        )
        .await,
        reqwest::StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(&app, "/reset", &[("email", "alice@ticketbooth.test")]).await,
        reqwest::StatusCode::OK
    );
    let loose = text
        .replace("identity: \"#whoami\"", "")
        .replace("mallory@ticketbooth.test", "xalice@ticketbooth.test")
        .replace(
            &format!("    - open: /account\n{ORACLE_SEE}"),
            "    - open: /outbox?email=alice@ticketbooth.test\n    - see: \"#whoami\"",
        );
    std::fs::write(&path, loose).unwrap();
    let warned = check_profile(&app, path.to_str().unwrap(), XALICE);
    assert_eq!(warned.status.code(), Some(0), "{}", show(&warned));
    let warns = lines(&warned, "warn");
    assert!(
        warns.iter().any(|l| l.contains(
            "victim's username `alice@ticketbooth.test` is inside attacker's `xalice@ticketbooth.test`"
        ) && l.contains("identity:")),
        "{}",
        show(&warned)
    );
    assert!(
        warns
            .iter()
            .any(|l| l.contains("the anonymous oracle page (/outbox)")
                && l.contains("victim's username `alice@ticketbooth.test`")
                && l.contains("identity:")),
        "{}",
        show(&warned)
    );
    app.shutdown().await;
}
