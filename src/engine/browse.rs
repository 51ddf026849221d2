//! `browse`: visiting the app's authenticated pages, so that the checks of what those pages do (URLs,
//! Referer, caching) have pages to judge on any app, not only one with a checkout. The profile's
//! `browse` flow says which pages; without one, usher crawls links from the oracle's page.
//!
//! The crawl must never change the account or end the session it is judging: it opens links only
//! (GET, never a form, never a script-driven link), stays on the app's origin under `base_url`'s path,
//! and leaves out every link that looks like it logs out, deletes or removes something.

use super::context::FlowCtx;
use super::step_error::{InputError, StepError, StepResult};
use super::url_join::{path_of, strip_fragment};
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

/// Pages the crawl opens at most, the oracle's page included: enough for the checks to see the kinds
/// of page an app has, few enough for a pull-request job.
pub const MAX_PAGES: usize = 12;
/// Link hops from the oracle's page.
pub const MAX_DEPTH: usize = 2;

/// Words (lower case, separators removed) that mark a link the crawl never follows: it may end the
/// session, change or delete data, or be a login page that some apps answer by logging out.
const RISKY: &[&str] = &[
    "logout",
    "logoff",
    "signout",
    "signoff",
    "endsession",
    "terminate",
    "delete",
    "remove",
    "destroy",
    "revoke",
    "deactivate",
    "disable",
    "unsubscribe",
    "cancel",
    "login",
    "signin",
    "logon",
];

/// Files a link may download rather than show.
const DOWNLOADS: &[&str] = &[
    ".pdf", ".zip", ".gz", ".tgz", ".csv", ".xls", ".xlsx", ".doc", ".docx", ".exe", ".dmg",
    ".apk", ".msi", ".iso", ".mp4", ".mp3",
];

/// Every link of the page with what tells whether it is safe to follow.
const LINKS_SCRIPT: &str = r#"
return Array.from(document.querySelectorAll('a[href], area[href]')).map(a => ({
  href: a.href && a.href.baseVal !== undefined ? a.href.baseVal : String(a.href || ''),
  words: [a.textContent, a.id, typeof a.className === 'string' ? a.className : '',
          a.getAttribute('title'), a.getAttribute('aria-label'), a.getAttribute('name')]
         .filter(Boolean).join(' ').slice(0, 500),
  download: a.hasAttribute('download'),
  method: a.getAttribute('data-method') || a.getAttribute('data-turbo-method') || '',
}));
"#;

/// One link as the page has it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Link {
    pub href: String,
    #[serde(default)]
    pub words: String,
    #[serde(default)]
    pub download: bool,
    /// A method a script sends instead of GET (Rails `data-method`, Turbo `data-turbo-method`).
    #[serde(default)]
    pub method: String,
}

/// The part of the web the crawl may enter: the app's origin, under `base_url`'s path.
pub struct Scope {
    origin: url::Origin,
    /// The path prefix without its trailing slash (empty for the root).
    prefix: String,
}

impl Scope {
    pub fn new(base_url: &str) -> StepResult<Scope> {
        let base = url::Url::parse(base_url).map_err(|error| InputError::BadUrl {
            url: base_url.to_string(),
            base: true,
            error,
        })?;
        Ok(Scope {
            origin: base.origin(),
            prefix: base.path().trim_end_matches('/').to_string(),
        })
    }

    /// The URL to open for `link` (fragment dropped), or `None` when the crawl must not follow it.
    pub fn follow(&self, link: &Link) -> Option<String> {
        let mut url = url::Url::parse(&link.href).ok()?;
        if !matches!(url.scheme(), "http" | "https") || url.origin() != self.origin {
            return None;
        }
        let path = url.path();
        if !(path == self.prefix || path.starts_with(&format!("{}/", self.prefix))) {
            return None;
        }
        if link.download || !(link.method.is_empty() || link.method.eq_ignore_ascii_case("get")) {
            return None;
        }
        let lower = path.to_ascii_lowercase();
        if DOWNLOADS.iter().any(|ext| lower.ends_with(ext)) {
            return None;
        }
        let said = format!("{} {} {}", link.words, path, url.query().unwrap_or(""));
        if looks_risky(&said) {
            return None;
        }
        url.set_fragment(None);
        Some(url.to_string())
    }
}

/// Whether the text names an action the crawl must not take ("Log out", "sign-out", "/delete?id=").
pub fn looks_risky(text: &str) -> bool {
    let squashed: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    RISKY.iter().any(|w| squashed.contains(w))
}

impl FlowCtx {
    /// Runs the profile's `browse` flow, or crawls from the oracle's page without one.
    pub async fn browse(&mut self, persona: &str, limit: Duration) -> StepResult<()> {
        if let Some(flow) = self.profile.flows.get("browse").cloned() {
            self.exec_steps(&flow.steps, persona)
                .await
                .map_err(|f| f.error.in_flow("browse", &f.origin))?;
            self.mark(persona, "ran browse");
            return Ok(());
        }
        self.crawl(persona, limit).await
    }

    async fn crawl(&mut self, persona: &str, limit: Duration) -> StepResult<()> {
        let before = self.oracle(persona).await?;
        if !before.logged_in {
            return Err(StepError::page(format!(
                "{persona} is not logged in ({}), so there are no authenticated pages to browse; log in before `browse`",
                before.observed.join(", ")
            )));
        }
        let scope = Scope::new(&self.base_url)?;
        let session = self.session(persona).await?;
        let start = session.current_url().await?;
        let mut seen: HashSet<String> = HashSet::from([strip_fragment(&start)]);
        let mut queue: VecDeque<(String, usize)> = VecDeque::new();
        let mut opened = 1usize;
        let mut skipped = Vec::new();
        enqueue(&links(&*session).await, 1, &scope, &mut seen, &mut queue);
        while opened < MAX_PAGES
            && let Some((url, depth)) = queue.pop_front()
        {
            let went = tokio::time::timeout(limit, session.goto(&url)).await;
            let shown = path_of(&url);
            match went {
                Ok(Ok(())) => {
                    opened += 1;
                    self.mark(persona, format!("browsed {shown}"));
                }
                Ok(Err(e)) => {
                    skipped.push(format!("{shown}: {e}"));
                    continue;
                }
                Err(_) => {
                    skipped.push(format!("{shown}: did not load"));
                    continue;
                }
            }
            if depth < MAX_DEPTH {
                enqueue(
                    &links(&*session).await,
                    depth + 1,
                    &scope,
                    &mut seen,
                    &mut queue,
                );
            }
        }
        self.observe_all().await;
        // The filters keep logout links out; the oracle proves it, so that no page after a logout is
        // judged as authenticated.
        let after = self.oracle(persona).await?;
        if !after.logged_in {
            return Err(StepError::page(format!(
                "{persona} was logged out while crawling {opened} page(s) from the oracle's page; give the profile a `browse` flow that lists the authenticated pages"
            )));
        }
        self.mark(
            persona,
            format!(
                "crawled {opened} page(s) from the oracle's page (at most {MAX_PAGES}, {MAX_DEPTH} links deep){}",
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!("; could not open {}", skipped.join("; "))
                }
            ),
        );
        Ok(())
    }
}

async fn links(session: &dyn crate::driver::Session) -> Vec<Link> {
    session
        .execute(LINKS_SCRIPT, vec![])
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn enqueue(
    found: &[Link],
    depth: usize,
    scope: &Scope,
    seen: &mut HashSet<String>,
    queue: &mut VecDeque<(String, usize)>,
) {
    for link in found {
        if let Some(url) = scope.follow(link)
            && seen.insert(url.clone())
        {
            queue.push_back((url, depth));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(href: &str, words: &str) -> Link {
        Link {
            href: href.into(),
            words: words.into(),
            ..Link::default()
        }
    }

    #[test]
    fn follows_same_origin_links_under_the_base_path_only() {
        let s = Scope::new("http://app.test:8080/app/").unwrap();
        assert_eq!(
            s.follow(&link(
                "http://app.test:8080/app/issues?page=2#top",
                "Issues"
            )),
            Some("http://app.test:8080/app/issues?page=2".into())
        );
        assert!(
            s.follow(&link("http://app.test:8080/app", "Home"))
                .is_some()
        );
        for outside in [
            "http://app.test:8080/",
            "http://app.test:8080/application",
            "http://other.test:8080/app/x",
            "https://app.test:8080/app/x",
            "http://app.test:9090/app/x",
            "mailto:someone@app.test",
            "javascript:void(0)",
        ] {
            assert_eq!(s.follow(&link(outside, "x")), None, "{outside}");
        }
        let root = Scope::new("http://app.test").unwrap();
        assert!(
            root.follow(&link("http://app.test/anything", "x"))
                .is_some()
        );
    }

    #[test]
    fn never_follows_what_looks_like_logout_or_deletion() {
        let s = Scope::new("http://app.test/").unwrap();
        for (href, words) in [
            ("http://app.test/logout", "Bye"),
            ("http://app.test/session/end", "Log out"),
            ("http://app.test/x", "Sign Out"),
            ("http://app.test/x", "sign-out-link"),
            ("http://app.test/accounts/logoff/", ""),
            ("http://app.test/items/3?action=delete", "x"),
            ("http://app.test/items/3/remove", "x"),
            ("http://app.test/x", "Delete this issue"),
            ("http://app.test/tokens/revoke", "x"),
            ("http://app.test/login", "Switch user"),
            ("http://app.test/admin/", "Log in again"),
        ] {
            assert_eq!(s.follow(&link(href, words)), None, "{href} {words}");
        }
        let rails = Link {
            method: "delete".into(),
            ..link("http://app.test/session", "Leave")
        };
        assert_eq!(s.follow(&rails), None);
        let file = Link {
            download: true,
            ..link("http://app.test/export", "Export")
        };
        assert_eq!(s.follow(&file), None);
        assert_eq!(
            s.follow(&link("http://app.test/report.PDF", "Report")),
            None
        );
        assert!(
            s.follow(&link("http://app.test/issues/7", "Fix the login form"))
                .is_none()
        );
        assert!(
            s.follow(&link("http://app.test/issues/7", "Issue 7"))
                .is_some()
        );
    }
}
