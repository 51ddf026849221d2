//! Whether a page fetched over HTTP shows an authenticated session: the `logged_in` oracle's page
//! and its elements, asked of the HTML the server sent (the check translates the oracle; one it
//! cannot translate is never asked here).

use url::Url;

/// The oracle, over HTTP. Every condition must hold.
#[derive(Debug, Clone)]
pub struct SessionProof {
    /// The page the oracle opens.
    pub url: Url,
    /// CSS selectors of elements that must be on it.
    pub present: Vec<String>,
    /// CSS selectors of elements that must not be.
    pub absent: Vec<String>,
    /// Substrings the URL landed on must hold.
    pub url_contains: Vec<String>,
    /// The profile's `identity` element (CSS) and the username its text must equal (trimmed,
    /// ASCII case ignored, as the identity checks compare).
    pub identity: Option<(String, String)>,
}

impl SessionProof {
    /// Whether the page at `url` with `body` shows the session logged in; `Err` says what it lacked
    /// (selectors and paths only, never page text).
    pub fn judge(&self, url: &Url, status: u16, body: &str) -> Result<(), String> {
        if status >= 400 {
            return Err(format!("{} answered {status}", url.path()));
        }
        for s in &self.url_contains {
            if !url.as_str().contains(s.as_str()) {
                return Err(format!("landed on {}, whose URL lacks `{s}`", url.path()));
            }
        }
        let doc = scraper::Html::parse_document(body);
        let find = |css: &str| -> Result<Vec<scraper::ElementRef<'_>>, String> {
            let sel = scraper::Selector::parse(css)
                .map_err(|e| format!("`{css}` is not a CSS selector scraper reads: {e}"))?;
            Ok(doc.select(&sel).collect())
        };
        for css in &self.present {
            if find(css)?.is_empty() {
                return Err(format!("{} does not show {css}", url.path()));
            }
        }
        for css in &self.absent {
            if !find(css)?.is_empty() {
                return Err(format!("{} shows {css}", url.path()));
            }
        }
        if let Some((css, username)) = &self.identity {
            let shown = find(css)?.iter().any(|e| {
                let text: String = e.text().collect();
                text.trim().eq_ignore_ascii_case(username.trim())
            });
            if !shown {
                return Err(format!("{}'s {css} does not name the persona", url.path()));
            }
        }
        Ok(())
    }

    /// Whether a page landed on is the oracle's own page, so it can be judged without fetching it.
    pub fn is_its_page(&self, url: &Url) -> bool {
        url.origin() == self.url.origin()
            && url.path() == self.url.path()
            && url.query() == self.url.query()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof() -> SessionProof {
        SessionProof {
            url: Url::parse("http://app.localhost/account").unwrap(),
            present: vec!["#account-email".into()],
            absent: vec!["#login-form".into()],
            url_contains: vec![],
            identity: Some(("#whoami".into(), "alice@x.test".into())),
        }
    }

    #[test]
    fn the_persona_must_be_named_by_the_identity_element() {
        let url = Url::parse("http://app.localhost/account").unwrap();
        let ok = r#"<span id="whoami"> Alice@x.test </span><p id="account-email">alice@x.test</p>"#;
        assert_eq!(proof().judge(&url, 200, ok), Ok(()));
        let other = r#"<span id="whoami">malice@x.test</span><p id="account-email">m</p>"#;
        assert!(proof().judge(&url, 200, other).is_err());
        let anonymous = r#"<form id="login-form"></form><p id="account-email"></p><span id="whoami">alice@x.test</span>"#;
        assert!(proof().judge(&url, 200, anonymous).is_err());
        assert!(proof().judge(&url, 500, ok).is_err());
        assert!(proof().is_its_page(&url));
        assert!(!proof().is_its_page(&Url::parse("http://app.localhost/account?x=1").unwrap()));
    }
}
