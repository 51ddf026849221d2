//! Proves every flaw switch of Ticketbooth at HTTP level: with no flaws every protection holds, each
//! flaw alone breaks its own protection and no other (except that `fixation`, which keeps any presented
//! id, also keeps an authenticated one), and all flaws together break all of them. The same holds on
//! a Ticketbooth with every shape of a real app on (mounted, session-bound CSRF, no anonymous session,
//! ...): the probes submit forms with their nonces and follow the site's own links.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::StatusCode;
use usher::demo::{Flaw, FlawSet, Shape, ShapeSet, TOKEN_HEADER};

use crate::support::switches;
use crate::support::ticketbooth::{
    PASSWORD, Target, UA, cookie_attributes, fast_shaped_config, query_value,
};

fn has(t: &Target, shape: Shape) -> bool {
    t.demo.config().shapes.contains(shape)
}

/// The name the session cookie has on this demo (read from a login: there may be no session before).
async fn session_cookie_name(t: &Target) -> String {
    let email = t.new_user("cookie-name").await;
    let (b, _) = t.logged_in(&email, PASSWORD, UA).await;
    b.session_cookie_name().expect("cookie name")
}

/// Does the protection that `flaw` switches off hold on this demo?
async fn holds(flaw: Flaw, t: &Target) -> bool {
    match flaw {
        Flaw::Fixation => fixation_resisted(t).await,
        Flaw::NoLogoutInvalidation => logout_invalidates(t).await,
        Flaw::NoResetInvalidation => reset_invalidates(t).await,
        Flaw::NoIdleTimeout => idle_timeout_enforced(t).await,
        Flaw::NoAbsoluteTimeout => absolute_timeout_enforced(t).await,
        Flaw::NoCheckoutTimeout => checkout_timeout_enforced(t).await,
        Flaw::UnlimitedSessions => sessions_capped(t).await,
        Flaw::TokenInUrl => token_stays_out_of_urls(t).await,
        Flaw::RefererLeak => referrer_policy_strict(t).await,
        Flaw::WeakCookieFlags => cookie_flags_strict(t).await,
        Flaw::LooseCookieScope => cookie_host_only(t).await,
        Flaw::TokenInStorage => token_stays_out_of_storage(t).await,
        Flaw::PredictableIds => ids_unpredictable(t).await,
        Flaw::NoClientBinding => bound_to_client(t).await,
        Flaw::CacheablePages => pages_not_cacheable(t).await,
        Flaw::FixationAuthenticatedOnly => authenticated_id_not_rebound(t).await,
    }
}

/// The protections `flaw` breaks: its own, and for `fixation` (which keeps whatever id the browser
/// presents) also the narrower one against keeping a presented authenticated id.
fn breaks(flaw: Flaw, protection: Flaw) -> bool {
    flaw == protection || (flaw == Flaw::Fixation && protection == Flaw::FixationAuthenticatedOnly)
}

async fn fixation_resisted(t: &Target) -> bool {
    // Classic: the attacker gets a real pre-login id and plants it in the victim's browser (same UA,
    // since a User-Agent is no secret).
    let email = t.new_user("fixation").await;
    let name = session_cookie_name(t).await;
    let mut attacker = t.browser();
    attacker.get("/").await;
    // Without anonymous sessions there is no pre-login id to plant; the chosen id below still is.
    let issued_id_hijacked = match attacker.session() {
        None => {
            assert!(
                has(t, Shape::NoAnonymousSessions),
                "anonymous session on first visit"
            );
            false
        }
        Some(planted) => {
            let mut victim = t.browser();
            victim.set_cookie(&name, &planted);
            let form = victim.get("/login").await;
            let login = victim
                .submit(
                    &form,
                    "/login",
                    &[("email", &email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(login.status, StatusCode::SEE_OTHER);
            assert!(victim.is_logged_in().await, "victim logged in after login");
            attacker.is_logged_in().await
        }
    };

    // An id the server never issued must not be adopted either.
    let chosen = "attacker-chosen-session-id-0123456789";
    let mut victim2 = t.browser();
    victim2.set_cookie(&name, chosen);
    let form = victim2.get("/login").await;
    let login = victim2
        .submit(
            &form,
            "/login",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let mut attacker2 = t.browser();
    attacker2.set_cookie(&name, chosen);
    let chosen_id_hijacked = attacker2.is_logged_in().await;

    !issued_id_hijacked && !chosen_id_hijacked
}

async fn authenticated_id_not_rebound(t: &Target) -> bool {
    // The attacker plants their own live, authenticated id (same UA: a User-Agent is no secret); the
    // victim logs in over it. The id must not come out of the login acting as the victim.
    let victim_email = t.new_user("rebind-victim").await;
    let attacker_email = t.new_user("rebind-attacker").await;
    let (mut attacker, _) = t.logged_in(&attacker_email, PASSWORD, UA).await;
    let planted = attacker.session().expect("attacker's session cookie");
    let name = attacker.session_cookie_name().expect("cookie name");
    // The login page is fetched under the planted cookie (redirects followed: a logged-in visitor may
    // be sent to the account page), so its nonce, if any, is the planted session's.
    let mut victim = t.browser();
    victim.set_cookie(&name, &planted);
    let form = victim.get_following("/login").await;
    let login = victim
        .submit(
            &form,
            "/login",
            &[("email", &victim_email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert!(victim.is_logged_in().await, "victim logged in after login");
    let me = attacker.get("/api/me").await;
    !(me.status == StatusCode::OK && me.body.contains(&victim_email))
}

async fn logout_invalidates(t: &Target) -> bool {
    let email = t.new_user("logout").await;
    let (mut victim, _) = t.logged_in(&email, PASSWORD, UA).await;
    let mut thief = victim.clone();
    let account = victim.get("/account").await;
    let out = victim.submit(&account, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let home = format!("{}/", t.demo.config().mount());
    assert!(
        out.location() == home || out.location().starts_with(&format!("{home}?bye=")),
        "{}",
        out.location()
    );
    assert!(
        !victim.is_logged_in().await,
        "logout clears the browser's cookie"
    );
    !thief.is_logged_in().await
}

async fn reset_invalidates(t: &Target) -> bool {
    // Password change from one device ends the session on another.
    let email = t.new_user("change").await;
    let (mut laptop, _) = t.logged_in(&email, PASSWORD, UA).await;
    let (mut phone, _) = t.logged_in(&email, PASSWORD, UA).await;
    let form = laptop.get("/password").await;
    let changed = laptop
        .submit(
            &form,
            "/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a-new-password-2"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(changed.body.contains(r#"id="password-changed""#));
    assert!(
        laptop.is_logged_in().await,
        "the changing session continues"
    );
    let phone_survived_change = phone.is_logged_in().await;

    // Reset by emailed link from a third browser ends every session.
    let email = t.new_user("reset").await;
    let (mut laptop, _) = t.logged_in(&email, PASSWORD, UA).await;
    let mut helper = t.browser();
    let form = helper.get("/reset").await;
    helper.submit(&form, "/reset", &[("email", &email)]).await;
    let outbox = helper.get(&format!("/outbox?email={email}")).await;
    let link = outbox
        .body
        .split(r#"class="reset-link" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("reset link in outbox")
        .to_string();
    let form = helper.follow(&link).await;
    let link = format!("{}{link}", helper.origin);
    let done = helper
        .submit(&form, &link, &[("new_password", "another-password-3")])
        .await;
    assert!(
        done.body.contains(r#"id="password-reset-done""#),
        "{}",
        done.body
    );
    let laptop_survived_reset = laptop.is_logged_in().await;

    !phone_survived_change && !laptop_survived_reset
}

async fn idle_timeout_enforced(t: &Target) -> bool {
    let config = t.demo.config();
    let email = t.new_user("idle").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    assert!(b.is_logged_in().await);
    tokio::time::sleep(config.idle_timeout + Duration::from_millis(1000)).await;
    !b.is_logged_in().await
}

async fn absolute_timeout_enforced(t: &Target) -> bool {
    let config = t.demo.config();
    let email = t.new_user("absolute").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let started = Instant::now();
    // Stay busy so the idle timer never fires; only the absolute lifetime can end the session.
    while started.elapsed() < config.absolute_timeout + Duration::from_millis(800) {
        tokio::time::sleep(config.idle_timeout / 6).await;
        b.get("/api/me").await;
    }
    !b.is_logged_in().await
}

async fn checkout_timeout_enforced(t: &Target) -> bool {
    let config = t.demo.config();
    let email = t.new_user("checkout").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let id = b.checkout_to_pay().await;
    tokio::time::sleep(config.checkout_timeout + Duration::from_millis(800)).await;
    let pay = b.get(&format!("/checkout/pay?checkout={id}")).await;
    assert!(
        b.is_logged_in().await,
        "the session outlives the checkout step"
    );
    match pay.status {
        StatusCode::GONE => {
            assert!(pay.body.contains(r#"id="checkout-expired""#));
            true
        }
        StatusCode::OK => {
            assert!(pay.body.contains(r#"id="stored-card""#));
            false
        }
        other => panic!("unexpected pay status {other}: {}", pay.body),
    }
}

async fn sessions_capped(t: &Target) -> bool {
    let max = t.demo.config().max_sessions;
    let email = t.new_user("cap").await;
    let mut browsers = Vec::new();
    for _ in 0..=max {
        browsers.push(t.logged_in(&email, PASSWORD, UA).await.0);
    }
    let mut alive = Vec::new();
    for b in &mut browsers {
        alive.push(b.is_logged_in().await);
    }
    assert!(
        alive[1..].iter().all(|a| *a),
        "the newest {max} sessions live: {alive:?}"
    );
    !alive[0]
}

async fn token_stays_out_of_urls(t: &Target) -> bool {
    let email = t.new_user("url").await;
    let (mut b, login) = t.logged_in(&email, PASSWORD, UA).await;
    let token = b.session().expect("session cookie after login");
    let in_redirect = login.location().contains(&token);
    let account = b.get("/account").await;
    let in_links = account.body.contains(&format!("sid={token}"));
    let mut stranger = t.browser();
    let accepted = stranger.get(&format!("/api/me?sid={token}")).await.status == StatusCode::OK;
    !in_redirect && !in_links && !accepted
}

async fn referrer_policy_strict(t: &Target) -> bool {
    let email = t.new_user("referer").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let id = b.checkout_to_pay().await;
    let pay = b.get(&format!("/checkout/pay?checkout={id}")).await;
    // Without third-party content the policy is what a Referer to another origin would follow.
    assert_eq!(
        pay.body
            .contains(&format!("{}/pixel.gif", t.demo.analytics_url())),
        !has(t, Shape::NoThirdParty),
        "the pay page embeds the analytics origin unless no-third-party"
    );
    let policy = pay.header("referrer-policy").unwrap_or_default();
    [
        "no-referrer",
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
    ]
    .contains(&policy.as_str())
}

async fn login_set_cookie(t: &Target, tag: &str) -> String {
    let email = t.new_user(tag).await;
    let (_, login) = t.logged_in(&email, PASSWORD, UA).await;
    login
        .session_set_cookie()
        .expect("login sets the session cookie")
}

async fn cookie_flags_strict(t: &Target) -> bool {
    let cookie = login_set_cookie(t, "flags").await;
    let attrs = cookie_attributes(&cookie);
    let has = |name: &str| attrs.iter().any(|(k, _)| k == name);
    let strict = attrs
        .iter()
        .any(|(k, v)| k == "samesite" && v.eq_ignore_ascii_case("strict"));
    has("httponly") && has("secure") && strict
}

async fn cookie_host_only(t: &Target) -> bool {
    let cookie = login_set_cookie(t, "scope").await;
    !cookie_attributes(&cookie)
        .iter()
        .any(|(k, _)| k == "domain")
}

async fn token_stays_out_of_storage(t: &Target) -> bool {
    let email = t.new_user("storage").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let token = b.session().expect("session cookie");
    let account = b.get("/account").await;
    let stored = account.body.contains("localStorage.setItem") && account.body.contains(&token);
    let mut stranger = t.browser();
    let header_accepted = stranger
        .request(
            reqwest::Method::GET,
            "/api/me",
            None,
            &[(TOKEN_HEADER, &token)],
        )
        .await
        .status
        == StatusCode::OK;
    !stored && !header_accepted
}

async fn ids_unpredictable(t: &Target) -> bool {
    let mut ids = Vec::new();
    let email = t.new_user("ids").await;
    for _ in 0..6 {
        let mut b = t.browser();
        b.get("/").await;
        // Without anonymous sessions, ids come from logins.
        let id = match b.session() {
            Some(id) => Some(id),
            None => t.logged_in(&email, PASSWORD, UA).await.0.session(),
        };
        ids.push(id.expect("a session id"));
    }
    let numbers: Vec<u128> = ids
        .iter()
        .filter_map(|id| u128::from_str_radix(id, 16).ok())
        .collect();
    let sequential = numbers.len() == ids.len() && {
        let mut sorted = numbers.clone();
        sorted.sort();
        sorted.windows(2).all(|w| w[1] - w[0] < 1_000_000)
    };
    let long_enough = ids.iter().all(|id| id.len() * 4 >= 128);
    !sequential && long_enough
}

async fn bound_to_client(t: &Target) -> bool {
    let email = t.new_user("binding").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let mut elsewhere = b.with_ua("curl/8.0 (somewhere else)");
    let foreign_ok = elsewhere.is_logged_in().await;
    assert!(
        b.is_logged_in().await,
        "a foreign replay does not destroy the session"
    );
    !foreign_ok
}

async fn pages_not_cacheable(t: &Target) -> bool {
    let email = t.new_user("cache").await;
    let (mut b, _) = t.logged_in(&email, PASSWORD, UA).await;
    let account = b.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    account
        .header("cache-control")
        .is_some_and(|c| c.contains("no-store"))
}

/// Runs every probe concurrently against a demo started with `flaws`.
async fn verdicts(flaws: FlawSet) -> Vec<(Flaw, bool)> {
    verdicts_shaped(flaws, ShapeSet::none()).await
}

async fn verdicts_shaped(flaws: FlawSet, shapes: ShapeSet) -> Vec<(Flaw, bool)> {
    let t = Target::start(fast_shaped_config(flaws, shapes)).await;
    let results = join_all(Flaw::ALL.map(|f| holds(f, &t))).await;
    t.demo.shutdown().await;
    Flaw::ALL.into_iter().zip(results).collect()
}

fn mismatches(
    label: &str,
    got: &[(Flaw, bool)],
    expect_holds: impl Fn(Flaw) -> bool,
) -> Vec<String> {
    switches::mismatches(
        label,
        "protection against",
        got,
        expect_holds,
        ["held but should break", "broke but should hold"],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_by_default_every_protection_holds() {
    let got = verdicts(FlawSet::none()).await;
    let wrong = mismatches("no flaws", &got, |_| true);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_flaw_breaks_exactly_its_own_protection() {
    let runs =
        join_all(Flaw::ALL.map(|flaw| async move { (flaw, verdicts(FlawSet::only(flaw)).await) }))
            .await;
    let wrong: Vec<String> = runs
        .iter()
        .flat_map(|(flaw, got)| mismatches(&format!("only `{flaw}`"), got, |f| !breaks(*flaw, f)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_flaws_break_every_protection() {
    let got = verdicts(FlawSet::all()).await;
    let wrong = mismatches("all flaws", &got, |_| false);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_shapes_secure_every_protection_holds() {
    let got = verdicts_shaped(FlawSet::none(), ShapeSet::all()).await;
    let wrong = mismatches("all shapes, no flaws", &got, |_| true);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_shapes_each_flaw_breaks_exactly_its_own_protection() {
    let runs = join_all(Flaw::ALL.map(|flaw| async move {
        (
            flaw,
            verdicts_shaped(FlawSet::only(flaw), ShapeSet::all()).await,
        )
    }))
    .await;
    let wrong: Vec<String> = runs
        .iter()
        .flat_map(|(flaw, got)| {
            mismatches(&format!("all shapes, only `{flaw}`"), got, |f| {
                !breaks(*flaw, f)
            })
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_shapes_all_flaws_break_every_protection() {
    let got = verdicts_shaped(FlawSet::all(), ShapeSet::all()).await;
    let wrong = mismatches("all shapes, all flaws", &got, |_| false);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn flaw_names_round_trip_and_are_unique() {
    let mut names: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
    for flaw in Flaw::ALL {
        assert_eq!(Flaw::from_name(flaw.name()), Some(flaw));
        assert!(!flaw.description().is_empty());
        assert!(!flaw.description().contains('\n'));
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 16);
    assert_eq!(Flaw::from_name("no-such-flaw"), None);
}

#[test]
fn flaw_set_parses_all_none_and_lists() {
    let all: FlawSet = "all".parse().unwrap();
    assert!(Flaw::ALL.iter().all(|f| all.contains(*f)));
    assert_eq!(all, FlawSet::all());
    let none: FlawSet = "none".parse().unwrap();
    assert_eq!(none.iter().count(), 0);
    assert_eq!(none, FlawSet::none());
    let some: FlawSet = "fixation, token-in-url,referer-leak".parse().unwrap();
    assert_eq!(
        some.iter().collect::<Vec<_>>(),
        vec![Flaw::Fixation, Flaw::TokenInUrl, Flaw::RefererLeak]
    );
    assert!(!some.contains(Flaw::WeakCookieFlags));
    assert_eq!(
        "fixation".parse::<FlawSet>().unwrap(),
        FlawSet::only(Flaw::Fixation)
    );
    assert_eq!(FlawSet::default(), FlawSet::none());
}

#[test]
fn unknown_flaw_is_rejected_with_a_suggestion_and_the_valid_names() {
    let err = "fixaton".parse::<FlawSet>().unwrap_err();
    assert!(err.contains("unknown flaw `fixaton`"), "{err}");
    assert!(err.contains("did you mean `fixation`?"), "{err}");
    for flaw in Flaw::ALL {
        assert!(err.contains(flaw.name()), "{err} lists {flaw}");
    }
    let err = "token-in-url,no-idle-timout"
        .parse::<FlawSet>()
        .unwrap_err();
    assert!(err.contains("did you mean `no-idle-timeout`?"), "{err}");
    let err = "session-fixation".parse::<FlawSet>().unwrap_err();
    assert!(err.contains("did you mean `fixation`?"), "{err}");
    let err = "zzzzqqq".parse::<FlawSet>().unwrap_err();
    assert!(!err.contains("did you mean"), "{err}");
    assert!("".parse::<FlawSet>().is_err());
}

#[test]
fn list_flaws_has_one_aligned_line_per_flaw() {
    let list = usher::demo::list_flaws();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), Flaw::ALL.len());
    let column = lines[0].find(Flaw::ALL[0].description()).unwrap();
    for (line, flaw) in lines.iter().zip(Flaw::ALL) {
        assert!(line.starts_with(flaw.name()), "{line}");
        assert_eq!(line.find(flaw.description()), Some(column), "{line}");
    }
}

#[test]
fn query_helper_reads_locations() {
    assert_eq!(
        query_value("/checkout/details?checkout=abc&sid=x", "checkout").as_deref(),
        Some("abc")
    );
}
