//! thirtyfour sets the W3C timeouts (`script`, `pageLoad`, `implicit`) right after creating a
//! session and fails the session when that is refused. Appium's native drivers (the fake driver,
//! and any driver that keeps Appium's base implementation) have no page and answer a `script` or
//! `pageLoad` timeout with "not implemented", so no native session could start, and the one Appium
//! had created would be left behind. This HTTP client retries such a refused Set Timeouts with the
//! implicit wait alone, which every driver takes and which is the one usher relies on (0: looking
//! for an element must not wait).

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::Value;
use thirtyfour::prelude::WebDriverResult;
use thirtyfour::session::http::{Body, HttpClient};

/// A reqwest client that lets native Appium sessions refuse script and page-load timeouts.
#[derive(Debug, Clone)]
pub(crate) struct NativeTimeouts(pub(crate) reqwest::Client);

fn is_set_timeouts(method: &Method, path: &str) -> bool {
    method == Method::POST && path.trim_end_matches('/').ends_with("/timeouts")
}

/// Refused because the driver does not implement that kind of timeout (not because it is broken).
fn not_implemented(status: u16, body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    matches!(status, 404 | 405 | 500)
        && (text.contains("unknown method")
            || text.contains("not implemented")
            || text.contains("unsupported operation"))
}

/// The same timeouts without `script` and `pageLoad`; `None` when nothing would be left out.
fn implicit_only(body: &Value) -> Option<Value> {
    let map = body.as_object()?;
    if !map.contains_key("script") && !map.contains_key("pageLoad") {
        return None;
    }
    let implicit = map.get("implicit")?.clone();
    Some(serde_json::json!({ "implicit": implicit }))
}

#[async_trait::async_trait]
impl HttpClient for NativeTimeouts {
    async fn send(&self, request: Request<Body<'_>>) -> WebDriverResult<Response<Bytes>> {
        let retry = match request.body() {
            Body::Json(v) if is_set_timeouts(request.method(), request.uri().path()) => {
                implicit_only(v)
                    .map(|body| (request.uri().clone(), request.headers().clone(), body))
            }
            _ => None,
        };
        let response = self.0.send(request).await?;
        let Some((uri, headers, body)) = retry else {
            return Ok(response);
        };
        if !not_implemented(response.status().as_u16(), response.body()) {
            return Ok(response);
        }
        let mut again = Request::builder().method(Method::POST).uri(uri);
        if let Some(h) = again.headers_mut() {
            *h = headers;
        }
        match again.body(Body::Json(&body)) {
            Ok(req) => self.0.send(req).await,
            Err(_) => Ok(response),
        }
    }

    async fn new(&self) -> Arc<dyn HttpClient> {
        Arc::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_refused_script_or_page_load_timeouts_are_retried() {
        assert!(is_set_timeouts(&Method::POST, "/session/abc/timeouts"));
        assert!(!is_set_timeouts(&Method::GET, "/session/abc/timeouts"));
        assert!(!is_set_timeouts(&Method::POST, "/session/abc/url"));
        assert!(not_implemented(
            405,
            br#"{"value":{"error":"unknown method","message":"Not implemented yet for script."}}"#
        ));
        assert!(!not_implemented(
            404,
            br#"{"value":{"error":"invalid session id"}}"#
        ));
        assert_eq!(
            implicit_only(&json!({"script": 60000, "pageLoad": 60000, "implicit": 0})),
            Some(json!({"implicit": 0}))
        );
        assert_eq!(implicit_only(&json!({"implicit": 0})), None);
    }
}
