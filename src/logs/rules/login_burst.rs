//! Logins for many accounts from one network in a short window: the scalper pattern (one operator,
//! many accounts, each holding its own cart). Counted per /24 (IPv6 /48).

use crate::logs::format::time::format_utc;
use crate::logs::hash::{KeyMap, of};
use crate::logs::network::{narrow, show};
use crate::logs::outcome::{Found, Incident};
use std::collections::VecDeque;

pub const ID: &str = "login-burst";
pub const TITLE: &str = "logins for many accounts from one network in a short window";

/// `POST` to `/login`, `/signin`, `/sign-in`, `/session(s)`, `/authenticate`, also under a prefix.
pub fn is_login(method: &[u8], path: &[u8]) -> bool {
    if !method.eq_ignore_ascii_case(b"POST") {
        return false;
    }
    let last = path
        .rsplit(|c| *c == b'/')
        .find(|s| !s.is_empty())
        .unwrap_or(b"");
    [
        &b"login"[..],
        b"signin",
        b"sign-in",
        b"log-in",
        b"session",
        b"sessions",
        b"authenticate",
        b"sign_in",
    ]
    .iter()
    .any(|n| last.eq_ignore_ascii_case(n))
}

#[derive(Debug, Default)]
struct Net {
    /// (time, identity, line) of recent logins.
    recent: VecDeque<(i64, u64, u64)>,
    raised_until: i64,
}

#[derive(Debug, Default)]
pub struct Bursts {
    nets: KeyMap<Net>,
    pub logins: u64,
}

impl Bursts {
    /// A login (status below 400) by `identity`: the user if logged, else the session, else the line.
    #[allow(clippy::too_many_arguments)]
    pub fn on_login(
        &mut self,
        addr: &[u8],
        identity: &[u8],
        time: i64,
        line: u64,
        threshold: usize,
        window: i64,
        found: &mut Found,
    ) {
        self.logins += 1;
        let Some(key) = narrow(addr) else {
            return;
        };
        let id = if identity.is_empty() {
            line.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        } else {
            of(identity)
        };
        let net = self.nets.entry(key).or_default();
        net.recent.push_back((time, id, line));
        while net
            .recent
            .front()
            .is_some_and(|(t, _, _)| time - t > window)
        {
            net.recent.pop_front();
        }
        if net.recent.len() < threshold || time <= net.raised_until {
            return;
        }
        let mut ids: Vec<u64> = net.recent.iter().map(|(_, i, _)| *i).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() >= threshold {
            net.raised_until = time + window;
            let first = net.recent.front().copied().unwrap_or((time, 0, line));
            found.add(Incident {
                session: None,
                account: None,
                lines: vec![first.2, line],
                times: vec![format_utc(first.0), format_utc(time)],
                message: format!(
                    "{} logins for {} accounts or sessions from {} within {}s (burst threshold {threshold})",
                    net.recent.len(),
                    ids.len(),
                    show(addr, true),
                    time - first.0
                ),
            });
        }
    }

    pub fn sweep(&mut self, now: i64, window: i64) {
        self.nets
            .retain(|_, n| n.recent.back().is_some_and(|(t, _, _)| now - t <= window));
    }
}
