//! nginx `log_format` strings, compiled once into literals and variables and matched with a byte
//! search per separator (no regex per line). Apache's combined format is the same template.

use super::fields::{Fields, present};
use super::request::split_request;
use super::time;

/// What one `$variable` fills. Unknown variables are matched as a field and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    Addr,
    User,
    TimeLocal,
    TimeIso,
    Msec,
    Request,
    Method,
    Uri,
    Status,
    Referer,
    Agent,
    CookieHeader,
    Cookie(Vec<u8>),
    Arg(Vec<u8>),
    Header(Vec<u8>),
    SetCookie,
    Skip,
}

impl Var {
    fn of(name: &str) -> Var {
        match name {
            "remote_addr" | "http_x_forwarded_for" | "http_x_real_ip" => Var::Addr,
            "remote_user" => Var::User,
            "time_local" => Var::TimeLocal,
            "time_iso8601" => Var::TimeIso,
            "msec" => Var::Msec,
            "request" => Var::Request,
            "request_method" => Var::Method,
            "request_uri" => Var::Uri,
            "status" => Var::Status,
            "http_referer" => Var::Referer,
            "http_user_agent" => Var::Agent,
            "http_cookie" => Var::CookieHeader,
            "upstream_http_set_cookie" | "sent_http_set_cookie" => Var::SetCookie,
            _ => {
                if let Some(n) = name.strip_prefix("cookie_") {
                    Var::Cookie(n.as_bytes().to_vec())
                } else if let Some(n) = name.strip_prefix("arg_") {
                    Var::Arg(n.as_bytes().to_vec())
                } else if let Some(n) = name.strip_prefix("http_") {
                    Var::Header(n.as_bytes().to_vec())
                } else {
                    Var::Skip
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    lead: Vec<u8>,
    /// Each variable and the literal that follows it (empty for a variable that ends the line).
    segments: Vec<(Var, Vec<u8>)>,
}

impl Template {
    /// Compiles a `log_format` string. Variables are `$name` or `${name}`.
    pub fn compile(spec: &str) -> Result<Template, String> {
        let b = spec.as_bytes();
        let mut lead = Vec::new();
        let mut segments: Vec<(Var, Vec<u8>)> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' {
                let (name, next) = if b.get(i + 1) == Some(&b'{') {
                    let end = spec[i + 2..]
                        .find('}')
                        .ok_or_else(|| format!("`${{` without `}}` at byte {i}"))?;
                    (&spec[i + 2..i + 2 + end], i + 3 + end)
                } else {
                    let n = b[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                    (&spec[i + 1..i + 1 + n], i + 1 + n)
                };
                if name.is_empty() {
                    return Err(format!("a `$` without a variable name at byte {i}"));
                }
                if let Some((_, lit)) = segments.last()
                    && lit.is_empty()
                {
                    return Err(format!(
                        "`${name}` follows another variable with nothing between them: the two cannot be told apart"
                    ));
                }
                segments.push((Var::of(name), Vec::new()));
                i = next;
            } else {
                match segments.last_mut() {
                    Some((_, lit)) => lit.push(b[i]),
                    None => lead.push(b[i]),
                }
                i += 1;
            }
        }
        if segments.is_empty() {
            return Err("the format has no `$variable`".into());
        }
        let t = Template { lead, segments };
        if !t.has(|v| matches!(v, Var::TimeLocal | Var::TimeIso | Var::Msec)) {
            return Err("the format has no time ($time_local, $time_iso8601 or $msec)".into());
        }
        if !t.has(|v| matches!(v, Var::Request | Var::Uri)) {
            return Err("the format has no request ($request or $request_uri)".into());
        }
        Ok(t)
    }

    pub fn has(&self, f: impl Fn(&Var) -> bool) -> bool {
        self.segments.iter().any(|(v, _)| f(v))
    }

    /// Matches one line; the error says what did not fit.
    pub fn read<'a>(&'a self, line: &'a [u8]) -> Result<Fields<'a>, &'static str> {
        let mut f = Fields::default();
        if !starts(line, &self.lead) {
            return Err("the line does not start as the format does");
        }
        let mut pos = self.lead.len();
        for (var, lit) in &self.segments {
            let value = if lit.is_empty() {
                let v = &line[pos..];
                pos = line.len();
                v
            } else {
                let at = find_literal(&line[pos..], lit)
                    .ok_or("a separator of the format is missing")?;
                let v = &line[pos..pos + at];
                pos += at + lit.len();
                v
            };
            assign(&mut f, var, value)?;
        }
        Ok(f)
    }
}

/// `starts_with` without a `memcmp` call: separators are a few bytes, and this runs ~10 times a line.
#[inline]
fn starts(hay: &[u8], lit: &[u8]) -> bool {
    hay.len() >= lit.len() && hay.iter().zip(lit).all(|(a, b)| a == b)
}

/// The literal's first occurrence; a quote escaped by a backslash (Apache writes `\"`) is not a match.
fn find_literal(hay: &[u8], lit: &[u8]) -> Option<usize> {
    let first = lit[0];
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &hay[from..]) {
        let at = from + i;
        let escaped = first == b'"' && at > 0 && hay[at - 1] == b'\\';
        if !escaped && starts(&hay[at..], lit) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn assign<'a>(f: &mut Fields<'a>, var: &'a Var, v: &'a [u8]) -> Result<(), &'static str> {
    match var {
        Var::Addr => f.addr = present(v),
        Var::User => f.user = present(v),
        Var::TimeLocal => f.time = Some(time::parse_local(v).ok_or("the time does not parse")?),
        Var::TimeIso => f.time = Some(time::parse_iso(v).ok_or("the time does not parse")?),
        Var::Msec => f.time = Some(time::parse_epoch(v).ok_or("the time does not parse")?),
        Var::Request => {
            let (m, t) = split_request(v);
            f.method = m;
            f.target = t;
        }
        Var::Method => f.method = present(v),
        Var::Uri => f.target = present(v),
        Var::Status => f.status = parse_status(v).ok_or("the status is not a number")?,
        Var::Referer => f.referer = present(v),
        Var::Agent => f.agent = present(v),
        Var::CookieHeader => f.cookie_header = present(v),
        Var::Cookie(n) => f.cookies.push(n, present(v)),
        Var::Arg(n) => f.args.push(n, present(v)),
        Var::Header(n) => f.headers.push(n, present(v)),
        Var::SetCookie => f.set_cookie = present(v),
        Var::Skip => {}
    }
    Ok(())
}

pub fn parse_status(v: &[u8]) -> Option<u16> {
    if v.is_empty() || v.len() > 3 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u16, |n, c| n * 10 + u16::from(c - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::format::presets::COMBINED;

    #[test]
    fn combined_line_splits() {
        let t = Template::compile(COMBINED).unwrap();
        let line = br#"10.1.2.3 - alice [10/Oct/2000:13:55:36 -0700] "GET /a?sid=x HTTP/1.1" 200 2326 "http://r/" "Mozilla/5.0 (X11; Linux) \"q\"""#;
        let f = t.read(line).unwrap();
        assert_eq!(f.addr, b"10.1.2.3");
        assert_eq!(f.user, b"alice");
        assert_eq!(f.method, b"GET");
        assert_eq!(f.target, b"/a?sid=x");
        assert_eq!(f.status, 200);
        assert_eq!(f.agent, br#"Mozilla/5.0 (X11; Linux) \"q\""#);
        assert_eq!(f.time, Some(971_211_336));
    }

    #[test]
    fn nginx_variables_and_unknown_ones() {
        let t = Template::compile(
            r#"$remote_addr [$time_iso8601] "$request" $status $request_time $upstream_addr "$cookie_SESSION" "$http_authorization" "$arg_token""#,
        )
        .unwrap();
        let f = t
            .read(br#"::1 [2024-01-02T03:04:05+00:00] "POST /login HTTP/2.0" 302 0.004 10.0.0.9:80 "abc" "Bearer x" "-""#)
            .unwrap();
        assert_eq!(f.addr, b"::1");
        assert_eq!(f.status, 302);
        assert_eq!(
            f.cookies.iter().next(),
            Some((&b"SESSION"[..], &b"abc"[..]))
        );
        assert_eq!(
            f.headers.iter().next(),
            Some((&b"authorization"[..], &b"Bearer x"[..]))
        );
        assert_eq!(f.args.iter().next().unwrap().1, b"");
    }

    #[test]
    fn bad_formats_and_lines_say_why() {
        assert!(Template::compile("$remote_addr$remote_user [$time_local] \"$request\"").is_err());
        assert!(Template::compile("$remote_addr \"$request\"").is_err());
        let t = Template::compile(COMBINED).unwrap();
        assert!(t.read(b"garbage").is_err());
        assert!(
            t.read(br#"1.2.3.4 - - [bad time] "GET / HTTP/1.1" 200 1 "-" "-""#)
                .is_err()
        );
    }
}
