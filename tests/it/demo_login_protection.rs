//! Proves Ticketbooth's login protection shapes at HTTP level, and the login stats that let a test
//! prove a sampler locked no account: `throttled-login` answers login posts over 20 a second 429 with
//! `Retry-After: 1` and logs nobody in; `lockout` locks an account at its fifth consecutive failure
//! (423 "Account locked", the right password too) until the lock period has passed.

use std::time::Duration;

use futures::future::join_all;
use reqwest::StatusCode;
use usher::demo::{DemoConfig, LOCKOUT_FAILURES, Shape, ShapeSet};

use crate::support::ticketbooth::{Browser, PASSWORD, Page, Target};

fn shaped(shape: Shape) -> DemoConfig {
    DemoConfig {
        shapes: ShapeSet::only(shape),
        lockout_period: Duration::from_millis(1500),
        ..DemoConfig::default()
    }
}

async fn login(t: &Target, email: &str, password: &str) -> (Browser, Page) {
    let mut b = t.browser();
    let form = b.get("/login").await;
    let page = b
        .submit(&form, "/login", &[("email", email), ("password", password)])
        .await;
    (b, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_twenty_logins_a_second_are_answered_429_and_log_nobody_in() {
    let t = Target::start(shaped(Shape::ThrottledLogin)).await;
    let email = t.new_user("throttle").await;
    let mut browsers = Vec::new();
    for _ in 0..60 {
        let mut b = t.browser();
        let form = b.get("/login").await;
        browsers.push((b, form));
    }
    let answers = join_all(browsers.iter_mut().map(|(b, form)| async {
        let page = b
            .submit(form, "/login", &[("email", &email), ("password", PASSWORD)])
            .await;
        (
            page.status,
            page.header("retry-after"),
            b.is_logged_in().await,
        )
    }))
    .await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    let admitted = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::SEE_OTHER)
        .count();
    assert!(!refused.is_empty(), "60 posts at once: none refused");
    assert_eq!(refused.len() + admitted, 60, "{answers:?}");
    for (_, retry_after, logged_in) in &refused {
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert!(!logged_in, "a refused post logged in");
    }
    let stats = t.demo.login_stats();
    assert_eq!(stats.throttled, refused.len() as u64);
    assert_eq!(stats.logins, admitted as u64);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (mut b, page) = login(&t, &email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "after Retry-After");
    assert!(b.is_logged_in().await);
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_account_until_the_period_has_passed() {
    let t = Target::start(shaped(Shape::Lockout)).await;
    let email = t.new_user("lockout").await;
    let bystander = t.new_user("bystander").await;

    // Four failures and a success: the count starts again.
    for _ in 1..LOCKOUT_FAILURES {
        let (_, page) = login(&t, &email, "wrong-password").await;
        assert_eq!(page.status, StatusCode::OK, "a plain wrong password");
    }
    assert_eq!(
        t.demo.login_stats().failures.get(&email),
        Some(&(LOCKOUT_FAILURES - 1))
    );
    assert_eq!(
        login(&t, &email, PASSWORD).await.1.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(t.demo.login_stats().failures.get(&email), None);

    for i in 1..=LOCKOUT_FAILURES {
        let (_, page) = login(&t, &email, "wrong-password").await;
        let expected = if i == LOCKOUT_FAILURES {
            StatusCode::LOCKED
        } else {
            StatusCode::OK
        };
        assert_eq!(page.status, expected, "failure {i}");
    }
    let (mut b, page) = login(&t, &email, PASSWORD).await;
    assert_eq!(
        page.status,
        StatusCode::LOCKED,
        "the right password, locked"
    );
    assert!(page.body.contains("Account locked"), "{}", page.body);
    assert!(!b.is_logged_in().await);
    let stats = t.demo.login_stats();
    assert_eq!(stats.locked, vec![email.clone()]);
    assert_eq!(stats.lockouts, 1);
    // Another account is not touched.
    assert_eq!(
        login(&t, &bystander, PASSWORD).await.1.status,
        StatusCode::SEE_OTHER
    );

    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(t.demo.login_stats().locked.is_empty(), "the lock ran out");
    let (mut b, page) = login(&t, &email, PASSWORD).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "unlocked: {}",
        page.body
    );
    assert!(b.is_logged_in().await);
    assert_eq!(t.demo.login_stats().lockouts, 1, "ever locked: once");
    t.demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_shapes_failures_are_counted_but_nothing_locks_or_throttles() {
    let t = Target::start(DemoConfig::default()).await;
    let email = t.new_user("plain").await;
    for _ in 0..LOCKOUT_FAILURES + 2 {
        assert_eq!(
            login(&t, &email, "wrong-password").await.1.status,
            StatusCode::OK
        );
    }
    let stats = t.demo.login_stats();
    assert_eq!(stats.failures.get(&email), Some(&(LOCKOUT_FAILURES + 2)));
    assert!(stats.locked.is_empty());
    assert_eq!(stats.lockouts, 0);
    let answers = join_all((0..30).map(|_| login(&t, &email, PASSWORD))).await;
    assert!(
        answers
            .iter()
            .all(|(_, p)| p.status == StatusCode::SEE_OTHER)
    );
    let stats = t.demo.login_stats();
    assert_eq!((stats.throttled, stats.logins), (0, 30));
    t.demo.shutdown().await;
}
