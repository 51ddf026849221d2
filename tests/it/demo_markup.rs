//! Proves every markup variant of Ticketbooth (`--markup`) at HTTP level: each writes the login page
//! its way (no ids, ARIA labels, placeholders, submit inputs, German, two steps) while the server
//! behaves as before: the same POST logs in, the account page shows the user, logout is a POST form.

use reqwest::StatusCode;
use usher::demo::{DemoConfig, Markup};

use crate::support::ticketbooth::Target;

const ALICE: (&str, &str) = ("alice@ticketbooth.test", "alice-demo-password");

async fn target(markup: Markup) -> Target {
    Target::start(DemoConfig {
        markup,
        ..DemoConfig::default()
    })
    .await
}

#[tokio::test]
async fn each_variant_writes_the_login_page_its_way_and_still_logs_in() {
    for markup in Markup::ALL {
        let t = target(markup).await;
        let mut b = t.browser();
        let login = b.get("/login").await;
        assert_eq!(login.status, StatusCode::OK, "{markup}");
        let html = &login.body;
        let has = |s: &str| html.contains(s);
        match markup {
            Markup::Plain => assert!(has(r#"id="email""#) && has("<button id=\"login-submit\"")),
            Markup::NoIds => assert!(
                !has(" id=\"email\"") && !has(" for=\"") && has(r#"class="email""#),
                "{html}"
            ),
            Markup::AriaOnly => assert!(
                !has("<label") && !has(" id=\"password\"") && has(r#"aria-label="Password""#),
                "{html}"
            ),
            Markup::PlaceholderOnly => assert!(
                !has("<label") && has(r#"placeholder="Email""#) && !has(" id=\"email\""),
                "{html}"
            ),
            Markup::InputSubmit => assert!(
                !has("<button") && has(r#"<input type="submit" id="login-submit" value="Log in">"#),
                "{html}"
            ),
            Markup::Localized => assert!(
                has(">Anmelden<") && has(">Passwort<") && !has(">Log in<"),
                "{html}"
            ),
            Markup::TwoStep => {
                assert!(
                    !has("type=\"password\"") && has("method=\"get\"") && has(">Next<"),
                    "{html}"
                );
                let second = b
                    .get(&format!("/login?email={}", ALICE.0.replace('@', "%40")))
                    .await;
                assert!(
                    second.body.contains(
                        r#"<input type="hidden" name="email" value="alice@ticketbooth.test">"#
                    ) && second.body.contains("type=\"password\"")
                        && !second.body.contains("type=\"email\""),
                    "{}",
                    second.body
                );
            }
        }
        // The server is the same under every variant: the form's POST logs in and the account page
        // shows the user, with a logout POST form.
        let (mut b, page) = t
            .logged_in(ALICE.0, ALICE.1, crate::support::ticketbooth::UA)
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{markup}");
        let account = b.get("/account").await;
        assert_eq!(account.status, StatusCode::OK, "{markup}");
        assert!(account.body.contains(ALICE.0), "{markup}: {}", account.body);
        assert!(account.body.contains("method=\"post\""), "{markup}");
    }
}
