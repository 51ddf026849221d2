//! The HTTP token sampler against an app that pushes back in ways Ticketbooth does not: a login
//! server on loopback (mocked, as these faults are) that throttles, locks the account mid-run, or
//! stops authenticating. The sampler must wait out 429s within bounds, stop at a lock-out, never
//! retry a failed login more than once in a row, and log every sample out.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;
use usher::sampling::{Backoff, LoginRecipe, LogoutRecipe, Plan, SessionProof, Stopped, sample};

#[derive(Clone, Copy)]
enum Mode {
    /// Every `n`th login POST answers 429 with this Retry-After.
    ThrottleEvery(usize, &'static str),
    /// Logins succeed `n` times, then the account is locked (423).
    LockAfter(usize),
    /// Logins succeed `n` times, then answer the form again without a session.
    FailAfter(usize),
}

#[derive(Default)]
struct App {
    posts: usize,
    succeeded: usize,
    refused: usize,
    issued: usize,
    live: HashSet<String>,
}

type Shared = Arc<(Mode, Mutex<App>)>;

const FORM: &str = r#"<form method="post" action="/login"><input type="hidden" name="csrf" value="n1">
<input name="email"><input type="password" name="password"><button>Log in</button></form>"#;

fn sid(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies
        .split("; ")
        .find_map(|c| c.strip_prefix("sid=").map(str::to_string))
}

async fn login(State(s): State<Shared>) -> Response {
    let (mode, app) = &*s;
    let mut app = app.lock().unwrap();
    app.posts += 1;
    let refuse = match *mode {
        Mode::ThrottleEvery(n, after) if app.posts % n == 0 => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, after)],
                "slow down",
            )
                .into_response();
        }
        Mode::LockAfter(n) if app.succeeded >= n => {
            app.refused += 1;
            return (StatusCode::LOCKED, "Account locked").into_response();
        }
        Mode::FailAfter(n) => app.succeeded >= n,
        _ => false,
    };
    if refuse {
        app.refused += 1;
        return Html(format!("<p>Wrong email or password.</p>{FORM}")).into_response();
    }
    app.succeeded += 1;
    app.issued += 1;
    let id = format!("{:032x}{:016x}", rand::random::<u128>(), app.issued);
    app.live.insert(id.clone());
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, format!("sid={id}; Path=/; HttpOnly")),
            (header::LOCATION, "/account".to_string()),
        ],
    )
        .into_response()
}

async fn account(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let live = sid(&headers).is_some_and(|id| s.1.lock().unwrap().live.contains(&id));
    if live {
        Html(
            r#"<p id="me">alice@x.test</p><form method="post" action="/logout">
<input type="hidden" name="csrf" value="n2"><button>Log out</button></form>"#,
        )
        .into_response()
    } else {
        Html(r#"<a href="/login">Log in</a>"#).into_response()
    }
}

async fn logout(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(id) = sid(&headers) {
        s.1.lock().unwrap().live.remove(&id);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, "sid=; Path=/; Max-Age=0"),
            (header::LOCATION, "/login"),
        ],
    )
        .into_response()
}

async fn serve(mode: Mode) -> (Url, Shared, tokio::task::JoinHandle<()>) {
    let shared: Shared = Arc::new((mode, Mutex::new(App::default())));
    let app = Router::new()
        .route("/login", get(|| async { Html(FORM) }).post(login))
        .route("/account", get(account))
        .route("/logout", axum::routing::post(logout))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, shared, task)
}

fn recipe(base: &Url) -> LoginRecipe {
    LoginRecipe {
        page: base.join("/login").unwrap(),
        method: reqwest::Method::POST,
        action: base.join("/login").unwrap(),
        enctype: "application/x-www-form-urlencoded".into(),
        fields: vec![
            ("csrf".into(), "stale".into()),
            ("email".into(), "alice@x.test".into()),
            ("password".into(), "pw".into()),
        ],
        hidden: vec!["csrf".into()],
        user_agent: "Mozilla/5.0 (usher sampling tests)".into(),
        token_cookies: vec!["sid".into()],
        proof: SessionProof {
            url: base.join("/account").unwrap(),
            present: vec!["#me".into()],
            absent: vec![],
            url_contains: vec![],
            identity: Some(("#me".into(), "alice@x.test".into())),
        },
        logout: Some(LogoutRecipe::Form {
            page: base.join("/account").unwrap(),
            method: reqwest::Method::POST,
            action: base.join("/logout").unwrap(),
            enctype: "application/x-www-form-urlencoded".into(),
            fields: vec![("csrf".into(), "stale".into())],
            hidden: vec!["csrf".into()],
        }),
    }
}

fn plan(wanted: usize, backoff: Backoff) -> Plan {
    Plan {
        wanted,
        in_order: 10,
        concurrency: 3,
        limit: Duration::from_secs(10),
        backoff,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn samples_are_unique_in_issue_order_and_all_logged_out() {
    let (base, app, task) = serve(Mode::FailAfter(usize::MAX)).await;
    let s = sample(&client(), &recipe(&base), &plan(40, Backoff::default()))
        .await
        .expect("samples");
    assert_eq!(s.tokens.len(), 40);
    let unique: HashSet<&String> = s.tokens.iter().collect();
    assert_eq!(unique.len(), 40);
    // The issue counter is the last 16 hex digits: the first `in_order` come in issue order.
    let order: Vec<u64> = s.tokens[..10]
        .iter()
        .map(|t| u64::from_str_radix(&t[32..], 16).unwrap())
        .collect();
    assert_eq!(order, (1..=10).collect::<Vec<u64>>());
    assert_eq!(s.logged_out, 40);
    assert_eq!(s.logout_ends_session, Some(true));
    assert!(s.window_ms.0 <= s.window_ms.1);
    assert!(
        app.1.lock().unwrap().live.is_empty(),
        "every sample logged out"
    );
    task.abort();
}

#[tokio::test]
async fn throttled_logins_are_waited_out_as_retry_after_says() {
    let (base, app, task) = serve(Mode::ThrottleEvery(8, "1")).await;
    let s = sample(&client(), &recipe(&base), &plan(30, Backoff::default()))
        .await
        .expect("throttling is waited out");
    assert_eq!(s.tokens.len(), 30);
    assert!(s.throttled >= 3, "{s:?}");
    assert!(s.waited >= Duration::from_millis(900), "{s:?}");
    assert!(app.1.lock().unwrap().live.is_empty());
    task.abort();
}

#[tokio::test]
async fn an_app_that_keeps_throttling_is_given_up_on() {
    let (base, app, task) = serve(Mode::ThrottleEvery(1, "0")).await;
    let backoff = Backoff {
        max_in_a_row: 3,
        ..Backoff::default()
    };
    let stop = sample(&client(), &recipe(&base), &plan(30, backoff))
        .await
        .unwrap_err();
    let Stopped::Refused { after: 0, why } = &stop else {
        panic!("{stop:?}")
    };
    assert!(
        why.contains("429 Too Many Requests 4 times in a row"),
        "{why}"
    );
    assert_eq!(app.1.lock().unwrap().posts, 4, "bounded: no more than that");

    let (base, _app, task2) = serve(Mode::ThrottleEvery(1, "3600")).await;
    let stop = sample(&client(), &recipe(&base), &plan(30, Backoff::default()))
        .await
        .unwrap_err();
    assert!(
        matches!(&stop, Stopped::Refused { why, .. } if why.contains("asking to wait 3600.0 s")),
        "{stop:?}"
    );
    task.abort();
    task2.abort();
}

#[tokio::test]
async fn a_locked_account_stops_sampling_at_once() {
    let (base, app, task) = serve(Mode::LockAfter(25)).await;
    let stop = sample(&client(), &recipe(&base), &plan(100, Backoff::default()))
        .await
        .unwrap_err();
    let Stopped::Refused { after, why } = &stop else {
        panic!("{stop:?}")
    };
    assert_eq!(*after, 25, "{why}");
    assert!(why.contains("423 Locked"), "{why}");
    let app = app.1.lock().unwrap();
    assert!(
        app.refused <= 3,
        "no more than the logins already in flight: {}",
        app.refused
    );
    assert!(
        app.live.is_empty(),
        "the samples in flight still logged out"
    );
    task.abort();
}

#[tokio::test]
async fn a_failed_login_is_retried_once_never_twice_in_a_row() {
    let (base, app, task) = serve(Mode::FailAfter(15)).await;
    let stop = sample(&client(), &recipe(&base), &plan(100, Backoff::default()))
        .await
        .unwrap_err();
    let Stopped::Refused { after, why } = &stop else {
        panic!("{stop:?}")
    };
    assert_eq!(*after, 15, "{why}");
    assert!(why.contains("two logins in a row"), "{why}");
    assert!(why.contains("does not show #me"), "{why}");
    let refused = app.1.lock().unwrap().refused;
    // Under concurrency a few may already be in flight; one at a time it is exactly two.
    assert!((2..=4).contains(&refused), "{refused} failed logins");
    task.abort();

    let (base, app, task) = serve(Mode::FailAfter(5)).await;
    let mut p = plan(100, Backoff::default());
    p.in_order = 100;
    let stop = sample(&client(), &recipe(&base), &p).await.unwrap_err();
    assert!(
        matches!(stop, Stopped::Refused { after: 5, .. }),
        "{stop:?}"
    );
    assert_eq!(app.1.lock().unwrap().refused, 2, "one retry, then stop");
    task.abort();
}

#[tokio::test]
async fn a_first_login_that_yields_no_session_means_the_login_does_not_replay() {
    let (base, app, task) = serve(Mode::FailAfter(0)).await;
    let stop = sample(&client(), &recipe(&base), &plan(100, Backoff::default()))
        .await
        .unwrap_err();
    assert!(matches!(stop, Stopped::NotReplayable(_)), "{stop:?}");
    assert_eq!(app.1.lock().unwrap().refused, 1, "not retried");
    task.abort();
}
