//! `usher run` against a target that fights back: markup, `]]>`, quotes, NUL and ANSI escapes in its
//! title, headers, cookie name and storage keys. The reports it writes must stay inert and well-formed.

use super::records::*;
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::path::Path;

/// The session cookie's name: markup, a CDATA end and both quotes (Chromium accepts all of them).
const COOKIE: &str = "sid<script>alert(1)</script>]]>\"'";
const HEADER: &str = "<script>alert(2)</script>]]>\"' &amp;";
const PASSWORD: &str = "correct-horse-battery-staple";

/// The page's own script puts NUL and ESC where markup cannot: the title and a storage key.
fn page(body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html><head><title><script>window.__pwned=3</script>]]> "dq" 'sq' &amp;</title></head>
<body>{body}<script>
document.title = document.title + "\u0000\u001b[31m";
localStorage.setItem("<img src=x onerror=window.__pwned=4>\u0000\u001b[31m", "1");
</script></body></html>"#
    ))
}

fn logged_in(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(&format!("{COOKIE}=t-")))
}

fn app() -> Router {
    Router::new()
        .route(
            "/login",
            get(|| async {
                page(
                    r#"<form method="post" action="/login"><input id="email" name="email">
                       <input id="password" name="password" type="password">
                       <button id="go" type="submit">log in</button></form>"#,
                )
            })
            .post(|| async {
                let token = format!("t-{:032x}", rand::random::<u128>());
                (
                    axum::http::StatusCode::SEE_OTHER,
                    [
                        (header::SET_COOKIE, format!("{COOKIE}={token}; Path=/")),
                        (header::LOCATION, "/account".to_string()),
                    ],
                )
            }),
        )
        .route(
            "/account",
            get(|headers: HeaderMap| async move {
                let body = if logged_in(&headers) {
                    r#"<p id="me">victim@example.test</p><a id="logout" href="/logout">log out</a>"#
                } else {
                    r#"<a id="login" href="/login">log in</a>"#
                };
                ([("x-hostile", HEADER)], page(body)).into_response()
            }),
        )
        .route(
            "/logout",
            get(|| async {
                (
                    [(header::SET_COOKIE, format!("{COOKIE}=; Max-Age=0; Path=/"))],
                    page(r#"<a id="login" href="/login">log in</a>"#),
                )
            }),
        )
}

fn yaml_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn write_scenarios(dir: &Path, base: &str) {
    std::fs::write(
        dir.join("app.yaml"),
        format!(
            r##"app: hostile
base_url: {base}
token: {{ cookie: {cookie} }}
personas:
  victim:
    username: victim@example.test
    password: ${{HOSTILE_PASSWORD}}
flows:
  login:
    - open: /login
    - fill: {{ field: "#email", value: "${{persona.username}}" }}
    - fill: {{ field: "#password", value: "${{persona.password}}" }}
    - click: "#go"
    - wait_for: {{ element: "#me" }}
  logout:
    - open: /logout
  logged_in:
    - open: /account
    - see: "#me"
"##,
            cookie = yaml_quoted(COOKIE)
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("hostile-page.yaml"),
        r#"scenario: hostile-page
description: The title, a header, the cookie name and a storage key carry markup and control characters.
tags: [wstg-sess-02, hostile]
personas: [victim]
steps:
  - run: login
  - check: cookie_attributes
  - check: { header: { name: x-hostile, equals: calm } }
  - check: no_token_in_storage
  - eval: { script: "return document.title", save_as: title }
  - see: { text: "${title} (not on the page)" }
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("login-works.yaml"),
        "scenario: login-works\ntags: [sanity]\npersonas: [victim]\nsteps:\n  - run: login\n  - check: logged_in\n",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usher_run_against_a_hostile_target_writes_inert_html_and_well_formed_junit() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().to_path_buf();
    write_scenarios(&work, &base);
    // A relative --report-dir and the HTML placed elsewhere: screenshots are still found and inlined.
    let out = tokio::task::spawn_blocking({
        let work = work.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_usher"))
                .current_dir(&work)
                .args([
                    "run",
                    ".",
                    "--report-dir",
                    "reports",
                    "--html",
                    "elsewhere/report.html",
                ])
                .args(["--secret", &format!("HOSTILE_PASSWORD={PASSWORD}")])
                .output()
                .expect("usher runs")
        }
    })
    .await
    .unwrap();
    let _ = stop.send(());
    let _ = server.await;
    let shown = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "a flaw is found: {shown}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("reports/results.json")).unwrap())
            .unwrap();
    let flows = results["flows"].as_array().unwrap();
    let hostile = flows.iter().find(|f| f["name"] == "hostile-page").unwrap();
    assert_eq!(hostile["verdict"], "FAIL", "{shown}\n{hostile:#}");
    let login = flows.iter().find(|f| f["name"] == "login-works").unwrap();
    assert_eq!(login["verdict"], "PASS", "{shown}\n{login:#}");
    let text = hostile.to_string();
    assert!(
        text.contains("<script>alert(1)</script>"),
        "the cookie name reached the record"
    );
    assert!(
        text.contains("\\u0000") && text.contains("\\u001b[31m"),
        "{text}"
    );

    assert!(
        !work.join("reports/index.html").exists(),
        "--html places it elsewhere"
    );
    let html = std::fs::read_to_string(work.join("elsewhere/report.html")).unwrap();
    assert_inert_html(&html);
    assert!(
        html.contains("sid&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;&quot;&#39;=&lt;token&gt;")
    );
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;]]&gt;&quot;&#39; &amp;amp;"));
    assert!(html.contains("␀␛[31m"), "control characters shown");
    assert!(
        html.contains("data:image/png;base64,"),
        "screenshot found under --report-dir"
    );

    let xml = std::fs::read_to_string(work.join("reports/junit.xml")).unwrap();
    let report = assert_well_formed_junit(&xml, &work);
    assert_eq!(report.tests, 2);

    for file in [
        "reports/results.json",
        "reports/junit.xml",
        "elsewhere/report.html",
    ] {
        let text = std::fs::read_to_string(work.join(file)).unwrap();
        assert!(!text.contains(PASSWORD), "{file} holds the password");
        let raw_token = text.match_indices("t-").any(|(i, _)| {
            let hex = &text.as_bytes()[i + 2..(i + 34).min(text.len())];
            hex.len() == 32 && hex.iter().all(u8::is_ascii_hexdigit)
        });
        assert!(!raw_token, "{file} holds a raw token");
    }

    // In a browser: nothing from the target runs, and the console stays quiet.
    let browser = Browser::start(false).await;
    let s = browser.session().await;
    s.goto(&file_url(&work.join("elsewhere/report.html")))
        .await
        .unwrap();
    let p = s.execute(PROBE, vec![]).await.unwrap();
    assert_eq!(p["pwned"], "undefined", "{p}");
    assert_eq!(p["scripts"], 1, "{p}");
    assert_eq!(p["handlers"], serde_json::json!([]), "{p}");
    assert_eq!(p["broken_images"], 0, "{p}");
    std::fs::write(
        work.join("hostile-report.png"),
        s.screenshot_png().await.unwrap(),
    )
    .unwrap();
    let console = browser.console().await;
    browser.shutdown().await;
    assert_eq!(console, Vec::<String>::new());
}
