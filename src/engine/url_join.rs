//! Where a path written in a scenario or profile goes: under `base_url`'s path, as Cypress's
//! `baseUrl` does. An app mounted under `/app/` must get `/app/login` for `open: /login`; resolving
//! like a link (RFC 3986) would send it to the server root instead, a page of another app or none.

use url::{ParseError, Url};

/// Resolves `target` against `base`: a full URL (`https://…`, or `//host/…`) stands alone; any other
/// target goes under base's path, taken as a directory (`http://h/app` and `http://h/app/` both
/// mount at `/app/`), whether it starts with `/` or not. A base without a path changes nothing.
pub fn resolve(base: &Url, target: &str) -> Result<Url, ParseError> {
    if target.starts_with("//") || Url::parse(target).is_ok() {
        return base.join(target);
    }
    let mut mount = base.clone();
    if !mount.path().ends_with('/') {
        let dir = format!("{}/", mount.path());
        mount.set_path(&dir);
    }
    mount.join(target.trim_start_matches('/'))
}

/// The URL without its fragment (which never reaches the server), or the text as it is.
pub fn strip_fragment(u: &str) -> String {
    Url::parse(u)
        .map(|mut x| {
            x.set_fragment(None);
            x.to_string()
        })
        .unwrap_or_else(|_| u.to_string())
}

/// Path and query, for timelines and evidence (tokens in a query are redacted with the rest).
pub fn path_of(u: &str) -> String {
    Url::parse(u)
        .map(|x| match x.query() {
            Some(q) => format!("{}?{q}", x.path()),
            None => x.path().to_string(),
        })
        .unwrap_or_else(|_| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: &str, target: &str) -> String {
        resolve(&Url::parse(base).unwrap(), target)
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_rooted_path_goes_under_the_base_path() {
        assert_eq!(at("http://h/app/", "/login"), "http://h/app/login");
        assert_eq!(at("http://h/app", "/login"), "http://h/app/login");
        assert_eq!(at("http://h/app/", "/"), "http://h/app/");
        assert_eq!(
            at("http://h/app/", "/events/1?seat=A1#pay"),
            "http://h/app/events/1?seat=A1#pay"
        );
        assert_eq!(at("http://h/a/b/", "/login"), "http://h/a/b/login");
    }

    #[test]
    fn a_relative_path_goes_under_the_base_path_too() {
        assert_eq!(at("http://h/app", "login"), "http://h/app/login");
        assert_eq!(
            at("http://h/app/", "account/edit"),
            "http://h/app/account/edit"
        );
    }

    #[test]
    fn a_base_without_a_path_is_unchanged() {
        assert_eq!(at("http://h:8080", "/login"), "http://h:8080/login");
        assert_eq!(at("http://h:8080/", "/login"), "http://h:8080/login");
        assert_eq!(at("http://h:8080/", "/"), "http://h:8080/");
        assert_eq!(at("http://h:8080/", "login?x=1"), "http://h:8080/login?x=1");
    }

    #[test]
    fn full_urls_stand_alone() {
        assert_eq!(
            at("http://h/app/", "https://blog.example.test/post/1"),
            "https://blog.example.test/post/1"
        );
        assert_eq!(
            at("http://h/app/", "//cdn.test/x.js"),
            "http://cdn.test/x.js"
        );
        assert_eq!(at("http://h/app/", "about:blank"), "about:blank");
    }

    #[test]
    fn the_base_query_is_not_carried_over() {
        assert_eq!(at("http://h/app/?lang=de", "/login"), "http://h/app/login");
    }
}
