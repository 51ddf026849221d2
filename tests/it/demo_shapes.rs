//! Proves every shape switch of Ticketbooth at HTTP level: the default app shows none of them, each
//! shape alone shows its own, all shapes together show all of them and still serve a working login,
//! account, checkout, password change, reset and logout; and behind a session-bound CSRF nonce the
//! `fixation-authenticated-only` flaw is reachable by a login replay that fetches a fresh nonce under
//! the planted cookie, and by nothing less.

use futures::future::join_all;
use reqwest::StatusCode;
use usher::demo::{DemoConfig, Flaw, FlawSet, Shape, ShapeSet};

use crate::support::switches;
use crate::support::ticketbooth::{
    Browser, PASSWORD, Page, Target, cookie_attributes, query_value,
};

const VICTIM_CHROME_TAG: &str = "alice@ticketbooth.testing";

fn config(shapes: ShapeSet, flaws: FlawSet) -> DemoConfig {
    DemoConfig {
        shapes,
        flaws,
        ..DemoConfig::default()
    }
}

/// Logs in from the login page the way a browser does (with its nonce, if it has one).
async fn login(t: &Target, email: &str, password: &str) -> (Browser, Page) {
    let mut b = t.browser();
    let form = b.get_following("/login").await;
    let page = b
        .submit(&form, "/login", &[("email", email), ("password", password)])
        .await;
    (b, page)
}

async fn logged_in(t: &Target, email: &str) -> Browser {
    let (b, page) = login(t, email, PASSWORD).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "login of {email}: {}",
        page.body
    );
    b
}

/// Seats → details → the pay page, through the forms; returns the checkout id and the pay page.
async fn checkout_to_pay(b: &mut Browser) -> (String, Page) {
    let event = b.get("/events/1").await;
    assert_eq!(event.status, StatusCode::OK, "{}", event.body);
    let started = b
        .submit(&event, "/checkout/start", &[("event", "1"), ("seat", "A1")])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let id = query_value(&started.location(), "checkout").expect("checkout id in Location");
    let details = b.follow(&started.location()).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    let filled = b
        .submit(
            &details,
            "/checkout/details",
            &[("checkout", &id), ("attendee_name", "Shape Person")],
        )
        .await;
    assert_eq!(filled.status, StatusCode::SEE_OTHER, "{}", filled.body);
    let pay = b.follow(&filled.location()).await;
    assert_eq!(pay.status, StatusCode::OK, "{}", pay.body);
    (id, pay)
}

fn title(page: &Page) -> String {
    page.body
        .split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .unwrap_or("")
        .to_string()
}

/// Does this demo show `shape`'s behaviour?
async fn shows(shape: Shape, t: &Target) -> bool {
    match shape {
        Shape::Mounted => mounted(t).await,
        Shape::LoginRedirectsAuthenticated => login_redirects_authenticated(t).await,
        Shape::SessionBoundCsrf => session_bound_csrf(t).await,
        Shape::NoAnonymousSessions => no_anonymous_sessions(t).await,
        Shape::LogoutOnAccountPage => logout_on_account_page(t).await,
        Shape::Anonymous200 => anonymous_200(t).await,
        Shape::PrefixUsernames => prefix_usernames(t).await,
        Shape::TitleHasUsername => title_has_username(t).await,
        Shape::EchoParam => echo_param(t).await,
        Shape::NoThirdParty => no_third_party(t).await,
        Shape::ThrottledLogin => throttled_login(t).await,
        Shape::Lockout => lockout(t).await,
        Shape::LateRender => late_render(t).await,
    }
}

/// The account page arrives without the account, which a script fetches (tests/it/demo_late_render.rs
/// proves the rest of the shape).
async fn late_render(t: &Target) -> bool {
    let email = t.new_user("late").await;
    let mut b = logged_in(t, &email).await;
    let account = b.get("/account").await;
    account.status == StatusCode::OK
        && account.body.contains("/api/account")
        && !account.body.contains("account-email")
}

async fn mounted(t: &Target) -> bool {
    let mut b = t.browser();
    let root = b.follow("/").await;
    let app_login = b.follow("/app/login").await;
    if root.status != StatusCode::NOT_FOUND || app_login.status != StatusCode::OK {
        return false;
    }
    assert!(
        app_login.body.contains(r#"action="/app/login""#),
        "{}",
        app_login.body
    );
    assert_eq!(b.follow("/app").await.location(), "/app/");
    let email = t.new_user("mounted").await;
    let (mut b, login) = login(t, &email, PASSWORD).await;
    assert_eq!(login.location(), "/app/account");
    let set_cookie = login.session_set_cookie().expect("login sets the cookie");
    let path = cookie_attributes(&set_cookie)
        .into_iter()
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v);
    let account = b.follow(&login.location()).await;
    assert!(account.body.contains(r#"href="/app/password""#));
    // Of two cookies of the session's name, the last one is the one read.
    let name = b.session_cookie_name().expect("cookie name");
    let live = b.session().expect("session");
    let junk = "0123456789abcdef0123456789abcdef".to_string();
    let mut live_first = t.browser();
    live_first.cookies = vec![(name.clone(), live.clone()), (name.clone(), junk.clone())];
    let mut live_last = t.browser();
    live_last.cookies = vec![(name.clone(), junk), (name, live)];
    path.as_deref() == Some("/app/")
        && !live_first.is_logged_in().await
        && live_last.is_logged_in().await
}

async fn login_redirects_authenticated(t: &Target) -> bool {
    let email = t.new_user("redirects").await;
    let mut b = logged_in(t, &email).await;
    let page = b.get("/login").await;
    page.status == StatusCode::SEE_OTHER
        && page.location().ends_with("/account")
        && !page.body.contains("login-form")
}

async fn session_bound_csrf(t: &Target) -> bool {
    let email = t.new_user("csrf").await;
    let creds = [("email", email.as_str()), ("password", PASSWORD)];
    let mut b = t.browser();
    let form = b.get_following("/login").await;
    let Some(own) = form.csrf() else {
        return false;
    };
    let bare = b.post("/login", &creds).await;
    // A nonce made for another visitor's session does not pass with this one's (without anonymous
    // sessions both visitors have none, and so the same nonce).
    let mut other = t.browser();
    let other_form = other.get_following("/login").await;
    let other_nonce = other_form.csrf().expect("the other visitor's nonce");
    let foreign_refused = if other_nonce == own {
        true
    } else {
        let mut foreign = creds.to_vec();
        foreign.push(("csrf", other_nonce.as_str()));
        b.post("/login", &foreign).await.status == StatusCode::FORBIDDEN
    };
    let mut good = creds.to_vec();
    good.push(("csrf", own.as_str()));
    let accepted = b.post("/login", &good).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // The logged-in session's forms carry its own nonce, and the old one no longer passes.
    let account = b.get("/account").await;
    let logout_nonce = account.csrf().expect("the logout form carries a nonce");
    let stale = b.post("/logout", &[("csrf", own.as_str())]).await;
    assert!(b.is_logged_in().await, "a stale nonce does not log out");
    let out = b.post("/logout", &[("csrf", logout_nonce.as_str())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    bare.status == StatusCode::FORBIDDEN
        && foreign_refused
        && stale.status == StatusCode::FORBIDDEN
        && logout_nonce != own
}

async fn no_anonymous_sessions(t: &Target) -> bool {
    let mut b = t.browser();
    let mut issued = false;
    for path in ["/", "/login", "/events/1", "/signup", "/reset"] {
        issued |= b.get_following(path).await.session_set_cookie().is_some();
    }
    let email = t.new_user("noanon").await;
    let (b, login) = login(t, &email, PASSWORD).await;
    assert!(login.session_set_cookie().is_some() && b.session().is_some());
    !issued
}

async fn logout_on_account_page(t: &Target) -> bool {
    let email = t.new_user("logoutpage").await;
    let mut b = logged_in(t, &email).await;
    let home = b.get("/").await;
    let event = b.get("/events/1").await;
    let account = b.get("/account").await;
    assert!(account.body.contains(r#"id="logout""#), "{}", account.body);
    !home.body.contains(r#"id="logout""#) && !event.body.contains(r#"id="logout""#)
}

async fn anonymous_200(t: &Target) -> bool {
    let mut b = t.browser();
    let mut all = true;
    for path in ["/account", "/password"] {
        let page = b.get(path).await;
        assert!(!page.body.contains("account-email"));
        all &= page.status == StatusCode::OK && page.body.contains(r#"id="please-log-in""#);
    }
    all
}

async fn prefix_usernames(t: &Target) -> bool {
    let (_, malice) = login(t, "malice@ticketbooth.test", "malice-demo-password").await;
    let (_, mallory) = login(t, "mallory@ticketbooth.test", "mallory-demo-password").await;
    let accounts = t.demo.accounts();
    let listed = accounts
        .iter()
        .any(|a| a.email == "malice@ticketbooth.test" && a.role == "attacker");
    assert!(
        "malice@ticketbooth.test".contains("alice@ticketbooth.test"),
        "the attacker's name contains the victim's"
    );
    malice.status == StatusCode::SEE_OTHER && mallory.status != StatusCode::SEE_OTHER && listed
}

async fn title_has_username(t: &Target) -> bool {
    let mut b = t.browser();
    let mut all = true;
    for path in ["/", "/login", "/nope"] {
        let page = b.get(path).await;
        all &= title(&page).contains(VICTIM_CHROME_TAG)
            && page.body.contains(&format!(
                r#"<small id="brand-tag">{VICTIM_CHROME_TAG}</small>"#
            ));
    }
    all
}

async fn echo_param(t: &Target) -> bool {
    let email = t.new_user("echo").await;
    let mut b = logged_in(t, &email).await;
    let account = b.get("/account").await;
    let out = b.submit(&account, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let echoed_bye = query_value(&out.location(), "bye").as_deref() == Some(email.as_str());
    let home = b.follow(&out.location()).await;
    assert!(!b.is_logged_in().await, "logged out");
    let greeted = home.body.contains(&format!("Goodbye, {email}!"));
    let login = b.get("/login?email=visitor%40shape.test").await;
    let welcomed = login.body.contains("Welcome back, visitor@shape.test!");
    echoed_bye && greeted && welcomed
}

async fn no_third_party(t: &Target) -> bool {
    let email = t.new_user("thirdparty").await;
    let mut b = logged_in(t, &email).await;
    let (_, pay) = checkout_to_pay(&mut b).await;
    let analytics = t.demo.analytics_url();
    let mut pages = vec![pay];
    for path in ["/", "/account", "/events/1"] {
        pages.push(b.get(path).await);
    }
    pages.iter().all(|p| !p.body.contains(&analytics))
}

/// 60 login posts at once from browsers that fetched the form: under the shape, more than 20 of them
/// within a second are answered 429 with `Retry-After: 1` and log nobody in; a second later logins work.
async fn throttled_login(t: &Target) -> bool {
    let email = t.new_user("throttle").await;
    let mut browsers = Vec::new();
    for _ in 0..60 {
        let mut b = t.browser();
        let form = b.get_following("/login").await;
        browsers.push((b, form));
    }
    let posts = browsers.iter_mut().map(|(b, form)| async {
        let page = b
            .submit(form, "/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        let logged_in = b.is_logged_in().await;
        (page, logged_in)
    });
    let answers = join_all(posts).await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|(p, _)| p.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    for (page, logged_in) in &refused {
        assert_eq!(page.header("retry-after").as_deref(), Some("1"), "{page:?}");
        assert!(!logged_in, "a throttled login logged in");
    }
    if refused.is_empty() {
        return false;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, after) = login(t, &email, PASSWORD).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "a second later: {after:?}"
    );
    true
}

/// Five wrong passwords, then the right one: under the shape the account is locked (423 "Account
/// locked") even for the right password.
async fn lockout(t: &Target) -> bool {
    let email = t.new_user("lockout").await;
    for _ in 0..usher::demo::LOCKOUT_FAILURES {
        login(t, &email, "wrong-password").await;
    }
    let (mut b, page) = login(t, &email, PASSWORD).await;
    let locked = page.status == StatusCode::LOCKED && page.body.contains("Account locked");
    assert_eq!(
        locked,
        !b.is_logged_in().await,
        "locked exactly when the right password did not log in: {page:?}"
    );
    locked
}

/// Every probe at once, except `throttled-login`'s, which runs alone afterwards: it spends the
/// server-wide login budget that the others' logins need.
async fn observed(shapes: ShapeSet) -> Vec<(Shape, bool)> {
    let t = Target::start(config(shapes, FlawSet::none())).await;
    let alone = Shape::ThrottledLogin;
    let others: Vec<Shape> = Shape::ALL.into_iter().filter(|s| *s != alone).collect();
    let mut results: Vec<(Shape, bool)> = others
        .iter()
        .copied()
        .zip(join_all(others.iter().map(|s| shows(*s, &t))).await)
        .collect();
    results.push((alone, shows(alone, &t).await));
    t.demo.shutdown().await;
    results.sort_by_key(|(s, _)| *s);
    results
}

fn mismatches(label: &str, got: &[(Shape, bool)], expect: impl Fn(Shape) -> bool) -> Vec<String> {
    switches::mismatches(
        label,
        "shape",
        got,
        expect,
        ["shows but should not", "does not show but should"],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_app_shows_no_shape() {
    let got = observed(ShapeSet::none()).await;
    let wrong = mismatches("no shapes", &got, |_| false);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_shape_alone_shows_its_behaviour() {
    let runs = join_all(
        Shape::ALL.map(|shape| async move { (shape, observed(ShapeSet::only(shape)).await) }),
    )
    .await;
    let wrong: Vec<String> = runs
        .iter()
        .flat_map(|(shape, got)| {
            // Only the shape's own behaviour is asserted: a probe of one shape may see another's
            // (e.g. anonymous-200's page is what a mounted app answers too) without harm.
            let own: Vec<(Shape, bool)> = got.iter().filter(|(s, _)| s == shape).cloned().collect();
            mismatches(&format!("only `{shape}`"), &own, |_| true)
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_shapes_together_show_every_behaviour() {
    let got = observed(ShapeSet::all()).await;
    // Shapes `all` leaves out are not part of it.
    let wrong = mismatches("all shapes", &got, |s| s.in_all());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Login, account, checkout to the order, password change, logout, reset by the emailed link and
/// login again, all through the pages' own forms, on a Ticketbooth with every shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_shapes_serve_every_flow() {
    let t = Target::start(config(ShapeSet::all(), FlawSet::none())).await;
    let email = t.new_user("flows").await;
    let mut b = logged_in(&t, &email).await;
    let account = b.get("/account").await;
    assert!(
        account
            .body
            .contains(&format!(r#"<span id="account-email">{email}</span>"#)),
        "{}",
        account.body
    );

    let (id, pay) = checkout_to_pay(&mut b).await;
    let paid = b.submit(&pay, "/checkout/pay", &[("checkout", &id)]).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert!(
        paid.body.contains(r#"id="order-confirmed""#),
        "{}",
        paid.body
    );
    let account = b.get("/account").await;
    assert!(
        account.body.contains(r#"class="order""#),
        "{}",
        account.body
    );

    let form = b.get("/password").await;
    let changed = b
        .submit(
            &form,
            "/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "changed-password-2"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(changed.body.contains(r#"id="password-changed""#));
    assert!(b.is_logged_in().await, "the changing session continues");

    let account = b.get("/account").await;
    let out = b.submit(&account, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    assert!(
        out.location().starts_with("/app/?bye="),
        "{}",
        out.location()
    );
    assert!(!b.is_logged_in().await, "logged out");

    let (mut again, page) = login(&t, &email, "changed-password-2").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(again.is_logged_in().await);

    let mut helper = t.browser();
    let form = helper.get("/reset").await;
    let sent = helper.submit(&form, "/reset", &[("email", &email)]).await;
    assert!(sent.body.contains(r#"id="reset-sent""#), "{}", sent.body);
    let outbox = helper.get(&format!("/outbox?email={email}")).await;
    let link = outbox
        .body
        .split(r#"class="reset-link" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("reset link in outbox")
        .to_string();
    assert!(link.starts_with("/app/reset/"), "{link}");
    let confirm = helper.follow(&link).await;
    let url = format!("{}{link}", helper.origin);
    let done = helper
        .submit(&confirm, &url, &[("new_password", "reset-password-3")])
        .await;
    assert!(
        done.body.contains(r#"id="password-reset-done""#),
        "{}",
        done.body
    );
    assert!(
        !again.is_logged_in().await,
        "the reset ended other sessions"
    );
    let (_, page) = login(&t, &email, "reset-password-3").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    t.demo.shutdown().await;
}

/// What a login over a planted authenticated id did, in the two ways an attacker can submit it.
#[derive(Debug)]
struct Planted {
    /// (a) with a nonce fetched before the cookie was planted: the login was accepted.
    stale_nonce_accepted: bool,
    /// (b) with a nonce fetched again under the planted cookie: the login was accepted.
    fresh_nonce_accepted: bool,
    /// After (b), the planted id (the attacker's copy) acts as the victim.
    planted_acts_as_victim: bool,
    /// After (b), the victim's browser holds an id other than the planted one.
    victim_got_new_id: bool,
}

async fn plant_authenticated_id(t: &Target) -> Planted {
    let victim_email = t.new_user("planted-victim").await;
    let attacker_email = t.new_user("planted-attacker").await;
    let creds = [("email", victim_email.as_str()), ("password", PASSWORD)];
    let mut attacker = logged_in(t, &attacker_email).await;
    let planted = attacker.session().expect("attacker's session");
    let name = attacker.session_cookie_name().expect("cookie name");

    // (a) The login form was loaded before the cookie was planted, as in a browser.
    let mut victim = t.browser();
    let early = victim.get_following("/login").await;
    assert!(early.body.contains("login-form"), "{}", early.body);
    victim.set_cookie(&name, &planted);
    let stale = victim.submit(&early, "/login", &creds).await;
    let stale_nonce_accepted = stale.status == StatusCode::SEE_OTHER;
    let me = attacker.get("/api/me").await;
    assert!(
        me.body.contains(&attacker_email),
        "the refused login leaves the planted id the attacker's: {}",
        me.body
    );

    // (b) The login URL fetched again under the planted cookie, redirects followed, and the nonce of
    // the page reached (the attacker's account page when the login page redirects) replayed.
    let mut victim = t.browser();
    victim.set_cookie(&name, &planted);
    let fresh = victim.get_following("/login").await;
    let replay = victim.submit(&fresh, "/login", &creds).await;
    let fresh_nonce_accepted = replay.status == StatusCode::SEE_OTHER;
    let me = attacker.get("/api/me").await;
    let planted_acts_as_victim = me.status == StatusCode::OK && me.body.contains(&victim_email);
    let victim_me = victim.get("/api/me").await;
    assert!(
        victim_me.body.contains(&victim_email),
        "the victim is logged in after (b): {}",
        victim_me.body
    );
    let victim_got_new_id = victim.session().is_some_and(|id| id != planted);
    Planted {
        stale_nonce_accepted,
        fresh_nonce_accepted,
        planted_acts_as_victim,
        victim_got_new_id,
    }
}

async fn planted_on(shapes: ShapeSet, flaws: FlawSet) -> Planted {
    let t = Target::start(config(shapes, flaws)).await;
    let got = plant_authenticated_id(&t).await;
    t.demo.shutdown().await;
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_authenticated_id_survives_only_a_login_replayed_with_a_fresh_nonce() {
    let csrf_no_anon: ShapeSet = [Shape::SessionBoundCsrf, Shape::NoAnonymousSessions]
        .into_iter()
        .collect();
    let flaw = FlawSet::only(Flaw::FixationAuthenticatedOnly);
    for shapes in [csrf_no_anon, ShapeSet::all()] {
        let flawed = planted_on(shapes, flaw).await;
        assert!(!flawed.stale_nonce_accepted, "{shapes}: {flawed:?}");
        assert!(flawed.fresh_nonce_accepted, "{shapes}: {flawed:?}");
        assert!(flawed.planted_acts_as_victim, "{shapes}: {flawed:?}");
        assert!(!flawed.victim_got_new_id, "{shapes}: {flawed:?}");

        let secure = planted_on(shapes, FlawSet::none()).await;
        assert!(!secure.stale_nonce_accepted, "{shapes}: {secure:?}");
        assert!(secure.fresh_nonce_accepted, "{shapes}: {secure:?}");
        assert!(!secure.planted_acts_as_victim, "{shapes}: {secure:?}");
        assert!(secure.victim_got_new_id, "{shapes}: {secure:?}");
    }
}

#[test]
fn shape_names_round_trip_parse_and_list() {
    let mut names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
    for shape in Shape::ALL {
        assert_eq!(Shape::from_name(shape.name()), Some(shape));
        assert!(!shape.description().is_empty());
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Shape::ALL.len());
    assert_eq!("all".parse::<ShapeSet>().unwrap(), ShapeSet::all());
    assert_eq!("none".parse::<ShapeSet>().unwrap(), ShapeSet::none());
    assert_eq!(ShapeSet::default(), ShapeSet::none());
    let some: ShapeSet = "mounted, echo-param".parse().unwrap();
    assert_eq!(
        some.iter().collect::<Vec<_>>(),
        vec![Shape::Mounted, Shape::EchoParam]
    );
    let err = "mountd".parse::<ShapeSet>().unwrap_err();
    assert!(
        err.contains("unknown shape `mountd`, did you mean `mounted`?"),
        "{err}"
    );
    for shape in Shape::ALL {
        assert!(err.contains(shape.name()), "{err} lists {shape}");
    }
    assert!("".parse::<ShapeSet>().is_err());
    let list = usher::demo::list_shapes();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), Shape::ALL.len());
    let column = lines[0].find(Shape::ALL[0].description()).unwrap();
    for (line, shape) in lines.iter().zip(Shape::ALL) {
        assert!(line.starts_with(shape.name()), "{line}");
        assert_eq!(line.find(shape.description()), Some(column), "{line}");
    }
}
