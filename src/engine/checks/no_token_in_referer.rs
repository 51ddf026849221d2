//! `no_token_in_referer`: what other origins learn from the Referer. Judged two ways, together:
//! - provoked: each authenticated page visited in the flow loads an image from, and follows a link to,
//!   usher's own loopback origin (`referer_probe`); the Referers that arrive there are judged;
//! - observed: requests the pages themselves sent to other origins (analytics, CDNs) are searched for
//!   the token in their URL and Referer.
//!
//! The token in a Referer or in a URL sent elsewhere, or a full page URL (path or query) of an
//! authenticated page in a Referer, is a FAIL; the page's Referrer-Policy (header and `<meta>`) is
//! reported. Nothing provoked and nothing observed is ERROR, never PASS.

use super::Outcome;
use super::referer_probe::{PROBE_PATH, ProbeOrigin, Provoked};
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::engine::token::same_origin;
use crate::engine::url_join::{path_of, strip_fragment};
use crate::record::measured::Measure;
use std::collections::BTreeSet;

/// Authenticated pages provoked at most: the Referrer-Policy is usually site-wide, and each page costs
/// two requests and a navigation.
const MAX_PAGES: usize = 8;

/// An authenticated page of the flow, in the order first visited.
struct Page {
    url: String,
    /// Reached with GET, so it can be opened again.
    reopenable: bool,
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    if let Some(skip) = super::token_access::unreadable(ctx, persona, "no_token_in_referer").await {
        return skip;
    }
    super::token_access::read_stored(ctx, persona).await;
    // Pages count as authenticated when requested with the token the persona holds now: the anonymous
    // id a login replaced also sits in `tokens_seen`, and the login page it fetched is not one of them.
    let held: BTreeSet<String> = match ctx.read_token(persona).await {
        Ok(t) => t.values().map(str::to_string).collect(),
        Err(_) => BTreeSet::new(),
    };
    let Some(p) = ctx.personas.get(persona) else {
        return Outcome::error(format!("{persona} has no browser"));
    };
    if ctx.tokens_seen.is_empty() {
        return Outcome::error(
            "no session token was seen in this flow, so requests cannot be searched for it",
        )
        .with("hint", "log in before this check");
    }
    let observed = observe(&p.net, &ctx.base_url, &ctx.tokens_seen);
    let by = if held.is_empty() {
        &ctx.tokens_seen
    } else {
        &held
    };
    let pages = authenticated_pages(&p.net, &ctx.base_url, by);
    let provoked = provoke(ctx, persona, &pages).await;
    let (provoked, probe_problem) = match provoked {
        Ok(v) => (v, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    judge(ctx, observed, pages.len(), provoked, probe_problem)
}

/// What the net log shows: requests to other origins and the policies the app's responses carried.
struct Observed {
    cross: usize,
    leaks: Vec<String>,
    full_urls: Vec<String>,
    policies: BTreeSet<String>,
    /// Header policy per page URL (the last response for it).
    page_policy: std::collections::HashMap<String, String>,
}

fn observe(net: &[NetEvent], base: &str, tokens: &BTreeSet<String>) -> Observed {
    let mut o = Observed {
        cross: 0,
        leaks: Vec::new(),
        full_urls: Vec::new(),
        policies: BTreeSet::new(),
        page_policy: Default::default(),
    };
    for e in net {
        match e {
            NetEvent::Request { url, headers, .. }
                if !same_origin(url, base) && url.starts_with("http") && !is_probe(url) =>
            {
                o.cross += 1;
                let referer = header(headers, "referer").unwrap_or("");
                if full_page_url(referer, base) {
                    o.full_urls
                        .push(format!("{} received the full URL {}", origin(url), referer));
                }
                for t in tokens {
                    if url.contains(t.as_str()) {
                        o.leaks
                            .push(format!("token in the URL of a request to {}", origin(url)));
                    }
                    if referer.contains(t.as_str()) {
                        o.leaks.push(format!(
                            "token in the Referer sent to {} ({referer})",
                            origin(url)
                        ));
                    }
                }
            }
            NetEvent::Response { url, headers, .. } if same_origin(url, base) => {
                for (k, v) in headers {
                    if k == "referrer-policy" {
                        o.policies.insert(v.clone());
                        o.page_policy.insert(strip_fragment(url), v.clone());
                    }
                }
            }
            _ => {}
        }
    }
    o
}

/// Documents of the app's origin the persona navigated to carrying the session token (cookie, header
/// or URL) and that the app answered with 2xx.
fn authenticated_pages(net: &[NetEvent], base: &str, tokens: &BTreeSet<String>) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    for (i, e) in net.iter().enumerate() {
        let NetEvent::Request {
            url,
            method,
            headers,
            is_navigation: true,
        } = e
        else {
            continue;
        };
        let carries = |headers: &[(String, String)]| {
            headers.iter().any(|(k, v)| {
                (k == "cookie" || k == "authorization" || k.starts_with("x-"))
                    && tokens.iter().any(|t| v.contains(t.as_str()))
            })
        };
        // A single-page app's document carries no token: its script sends it on the API calls it
        // makes before the next navigation, and those make the page an authenticated one.
        let script_sent = || {
            net[i + 1..]
                .iter()
                .take_while(|r| {
                    !matches!(
                        r,
                        NetEvent::Request {
                            is_navigation: true,
                            ..
                        }
                    )
                })
                .any(|r| match r {
                    NetEvent::Request {
                        url: u, headers: h, ..
                    } => same_origin(u, base) && carries(h),
                    _ => false,
                })
        };
        let sent_token =
            carries(headers) || tokens.iter().any(|t| url.contains(t.as_str())) || script_sent();
        if !same_origin(url, base) || !sent_token {
            continue;
        }
        let url = strip_fragment(url);
        // The response to this request: the first one for its URL after it.
        let answered = net[i + 1..].iter().find_map(|r| match r {
            NetEvent::Response { url: u, status, .. } if strip_fragment(u) == url => Some(*status),
            _ => None,
        });
        if !answered.is_some_and(|s| (200..300).contains(&s)) {
            continue;
        }
        let get = method.eq_ignore_ascii_case("GET");
        match pages.iter_mut().find(|p| p.url == url) {
            Some(p) => p.reopenable |= get,
            None => pages.push(Page {
                url,
                reopenable: get,
            }),
        }
    }
    pages
}

/// Provokes the page the browser shows (if it is an authenticated page) in place, then opens the other
/// authenticated pages reached with GET; returns to the page it started on when that can be opened.
async fn provoke(
    ctx: &mut FlowCtx,
    persona: &str,
    pages: &[Page],
) -> Result<Vec<Provoked>, String> {
    if pages.is_empty() {
        return Ok(Vec::new());
    }
    let session = ctx
        .session(persona)
        .await
        .map_err(|e| format!("no browser for {persona}: {e}"))?;
    let probe = ProbeOrigin::start()
        .await
        .map_err(|e| format!("could not start usher's loopback origin: {e}"))?;
    let limit = ctx.run.step_timeout.unwrap_or(ctx.profile.step_timeout);
    let here = session.current_url().await.map(|u| strip_fragment(&u)).ok();
    let mut out = Vec::new();
    if let Some(here) = &here
        && pages.iter().any(|p| &p.url == here)
    {
        out.push(probe.provoke(&*session, None, out.len(), limit).await);
    }
    for page in pages.iter().filter(|p| p.reopenable) {
        // Two pages with nothing arriving means the browser cannot reach the origin at all (a remote
        // browser): waiting out every other page would only delay the ERROR.
        if out.len() >= MAX_PAGES || (out.len() >= 2 && !out.iter().any(Provoked::arrived)) {
            break;
        }
        if here.as_ref() == Some(&page.url) {
            continue;
        }
        out.push(
            probe
                .provoke(&*session, Some(&page.url), out.len(), limit)
                .await,
        );
    }
    if let Some(here) = &here
        && pages.iter().any(|p| &p.url == here && p.reopenable)
    {
        let _ = tokio::time::timeout(limit, session.goto(here)).await;
    }
    probe.stop().await;
    ctx.observe_all().await;
    Ok(out)
}

fn judge(
    ctx: &FlowCtx,
    observed: Observed,
    pages: usize,
    provoked: Vec<Provoked>,
    probe_problem: Option<String>,
) -> Outcome {
    let base = &ctx.base_url;
    let mut leaks = observed.leaks;
    let mut full_urls = observed.full_urls;
    let mut policies = observed.policies;
    let mut per_page = Vec::new();
    let arrived: Vec<&Provoked> = provoked.iter().filter(|p| p.arrived()).collect();
    for pv in &provoked {
        let page = path_of(&pv.page);
        let header_policy = observed
            .page_policy
            .get(&strip_fragment(&pv.page))
            .cloned()
            .unwrap_or_else(|| "(none sent)".into());
        if let Some(m) = &pv.meta_policy {
            policies.insert(format!("{m} (<meta>)"));
        }
        if let Some(problem) = &pv.problem
            && !pv.arrived()
        {
            per_page.push(format!("{page}: not judged: {problem}"));
            continue;
        }
        let mut seen = Vec::new();
        for (what, referer) in pv.referers() {
            let r = referer.unwrap_or("");
            seen.push(format!(
                "{what} {}",
                match referer {
                    None => "sent no Referer".to_string(),
                    Some(r) if full_page_url(r, base) => format!("sent the full URL {r}"),
                    Some(r) => format!("sent {r}"),
                }
            ));
            if ctx.tokens_seen.iter().any(|t| contains_token(r, t)) {
                leaks.push(format!(
                    "token in the Referer of the {what} from {page} to usher's loopback origin"
                ));
            } else if full_page_url(r, base) {
                full_urls.push(format!(
                    "{page}: the {what} sent to usher's loopback origin carried the full URL {r}"
                ));
            }
        }
        let meta = pv
            .meta_policy
            .as_ref()
            .map(|m| format!(", <meta> {m}"))
            .unwrap_or_default();
        per_page.push(format!(
            "{page} (Referrer-Policy: {header_policy}{meta}): {}",
            seen.join("; ")
        ));
    }
    leaks.sort();
    leaks.dedup();
    full_urls.sort();
    full_urls.dedup();
    let policy = if policies.is_empty() {
        "(none sent)".to_string()
    } else {
        policies.into_iter().collect::<Vec<_>>().join(", ")
    };
    let cross = observed.cross;
    let o = if !leaks.is_empty() {
        Outcome::fail(format!(
            "the session token reached another origin ({} time(s)); Referrer-Policy: {policy}",
            leaks.len()
        ))
    } else if !full_urls.is_empty() {
        Outcome::fail(format!(
            "other origins receive full page URLs (path and query) in the Referer ({} time(s)); Referrer-Policy: {policy}",
            full_urls.len()
        ))
    } else if arrived.is_empty() && cross == 0 {
        let why = if pages == 0 {
            "no authenticated page was visited in this flow".to_string()
        } else {
            probe_problem.unwrap_or_else(|| {
                format!(
                    "nothing reached usher's loopback origin from {pages} authenticated page(s)"
                )
            })
        };
        return Outcome::error(format!(
            "{why}, and no request to another origin was seen, so Referer leakage cannot be judged"
        ))
        .with(
            "hint",
            if pages == 0 {
                "log in and `browse` (or open authenticated pages) before this check"
            } else {
                "the browser must reach 127.0.0.1 on usher's machine (not a remote grid), and the page must allow an image or a link to it"
            },
        )
        .with("Referrer-Policy", policy);
    } else {
        Outcome::pass(format!(
            "no token and no full page URL in the Referer: {} authenticated page(s) sent an image and a link to usher's loopback origin, {cross} request(s) to other origins seen; Referrer-Policy: {policy}",
            arrived.len()
        ))
    };
    let mut o = o
        .with("Referrer-Policy", policy.clone())
        .measure(Measure::CrossOriginRequests, cross)
        .measure(Measure::ProvokedPages, arrived.len())
        .measure(Measure::ReferrerPolicy, policy);
    for l in per_page.iter().take(10) {
        o = o.with("provoked", l.clone());
    }
    for l in full_urls.iter().take(5) {
        o = o.with("full URL leaked", l.clone());
    }
    for l in leaks.iter().take(20) {
        o = o.with("leak", l.clone());
    }
    o
}

/// A Referer that names an app page beyond its origin: a path other than `/`, or a query.
fn full_page_url(referer: &str, base: &str) -> bool {
    url::Url::parse(referer)
        .is_ok_and(|r| same_origin(referer, base) && (r.path() != "/" || r.query().is_some()))
}

fn contains_token(text: &str, token: &str) -> bool {
    text.contains(token)
        || text
            .contains(&*url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

fn is_probe(url: &str) -> bool {
    url::Url::parse(url)
        .is_ok_and(|u| u.host_str() == Some("127.0.0.1") && u.path().starts_with(PROBE_PATH))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn origin(u: &str) -> String {
    url::Url::parse(u)
        .map(|x| x.origin().ascii_serialization())
        .unwrap_or_else(|_| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://tickets.test:8080";

    fn req(url: &str, method: &str, cookie: &str) -> NetEvent {
        NetEvent::Request {
            url: url.into(),
            method: method.into(),
            headers: vec![("cookie".into(), cookie.into())],
            is_navigation: true,
        }
    }

    fn resp(url: &str, status: u16) -> NetEvent {
        NetEvent::Response {
            url: url.into(),
            status,
            headers: vec![("referrer-policy".into(), "same-origin".into())],
        }
    }

    #[test]
    fn authenticated_pages_are_answered_documents_sent_with_the_token() {
        let tokens: BTreeSet<String> = ["t0k3n-value".to_string()].into();
        let net = vec![
            req("http://tickets.test:8080/login", "GET", "sid=anon"),
            resp("http://tickets.test:8080/login", 200),
            req("http://tickets.test:8080/login", "POST", "sid=t0k3n-value"),
            resp("http://tickets.test:8080/login", 303),
            req(
                "http://tickets.test:8080/account#top",
                "GET",
                "sid=t0k3n-value",
            ),
            resp("http://tickets.test:8080/account", 200),
            req("http://tickets.test:8080/orders", "POST", "sid=t0k3n-value"),
            resp("http://tickets.test:8080/orders", 200),
            req("http://other.test/x", "GET", "sid=t0k3n-value"),
            resp("http://other.test/x", 200),
        ];
        let pages = authenticated_pages(&net, BASE, &tokens);
        let got: Vec<(&str, bool)> = pages
            .iter()
            .map(|p| (p.url.as_str(), p.reopenable))
            .collect();
        assert_eq!(
            got,
            [
                ("http://tickets.test:8080/account", true),
                ("http://tickets.test:8080/orders", false)
            ]
        );
    }

    #[test]
    fn a_full_url_is_a_path_or_a_query_of_the_app() {
        assert!(full_page_url("http://tickets.test:8080/account", BASE));
        assert!(full_page_url("http://tickets.test:8080/?q=1", BASE));
        assert!(!full_page_url("http://tickets.test:8080/", BASE));
        assert!(!full_page_url("http://elsewhere.test/account", BASE));
        assert!(!full_page_url("", BASE));
    }

    #[test]
    fn probe_requests_are_not_counted_as_the_app_s() {
        assert!(is_probe("http://127.0.0.1:4321/usher-referer-probe/img/0"));
        assert!(!is_probe("http://127.0.0.1:4321/pixel.gif"));
    }
}
