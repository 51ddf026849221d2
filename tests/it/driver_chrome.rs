//! The driver module against a real headless Chromium and chromedriver, and two tiny local servers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Router, routing::post};
use usher::driver::{
    BrowserCookie, BrowserKind, DriverConfig, DriverError, Launcher, Locator, NetEvent, Session,
};

use crate::support;
use crate::support::turns;

// ---------------------------------------------------------------- the pages

#[derive(Clone, Default)]
struct Seen {
    /// `Referer` of every request the second server saw.
    referers: Arc<Mutex<Vec<String>>>,
}

async fn start_server(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    ))
}

#[derive(serde::Deserialize)]
struct Submitted {
    user: String,
    color: String,
}

/// Starts the app server (A) and the cross-origin image server (B).
async fn start_servers() -> (String, String, Seen) {
    let seen = Seen::default();
    let images = {
        let seen = seen.clone();
        Router::new().route(
            "/pixel.png",
            get(move |headers: HeaderMap| {
                let seen = seen.clone();
                async move {
                    let referer = headers
                        .get(header::REFERER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    seen.referers.lock().unwrap().push(referer);
                    ([(header::CONTENT_TYPE, "image/gif")], GIF.to_vec())
                }
            }),
        )
    };
    let b = format!("http://{}", start_server(images).await);
    let b_for_page = b.clone();

    let app = Router::new()
        .route("/", get(|| async { page("Home", r#"<h1 id="hello">Hello</h1><a id="go" href="/form">to the form</a>"#) }))
        .route(
            "/form",
            get(|| async {
                page(
                    "Form",
                    r#"<form id="f" action="/submitted" method="post">
                         <input id="user" name="user" value="prefilled">
                         <select id="color" name="color"><option value="r">Red</option><option value="g">Green</option></select>
                         <button id="send" type="submit">Send</button>
                       </form>"#,
                )
            }),
        )
        .route(
            "/submitted",
            post(|Form(f): Form<Submitted>| async move {
                page("Done", &format!(r#"<p id="result">user={} color={}</p>"#, f.user, f.color))
            }),
        )
        .route(
            "/set-cookie",
            get(|| async {
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/html")
                    .header(header::SET_COOKIE, "a=1; HttpOnly; SameSite=Strict; Path=/")
                    .header(header::SET_COOKIE, "b=2; Path=/")
                    .body(axum::body::Body::from("<title>Cookies</title><p>cookies set</p>"))
                    .unwrap()
            }),
        )
        .route(
            "/redirect",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "/landing"), (header::SET_COOKIE, "r=3; Path=/; HttpOnly")],
                )
                    .into_response()
            }),
        )
        .route("/landing", get(|| async { page("Landing", r#"<p id="landed">landed</p>"#) }))
        .route(
            "/script-nav",
            get(|| async {
                page(
                    "Script",
                    r#"<button id="later" onclick="setTimeout(function () { location.href = '/landing'; }, 60)">later</button>
                       <button id="alert" onclick="alert('hi')">alert</button>
                       <button id="noop" onclick="document.title = 'clicked'">noop</button>"#,
                )
            }),
        )
        .route(
            "/leaky",
            get(move |Query(_q): Query<HashMap<String, String>>| {
                let b = b_for_page.clone();
                async move {
                    (
                        [("referrer-policy", "unsafe-url")],
                        page("Leaky", &format!(r#"<img id="px" src="{b}/pixel.png">"#)),
                    )
                }
            }),
        )
        .route(
            "/echo",
            get(|headers: HeaderMap| async move {
                let v = headers.get("x-usher-test").and_then(|v| v.to_str().ok()).unwrap_or("(none)").to_string();
                page("Echo", &format!(r#"<pre id="h">{v}</pre>"#))
            }),
        );
    let a = format!("http://{}", start_server(app).await);
    (a, b, seen)
}

/// A 1x1 transparent GIF.
const GIF: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

// ---------------------------------------------------------------- helpers

/// Shuts the launcher down even when an assertion panics first.
struct Guard(Option<Launcher>);

impl Guard {
    async fn start() -> Self {
        Self::start_with(DriverConfig::default()).await
    }
    async fn start_with(config: DriverConfig) -> Self {
        let launcher = Launcher::start(config).await.expect("chromedriver starts");
        Self(Some(launcher))
    }
    fn get(&self) -> &Launcher {
        self.0.as_ref().unwrap()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Launcher's own Drop kills the driver and browsers and removes its directory.
        drop(self.0.take());
    }
}

/// How many live processes mention `dir` (independent of the module's own bookkeeping).
fn processes_mentioning(dir: &Path) -> usize {
    support::processes::processes_mentioning(dir).len()
}

fn pid_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.split_whitespace().nth(2).is_none_or(|state| state != "Z"))
        .unwrap_or(false)
}

fn css(s: &str) -> Locator {
    Locator::css(s)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn responses<'a>(events: &'a [NetEvent], url: &str) -> Vec<(u16, &'a [(String, String)])> {
    events
        .iter()
        .filter_map(|e| match e {
            NetEvent::Response {
                url: u,
                status,
                headers,
            } if u == url => Some((*status, headers.as_slice())),
            _ => None,
        })
        .collect()
}

/// (method, headers, is_navigation) of every request to `url`.
type Sent<'a> = (&'a str, &'a [(String, String)], bool);

fn requests<'a>(events: &'a [NetEvent], url: &str) -> Vec<Sent<'a>> {
    events
        .iter()
        .filter_map(|e| match e {
            NetEvent::Request {
                url: u,
                method,
                headers,
                is_navigation,
            } if u == url => Some((method.as_str(), headers.as_slice(), *is_navigation)),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_forms_and_elements() {
    let _turn = turns::shared();
    let (a, _, _) = start_servers().await;
    let guard = Guard::start().await;
    let launcher = guard.get();
    assert!(
        launcher.describe().starts_with("chromium-headless-shell "),
        "{}",
        launcher.describe()
    );
    assert!(
        launcher.describe().contains("via chromedriver 1"),
        "{}",
        launcher.describe()
    );

    let started = Instant::now();
    let s = launcher.new_session("victim").await.unwrap();
    eprintln!("session create: {:?}", started.elapsed());
    assert_eq!(s.kind(), BrowserKind::Chrome);

    s.goto(&format!("{a}/")).await.unwrap();
    assert_eq!(s.title().await.unwrap(), "Home");
    assert!(s.is_present(&css("#hello")).await.unwrap());
    assert!(!s.is_present(&css("#nope")).await.unwrap());
    assert!(
        s.is_present(&Locator {
            strategy: "xpath".into(),
            value: "//h1[text()='Hello']".into()
        })
        .await
        .unwrap()
    );
    assert!(
        s.is_present(&Locator {
            strategy: "link text".into(),
            value: "to the form".into()
        })
        .await
        .unwrap()
    );
    assert_eq!(s.text_of(&css("#hello")).await.unwrap(), "Hello");
    assert!(s.body_text().await.unwrap().contains("to the form"));
    assert!(s.page_source().await.unwrap().contains("id=\"go\""));
    match s.text_of(&css("#nope")).await {
        Err(DriverError::NotFound(what)) => assert!(what.contains("#nope"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }

    // Link click navigates; current_url right after sees the new page.
    s.click(&css("#go")).await.unwrap();
    assert_eq!(s.current_url().await.unwrap(), format!("{a}/form"));
    assert!(
        s.is_present(&Locator {
            strategy: "id".into(),
            value: "user".into()
        })
        .await
        .unwrap()
    );

    // fill clears first; select by visible text; submit from a field inside the form.
    s.fill(
        &Locator {
            strategy: "name".into(),
            value: "user".into(),
        },
        "alice",
    )
    .await
    .unwrap();
    s.select(&css("#color"), "Green").await.unwrap();
    s.submit(&css("#user")).await.unwrap();
    assert_eq!(s.current_url().await.unwrap(), format!("{a}/submitted"));
    assert_eq!(
        s.text_of(&css("#result")).await.unwrap(),
        "user=alice color=g"
    );

    // Back to the form; select by value, submit with the button's click.
    s.back().await.unwrap();
    assert_eq!(s.current_url().await.unwrap(), format!("{a}/form"));
    s.goto(&format!("{a}/form")).await.unwrap();
    s.fill(&css("#user"), "bob").await.unwrap();
    s.select(&css("#color"), "r").await.unwrap();
    assert!(matches!(
        s.select(&css("#color"), "Purple").await,
        Err(DriverError::NotFound(_))
    ));
    s.click(&css("#send")).await.unwrap();
    assert_eq!(
        s.text_of(&css("#result")).await.unwrap(),
        "user=bob color=r"
    );
    assert!(matches!(
        s.submit(&css("#result")).await,
        Err(DriverError::Session(_))
    ));
    s.refresh().await.unwrap();

    // A navigation a script starts shortly after the click is waited for; a click that does not
    // navigate returns quickly; an alert does not hang the click.
    s.goto(&format!("{a}/script-nav")).await.unwrap();
    s.click(&css("#later")).await.unwrap();
    assert_eq!(s.current_url().await.unwrap(), format!("{a}/landing"));
    s.goto(&format!("{a}/script-nav")).await.unwrap();
    let t = Instant::now();
    s.click(&css("#noop")).await.unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "noop click took {:?}",
        t.elapsed()
    );
    assert_eq!(s.title().await.unwrap(), "clicked");
    let t = Instant::now();
    s.click(&css("#alert")).await.unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "alert click took {:?}",
        t.elapsed()
    );
    let _ = s.title().await; // dismisses the alert (and may report it)
    assert_eq!(s.current_url().await.unwrap(), format!("{a}/script-nav"));

    // JavaScript and storage.
    let v = s
        .execute(
            "localStorage.setItem('tok', arguments[0]); return localStorage.getItem('tok');",
            vec!["s3cr3t".into()],
        )
        .await
        .unwrap();
    assert_eq!(v, serde_json::json!("s3cr3t"));
    assert_eq!(
        s.execute("return 1 + arguments[0];", vec![41.into()])
            .await
            .unwrap(),
        serde_json::json!(42)
    );

    let png = s.screenshot_png().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    s.keep_alive().await.unwrap();

    s.close().await.unwrap();
    s.close().await.unwrap(); // idempotent
    assert!(matches!(s.title().await, Err(DriverError::Session(_))));
    launcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cookies_storage_and_isolation() {
    let _turn = turns::shared();
    let (a, _, _) = start_servers().await;
    let guard = Guard::start().await;
    let launcher = guard.get();
    let (s1, s2) = tokio::join!(
        launcher.new_session("victim"),
        launcher.new_session("attacker")
    );
    let (s1, s2) = (s1.unwrap(), s2.unwrap());

    s1.goto(&format!("{a}/set-cookie")).await.unwrap();
    let jar = s1.cookies().await.unwrap();
    let a_cookie = jar.iter().find(|c| c.name == "a").expect("cookie a");
    assert_eq!(a_cookie.value, "1");
    assert_eq!(a_cookie.http_only, Some(true));
    assert_eq!(a_cookie.same_site.as_deref(), Some("Strict"));
    assert_eq!(a_cookie.path.as_deref(), Some("/"));
    assert_eq!(a_cookie.domain.as_deref(), Some("127.0.0.1"));
    assert_eq!(a_cookie.secure, Some(false));
    assert_eq!(a_cookie.expiry, None, "session cookie");
    let b_cookie = jar.iter().find(|c| c.name == "b").expect("cookie b");
    assert_eq!(b_cookie.http_only, Some(false));
    assert!(
        b_cookie.same_site.is_some(),
        "the browser reports a default SameSite"
    );
    s1.execute(
        "localStorage.setItem('only', 'victim'); return null;",
        vec![],
    )
    .await
    .unwrap();

    // The other persona has its own jar and storage.
    s2.goto(&format!("{a}/")).await.unwrap();
    assert!(
        s2.cookies().await.unwrap().is_empty(),
        "cookies leaked between sessions"
    );
    assert_eq!(
        s2.execute("return localStorage.getItem('only');", vec![])
            .await
            .unwrap(),
        serde_json::Value::Null
    );

    // Plant, read back, delete.
    let in_one_hour = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 3600;
    let planted = BrowserCookie {
        name: "sid".into(),
        value: "fixated".into(),
        path: Some("/".into()),
        http_only: Some(true),
        same_site: Some("Lax".into()),
        // Chrome clamps expiry to 400 days: stay well inside.
        expiry: Some(in_one_hour),
        ..Default::default()
    };
    s2.add_cookie(&planted).await.unwrap();
    s2.add_cookie(&BrowserCookie {
        name: "other".into(),
        value: "x".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let jar = s2.cookies().await.unwrap();
    let sid = jar
        .iter()
        .find(|c| c.name == "sid")
        .expect("planted cookie");
    assert_eq!(
        (sid.value.as_str(), sid.http_only, sid.same_site.as_deref()),
        ("fixated", Some(true), Some("Lax"))
    );
    assert_eq!(sid.expiry, Some(in_one_hour));
    s2.delete_cookie("sid").await.unwrap();
    let names: Vec<String> = s2
        .cookies()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["other"]);
    s2.delete_all_cookies().await.unwrap();
    assert!(s2.cookies().await.unwrap().is_empty());
    assert!(
        s1.cookies().await.unwrap().iter().any(|c| c.name == "a"),
        "deleting in one session touched the other"
    );
    assert!(matches!(
        s2.add_cookie(&BrowserCookie {
            name: "z".into(),
            value: "1".into(),
            same_site: Some("Sometimes".into()),
            ..Default::default()
        })
        .await,
        Err(DriverError::Session(_))
    ));
    launcher.shutdown().await;
    assert_eq!(launcher.open_sessions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn network_capture_sees_raw_set_cookie_referer_and_redirects() {
    let _turn = turns::shared();
    network_capture(Guard::start().await).await;
}

/// The default prefers the headless shell; the full browser must work the same for users who pick it
/// (`--browser-path`) or have no shell installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_full_browser_captures_the_network_too() {
    let _turn = turns::shared();
    let full = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.exists())
    .expect("a full Chromium is installed (ci/install-deps.sh)");
    let guard = Guard::start_with(DriverConfig {
        browser_path: Some(full),
        ..Default::default()
    })
    .await;
    assert!(
        guard.get().describe().starts_with("chrome "),
        "{}",
        guard.get().describe()
    );
    network_capture(guard).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_headless_shell_is_preferred_and_cannot_run_headed() {
    let _turn = turns::shared();
    let guard = Guard::start().await;
    assert!(
        guard
            .get()
            .describe()
            .starts_with("chromium-headless-shell "),
        "ci/install-deps.sh installs the shell; got {}",
        guard.get().describe()
    );
    drop(guard);
    let headed = DriverConfig {
        browser_path: Some("/usr/bin/chromium-headless-shell".into()),
        headless: false,
        ..Default::default()
    };
    match Launcher::start(headed).await {
        Err(DriverError::Launch { reason, .. }) => {
            assert!(reason.contains("--browser-path"), "{reason}")
        }
        other => panic!("expected a Launch error, got {other:?}"),
    }
}

async fn network_capture(guard: Guard) {
    let (a, b, seen) = start_servers().await;
    let launcher = guard.get();
    let s = launcher.new_session("victim").await.unwrap();
    // Nothing from the browser's own start-up is reported.
    let startup = s.drain_network().await.unwrap();
    assert!(startup.is_empty(), "start-up noise: {startup:?}");

    s.goto(&format!("{a}/set-cookie")).await.unwrap();
    let events = s.drain_network().await.unwrap();
    let url = format!("{a}/set-cookie");
    let reqs = requests(&events, &url);
    assert_eq!(reqs.len(), 1, "{events:#?}");
    assert_eq!(reqs[0].0, "GET");
    assert!(reqs[0].2, "a top-level navigation");
    let resps = responses(&events, &url);
    assert_eq!(resps.len(), 1, "{events:#?}");
    assert_eq!(resps[0].0, 200);
    let lines = header(resps[0].1, "set-cookie");
    assert_eq!(
        lines,
        ["a=1; HttpOnly; SameSite=Strict; Path=/", "b=2; Path=/"],
        "{events:#?}"
    );
    // The raw line has no SameSite, while the browser's view of the cookie reports a default.
    assert!(!lines[1].to_ascii_lowercase().contains("samesite"));
    let b_cookie = s
        .cookies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "b")
        .unwrap();
    assert!(b_cookie.same_site.is_some());
    // Drained means drained.
    assert!(requests(&s.drain_network().await.unwrap(), &url).is_empty());

    // A redirect hop shows up as its own response with its Set-Cookie, then the next request,
    // which carries the new cookie.
    s.goto(&format!("{a}/redirect")).await.unwrap();
    let events = s.drain_network().await.unwrap();
    let hop = responses(&events, &format!("{a}/redirect"));
    assert_eq!(hop.len(), 1, "{events:#?}");
    assert_eq!(hop[0].0, 302);
    assert_eq!(header(hop[0].1, "set-cookie"), ["r=3; Path=/; HttpOnly"]);
    assert_eq!(header(hop[0].1, "location"), ["/landing"]);
    let landing = requests(&events, &format!("{a}/landing"));
    assert_eq!(landing.len(), 1, "{events:#?}");
    assert!(landing[0].2, "the redirect target is a navigation");
    let cookie = header(landing[0].1, "cookie").join("; ");
    assert!(
        cookie.contains("r=3") && cookie.contains("a=1"),
        "cookie header: {cookie}"
    );
    let pos = |pred: &dyn Fn(&NetEvent) -> bool| events.iter().position(pred).unwrap();
    let hop_at =
        pos(&|e| matches!(e, NetEvent::Response { url, .. } if url.ends_with("/redirect")));
    let next_at = pos(&|e| matches!(e, NetEvent::Request { url, .. } if url.ends_with("/landing")));
    assert!(hop_at < next_at, "events out of order: {events:#?}");
    assert_eq!(responses(&events, &format!("{a}/landing"))[0].0, 200);

    // A cross-origin sub-resource carries the full Referer (token and all) under unsafe-url.
    let leaky = format!("{a}/leaky?token=SECRET123");
    s.goto(&leaky).await.unwrap();
    let events = s.drain_network().await.unwrap();
    let img = requests(&events, &format!("{b}/pixel.png"));
    assert_eq!(img.len(), 1, "{events:#?}");
    assert!(!img[0].2, "an image is not a navigation");
    assert_eq!(header(img[0].1, "referer"), [leaky.as_str()]);
    assert_eq!(
        seen.referers.lock().unwrap().last().map(String::as_str),
        Some(leaky.as_str())
    );
    assert_eq!(responses(&events, &format!("{b}/pixel.png"))[0].0, 200);

    // Extra headers reach the server, and an empty list removes them.
    s.set_extra_headers(&[("X-Usher-Test".into(), "hello".into())])
        .await
        .unwrap();
    s.goto(&format!("{a}/echo")).await.unwrap();
    assert_eq!(s.text_of(&css("#h")).await.unwrap(), "hello");
    let events = s.drain_network().await.unwrap();
    let echo = requests(&events, &format!("{a}/echo"));
    assert_eq!(header(echo[0].1, "x-usher-test"), ["hello"]);
    s.set_extra_headers(&[]).await.unwrap();
    s.goto(&format!("{a}/echo")).await.unwrap();
    assert_eq!(s.text_of(&css("#h")).await.unwrap(), "(none)");
    launcher.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_leaves_no_process_and_no_directory() {
    let _turn = turns::shared();
    let (a, _, _) = start_servers().await;
    let launcher = Launcher::start(DriverConfig::default()).await.unwrap();
    let work_dir = launcher.work_dir().unwrap().to_path_buf();
    let driver_pid = launcher.driver_pid().unwrap();
    assert!(pid_alive(driver_pid));

    // Concurrent creation from many tasks; sessions shared across tasks.
    let started = Instant::now();
    let launcher = Arc::new(launcher);
    let creating: Vec<_> = (0..4)
        .map(|i| {
            let launcher = launcher.clone();
            tokio::spawn(async move { launcher.new_session(&format!("p{i}")).await })
        })
        .collect();
    let mut sessions: Vec<Arc<dyn Session>> = Vec::new();
    for task in creating {
        sessions.push(Arc::from(task.await.unwrap().unwrap()));
    }
    eprintln!("4 concurrent session creates: {:?}", started.elapsed());
    let tasks: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|s| {
            let url = format!("{a}/");
            tokio::spawn(async move {
                s.goto(&url).await.unwrap();
                s.title().await.unwrap()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "Home");
    }
    assert_eq!(launcher.open_sessions(), 4);
    let profiles = work_dir.join("profiles");
    assert_eq!(std::fs::read_dir(&profiles).unwrap().count(), 4);
    let before = processes_mentioning(&work_dir);
    assert!(
        before >= 5,
        "expected chromedriver and 4 browsers, found {before} processes"
    );

    // close() removes that session's profile.
    sessions[0].close().await.unwrap();
    assert_eq!(std::fs::read_dir(&profiles).unwrap().count(), 3);
    assert_eq!(launcher.open_sessions(), 3);

    launcher.shutdown().await;
    assert_eq!(launcher.open_sessions(), 0);
    assert_eq!(processes_mentioning(&work_dir), 0, "processes left behind");
    assert!(!pid_alive(driver_pid), "chromedriver still running");
    assert!(!work_dir.exists(), "work dir left behind");
    assert!(matches!(
        launcher.new_session("late").await,
        Err(DriverError::Session(_))
    ));
    assert!(sessions[1].title().await.is_err());
    launcher.shutdown().await; // idempotent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropping_the_launcher_in_a_panicking_task_cleans_up() {
    let _turn = turns::shared();
    let (a, _, _) = start_servers().await;
    let (tx, rx) = std::sync::mpsc::channel();
    let task = tokio::spawn(async move {
        let launcher = Launcher::start(DriverConfig::default()).await.unwrap();
        let s = launcher.new_session("doomed").await.unwrap();
        s.goto(&format!("{a}/")).await.unwrap();
        tx.send((
            launcher.work_dir().unwrap().to_path_buf(),
            launcher.driver_pid().unwrap(),
        ))
        .unwrap();
        panic!("a test failing half-way");
    });
    assert!(task.await.unwrap_err().is_panic());
    let (work_dir, pid) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while (processes_mentioning(&work_dir) > 0 || pid_alive(pid)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(processes_mentioning(&work_dir), 0, "processes left behind");
    assert!(!pid_alive(pid), "chromedriver still running");
    assert!(!work_dir.exists(), "work dir left behind");
}

#[tokio::test]
async fn bad_configurations_are_reported() {
    let _turn = turns::shared();
    let bad = DriverConfig {
        driver_path: Some("/nonexistent/chromedriver".into()),
        ..Default::default()
    };
    match Launcher::start(bad).await {
        Err(DriverError::Launch { what, reason }) => {
            assert_eq!(what, "chromedriver");
            assert!(
                reason.contains("/nonexistent/chromedriver") && reason.contains("apt-get install"),
                "{reason}"
            );
        }
        other => panic!("expected a Launch error, got {other:?}"),
    }
    // An executable that is not a WebDriver server exits at once.
    let not_a_driver = DriverConfig {
        driver_path: Some("/bin/false".into()),
        ..Default::default()
    };
    assert!(matches!(
        Launcher::start(not_a_driver).await,
        Err(DriverError::Launch { .. })
    ));

    // Firefox with a geckodriver that is not there: a launch error naming it and how to install it.
    let firefox = DriverConfig {
        browser: BrowserKind::Firefox,
        driver_path: Some("/nonexistent/geckodriver".into()),
        ..Default::default()
    };
    match Launcher::start(firefox).await {
        Err(DriverError::Launch { what, reason }) => {
            assert_eq!(what, "geckodriver");
            assert!(reason.contains("cargo install geckodriver"), "{reason}");
        }
        other => panic!("expected a launch error, got {other:?}"),
    }

    // A remote endpoint that does not answer.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let remote = DriverConfig {
        webdriver_url: Some(format!("http://127.0.0.1:{port}")),
        ..Default::default()
    };
    assert!(matches!(
        Launcher::start(remote).await,
        Err(DriverError::Launch { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn remote_endpoint_without_local_processes() {
    let _turn = turns::shared();
    // A local chromedriver stands in for a Grid: the second launcher only talks to its URL.
    let (a, _, _) = start_servers().await;
    let guard = Guard::start().await;
    let endpoint = guard.get().endpoint().trim_end_matches('/').to_string();
    let caps = serde_json::json!({
        "goog:chromeOptions": {"args": ["--headless=new", "--no-sandbox", "--window-size=500,700"]},
        "goog:loggingPrefs": {"performance": "ALL"}
    });
    let remote = Launcher::start(DriverConfig {
        webdriver_url: Some(endpoint.clone()),
        capabilities: caps.as_object().unwrap().clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(remote.describe(), format!("remote {endpoint}/"));
    assert!(remote.work_dir().is_none() && remote.driver_pid().is_none());
    let s = remote.new_session("grid-persona").await.unwrap();
    s.goto(&format!("{a}/set-cookie")).await.unwrap();
    let width = s
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(width, serde_json::json!(500), "user args were not merged");
    let events = s.drain_network().await.unwrap();
    assert_eq!(
        header(
            responses(&events, &format!("{a}/set-cookie"))[0].1,
            "set-cookie"
        )
        .len(),
        2
    );
    remote.shutdown().await;
    assert_eq!(remote.open_sessions(), 0);

    // A remote endpoint "whose browser we did not pick": capabilities go through untouched, so
    // there is no performance log, and network capture says so instead of returning nothing.
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"args": ["--headless=new", "--no-sandbox"]}
    });
    let passthrough = Launcher::start(DriverConfig {
        browser: BrowserKind::Remote,
        webdriver_url: Some(endpoint.clone()),
        capabilities: caps.as_object().unwrap().clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let s = passthrough.new_session("device").await.unwrap();
    assert_eq!(s.kind(), BrowserKind::Remote);
    s.goto(&format!("{a}/")).await.unwrap();
    match s.drain_network().await {
        Err(DriverError::Unsupported(msg)) => assert!(msg.contains("performance log"), "{msg}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    s.keep_alive().await.unwrap();
    passthrough.shutdown().await;
    guard.get().shutdown().await;
}
