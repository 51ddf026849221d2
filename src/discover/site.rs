//! The app as discovery sees it: a base URL (origin and the path it is mounted under) and pages
//! relative to it, as the profile's `open:` steps write them.

use super::Failure;
use crate::driver::Session;

pub struct Site {
    /// Written as the profile's `base_url`: no trailing slash.
    pub base: String,
    origin: url::Origin,
    /// The mount path without its trailing slash ("" for the root).
    prefix: String,
}

impl Site {
    /// The base is the given URL's directory: `http://h/app/login` → `http://h/app`.
    pub fn new(given: &str) -> Result<Site, String> {
        let url = url::Url::parse(given).map_err(|e| format!("`{given}` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("`{given}` is not an http(s) URL"));
        }
        let path = url.path();
        let dir = &path[..path.rfind('/').unwrap_or(0)];
        let origin = url.origin().ascii_serialization();
        Ok(Site {
            base: format!("{origin}{dir}"),
            origin: url.origin(),
            prefix: dir.to_string(),
        })
    }

    pub fn url(&self, page: &str) -> String {
        format!("{}{page}", self.base)
    }

    /// A page of this site as a profile path (`/account`); `None` off the site. The query is dropped:
    /// it holds where to go next or what the user typed, not which page it is.
    pub fn relative(&self, url: &str) -> Option<String> {
        let u = url::Url::parse(url).ok()?;
        if u.origin() != self.origin {
            return None;
        }
        let rest = u.path().strip_prefix(&self.prefix)?;
        if rest.is_empty() {
            return Some("/".into());
        }
        rest.starts_with('/').then(|| rest.to_string())
    }

    /// As [`Self::relative`], keeping the query: for a page that is only ever opened by its whole
    /// URL (a login form's frame, `/login?embed=1`).
    pub fn relative_with_query(&self, url: &str) -> Option<String> {
        let path = self.relative(url)?;
        let u = url::Url::parse(url).ok()?;
        Some(match u.query() {
            Some(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path,
        })
    }

    /// Opens a page; a browser error page means the target cannot be reached.
    pub async fn open(&self, s: &dyn Session, page: &str) -> Result<(), Failure> {
        let url = if page.starts_with("http") {
            page.to_string()
        } else {
            self.url(page)
        };
        s.goto(&url)
            .await
            .map_err(|e| Failure::Unreachable(format!("{url}: {e}")))?;
        let now = s.current_url().await?;
        if now.starts_with("chrome-error:") || now.starts_with("about:neterror") {
            return Err(Failure::Unreachable(format!(
                "{url}: the browser could not load it"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_the_directory_of_the_given_url() {
        let s = Site::new("http://h.test:8080/app/login?next=/x").unwrap();
        assert_eq!(s.base, "http://h.test:8080/app");
        assert_eq!(
            s.relative("http://h.test:8080/app/account?x=1").as_deref(),
            Some("/account")
        );
        assert_eq!(s.relative("http://h.test:8080/other"), None);
        assert_eq!(
            s.relative_with_query("http://h.test:8080/app/login?embed=1")
                .as_deref(),
            Some("/login?embed=1")
        );
        assert_eq!(s.relative("http://h.test:8080/application"), None);
        let root = Site::new("http://h.test").unwrap();
        assert_eq!(root.base, "http://h.test");
        assert_eq!(root.relative("http://h.test/").as_deref(), Some("/"));
        assert!(Site::new("ftp://h.test/").is_err());
    }
}
