//! usher's own origin for `no_token_in_referer`: many apps load nothing from another origin, so
//! waiting for a third party to receive a Referer judges nothing. Instead the check serves a loopback
//! origin (127.0.0.1, a free port, for the check's duration) and, on each authenticated page, loads an
//! image from it and follows a link to it. What the browser sends there is what it would send any
//! third party under the page's Referrer-Policy, and it is recorded as it ARRIVES, not as reported.

use super::loopback_origin::LoopbackOrigin;
use crate::driver::Session;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERER, REFERRER_POLICY};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Every probe URL starts with this path, so the check can tell its own requests from the app's.
pub const PROBE_PATH: &str = "/usher-referer-probe/";

/// How long the image and the link each get to reach the origin.
const ARRIVAL: Duration = Duration::from_secs(4);

/// Adds an image from the probe URL to the page; says the page's URL and its `<meta>` referrer policy.
const ADD_IMAGE: &str = r#"
const img = document.createElement('img');
img.src = arguments[0];
img.alt = '';
(document.body || document.documentElement).appendChild(img);
const meta = document.querySelector('meta[name="referrer" i]');
return { url: location.href, meta: meta ? meta.getAttribute('content') : null };
"#;

/// Adds a link to the probe URL to the page and follows it.
const FOLLOW_LINK: &str = r#"
const a = document.createElement('a');
a.href = arguments[0];
a.textContent = 'usher Referer probe';
(document.body || document.documentElement).appendChild(a);
a.click();
return true;
"#;

/// A 1×1 transparent GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// One request that arrived: which probe, and its Referer as received (None: none was sent).
#[derive(Debug, Clone)]
struct Arrival {
    path: String,
    referer: Option<String>,
}

type Arrivals = Arc<Mutex<Vec<Arrival>>>;

/// The running origin; it stops when dropped.
pub struct ProbeOrigin {
    arrivals: Arrivals,
    server: LoopbackOrigin,
}

/// What one authenticated page sent to the probe origin.
#[derive(Debug, Clone)]
pub struct Provoked {
    /// The page's URL as the browser had it.
    pub page: String,
    /// `<meta name="referrer">` of the page, if it has one.
    pub meta_policy: Option<String>,
    /// The image's Referer: None if the image never arrived, Some(None) if it arrived without one.
    pub image: Option<Option<String>>,
    /// The followed link's Referer, likewise.
    pub link: Option<Option<String>>,
    /// Why the page could not be provoked, if it could not.
    pub problem: Option<String>,
}

impl Provoked {
    pub fn arrived(&self) -> bool {
        self.image.is_some() || self.link.is_some()
    }

    /// The Referers that arrived, with what carried them.
    pub fn referers(&self) -> Vec<(&'static str, Option<&str>)> {
        let mut out = Vec::new();
        if let Some(r) = &self.image {
            out.push(("image", r.as_deref()));
        }
        if let Some(r) = &self.link {
            out.push(("link", r.as_deref()));
        }
        out
    }
}

fn locked(a: &Arrivals) -> std::sync::MutexGuard<'_, Vec<Arrival>> {
    a.lock().unwrap_or_else(|p| p.into_inner())
}

async fn record(State(arrivals): State<Arrivals>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let referer = req
        .headers()
        .get(REFERER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let image = path.contains("/img/");
    locked(&arrivals).push(Arrival { path, referer });
    let common = [
        (CACHE_CONTROL, "no-store"),
        (REFERRER_POLICY, "no-referrer"),
    ];
    if image {
        (common, [(CONTENT_TYPE, "image/gif")], PIXEL).into_response()
    } else {
        (
            common,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><title>usher Referer probe</title><p>usher: Referer probe",
        )
            .into_response()
    }
}

impl ProbeOrigin {
    pub async fn start() -> std::io::Result<ProbeOrigin> {
        let arrivals = Arrivals::default();
        let app = Router::new().fallback(record).with_state(arrivals.clone());
        Ok(ProbeOrigin {
            arrivals,
            server: LoopbackOrigin::start(app).await?,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> &str {
        &self.server.origin
    }

    /// Stops accepting and waits briefly for open connections to close.
    pub async fn stop(self) {
        self.server.stop().await;
    }

    fn url(&self, kind: &str, n: usize) -> String {
        format!("{}{PROBE_PATH}{kind}/{n}", self.origin())
    }

    /// Runs `script` on the page with the `kind` probe URL of page `n` as its argument.
    async fn run_script(
        &self,
        session: &dyn Session,
        script: &str,
        kind: &str,
        n: usize,
    ) -> crate::driver::DriverResult<serde_json::Value> {
        session
            .execute(script, vec![self.url(kind, n).into()])
            .await
    }

    async fn wait_for(&self, kind: &str, n: usize) -> Option<Option<String>> {
        let path = format!("{PROBE_PATH}{kind}/{n}");
        let deadline = Instant::now() + ARRIVAL;
        loop {
            if let Some(a) = locked(&self.arrivals).iter().find(|a| a.path == path) {
                return Some(a.referer.clone());
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// On the page the browser shows (after opening `open`, if given): loads an image from the probe
    /// origin, then follows a link to it. The browser ends on the probe's page.
    pub async fn provoke(
        &self,
        session: &dyn Session,
        open: Option<&str>,
        n: usize,
        limit: Duration,
    ) -> Provoked {
        let mut out = Provoked {
            page: open.unwrap_or_default().to_string(),
            meta_policy: None,
            image: None,
            link: None,
            problem: None,
        };
        if let Some(url) = open {
            match tokio::time::timeout(limit, session.goto(url)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    out.problem = Some(format!("could not open it: {e}"));
                    return out;
                }
                Err(_) => {
                    out.problem = Some("it did not load".into());
                    return out;
                }
            }
        }
        // The image is added to the page as a third party's pixel would be: no referrerpolicy of its
        // own, so the page's policy (header or <meta>) decides its Referer.
        let injected = self.run_script(session, ADD_IMAGE, "img", n).await;
        match injected {
            Ok(v) => {
                if let Some(u) = v.get("url").and_then(|u| u.as_str()) {
                    out.page = u.to_string();
                }
                out.meta_policy = v.get("meta").and_then(|m| m.as_str()).map(str::to_string);
            }
            Err(e) => {
                out.problem = Some(format!("could not add an image to it: {e}"));
                return out;
            }
        }
        out.image = self.wait_for("img", n).await;
        // A link followed by the user's click would carry the same Referer; a script's click is the
        // same navigation without the mouse.
        let clicked = self.run_script(session, FOLLOW_LINK, "link", n).await;
        if let Err(e) = clicked {
            out.problem = Some(format!("could not follow a link from it: {e}"));
        }
        out.link = self.wait_for("link", n).await;
        if !out.arrived() && out.problem.is_none() {
            out.problem = Some(format!(
                "neither the image nor the link reached {} within {}s",
                self.origin(),
                ARRIVAL.as_secs()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_what_arrives_and_stops() {
        let probe = ProbeOrigin::start().await.unwrap();
        assert!(probe.origin().starts_with("http://127.0.0.1:"));
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let r = client
            .get(probe.url("img", 3))
            .header("referer", "http://app.test/account")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/gif");
        client.get(probe.url("link", 3)).send().await.unwrap();
        assert_eq!(
            probe.wait_for("img", 3).await,
            Some(Some("http://app.test/account".into()))
        );
        assert_eq!(probe.wait_for("link", 3).await, Some(None));
        let origin = probe.origin().to_string();
        probe.stop().await;
        let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
        assert!(fresh.get(format!("{origin}/x")).send().await.is_err());
    }
}
