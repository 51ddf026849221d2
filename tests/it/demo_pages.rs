//! Ticketbooth's pages, hosts and details that scenario files rely on: element ids, redirects, the
//! blog sibling, the analytics origin, escaping of user-controlled text, and the secure defaults.

use reqwest::{Method, StatusCode};
use usher::demo::{ACCOUNTS, DemoConfig, Flaw, FlawSet, HOST_COOKIE};

use crate::support::ticketbooth::{
    PASSWORD, Target, UA, cookie_attributes, fast_config, query_value,
};

fn alice() -> (&'static str, &'static str) {
    let a = ACCOUNTS
        .iter()
        .find(|a| a.email.starts_with("alice@"))
        .unwrap();
    (a.email, a.password)
}

#[tokio::test]
async fn signup_email_with_markup_is_escaped_everywhere() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let email = "<script>alert(1)</script>\"'@x.test";
    let mut b = t.browser();
    let page = b
        .post("/signup", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let account = b.get("/account").await;
    assert!(
        !account.body.contains("<script>alert(1)"),
        "{}",
        account.body
    );
    assert!(
        account
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(account.body.contains(r#"<span id="whoami">&lt;script&gt;"#));
    // And reflected into the login form's value attribute after a failed login.
    let mut other = t.browser();
    let failed = other
        .post(
            "/login",
            &[
                ("email", "\"><img src=x onerror=alert(1)>"),
                ("password", "x"),
            ],
        )
        .await;
    assert!(!failed.body.contains("<img src=x"), "{}", failed.body);
    assert!(failed.body.contains(r#"id="login-error""#));
    t.demo.shutdown().await;
}

#[tokio::test]
async fn secure_defaults_cookie_headers_and_ids() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let mut b = t.browser();
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"<ul id="events">"#));
    assert!(home.body.contains(r#"href="/events/1""#));
    assert!(home.body.contains(r#"id="login-link""#) && home.body.contains(r#"id="signup-link""#));
    assert_eq!(
        home.header("referrer-policy").as_deref(),
        Some("same-origin")
    );
    let anon = home
        .session_set_cookie()
        .expect("an anonymous session on first visit");
    assert!(anon.starts_with(&format!("{HOST_COOKIE}=")), "{anon}");
    let anon_id = b.session().unwrap();
    assert_eq!(anon_id.len(), 64);
    assert!(anon_id.bytes().all(|c| c.is_ascii_hexdigit()));

    let (email, password) = alice();
    let login = b
        .post("/login", &[("email", email), ("password", password)])
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.location(), "/account");
    let cookie = login.session_set_cookie().unwrap();
    let attrs: Vec<String> = cookie_attributes(&cookie)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        attrs,
        ["path", "secure", "httponly", "samesite"],
        "{cookie}"
    );
    assert!(cookie.contains("SameSite=Strict"));
    assert_ne!(b.session().unwrap(), anon_id, "a new id on login");

    let account = b.get("/account").await;
    assert_eq!(account.header("cache-control").as_deref(), Some("no-store"));
    assert!(
        account
            .body
            .contains(&format!(r#"<span id="account-email">{email}</span>"#))
    );
    assert!(account.body.contains(r#"<p id="saved-card">•••• 4242</p>"#));
    assert!(account.body.contains(r#"<ul id="order-history">"#));
    assert!(
        account.body.contains(
            r#"<form id="logout-form" method="post" action="/logout"><button id="logout""#
        )
    );
    assert!(
        !account.set_cookies.iter().any(|c| c.contains("tb_sid")),
        "no cookie churn"
    );

    let me = b.get("/api/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(json["email"], email);

    let missing = b.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.header("referrer-policy").as_deref(),
        Some("same-origin")
    );
    t.demo.shutdown().await;
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_and_back_only_to_local_paths() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let mut b = t.browser();
    assert_eq!(b.get("/account").await.location(), "/login?next=/account");
    let me = b.get("/api/me").await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert!(me.body.contains("error"));
    let start = b
        .post("/checkout/start", &[("event", "2"), ("seat", "A1")])
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(start.location(), "/login?next=/events/2");

    let form = b.get("/login?next=/events/2").await;
    assert!(form.body.contains(r#"name="next" value="/events/2""#));
    let (email, password) = alice();
    let ok = b
        .post(
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/events/2"),
            ],
        )
        .await;
    assert_eq!(ok.location(), "/events/2");
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut c = t.browser();
        let page = c
            .post(
                "/login",
                &[("email", email), ("password", password), ("next", evil)],
            )
            .await;
        assert_eq!(page.location(), "/account", "next={evil}");
    }
    let mut d = t.browser();
    let wrong = d
        .post("/login", &[("email", email), ("password", "nope-nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains(r#"<p class="error" id="login-error">"#));
    assert!(!d.is_logged_in().await);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn checkout_happy_path_records_the_order() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let (email, password) = alice();
    let (mut b, _) = t.logged_in(email, password, UA).await;
    let event = b.get("/events/1").await;
    for id in [
        r#"id="seat-form""#,
        r#"id="seat-A1""#,
        r#"id="seat-B6""#,
        r#"id="start-checkout""#,
    ] {
        assert!(event.body.contains(id), "{id}");
    }
    let empty = b.post("/checkout/start", &[("event", "1")]).await;
    assert!(empty.body.contains(r#"id="checkout-error""#));

    let start = b
        .post(
            "/checkout/start",
            &[("event", "1"), ("seat", "A1"), ("seat", "A2")],
        )
        .await;
    assert!(
        start.location().starts_with("/checkout/details?checkout="),
        "{}",
        start.location()
    );
    let id = query_value(&start.location(), "checkout").unwrap();
    let details = b.get(&start.location()).await;
    assert!(
        details.body.contains(r#"id="details-form""#)
            && details.body.contains(r#"id="attendee-name""#)
    );
    assert!(
        details
            .body
            .contains(&format!(r#"<script src="{}/a.js""#, t.demo.analytics_url()))
    );
    let cont = b
        .post(
            "/checkout/details",
            &[("checkout", &id), ("attendee_name", "Alice <b>A</b>")],
        )
        .await;
    assert_eq!(cont.location(), format!("/checkout/pay?checkout={id}"));
    let pay = b.get(&cont.location()).await;
    assert!(pay.body.contains(r#"<p id="stored-card">•••• 4242</p>"#));
    assert!(pay.body.contains(r#"id="pay-form""#) && pay.body.contains(r#"id="pay""#));
    assert!(pay.body.contains(&format!(
        r#"src="{}/pixel.gif?page=pay""#,
        t.demo.analytics_url()
    )));
    assert!(pay.body.contains("Alice &lt;b&gt;A&lt;/b&gt;"));
    let done = b.post("/checkout/pay", &[("checkout", &id)]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains(r#"<h1 id="order-confirmed">"#));
    let order_id = done
        .body
        .split(r#"<span id="order-id">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(order_id.starts_with("TB-"));
    let again = b.post("/checkout/pay", &[("checkout", &id)]).await;
    assert!(
        again.body.contains(&order_id),
        "paying twice shows the same order"
    );
    let account = b.get("/account").await;
    assert_eq!(
        account.body.matches(&order_id).count(),
        2,
        "listed once in order history"
    );

    // Someone else's checkout id is not found for another user.
    let (mut bob, _) = t
        .logged_in("bob@ticketbooth.test", "bob-demo-password", UA)
        .await;
    assert_eq!(
        bob.get(&format!("/checkout/pay?checkout={id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    t.demo.shutdown().await;
}

#[tokio::test]
async fn reset_link_is_single_use_and_listed_in_the_outbox() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let email = t.new_user("outbox").await;
    let mut b = t.browser();
    let sent = b.post("/reset", &[("email", &email)]).await;
    assert!(sent.body.contains(r#"id="reset-sent""#));
    let unknown = b.post("/reset", &[("email", "nobody@probe.test")]).await;
    assert!(
        unknown.body.contains(r#"id="reset-sent""#),
        "no account enumeration"
    );
    b.post("/reset", &[("email", &email)]).await;
    let outbox = b.get("/outbox").await;
    assert!(outbox.body.contains(r#"<ul id="outbox">"#));
    assert_eq!(outbox.body.matches(r#"class="reset-link""#).count(), 2);
    let newest = outbox
        .body
        .split(r#"class="reset-link" href=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(newest.starts_with("/reset/"));
    let form = b.get(&newest).await;
    assert!(
        form.body.contains(r#"id="reset-new-password""#)
            && form.body.contains(r#"id="reset-confirm-submit""#)
    );
    let short = b.post(&newest, &[("new_password", "short")]).await;
    assert!(short.body.contains(r#"id="reset-error""#));
    let done = b.post(&newest, &[("new_password", "brand-new-pass")]).await;
    assert!(
        done.body
            .contains(r#"<p class="ok" id="password-reset-done">"#)
    );
    let reused = b
        .post(&newest, &[("new_password", "brand-new-pass-2")])
        .await;
    assert_eq!(reused.status, StatusCode::GONE);
    let (mut c, _) = t.logged_in(&email, "brand-new-pass", UA).await;
    assert!(c.is_logged_in().await);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn session_cap_evicts_the_oldest() {
    let t = Target::start(DemoConfig {
        max_sessions: 2,
        ..fast_config(FlawSet::none())
    })
    .await;
    let email = t.new_user("evict").await;
    let (mut first, _) = t.logged_in(&email, PASSWORD, UA).await;
    let (mut second, _) = t.logged_in(&email, PASSWORD, UA).await;
    assert!(first.is_logged_in().await && second.is_logged_in().await);
    let (mut third, _) = t.logged_in(&email, PASSWORD, UA).await;
    assert!(!first.is_logged_in().await);
    assert!(second.is_logged_in().await && third.is_logged_in().await);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn blog_sibling_lists_cookie_names_never_values() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let mut b = t.browser();
    b.base = t.demo.blog_url();
    let empty = b.get("/").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains(r#"<p id="session-cookie-seen">no</p>"#));
    assert!(empty.set_cookies.is_empty(), "the blog starts no sessions");
    b.set_cookie("__Secure-tb_sid", "secret-value-1234567890");
    b.set_cookie("theme", "dark<b>");
    let page = b.get("/").await;
    assert!(page.body.contains(r#"<p id="session-cookie-seen">yes</p>"#));
    assert!(page.body.contains(r#"<ul id="received-cookies">"#));
    assert!(page.body.contains("__Secure-tb_sid") && page.body.contains("theme"));
    assert!(!page.body.contains("secret-value") && !page.body.contains("dark"));
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("same-origin")
    );
    t.demo.shutdown().await;
}

#[tokio::test]
async fn analytics_origin_records_hits_with_referer() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let base = t.demo.analytics_url();
    let mut b = t.browser();
    let script = b
        .request(
            Method::GET,
            &format!("{base}/a.js"),
            None,
            &[("referer", "http://tickets.ticketbooth.localhost/x")],
        )
        .await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .contains("javascript")
    );
    let pixel = b.get(&format!("{base}/pixel.gif?page=pay")).await;
    assert_eq!(pixel.header("content-type").as_deref(), Some("image/gif"));
    let hits: serde_json::Value =
        serde_json::from_str(&b.get(&format!("{base}/hits")).await.body).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["path"], "/a.js");
    assert_eq!(hits[0]["referer"], "http://tickets.ticketbooth.localhost/x");
    assert_eq!(hits[1]["query"], "page=pay");
    assert!(hits[1]["referer"].is_null());
    assert_eq!(
        b.request(Method::DELETE, &format!("{base}/hits"), None, &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(b.get(&format!("{base}/hits")).await.body.trim(), "[]");
    t.demo.shutdown().await;
}

#[tokio::test]
async fn cross_origin_form_posts_are_refused() {
    let t = Target::start(fast_config(FlawSet::none())).await;
    let (email, password) = alice();
    let mut b = t.browser();
    let page = b
        .request(
            Method::POST,
            "/login",
            Some(&[("email", email), ("password", password)]),
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!b.is_logged_in().await);
    let origin = t.demo.base_url();
    let page = b
        .request(
            Method::POST,
            "/login",
            Some(&[("email", email), ("password", password)]),
            &[("origin", &origin)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn flawed_variants_show_their_evidence() {
    // token-in-url: the token rides in the redirect and in every in-app link.
    let t = Target::start(fast_config(FlawSet::only(Flaw::TokenInUrl))).await;
    let (email, password) = alice();
    let (mut b, login) = t.logged_in(email, password, UA).await;
    let token = b.session().unwrap();
    assert_eq!(login.location(), format!("/account?sid={token}"));
    let account = b.get(&login.location()).await;
    assert!(
        account
            .body
            .contains(&format!(r#"action="/logout?sid={token}""#))
    );
    let start = b
        .post("/checkout/start", &[("event", "1"), ("seat", "B2")])
        .await;
    assert!(start.location().contains(&format!("&sid={token}")));
    t.demo.shutdown().await;

    // Both cookie flaws: a flagless cookie on the parent domain.
    let both: FlawSet = "weak-cookie-flags,loose-cookie-scope".parse().unwrap();
    let t = Target::start(fast_config(both)).await;
    let (_, login) = t.logged_in(email, password, UA).await;
    let cookie = login.session_set_cookie().unwrap();
    assert!(cookie.starts_with("tb_sid="), "{cookie}");
    let attrs = cookie_attributes(&cookie);
    assert_eq!(
        attrs,
        [
            ("domain".to_string(), "ticketbooth.localhost".to_string()),
            ("path".to_string(), "/".to_string())
        ]
    );
    t.demo.shutdown().await;

    // loose scope alone keeps the flags under the __Secure- prefix.
    let t = Target::start(fast_config(FlawSet::only(Flaw::LooseCookieScope))).await;
    let (_, login) = t.logged_in(email, password, UA).await;
    let cookie = login.session_set_cookie().unwrap();
    assert!(cookie.starts_with("__Secure-tb_sid="), "{cookie}");
    assert!(
        cookie.contains("Domain=ticketbooth.localhost")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    t.demo.shutdown().await;

    // token-in-storage: the page writes the token and reads it back for the API.
    let t = Target::start(fast_config(FlawSet::only(Flaw::TokenInStorage))).await;
    let (mut b, _) = t.logged_in(email, password, UA).await;
    let token = b.session().unwrap();
    let account = b.get("/account").await;
    assert!(
        account
            .body
            .contains(&format!(r#"localStorage.setItem("tb_token", "{token}")"#))
    );
    assert!(account.body.contains("X-Session-Token"));
    t.demo.shutdown().await;

    // fixation: another user's authenticated id is re-bound to whoever logs in with it.
    let t = Target::start(fast_config(FlawSet::only(Flaw::Fixation))).await;
    let (bob, _) = t
        .logged_in("bob@ticketbooth.test", "bob-demo-password", UA)
        .await;
    let bob_id = bob.session().unwrap();
    let mut alice_browser = t.browser();
    alice_browser.set_cookie(&bob.session_cookie_name().unwrap(), &bob_id);
    alice_browser
        .post("/login", &[("email", email), ("password", password)])
        .await;
    assert_eq!(alice_browser.session().unwrap(), bob_id);
    let me = alice_browser.get("/api/me").await;
    assert!(me.body.contains("alice@"), "{}", me.body);
    t.demo.shutdown().await;

    // predictable ids: consecutive numbers.
    let t = Target::start(fast_config(FlawSet::only(Flaw::PredictableIds))).await;
    let mut first = t.browser();
    first.get("/").await;
    let mut second = t.browser();
    second.get("/").await;
    let a = u128::from_str_radix(&first.session().unwrap(), 16).unwrap();
    let b = u128::from_str_radix(&second.session().unwrap(), 16).unwrap();
    assert_eq!(b, a + 1);
    t.demo.shutdown().await;
}

#[tokio::test]
async fn urls_and_shutdown() {
    let t = Target::start(DemoConfig::default()).await;
    let port = t.demo.addr().port();
    assert!(t.demo.addr().ip().is_loopback() && t.demo.analytics_addr().ip().is_loopback());
    assert_eq!(
        t.demo.base_url(),
        format!("http://tickets.ticketbooth.localhost:{port}")
    );
    assert_eq!(
        t.demo.blog_url(),
        format!("http://blog.ticketbooth.localhost:{port}")
    );
    assert_eq!(
        t.demo.analytics_url(),
        format!(
            "http://analytics.localhost:{}",
            t.demo.analytics_addr().port()
        )
    );
    assert!(t.demo.accounts().len() >= 4);
    let addr = t.demo.addr();
    t.demo.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped listening"
    );
}
