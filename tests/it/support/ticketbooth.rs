//! A tiny hand-rolled browser for the Ticketbooth tests: cookies are kept by hand so tests see the raw
//! Set-Cookie headers, redirects are not followed so tests see every Location.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE, USER_AGENT};
use reqwest::{Client, Method, StatusCode};
use usher::demo::{DemoConfig, FlawSet, RunningDemo, SESSION_COOKIE_NAMES, ShapeSet};

pub const PASSWORD: &str = "probe-password-1";
pub const UA: &str = "Mozilla/5.0 (usher demo tests)";

/// Short timers for tests. The gaps between them leave ~1 s of slack for a loaded 2-core machine.
pub fn fast_config(flaws: FlawSet) -> DemoConfig {
    fast_shaped_config(flaws, ShapeSet::none())
}

pub fn fast_shaped_config(flaws: FlawSet, shapes: ShapeSet) -> DemoConfig {
    DemoConfig {
        flaws,
        shapes,
        idle_timeout: Duration::from_millis(2500),
        absolute_timeout: Duration::from_millis(5000),
        checkout_timeout: Duration::from_millis(600),
        ..DemoConfig::default()
    }
}

/// A started demo plus one HTTP client that resolves its host names to loopback.
pub struct Target {
    pub demo: RunningDemo,
    pub client: Client,
}

impl Target {
    pub async fn start(config: DemoConfig) -> Target {
        let demo = usher::demo::start(config).await.expect("demo starts");
        let host = |url: String| {
            url::Url::parse(&url)
                .expect("demo URL parses")
                .host_str()
                .expect("demo URL has a host")
                .to_string()
        };
        let app: SocketAddr = demo.addr();
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host(demo.base_url()), app)
            .resolve(&host(demo.blog_url()), app)
            .resolve(&host(demo.analytics_url()), demo.analytics_addr())
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client builds");
        Target { demo, client }
    }

    pub fn browser(&self) -> Browser {
        self.browser_with_ua(UA)
    }

    pub fn browser_with_ua(&self, ua: &str) -> Browser {
        Browser {
            client: self.client.clone(),
            // Paths like "/login" are the site's, so under the `mounted` shape they go under /app.
            base: format!("{}{}", self.demo.base_url(), self.demo.config().mount()),
            origin: self.demo.base_url(),
            ua: ua.to_string(),
            cookies: Vec::new(),
        }
    }

    /// Signs up a fresh account, unique per call, and returns its email.
    pub async fn new_user(&self, tag: &str) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        let email = format!("{tag}-{}@probe.test", NEXT.fetch_add(1, Ordering::Relaxed));
        let mut b = self.browser();
        let form = b.get("/signup").await;
        let page = b
            .submit(
                &form,
                "/signup",
                &[("email", &email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "signup of {email}: {}",
            page.body
        );
        email
    }

    /// A fresh browser that visited the login page and logged in; panics if login fails.
    pub async fn logged_in(&self, email: &str, password: &str, ua: &str) -> (Browser, Page) {
        let mut b = self.browser_with_ua(ua);
        let form = b.get("/login").await;
        let page = b
            .submit(&form, "/login", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "login of {email}: {}",
            page.body
        );
        (b, page)
    }
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub set_cookies: Vec<String>,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn location(&self) -> String {
        self.header(LOCATION.as_str()).unwrap_or_default()
    }

    /// The value of the first `csrf` hidden input of the page, if any.
    pub fn csrf(&self) -> Option<String> {
        self.body
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_string)
    }

    /// The Set-Cookie line of the session cookie, whichever name it uses.
    pub fn session_set_cookie(&self) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|c| {
                SESSION_COOKIE_NAMES
                    .iter()
                    .any(|n| c.starts_with(&format!("{n}=")))
            })
            .cloned()
    }
}

#[derive(Debug, Clone)]
pub struct Browser {
    client: Client,
    /// Where site paths start: the origin, plus `/app` when mounted.
    pub base: String,
    /// Scheme, host and port: what a Location like `/app/account` is relative to.
    pub origin: String,
    pub ua: String,
    pub cookies: Vec<(String, String)>,
}

/// Attributes of a Set-Cookie line, lower-cased names, e.g. ("samesite", "Strict").
pub fn cookie_attributes(set_cookie: &str) -> Vec<(String, String)> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect()
}

impl Browser {
    pub fn with_ua(&self, ua: &str) -> Browser {
        let mut b = self.clone();
        b.ua = ua.to_string();
        b
    }

    pub fn session(&self) -> Option<String> {
        SESSION_COOKIE_NAMES.iter().find_map(|n| {
            self.cookies
                .iter()
                .find(|(name, _)| name == n)
                .map(|(_, v)| v.clone())
        })
    }

    pub fn session_cookie_name(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|(n, _)| SESSION_COOKIE_NAMES.contains(&n.as_str()))
            .map(|(n, _)| n.clone())
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.retain(|(n, _)| n != name);
        self.cookies.push((name.to_string(), value.to_string()));
    }

    fn absorb(&mut self, set_cookies: &[String]) {
        for line in set_cookies {
            let Some((name, rest)) = line.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").trim();
            let cleared = cookie_attributes(line)
                .iter()
                .any(|(k, v)| k == "max-age" && v.trim() == "0");
            self.cookies.retain(|(n, _)| n != name);
            if !cleared && !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    pub async fn request(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self
            .client
            .request(method, &url)
            .header(USER_AGENT, &self.ua);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(COOKIE, cookie);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(form) = form {
            req = req.form(form);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        let body = resp.text().await.unwrap_or_default();
        self.absorb(&set_cookies);
        Page {
            status,
            headers,
            body,
            set_cookies,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, path, Some(form), &[]).await
    }

    /// GETs a Location header's target (an absolute path is the origin's, not the site's).
    pub async fn follow(&mut self, location: &str) -> Page {
        let url = if location.starts_with('/') {
            format!("{}{location}", self.origin)
        } else {
            location.to_string()
        };
        self.get(&url).await
    }

    /// GETs a site path and follows redirects (at most 5) to the page reached.
    pub async fn get_following(&mut self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..5 {
            if !page.status.is_redirection() {
                break;
            }
            let location = page.location();
            page = self.follow(&location).await;
        }
        page
    }

    /// Posts `form` the way a browser submits it from `page`: with the page's `csrf` hidden input
    /// (the `session-bound-csrf` shape), if it has one.
    pub async fn submit(&mut self, page: &Page, path: &str, form: &[(&str, &str)]) -> Page {
        let nonce = page.csrf();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        if let Some(nonce) = nonce.as_deref() {
            fields.push(("csrf", nonce));
        }
        self.post(path, &fields).await
    }

    /// The app's own "who am I" oracle.
    pub async fn is_logged_in(&mut self) -> bool {
        self.get("/api/me").await.status == StatusCode::OK
    }

    /// Starts a checkout for one seat and fills in the details step; returns the checkout id.
    pub async fn checkout_to_pay(&mut self) -> String {
        let event = self.get("/events/1").await;
        let page = self
            .submit(&event, "/checkout/start", &[("event", "1"), ("seat", "A1")])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "checkout start: {}",
            page.body
        );
        let id = query_value(&page.location(), "checkout").expect("checkout id in Location");
        let details = self.follow(&page.location()).await;
        let page = self
            .submit(
                &details,
                "/checkout/details",
                &[("checkout", &id), ("attendee_name", "Probe Person")],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "details: {}", page.body);
        id
    }
}

pub fn query_value(location: &str, name: &str) -> Option<String> {
    let url = url::Url::parse("http://x.invalid")
        .ok()?
        .join(location)
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
