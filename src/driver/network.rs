//! Turns Chrome DevTools `Network.*` events (read from chromedriver's performance log) into
//! [`NetEvent`]s.
//!
//! The plain `Network.requestWillBeSent` / `Network.responseReceived` events omit what the wire
//! carried (`Cookie`, `Set-Cookie`, ...); Chrome reports those in separate `*ExtraInfo` events that
//! may arrive before or after the plain one. [`NetLog`] pairs them up per request id and hop
//! (redirects reuse the request id, in order), holds an event back until its extra info is in
//! (or is known not to come), and emits in the order the plain events arrived. Redirect hops
//! become a `Response` (from `redirectResponse`, with that hop's raw `Set-Cookie` lines) followed
//! by the next `Request`.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;

use super::session::NetEvent;

/// One performance-log entry: `{"message": {"method", "params"}, "webview"}`.
#[derive(Debug, Clone)]
pub(crate) struct CdpEntry {
    pub method: String,
    pub params: Value,
    /// The target (tab) the event came from; its id equals the id of its main frame.
    pub webview: Option<String>,
}

impl CdpEntry {
    /// Parses the `message` string of one performance-log entry.
    pub(crate) fn parse(message: &str) -> Option<Self> {
        let v: Value = serde_json::from_str(message).ok()?;
        let inner = v.get("message")?;
        Some(Self {
            method: inner.get("method")?.as_str()?.to_string(),
            params: inner.get("params").cloned().unwrap_or(Value::Null),
            webview: v.get("webview").and_then(Value::as_str).map(String::from),
        })
    }
}

#[derive(Debug)]
struct Pending {
    entry: CdpEntry,
    /// For `requestWillBeSent` with a `redirectResponse`: the redirect hop was already emitted.
    redirect_done: bool,
}

/// Pairs plain and extra-info network events; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct NetLog {
    pending: VecDeque<Pending>,
    request_extra: ExtraInfo,
    response_extra: ExtraInfo,
    /// Requests that will never get a `requestWillBeSentExtraInfo` (cache, failure, non-network).
    no_request_extra: HashSet<String>,
}

fn request_id(params: &Value) -> String {
    params
        .get("requestId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Whether a URL is one the checks look at (not `chrome://`, `data:`, ...). Shared with the BiDi
/// capture, which must filter the same way.
pub(super) fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A request's method as both protocols write it (`request.method`), GET when absent.
pub(super) fn request_method(request: &Value) -> String {
    request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_string()
}

/// The extra-info events of one direction (requests or responses), queued per request id.
#[derive(Debug, Default)]
struct ExtraInfo {
    queues: HashMap<String, VecDeque<Value>>,
    /// Extra-info events still to come for hops we already emitted without them: skip these.
    skips: HashMap<String, usize>,
}

/// The hop at the front still waits for its extra info.
struct Wait;

impl ExtraInfo {
    fn push(&mut self, id: String, params: Value) {
        if let Some(n) = self.skips.get_mut(&id)
            && *n > 0
        {
            *n -= 1;
            return;
        }
        self.queues.entry(id).or_default().push_back(params);
    }

    fn take(&mut self, id: &str) -> Option<Value> {
        let queue = self.queues.get_mut(id)?;
        let v = queue.pop_front();
        if queue.is_empty() {
            self.queues.remove(id);
        }
        v
    }

    fn has(&self, id: &str) -> bool {
        self.queues.get(id).is_some_and(|q| !q.is_empty())
    }

    /// The extra info of the hop at the front: it `wants` some (it was promised), and the queue is
    /// read only when `take`. Waits while a promised one has not arrived, unless `force`d; a hop
    /// emitted without its promised extra info skips that one when it comes late, so it is not
    /// given to a later hop.
    fn claim(
        &mut self,
        id: &str,
        wants: bool,
        take: bool,
        force: bool,
    ) -> Result<Option<Value>, Wait> {
        if wants && !self.has(id) && !force {
            return Err(Wait);
        }
        let extra = if take { self.take(id) } else { None };
        if wants && extra.is_none() {
            *self.skips.entry(id.to_string()).or_default() += 1;
        }
        Ok(extra)
    }
}

/// Header object (`{"Name": "v1\nv2"}`) to lower-cased pairs, one per line.
fn header_pairs(headers: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(Value::Object(map)) = headers {
        for (name, value) in map {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            for line in value.split('\n') {
                out.push((name.to_ascii_lowercase(), line.to_string()));
            }
        }
    }
    out
}

/// Raw `headersText` (HTTP/1.x: status line, then `Name: value` lines) to lower-cased pairs.
fn header_text_pairs(text: &str) -> Vec<(String, String)> {
    text.split("\r\n")
        .skip(1)
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect()
}

fn response_headers(base: &Value, extra: Option<&Value>) -> Vec<(String, String)> {
    if let Some(extra) = extra {
        if let Some(text) = extra.get("headersText").and_then(Value::as_str)
            && !text.is_empty()
        {
            let pairs = header_text_pairs(text);
            if !pairs.is_empty() {
                return pairs;
            }
        }
        return header_pairs(extra.get("headers"));
    }
    header_pairs(base.get("headers"))
}

fn request_headers(base: &Value, extra: Option<&Value>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = extra
        .map(|e| header_pairs(e.get("headers")))
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| !n.starts_with(':'))
        .collect();
    for (name, value) in header_pairs(base.get("headers")) {
        if !headers.iter().any(|(n, _)| *n == name) {
            headers.push((name, value));
        }
    }
    headers
}

fn response_event(response: &Value, extra: Option<&Value>) -> Option<NetEvent> {
    let url = response.get("url").and_then(Value::as_str)?;
    if !is_web_url(url) {
        return None;
    }
    let status = response
        .get("status")
        .and_then(Value::as_u64)
        .or_else(|| {
            extra
                .and_then(|e| e.get("statusCode"))
                .and_then(Value::as_u64)
        })
        .unwrap_or(0);
    Some(NetEvent::Response {
        url: url.to_string(),
        status: u16::try_from(status).unwrap_or(0),
        headers: response_headers(response, extra),
    })
}

impl NetLog {
    /// Takes in one DevTools event; anything but the network events we use is ignored.
    pub(crate) fn ingest(&mut self, entry: CdpEntry) {
        let id = request_id(&entry.params);
        match entry.method.as_str() {
            "Network.requestWillBeSent" | "Network.responseReceived" => {
                self.pending.push_back(Pending {
                    entry,
                    redirect_done: false,
                })
            }
            "Network.requestWillBeSentExtraInfo" => self.request_extra.push(id, entry.params),
            "Network.responseReceivedExtraInfo" => self.response_extra.push(id, entry.params),
            "Network.requestServedFromCache" | "Network.loadingFailed" => {
                self.no_request_extra.insert(id);
            }
            _ => {}
        }
    }

    /// Whether some plain event is still waiting for its extra info.
    pub(crate) fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Emits every event that is complete, in arrival order, stopping at the first that still
    /// waits for extra info. With `force`, emits everything, with what is known.
    pub(crate) fn take_ready(&mut self, force: bool) -> Vec<NetEvent> {
        let mut out = Vec::new();
        while let Some(front) = self.pending.front_mut() {
            let params = &front.entry.params;
            let id = request_id(params);
            if front.entry.method == "Network.responseReceived" {
                let wants = params
                    .get("hasExtraInfo")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let Ok(extra) = self.response_extra.claim(&id, wants, wants, force) else {
                    break;
                };
                if let Some(response) = params.get("response")
                    && let Some(ev) = response_event(response, extra.as_ref())
                {
                    out.push(ev);
                }
                // A response without extra info means the request itself had none either.
                if !wants {
                    self.no_request_extra.insert(id);
                }
                self.pending.pop_front();
                continue;
            }

            // Network.requestWillBeSent: first the redirect hop it reports, then the new request.
            if !front.redirect_done
                && let Some(redirect) = params.get("redirectResponse")
            {
                let wants = params
                    .get("redirectHasExtraInfo")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let Ok(extra) = self.response_extra.claim(&id, wants, wants, force) else {
                    break;
                };
                if let Some(ev) = response_event(redirect, extra.as_ref()) {
                    out.push(ev);
                }
                front.redirect_done = true;
            }
            let params = &front.entry.params;
            let request = params.get("request").cloned().unwrap_or(Value::Null);
            let url = request
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let web = is_web_url(&url);
            let wants = web && !self.no_request_extra.contains(&id);
            let Ok(extra) = self.request_extra.claim(&id, wants, web, force) else {
                break;
            };
            if web {
                let is_document = params.get("type").and_then(Value::as_str) == Some("Document");
                let frame = params.get("frameId").and_then(Value::as_str);
                let main_frame = match (&front.entry.webview, frame) {
                    (Some(webview), Some(frame)) => webview == frame,
                    _ => params.get("loaderId").and_then(Value::as_str) == Some(id.as_str()),
                };
                out.push(NetEvent::Request {
                    url,
                    method: request_method(&request),
                    headers: request_headers(&request, extra.as_ref()),
                    is_navigation: is_document && main_frame,
                });
            }
            self.pending.pop_front();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(method: &str, params: Value) -> CdpEntry {
        CdpEntry {
            method: method.into(),
            params,
            webview: Some("TAB".into()),
        }
    }

    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn parses_a_log_message() {
        let e = CdpEntry::parse(r#"{"message":{"method":"Network.loadingFinished","params":{"requestId":"1"}},"webview":"W"}"#).unwrap();
        assert_eq!(e.method, "Network.loadingFinished");
        assert_eq!(e.webview.as_deref(), Some("W"));
        assert!(CdpEntry::parse("not json").is_none());
    }

    #[test]
    fn redirect_hops_pair_with_their_extra_info_and_wait_for_late_extras() {
        let mut log = NetLog::default();
        log.ingest(entry("Network.requestWillBeSent", json!({
            "requestId": "R", "loaderId": "R", "frameId": "TAB", "type": "Document",
            "request": {"url": "http://a/login", "method": "POST", "headers": {"Referer": "http://a/"}}
        })));
        log.ingest(entry(
            "Network.requestWillBeSentExtraInfo",
            json!({
                "requestId": "R", "headers": {"Cookie": "sid=old", "Referer": "http://a/"}
            }),
        ));
        log.ingest(entry(
            "Network.responseReceivedExtraInfo",
            json!({
                "requestId": "R", "statusCode": 302,
                "headers": {"Set-Cookie": "sid=new; HttpOnly\nx=1", "Location": "/home"}
            }),
        ));
        log.ingest(entry("Network.requestWillBeSent", json!({
            "requestId": "R", "loaderId": "R", "frameId": "TAB", "type": "Document", "redirectHasExtraInfo": true,
            "redirectResponse": {"url": "http://a/login", "status": 302, "headers": {"Location": "/home"}},
            "request": {"url": "http://a/home", "method": "GET", "headers": {}}
        })));
        // The second hop's request extra info has not arrived yet: hold it back.
        let first = log.take_ready(false);
        assert_eq!(first.len(), 2, "{first:?}");
        match &first[0] {
            NetEvent::Request {
                url,
                method,
                headers,
                is_navigation,
            } => {
                assert_eq!(
                    (url.as_str(), method.as_str(), *is_navigation),
                    ("http://a/login", "POST", true)
                );
                assert_eq!(header(headers, "cookie"), ["sid=old"]);
                assert_eq!(header(headers, "referer"), ["http://a/"]);
            }
            other => panic!("{other:?}"),
        }
        match &first[1] {
            NetEvent::Response {
                url,
                status,
                headers,
            } => {
                assert_eq!((url.as_str(), *status), ("http://a/login", 302));
                assert_eq!(header(headers, "set-cookie"), ["sid=new; HttpOnly", "x=1"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(log.has_pending());
        log.ingest(entry(
            "Network.requestWillBeSentExtraInfo",
            json!({
                "requestId": "R", "headers": {"Cookie": "sid=new; x=1"}
            }),
        ));
        log.ingest(entry("Network.responseReceived", json!({
            "requestId": "R", "hasExtraInfo": false,
            "response": {"url": "http://a/home", "status": 200, "headers": {"Content-Type": "text/html"}}
        })));
        let second = log.take_ready(false);
        assert_eq!(second.len(), 2, "{second:?}");
        assert!(
            matches!(&second[0], NetEvent::Request { headers, .. } if header(headers, "cookie") == ["sid=new; x=1"])
        );
        assert!(matches!(&second[1], NetEvent::Response { status: 200, .. }));
        assert!(!log.has_pending());
    }

    #[test]
    fn forced_emission_skips_the_late_extra_and_filters_non_web_urls() {
        let mut log = NetLog::default();
        log.ingest(entry(
            "Network.requestWillBeSent",
            json!({
                "requestId": "N", "type": "Document", "frameId": "TAB", "loaderId": "N",
                "request": {"url": "chrome://new-tab-page/", "method": "GET", "headers": {}}
            }),
        ));
        log.ingest(entry("Network.requestWillBeSent", json!({
            "requestId": "I", "type": "Image", "frameId": "TAB", "loaderId": "N",
            "request": {"url": "http://b/pixel.png", "method": "GET", "headers": {"Referer": "http://a/page?x=1"}}
        })));
        assert!(log.take_ready(false).is_empty());
        let forced = log.take_ready(true);
        assert_eq!(forced.len(), 1);
        assert!(
            matches!(&forced[0], NetEvent::Request { is_navigation: false, headers, .. } if header(headers, "referer") == ["http://a/page?x=1"])
        );
        // The late extra info for the hop already emitted is dropped, not given to a later hop.
        log.ingest(entry(
            "Network.requestWillBeSentExtraInfo",
            json!({"requestId": "I", "headers": {"A": "1"}}),
        ));
        assert!(!log.request_extra.has("I"));
    }

    #[test]
    fn raw_header_text_wins() {
        let extra = json!({"headers": {"Set-Cookie": "a=1"}, "headersText": "HTTP/1.1 200 OK\r\nSet-Cookie: a=1; SameSite=Strict\r\nSet-Cookie: b=2\r\n\r\n"});
        let h = response_headers(&json!({}), Some(&extra));
        assert_eq!(header(&h, "set-cookie"), ["a=1; SameSite=Strict", "b=2"]);
    }
}
