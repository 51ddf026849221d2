//! Proves every markup variant of Ticketbooth (`--markup`) at HTTP level: each writes the login page
//! its way (no ids, ARIA labels, placeholders, submit inputs, German, two steps, a sidebar box, a
//! modal, a form built by script, controls outside a form, a form in an iframe or a shadow root) while the server behaves as before: the
//! same POST logs in, the account page shows the user, logout is a POST form.

use reqwest::StatusCode;
use usher::demo::{DemoConfig, Markup, Shape, ShapeSet};

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
            // The login page keeps its own form; every other anonymous page has the box instead of
            // the nav's link.
            Markup::Sidebar | Markup::Modal => {
                assert!(
                    has(r#"<form id="login-form""#) && !has("login-box") && !has("<dialog"),
                    "{html}"
                );
                let home = b.get("/").await.body;
                let boxed = if markup == Markup::Sidebar {
                    r#"<aside class="card login-box">"#
                } else {
                    r#"<dialog class="login-dialog">"#
                };
                assert!(
                    home.contains(boxed)
                        && home.contains(r#"<input type="password" name="password""#)
                        && !home.contains(r#"id="login-link""#),
                    "{home}"
                );
                if markup == Markup::Modal {
                    assert!(
                        home.contains(r#"<button type="button" class="login-open""#)
                            && home.contains(".showModal()"),
                        "{home}"
                    );
                }
            }
            Markup::ScriptRendered => assert!(
                !has("<form id=\"login-form\"")
                    && has(r#"<div id="login-root"></div>"#)
                    && has(r#"\u003cform id=\"login-form\""#)
                    && has("addEventListener(\"load\""),
                "{html}"
            ),
            Markup::IframeLogin => {
                assert!(
                    !has("<form id=\"login-form\"")
                        && has(r#"<iframe src="/login?embed=1" title="Log in""#),
                    "{html}"
                );
                let frame = b.get("/login?embed=1").await.body;
                assert!(
                    frame.contains(r#"<form target="_top" id="login-form""#)
                        && frame.contains(r#"type="password""#)
                        && !frame.contains("<nav>"),
                    "{frame}"
                );
            }
            Markup::ShadowLogin => assert!(
                !has("<form id=\"login-form\"")
                    && has("<login-box></login-box>")
                    && has(r#"attachShadow({ mode: "open" })"#)
                    && has(r#"\u003cform id=\"login-form\""#),
                "{html}"
            ),
            Markup::ButtonNoForm => assert!(
                !has("<form id=\"login-form\"")
                    && has(r#"<div id="login-box" data-action="/login">"#)
                    && has(r#"<button id="login-submit" type="button">"#)
                    && has("f.submit()"),
                "{html}"
            ),
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

/// The sidebar's and the modal's login box is on every anonymous page, and posts like the login
/// page's form: with the visitor's own CSRF nonce under `session-bound-csrf`, and a wrong password
/// is refused.
#[tokio::test]
async fn the_login_box_of_every_page_logs_in_with_its_nonce() {
    for markup in [Markup::Sidebar, Markup::Modal] {
        let t = Target::start(DemoConfig {
            markup,
            shapes: ShapeSet::only(Shape::SessionBoundCsrf),
            ..DemoConfig::default()
        })
        .await;
        let mut b = t.browser();
        let event = b.get("/events/1").await;
        assert!(
            event.body.contains(r#"name="password""#) && event.csrf().is_some(),
            "{markup}: {}",
            event.body
        );
        let wrong = b
            .submit(
                &event,
                "/login",
                &[("email", ALICE.0), ("password", "nope")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::OK, "{markup}");
        assert!(
            !b.is_logged_in().await,
            "{markup}: a wrong password logged in"
        );
        let home = b.get("/").await;
        assert_eq!(
            home.body.matches("<form").count(),
            1,
            "{markup}: the box is the home page's only form, and carries the nonce: {}",
            home.body
        );
        assert!(home.csrf().is_some(), "{markup}: {}", home.body);
        let done = b
            .submit(
                &home,
                "/login",
                &[("email", ALICE.0), ("password", ALICE.1)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{markup}");
        assert!(b.is_logged_in().await, "{markup}");
        let account = b.get("/account").await.body;
        assert!(
            !account.contains("login-box") && !account.contains("<dialog"),
            "{markup}: a logged-in page has no login box: {account}"
        );
    }
}
