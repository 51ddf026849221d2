//! `$request` (`GET /path?q HTTP/1.1`) and query strings, as byte slices.

use super::fields::present;

/// Method and target of `$request`; a request nginx could not read (`-`, garbage) gives empty parts.
pub fn split_request(v: &[u8]) -> (&[u8], &[u8]) {
    let v = present(v);
    let Some(sp) = memchr::memchr(b' ', v) else {
        return (b"", v);
    };
    let method = &v[..sp];
    let rest = &v[sp + 1..];
    let target = match memchr::memrchr(b' ', rest) {
        Some(end) if rest[end + 1..].starts_with(b"HTTP/") => &rest[..end],
        _ => rest,
    };
    (method, target)
}

/// The path without its query.
pub fn path(target: &[u8]) -> &[u8] {
    match memchr::memchr(b'?', target) {
        Some(q) => &target[..q],
        None => target,
    }
}

/// The query's `name=value` pairs (names and values as written, not decoded).
pub fn query_pairs(target: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let query = match memchr::memchr(b'?', target) {
        Some(q) => &target[q + 1..],
        None => &target[..0],
    };
    let query = match memchr::memchr(b'#', query) {
        Some(h) => &query[..h],
        None => query,
    };
    query
        .split(|c| *c == b'&' || *c == b';')
        .filter(|p| !p.is_empty())
        .map(|p| match memchr::memchr(b'=', p) {
            Some(e) => (&p[..e], &p[e + 1..]),
            None => (p, &p[..0]),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_parts_and_query() {
        assert_eq!(
            split_request(b"GET /a b?x=1 HTTP/1.1"),
            (&b"GET"[..], &b"/a b?x=1"[..])
        );
        assert_eq!(split_request(b"-"), (&b""[..], &b""[..]));
        let pairs: Vec<_> = query_pairs(b"/p?a=1&sid=xyz&flag#frag").collect();
        assert_eq!(pairs[1], (&b"sid"[..], &b"xyz"[..]));
        assert_eq!(pairs[2], (&b"flag"[..], &b""[..]));
        assert_eq!(path(b"/p?a=1"), b"/p");
    }
}
