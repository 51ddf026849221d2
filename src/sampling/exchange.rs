//! One browser-like HTTP exchange: a request, then its redirects, with cookies kept in an RFC 6265
//! jar at every hop, the headers a browser sends with a form (User-Agent, Referer, Origin), and the
//! browser's rule that `localhost` names are secure contexts. Shared by `login_http` (one replayed
//! login) and the token sampler (thousands of them).

use cookie_store::CookieStore;
use std::time::Duration;
use url::Url;

/// Redirects followed per request, as browsers bound them (Chromium: 20).
pub const MAX_REDIRECTS: usize = 20;

/// Why an exchange did not land. Messages name paths only: a redirect may carry a token in its query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Redirects(String),
}

/// The URL cookie scoping is judged against. Browsers treat `http://localhost` and `*.localhost` as
/// secure contexts and send `Secure` cookies there; cookie_store knows only `localhost` itself, so
/// such URLs are looked at as `https` (scheme plays no other part in cookie matching).
pub fn cookie_url(url: &Url) -> Url {
    let trustworthy = url
        .host_str()
        .is_some_and(|h| h == "localhost" || h.ends_with(".localhost"));
    let mut u = url.clone();
    if url.scheme() == "http" && trustworthy {
        let _ = u.set_scheme("https");
    }
    u
}

/// One browser-like exchange: the request, then its redirects, cookies kept in `jar` at every hop.
pub struct Exchange<'a> {
    pub client: &'a reqwest::Client,
    pub jar: &'a mut CookieStore,
    pub ua: &'a str,
    pub limit: Duration,
    /// Stop at a redirect to another origin instead of following it (the sampler sends nothing
    /// beyond the app).
    pub same_origin: bool,
}

/// The end of an exchange: where it landed, its status, headers and body.
pub struct Landed {
    pub url: Url,
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Landed {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Exchange<'_> {
    pub async fn send(
        &mut self,
        mut method: reqwest::Method,
        mut url: Url,
        mut body: Option<(String, Vec<u8>)>,
        referer: Option<&str>,
    ) -> Result<Landed, HttpError> {
        let mut referer = referer.map(str::to_string);
        for _ in 0..=MAX_REDIRECTS {
            let mut req = self
                .client
                .request(method.clone(), url.clone())
                .header("user-agent", self.ua)
                .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            let cookies: Vec<String> = self
                .jar
                .get_request_values(&cookie_url(&url))
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            if !cookies.is_empty() {
                req = req.header("cookie", cookies.join("; "));
            }
            if let Some(r) = &referer {
                req = req.header("referer", r.as_str());
            }
            if let Some((ctype, bytes)) = &body {
                // Browsers send Origin with every POST; CSRF defences often compare it.
                req = req
                    .header("content-type", ctype.as_str())
                    .header("origin", url.origin().ascii_serialization())
                    .body(bytes.clone());
            }
            let resp = tokio::time::timeout(self.limit, req.send())
                .await
                .map_err(|_| HttpError::Timeout(self.limit))?
                .map_err(|e| {
                    HttpError::Failed(format!(
                        "HTTP request to {}{} failed: {}",
                        url.origin().ascii_serialization(),
                        url.path(),
                        e.without_url()
                    ))
                })?;
            let at = cookie_url(&url);
            for line in resp.headers().get_all("set-cookie") {
                if let Ok(line) = line.to_str() {
                    let _ = self.jar.parse(line, &at);
                }
            }
            let status = resp.status();
            let location = resp
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .filter(|next| !self.same_origin || next.origin() == url.origin());
            match location {
                Some(next) if status.is_redirection() => {
                    // 307/308 repeat the request; the others turn it into a GET, as browsers do.
                    if !matches!(status.as_u16(), 307 | 308) {
                        method = reqwest::Method::GET;
                        body = None;
                    }
                    referer = Some(url.to_string());
                    url = next;
                }
                _ => {
                    let headers = resp.headers().clone();
                    let body = tokio::time::timeout(self.limit, resp.text())
                        .await
                        .map_err(|_| HttpError::Timeout(self.limit))?
                        .unwrap_or_default();
                    return Ok(Landed {
                        url,
                        status: status.as_u16(),
                        headers,
                        body,
                    });
                }
            }
        }
        Err(HttpError::Redirects(format!(
            "more than {MAX_REDIRECTS} redirects, the last to {}",
            url.path()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_subdomains_see_secure_cookies_as_browsers_do() {
        let page = Url::parse("http://tickets.ticketbooth.localhost:8080/login").unwrap();
        let mut jar = CookieStore::new();
        jar.parse(
            "__Host-tb_sid=abc; Path=/; Secure; HttpOnly",
            &cookie_url(&page),
        )
        .unwrap();
        let sent: Vec<(&str, &str)> = jar.get_request_values(&cookie_url(&page)).collect();
        assert_eq!(sent, vec![("__Host-tb_sid", "abc")]);
        let plain = Url::parse("http://example.test/").unwrap();
        assert_eq!(cookie_url(&plain).scheme(), "http");
    }
}
