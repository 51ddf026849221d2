//! A WebDriver endpoint (Selenium Grid, Appium, a chromedriver): does `GET <url>/status` say ready?

use std::time::Duration;

use url::Url;

use super::finding::Finding;
use super::probe::excerpt;

const STATUS_LIMIT: Duration = Duration::from_secs(5);
/// A status document is a few hundred bytes; anything far larger is not one.
const MAX_BODY: usize = 256 * 1024;

/// The endpoint as `usher run --webdriver-url` would use it (with the trailing `/` Grid needs).
pub(super) fn parse(url: &str) -> Result<Url, String> {
    let mut text = url.trim().to_string();
    if !text.ends_with('/') {
        text.push('/');
    }
    let parsed =
        Url::parse(&text).map_err(|e| format!("--webdriver-url `{url}` is not a URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(format!(
            "--webdriver-url `{}` must be http:// or https://, not {other}://",
            shown(&parsed)
        )),
    }
}

/// The URL without credentials (cloud grids put an access key in the user-info part).
pub(super) fn shown(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("***");
        let _ = url.set_password(None);
    }
    url.to_string()
}

pub(super) async fn check(base: &Url) -> Finding {
    let name = "webdriver-url";
    let shown = shown(base);
    let Ok(status_url) = base.join("status") else {
        return Finding::warn(name, format!("{shown}: cannot form its /status URL")).blocking();
    };
    let loopback = match base.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    let builder = reqwest::Client::builder().timeout(STATUS_LIMIT);
    // A proxy from the environment must not stand between us and a local endpoint.
    let builder = if loopback {
        builder.no_proxy()
    } else {
        builder
    };
    let client = builder.build().unwrap_or_default();
    let no_answer = |why: String| {
        Finding::missing(name, format!("{shown}status: no answer: {why}"))
            .fix("start the Grid or Appium server, or correct the URL")
            .blocking()
    };
    let response = match client.get(status_url).send().await {
        Ok(r) => r,
        Err(e) => return no_answer(cause(e)),
    };
    let code = response.status();
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return no_answer(cause(e)),
    };
    let status: Option<serde_json::Value> = (body.len() <= MAX_BODY)
        .then(|| serde_json::from_slice(&body).ok())
        .flatten();
    let value = status.as_ref().and_then(|s| s.get("value"));
    let ready = value.and_then(|v| v.get("ready")).and_then(|r| r.as_bool());
    let message = value
        .and_then(|v| v.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| excerpt(m, 160))
        .unwrap_or_default();
    match ready {
        Some(true) => Finding::ok(name, format!("{shown}  ready: {message}")),
        Some(false) => Finding::warn(name, format!("{shown}  not ready: {message}"))
            .fix("wait until the Grid's nodes have registered (or the server has started), then retry")
            .blocking(),
        None => Finding::warn(
            name,
            format!("{shown}status answered HTTP {code} without a W3C status (value.ready)"),
        )
        .fix("point --webdriver-url at the WebDriver root (Grid: http://host:4444/, Appium: http://host:4723/)")
        .blocking(),
    }
}

/// What went wrong, innermost cause first ("Connection refused"), without the URL (credentials).
fn cause(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("nothing within {}s", STATUS_LIMIT.as_secs());
    }
    let e = e.without_url();
    let mut innermost: &dyn std::error::Error = &e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    excerpt(&innermost.to_string(), 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_not_shown() {
        let url = parse("https://alice:s3cret-key@grid.example.com/wd/hub").unwrap();
        let text = shown(&url);
        assert_eq!(text, "https://***@grid.example.com/wd/hub/");
        assert!(!text.contains("s3cret") && !text.contains("alice"));
    }

    #[test]
    fn only_http_urls() {
        assert!(parse("http://127.0.0.1:4444").is_ok());
        assert!(parse("ftp://127.0.0.1:4444").is_err());
        assert!(parse("not a url").is_err());
    }
}
