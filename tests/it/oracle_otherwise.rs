//! The oracle's `otherwise` (what only logged-out visitors get) in real Chromium: it shortens the
//! answer "logged out" on a page that has loaded with nothing pending, and never stands for "logged
//! out" while the page still fetches: a page that shows a login button while it asks the server who
//! is logged in, then renders the account, is answered "logged in". Trusting the sign there would
//! answer "logged out" for a live session, a false PASS of every replay check.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::support::usher::{Run, UsherCommand, evidence, quiet_usher};

/// `/late`: the login button at once, the account once `/me` answers (after 700 ms). `/out`: the
/// login button, and a script (so the page is not inert and the quiet window would apply).
async fn serve() -> SocketAddr {
    let app = Router::new()
        .route(
            "/late",
            get(|| async {
                Html(
                    r#"<!doctype html><html><body><button id="login-submit">Log in</button>
<script>
fetch("/me").then(function (r) { return r.text(); }).then(function (who) {
  document.getElementById("login-submit").remove();
  var p = document.createElement("p");
  p.id = "account-email";
  p.textContent = who;
  document.body.appendChild(p);
});
</script></body></html>"#,
                )
            }),
        )
        .route(
            "/me",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(700)).await;
                "alice@example.test"
            }),
        )
        .route(
            "/out",
            get(|| async {
                Html(
                    r#"<!doctype html><html><body><button id="login-submit">Log in</button>
<script>window.loaded = true;</script></body></html>"#,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A profile whose oracle opens `page` and names the login button as its `otherwise`, and one
/// scenario that asks it `check`.
fn suite(dir: &Path, page: &str, check: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("app.yaml"),
        format!(
            r##"app: sign
token: {{ cookie: sid }}
personas:
  victim:
    username: alice@example.test
    password: ${{SIGN_PASSWORD}}
flows:
  login:
    - open: /out
  logged_in:
    - open: {page}
    - see: {{ element: "#account-email", otherwise: "#login-submit" }}
"##
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("ask.yaml"),
        format!("scenario: ask\npersonas: [victim]\nsteps:\n  - check: {check}\n"),
    )
    .unwrap();
}

fn run(dir: &Path, target: &str) -> Run {
    let reports = dir.join("reports");
    let out = quiet_usher()
        .args(["run"])
        .arg(dir)
        .args(["--target", target, "--secret", "SIGN_PASSWORD=unused"])
        .arg("--report-dir")
        .arg(&reports)
        .run();
    Run::of(out, &reports)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sign_of_a_logged_out_page_is_not_trusted_while_the_page_fetches() {
    let addr = serve().await;
    let target = format!("http://{addr}");
    let tmp = tempfile::tempdir().unwrap();

    for (page, check, answer) in [
        // The account arrives 700 ms after the login button: still logged in.
        ("/late", "logged_in", "saw element `#account-email`"),
        // Nothing pending: "logged out" on the sign, and the answer says so.
        (
            "/out",
            "logged_out",
            "did not see element `#account-email`; saw `#login-submit`, what only logged-out visitors get",
        ),
    ] {
        let dir = tmp.path().join(&page[1..]);
        suite(&dir, page, check);
        let r = run(&dir, &target);
        assert_eq!(r.code, 0, "{page}: {}", r.show());
        let oracle = evidence(r.check("ask", check), "oracle");
        assert_eq!(oracle, answer, "{page}: {}", r.show());
    }
}
