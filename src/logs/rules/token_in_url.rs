//! Session ids in request URLs, where proxies, logs, browser history and Referer headers keep them:
//! by name (`?sid=…`, `;jsessionid=…` as a parameter) and by value (a high-entropy parameter whose
//! value is, before or after, some session's cookie).

use crate::logs::format::time::format_utc;
use crate::logs::hash::{KeyMap, KeySet};
use crate::logs::outcome::{Found, Incident};
use crate::logs::session::fingerprint_bits;

pub const ID: &str = "session-id-in-url";
pub const TITLE: &str = "session ids in request URLs";

/// URL values waiting to be seen as a cookie; beyond this many the oldest are not kept.
const PENDING_CAP: usize = 100_000;

#[derive(Debug, Default)]
pub struct TokenInUrl {
    /// Values already reported (one incident per leaked id).
    reported: KeySet,
    /// High-entropy URL values not (yet) known as a session cookie: value hash -> (line, time, name).
    pending: KeyMap<(u64, i64, String)>,
    pub urls: u64,
}

fn found_in_url(
    value: &[u8],
    name: &[u8],
    line: u64,
    time: i64,
    how: &str,
    earlier: Option<(u64, i64)>,
) -> Incident {
    let mut lines = Vec::new();
    let mut times = Vec::new();
    if let Some((l, t)) = earlier {
        lines.push(l);
        times.push(format_utc(t));
    }
    lines.push(line);
    times.push(format_utc(time));
    Incident {
        session: Some(format!("tok:{:06x}", fingerprint_bits(value))),
        account: None,
        lines,
        times,
        message: format!(
            "session id in the URL as `{}` ({how})",
            crate::logs::outcome::clean_text(name)
        ),
    }
}

impl TokenInUrl {
    /// A request with a URL: its parameters worth judging (name, value, whether the name is a session
    /// name and the value id-like, the value's hash; see `batch.rs`). `cookie_session(hash)` says
    /// whether a value is known as a session cookie.
    pub fn on_request<'a>(
        &mut self,
        params: impl Iterator<Item = (&'a [u8], &'a [u8], bool, u64)>,
        line: u64,
        time: i64,
        cookie_session: impl Fn(u64) -> bool,
        found: &mut Found,
    ) {
        self.urls += 1;
        for (name, value, by_name, h) in params {
            if self.reported.contains(&h) {
                continue;
            }
            if by_name {
                self.reported.insert(h);
                found.add(found_in_url(value, name, line, time, "by name", None));
            } else if cookie_session(h) {
                self.reported.insert(h);
                found.add(found_in_url(
                    value,
                    name,
                    line,
                    time,
                    "by value: the same value is a session cookie",
                    None,
                ));
            } else if self.pending.len() < PENDING_CAP {
                self.pending
                    .entry(h)
                    .or_insert_with(|| (line, time, crate::logs::outcome::clean_text(name)));
            }
        }
    }

    /// A value seen as a session cookie for the first time: was it in a URL before?
    pub fn on_cookie_session(
        &mut self,
        value: &[u8],
        h: u64,
        line: u64,
        time: i64,
        found: &mut Found,
    ) {
        if let Some((l, t, name)) = self.pending.remove(&h) {
            self.reported.insert(h);
            found.add(found_in_url(
                value,
                name.as_bytes(),
                l,
                t,
                "by value: the same value is a session cookie later",
                Some((line, time)),
            ));
        }
    }

    /// Forgets URL values older than the window.
    pub fn sweep(&mut self, now: i64, keep: i64) {
        self.pending.retain(|_, (_, t, _)| now - *t <= keep);
    }
}
