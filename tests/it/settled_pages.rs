//! The settled-page signal in real Chromium: which documents count as inert (nothing in them can
//! change them once loaded, so the oracle answers after one look), and that everything that can run
//! or bring in content after the load keeps a document from counting as inert. A document wrongly
//! taken for inert would be answered "logged out" before a late render: a false PASS of a replay.

use axum::Router;
use axum::extract::Path;
use axum::response::Html;
use axum::routing::get;
use std::net::SocketAddr;
use usher::driver::{DriverConfig, Launcher, Look, Session};

use crate::support::turns;

/// Each page's body, and whether it must count as inert once loaded.
const PAGES: &[(&str, &str, bool)] = &[
    (
        "plain",
        r#"<h1 id="who">nobody</h1><form><input name="q"></form>"#,
        true,
    ),
    (
        "styled",
        r#"<style>h1{color:red}</style><h1 style="x">s</h1><a href="/p/plain">on</a>"#,
        true,
    ),
    ("script", r#"<h1>s</h1><script>var x = 1;</script>"#, false),
    (
        "script-renders-later",
        r#"<h1 id="who">…</h1><script>requestAnimationFrame(function () {
             document.getElementById("who").textContent = "alice"; });</script>"#,
        false,
    ),
    (
        "external-script",
        r#"<script src="/nothing.js"></script>"#,
        false,
    ),
    (
        "svg-script",
        r#"<svg><script>var x = 1;</script></svg>"#,
        false,
    ),
    (
        "handler",
        r#"<img src="/none.png" onerror="void 0">"#,
        false,
    ),
    ("body-handler", r#"<div ONCLICK="void 0">x</div>"#, false),
    ("iframe", r#"<iframe src="/p/plain"></iframe>"#, false),
    ("object", r#"<object data="/p/plain"></object>"#, false),
    (
        "meta-refresh",
        r#"<meta http-equiv="Refresh" content="30; url=/p/plain">"#,
        false,
    ),
    (
        "shadow-root",
        r#"<div><template shadowrootmode="open"><p>in</p></template></div>"#,
        false,
    ),
];

async fn serve() -> SocketAddr {
    let app = Router::new().route(
        "/p/{name}",
        get(|Path(name): Path<String>| async move {
            let body = PAGES
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or("", |(_, b, _)| b);
            Html(format!(
                "<!doctype html><html><head><title>{name}</title></head><body>{body}</body></html>"
            ))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn look(s: &dyn Session) -> Look {
    s.look(Some("#who"), None).await.expect("a look")
}

#[tokio::test(flavor = "multi_thread")]
async fn only_documents_nothing_can_change_count_as_inert() {
    let _turn = turns::shared();
    let addr = serve().await;
    let launcher = Launcher::start(DriverConfig::default())
        .await
        .expect("chromedriver starts");
    let s = launcher
        .new_session_in("settle", false, true)
        .await
        .expect("a session");
    for (name, _, inert) in PAGES {
        s.goto(&format!("http://{addr}/p/{name}")).await.unwrap();
        let settle = look(&*s).await.settle.expect("the page is watched");
        assert!(settle.complete, "{name}: loaded");
        assert_eq!(settle.inert, *inert, "{name}");
    }

    // Work the page's own script started keeps a document from counting as inert even after the
    // script element that started it is gone.
    s.goto(&format!("http://{addr}/p/plain")).await.unwrap();
    assert!(look(&*s).await.settle.unwrap().inert);
    s.execute(
        "setTimeout(function () {}, 5000); document.querySelectorAll('script').forEach(function (e) { e.remove(); });",
        vec![],
    )
    .await
    .unwrap();
    let settle = look(&*s).await.settle.unwrap();
    assert!(!settle.inert && settle.pending.len() == 1, "{settle:?}");

    // A step's own script may add content: every look judges the document anew.
    s.goto(&format!("http://{addr}/p/plain")).await.unwrap();
    s.execute(
        "var e = document.createElement('script'); e.textContent = '1'; document.body.appendChild(e);",
        vec![],
    )
    .await
    .unwrap();
    assert!(!look(&*s).await.settle.unwrap().inert);

    launcher.shutdown().await;
}
