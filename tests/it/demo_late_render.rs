//! Proves the `late-render` shape of Ticketbooth at HTTP level: the account page is a shell without
//! the account, whose data endpoint answers only after the render delay (varied per view) with the
//! same markup the server-rendered page has; logged-in pages hold a long-poll open and every page
//! sends an analytics beacon the server is slow to acknowledge; anonymous visitors get no data; and without the
//! shape none of it exists.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use usher::demo::{ACCOUNTS, DemoConfig, FlawSet, Shape, ShapeSet};

use crate::support::ticketbooth::{Target, UA};

const DELAY: Duration = Duration::from_millis(800);

fn late(delay: Duration) -> DemoConfig {
    DemoConfig {
        shapes: ShapeSet::only(Shape::LateRender),
        render_delay: delay,
        ..DemoConfig::default()
    }
}

#[tokio::test]
async fn the_account_arrives_late_by_script_with_the_markup_of_the_server_rendered_page() {
    let t = Target::start(late(DELAY)).await;
    let alice = &ACCOUNTS[0];
    let (mut b, _) = t.logged_in(alice.email, alice.password, UA).await;

    let shell = b.get("/account").await;
    assert_eq!(shell.status, StatusCode::OK);
    assert!(!shell.body.contains("account-email"), "{}", shell.body);
    assert!(
        shell.body.contains("id=\"account-loading\""),
        "{}",
        shell.body
    );
    assert!(shell.body.contains("/api/account"), "{}", shell.body);
    assert!(shell.body.contains("/api/updates"), "{}", shell.body);
    assert!(shell.body.contains("sendBeacon"), "{}", shell.body);

    // The server's share is 3/4 of the delay ±25 %: between 0.56 and 0.94 of it.
    let mut took = Vec::new();
    for _ in 0..4 {
        let start = Instant::now();
        let data = b.get("/api/account").await;
        took.push(start.elapsed());
        assert_eq!(data.status, StatusCode::OK);
        assert_eq!(
            data.header("cache-control").as_deref(),
            Some("no-store"),
            "{:?}",
            data.headers
        );
        let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
        let html = json["html"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                "<span id=\"account-email\">{}</span>",
                alice.email
            )),
            "{html}"
        );
        assert!(html.contains("id=\"saved-card\""), "{html}");
        assert!(html.contains("id=\"order-history\""), "{html}");
    }
    for d in &took {
        assert!(
            *d >= DELAY.mul_f64(0.56),
            "answered after {d:?} of {DELAY:?}"
        );
    }
    assert!(
        took.iter().any(|d| *d != took[0]),
        "the delay does not vary: {took:?}"
    );

    // The same markup as the server renders without the shape.
    let plain = Target::start(DemoConfig::default()).await;
    let (mut p, _) = plain.logged_in(alice.email, alice.password, UA).await;
    let page = p.get("/account").await;
    assert!(page.body.contains(&format!(
        "<span id=\"account-email\">{}</span>",
        alice.email
    )));
    plain.demo.shutdown().await;
    t.demo.shutdown().await;
}

#[tokio::test]
async fn long_poll_and_beacon_stay_open_and_anonymous_visitors_get_no_data() {
    let t = Target::start(late(DELAY)).await;
    let alice = &ACCOUNTS[0];
    let (b, _) = t.logged_in(alice.email, alice.password, UA).await;
    let mut b = b;

    // Held open: the long-poll for 25 s, the beacon for 2 s.
    let poll = b.request(Method::GET, "/api/updates", None, &[]);
    let held = tokio::time::timeout(Duration::from_secs(2), poll).await;
    assert!(held.is_err(), "long-poll answered");
    let start = Instant::now();
    let beacon = b.request(Method::POST, "/api/beacon", None, &[]).await;
    assert_eq!(beacon.status, StatusCode::NO_CONTENT);
    assert!(start.elapsed() >= Duration::from_millis(1900));

    // The login page (anonymous) carries the beacon too.
    let mut anon = t.browser();
    let login = anon.get("/login").await;
    assert!(login.body.contains("sendBeacon"), "{}", login.body);
    // Anonymous: /account still redirects to the login form, the data endpoint answers 401 at once.
    let account = anon.get("/account").await;
    assert_eq!(account.status, StatusCode::SEE_OTHER);
    let start = Instant::now();
    let data = anon.get("/api/account").await;
    assert_eq!(data.status, StatusCode::UNAUTHORIZED);
    assert!(start.elapsed() < DELAY.mul_f64(0.5));
    let updates = anon.get("/api/updates").await;
    assert_eq!(updates.status, StatusCode::UNAUTHORIZED);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn without_the_shape_there_is_no_shell_no_endpoint_and_no_beacon() {
    let t = Target::start(DemoConfig {
        flaws: FlawSet::none(),
        ..DemoConfig::default()
    })
    .await;
    let alice = &ACCOUNTS[0];
    let (mut b, _) = t.logged_in(alice.email, alice.password, UA).await;
    let page = b.get("/account").await;
    assert!(page.body.contains("id=\"account-email\""));
    assert!(!page.body.contains("sendBeacon"));
    for path in ["/api/account", "/api/updates"] {
        assert_eq!(b.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // `all` leaves the opt-in shape out; naming it takes it.
    assert!(!ShapeSet::all().contains(Shape::LateRender));
    assert!(
        !"all"
            .parse::<ShapeSet>()
            .unwrap()
            .contains(Shape::LateRender)
    );
    assert!(
        "late-render"
            .parse::<ShapeSet>()
            .unwrap()
            .contains(Shape::LateRender)
    );
    t.demo.shutdown().await;
}
