//! Network capture over WebDriver BiDi (Firefox has no performance log): `network.beforeRequestSent`
//! and `network.responseCompleted` turned into [`NetEvent`]s, in the order the browser sent them.
//!
//! A task reads the session's BiDi socket from the moment the session is handed out. `drain` waits
//! (boundedly) for requests that have started but not finished, so a response whose headers are
//! still on their way is not silently missed, then hands over what arrived.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};
use thirtyfour::WebDriver;
use thirtyfour::bidi::BiDi;

use super::network::{is_web_url, request_method};
use super::session::{DriverError, DriverResult, NetEvent};

const EVENTS: [&str; 3] = [
    "network.beforeRequestSent",
    "network.responseCompleted",
    "network.fetchError",
];

#[derive(Debug, Default)]
struct Captured {
    events: VecDeque<NetEvent>,
    /// Request ids (with their redirect count) seen leaving but not yet answered or failed.
    open: HashSet<(String, u64)>,
    /// The socket closed: nothing more will arrive.
    ended: bool,
}

/// One session's BiDi network capture.
#[derive(Debug)]
pub(crate) struct BidiNetwork {
    bidi: BiDi,
    captured: Arc<Mutex<Captured>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for BidiNetwork {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn lock(m: &Mutex<Captured>) -> std::sync::MutexGuard<'_, Captured> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BidiNetwork {
    /// Connects to the session's BiDi socket (`webSocketUrl: true` must have been requested) and
    /// subscribes to network events.
    pub(crate) async fn start(driver: &WebDriver, limit: Duration) -> DriverResult<Self> {
        let fail = |what: &str, e: String| {
            DriverError::Session(format!("network capture over WebDriver BiDi: {what}: {e}"))
        };
        let bidi = tokio::time::timeout(limit, driver.bidi())
            .await
            .map_err(|_| fail("connecting", format!("no answer after {limit:?}")))?
            .map_err(|e| fail("connecting", e.to_string()))?;
        // Listen before subscribing, so not even the first event can slip past.
        let mut stream = bidi.subscribe_raw();
        let captured = Arc::new(Mutex::new(Captured::default()));
        let sink = captured.clone();
        let reader = tokio::spawn(async move {
            while let Some(event) = stream.next().await {
                ingest(&mut lock(&sink), &event.method, &event.params);
            }
            lock(&sink).ended = true;
        });
        let subscribed = tokio::time::timeout(
            limit,
            bidi.send_raw("session.subscribe", json!({ "events": EVENTS })),
        )
        .await;
        match subscribed {
            Ok(Ok(_)) => Ok(Self {
                bidi,
                captured,
                reader,
            }),
            Ok(Err(e)) => Err(fail("subscribing to network events", e.to_string())),
            Err(_) => Err(fail("subscribing", format!("no answer after {limit:?}"))),
        }
    }

    /// Everything captured since the last call; waits up to `settle` for started requests to end.
    pub(crate) async fn drain(&self, settle: Duration) -> Vec<NetEvent> {
        let start = Instant::now();
        loop {
            {
                let mut c = lock(&self.captured);
                if c.open.is_empty() || c.ended || start.elapsed() >= settle {
                    // A request that never ended (a long poll, a stalled fetch) must not block
                    // the next drain too.
                    c.open.clear();
                    return c.events.drain(..).collect();
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Drops what was captured so far (the start page before the session is handed out).
    pub(crate) fn discard(&self) {
        let mut c = lock(&self.captured);
        c.events.clear();
        c.open.clear();
    }

    /// Sends one BiDi command, bounded by `limit`.
    pub(crate) async fn command(
        &self,
        method: &str,
        params: Value,
        limit: Duration,
    ) -> DriverResult<Value> {
        match tokio::time::timeout(limit, self.bidi.send_raw(method, params)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(DriverError::Session(format!("BiDi `{method}`: {e}"))),
            Err(_) => Err(DriverError::Timeout(limit, format!("BiDi `{method}`"))),
        }
    }
}

/// `[{name, value: {type: "string", value}}]` → lower-cased `(name, value)` pairs. Binary values
/// (`type: "base64"`) are kept as their base64 text: still comparable, never decoded into garbage.
fn headers(list: Option<&Value>) -> Vec<(String, String)> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|h| {
                    let name = h.get("name")?.as_str()?.to_ascii_lowercase();
                    let value = h.get("value")?.get("value")?.as_str()?.to_string();
                    Some((name, value))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn request_key(params: &Value) -> Option<(String, u64)> {
    let id = params.get("request")?.get("request")?.as_str()?.to_string();
    let hop = params
        .get("redirectCount")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Some((id, hop))
}

fn ingest(c: &mut Captured, method: &str, params: &Value) {
    let Some(request) = params.get("request") else {
        return;
    };
    let url = request
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !is_web_url(&url) {
        return;
    }
    let key = request_key(params);
    match method {
        "network.beforeRequestSent" => {
            let mut hs = headers(request.get("headers"));
            // Firefox lists cookies beside the headers; the checks read them as the wire's header.
            if !hs.iter().any(|(n, _)| n == "cookie") {
                let cookies: Vec<String> = request
                    .get("cookies")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| {
                                let name = c.get("name")?.as_str()?;
                                let value = c.get("value")?.get("value")?.as_str()?;
                                Some(format!("{name}={value}"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if !cookies.is_empty() {
                    hs.push(("cookie".into(), cookies.join("; ")));
                }
            }
            // Top-level documents only: a frame's navigation is not the persona's history.
            let is_navigation = params.get("navigation").is_some_and(|n| !n.is_null())
                && request
                    .get("destination")
                    .and_then(Value::as_str)
                    .is_none_or(|d| d == "document");
            if let Some(k) = key {
                c.open.insert(k);
            }
            c.events.push_back(NetEvent::Request {
                url,
                method: request_method(request),
                headers: hs,
                is_navigation,
            });
        }
        "network.responseCompleted" => {
            if let Some(k) = key {
                c.open.remove(&k);
            }
            let response = params.get("response").unwrap_or(&Value::Null);
            let status = response
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(0);
            c.events.push_back(NetEvent::Response {
                url,
                status,
                headers: headers(response.get("headers")),
            });
        }
        "network.fetchError" => {
            if let Some(k) = key {
                c.open.remove(&k);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> Value {
        json!({"name": name, "value": {"type": "string", "value": value}})
    }

    #[test]
    fn requests_and_responses_become_net_events() {
        let mut c = Captured::default();
        ingest(
            &mut c,
            "network.beforeRequestSent",
            &json!({
                "navigation": "nav-1", "redirectCount": 0,
                "request": {"request": "7", "url": "http://a.localhost/x", "method": "GET",
                            "destination": "document",
                            "headers": [h("Referer", "http://b.localhost/?t=1")],
                            "cookies": [{"name": "sid", "value": {"type": "string", "value": "v"}}]}
            }),
        );
        assert_eq!(c.open.len(), 1);
        ingest(
            &mut c,
            "network.responseCompleted",
            &json!({
                "redirectCount": 0,
                "request": {"request": "7", "url": "http://a.localhost/x"},
                "response": {"status": 302, "headers": [h("Set-Cookie", "sid=v; HttpOnly"), h("Set-Cookie", "b=2")]}
            }),
        );
        assert!(c.open.is_empty());
        let events: Vec<NetEvent> = c.events.drain(..).collect();
        assert_eq!(
            events[0],
            NetEvent::Request {
                url: "http://a.localhost/x".into(),
                method: "GET".into(),
                headers: vec![
                    ("referer".into(), "http://b.localhost/?t=1".into()),
                    ("cookie".into(), "sid=v".into())
                ],
                is_navigation: true,
            }
        );
        assert_eq!(
            events[1],
            NetEvent::Response {
                url: "http://a.localhost/x".into(),
                status: 302,
                headers: vec![
                    ("set-cookie".into(), "sid=v; HttpOnly".into()),
                    ("set-cookie".into(), "b=2".into())
                ],
            }
        );
    }

    #[test]
    fn frames_subresources_and_non_web_urls() {
        let mut c = Captured::default();
        let req = |dest: &str, nav: Value, url: &str| {
            json!({"navigation": nav, "request": {"request": "1", "url": url, "method": "GET",
                   "destination": dest, "headers": []}})
        };
        ingest(
            &mut c,
            "network.beforeRequestSent",
            &req("iframe", json!("n"), "http://a.localhost/f"),
        );
        ingest(
            &mut c,
            "network.beforeRequestSent",
            &req("script", Value::Null, "http://a.localhost/s.js"),
        );
        ingest(
            &mut c,
            "network.beforeRequestSent",
            &req("document", json!("n"), "data:text/html,x"),
        );
        let navs: Vec<bool> = c
            .events
            .iter()
            .map(|e| {
                matches!(
                    e,
                    NetEvent::Request {
                        is_navigation: true,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(navs, vec![false, false]);
        ingest(
            &mut c,
            "network.fetchError",
            &json!({"request": {"request": "1", "url": "http://a.localhost/f"}}),
        );
        assert!(c.open.is_empty());
    }
}
