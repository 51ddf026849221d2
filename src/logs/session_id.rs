//! Where a request's session id is: cookies, query parameters, headers. Configurable
//! (`--session cookie:NAME`, `query:NAME`, `header:NAME`); unconfigured, the names frameworks use.

use crate::logs::format::Fields;
use crate::logs::format::request::query_pairs;

/// Session names of common frameworks and apps (compared case-insensitively, `__Host-`/`__Secure-`
/// prefixes dropped).
pub const DEFAULT_NAMES: [&str; 16] = [
    "sid",
    "session",
    "sessionid",
    "session_id",
    "sess",
    "token",
    "jsessionid",
    "phpsessid",
    "connect.sid",
    "aspsessionid",
    "asp.net_sessionid",
    "laravel_session",
    "_session_id",
    "auth_token",
    "access_token",
    "x_session_token",
];

/// Shorter values are not session ids (flags, page numbers).
pub const MIN_ID_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Cookie(String),
    Query(String),
    Header(String),
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, String> {
        let (kind, name) = text.split_once(':').ok_or_else(|| {
            format!("--session {text}: write cookie:NAME, query:NAME or header:NAME")
        })?;
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err(format!("--session {text}: the name is empty"));
        }
        match kind {
            "cookie" => Ok(Source::Cookie(name)),
            "query" | "arg" => Ok(Source::Query(name)),
            // nginx writes `$http_x_session_token` for the header X-Session-Token.
            "header" => Ok(Source::Header(name.to_ascii_lowercase().replace('-', "_"))),
            _ => Err(format!(
                "--session {text}: the kinds are cookie:, query: and header:"
            )),
        }
    }
}

/// The configured sources, or the defaults when none is given.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    explicit: Vec<Source>,
}

/// A session id found in a line, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Cookie,
    Header,
    Query,
}

impl Sources {
    pub fn new(explicit: Vec<Source>) -> Sources {
        Sources { explicit }
    }

    fn is_default(&self) -> bool {
        self.explicit.is_empty()
    }

    pub fn cookie_name(&self, name: &[u8]) -> bool {
        if self.is_default() {
            return default_name(name);
        }
        self.explicit
            .iter()
            .any(|s| matches!(s, Source::Cookie(n) if n.as_bytes().eq_ignore_ascii_case(name)))
    }

    pub fn query_name(&self, name: &[u8]) -> bool {
        if self.is_default() {
            return default_name(name);
        }
        self.explicit
            .iter()
            .any(|s| matches!(s, Source::Query(n) if n.as_bytes().eq_ignore_ascii_case(name)))
    }

    fn header_name(&self, name: &[u8]) -> bool {
        if self.is_default() {
            return name == b"authorization" || default_name(name);
        }
        self.explicit
            .iter()
            .any(|s| matches!(s, Source::Header(n) if n.as_bytes().eq_ignore_ascii_case(name)))
    }

    /// The request's session id: a cookie first, then a header, then the URL.
    pub fn find<'a>(&self, f: &Fields<'a>) -> Option<(&'a [u8], Place)> {
        for (name, value) in f.cookies.iter() {
            if self.cookie_name(name) && plausible(value) {
                return Some((value, Place::Cookie));
            }
        }
        if let Some(v) = cookie_pairs(f.cookie_header)
            .find(|(n, v)| self.cookie_name(n) && plausible(v))
            .map(|(_, v)| v)
        {
            return Some((v, Place::Cookie));
        }
        for (name, value) in f.headers.iter() {
            if self.header_name(name) {
                let value = bearer(value);
                if plausible(value) {
                    return Some((value, Place::Header));
                }
            }
        }
        self.in_url(f).next().map(|(_, v)| (v, Place::Query))
    }

    /// Session ids the URL carries by name: query parameters and `$arg_NAME` columns.
    pub fn in_url<'a, 'f>(
        &'f self,
        f: &'f Fields<'a>,
    ) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'f {
        let target: &'a [u8] = f.target;
        query_pairs(target)
            .chain(f.args.iter())
            .filter(move |(n, v)| self.query_name(n) && plausible(v))
    }

    /// Whether the response set the session cookie to another value (the server refused `id`).
    pub fn replaced(&self, set_cookie: &[u8], id: &[u8]) -> bool {
        if set_cookie.is_empty() {
            return false;
        }
        cookie_pairs(set_cookie).any(|(n, v)| self.cookie_name(n) && v != id)
    }
}

/// `Authorization: Bearer X` is X; other values as they are.
fn bearer(v: &[u8]) -> &[u8] {
    for scheme in [&b"Bearer "[..], b"bearer ", b"Token "] {
        if let Some(rest) = v.strip_prefix(scheme) {
            return rest;
        }
    }
    v
}

pub fn plausible(v: &[u8]) -> bool {
    // `deleted` and `null` are shorter than an id already.
    v.len() >= MIN_ID_LEN && !(v.len() == 9 && v == b"undefined")
}

/// `a=1; b=2` pairs of a Cookie (or Set-Cookie) value; attributes come out as pairs too and are
/// harmless (no session name among them).
pub fn cookie_pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    header.split(|c| *c == b';' || *c == b',').filter_map(|p| {
        let p = p.trim_ascii();
        let e = memchr::memchr(b'=', p)?;
        Some((p[..e].trim_ascii(), p[e + 1..].trim_ascii()))
    })
}

/// A name the defaults take as a session: one of `DEFAULT_NAMES`, or ending in one of
/// `sid`/`session`/`sessid` after a separator (`tb_sid`, `__Host-tb_sid`, `app-session`).
pub fn default_name(name: &[u8]) -> bool {
    let mut n = name;
    for prefix in [&b"__Host-"[..], b"__Secure-"] {
        if n.len() > prefix.len() && n[..prefix.len()].eq_ignore_ascii_case(prefix) {
            n = &n[prefix.len()..];
        }
    }
    if DEFAULT_NAMES
        .iter()
        .any(|d| d.as_bytes().eq_ignore_ascii_case(n))
    {
        return true;
    }
    for suffix in [&b"sid"[..], b"session", b"sessid", b"sessionid"] {
        if n.len() > suffix.len() + 1 {
            let (head, tail) = n.split_at(n.len() - suffix.len());
            if tail.eq_ignore_ascii_case(suffix) && matches!(head.last(), Some(b'_' | b'-' | b'.'))
            {
                return true;
            }
        }
    }
    false
}

/// A value that looks random enough to be a secret: long, varied, letters and digits mixed.
/// Used to match URL values against session cookies by value.
pub fn high_entropy(v: &[u8]) -> bool {
    if v.len() < 16 || v.len() > 512 {
        return false;
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    let (mut digits, mut letters) = (false, false);
    for &c in v {
        if !seen[c as usize] {
            seen[c as usize] = true;
            distinct += 1;
        }
        digits |= c.is_ascii_digit();
        letters |= c.is_ascii_alphabetic();
    }
    distinct >= 10 && digits && letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_cover_frameworks_and_prefixes() {
        for n in [
            "JSESSIONID",
            "PHPSESSID",
            "connect.sid",
            "__Host-tb_sid",
            "tb_sid",
            "app-session",
            "sid",
        ] {
            assert!(default_name(n.as_bytes()), "{n}");
        }
        for n in ["csrf_token_x", "page", "lang", "sidebar", "theme"] {
            assert!(!default_name(n.as_bytes()), "{n}");
        }
    }

    #[test]
    fn explicit_sources_only() {
        let s = Sources::new(vec![Source::parse("cookie:APPID").unwrap()]);
        assert!(s.cookie_name(b"appid"));
        assert!(!s.cookie_name(b"sid"));
        assert!(Source::parse("nope").is_err());
    }

    #[test]
    fn entropy_and_replacement() {
        assert!(high_entropy(b"9f8a7c6b5d4e3f2a1b0c"));
        assert!(!high_entropy(b"aaaaaaaaaaaaaaaaaaaa"));
        let s = Sources::default();
        assert!(s.replaced(b"sid=new12345; Path=/; HttpOnly", b"old12345"));
        assert!(!s.replaced(b"sid=old12345; Path=/", b"old12345"));
    }
}
