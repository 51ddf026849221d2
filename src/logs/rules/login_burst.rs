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
    /// (login time, account, line) of recent attributed logins.
    recent: VecDeque<(i64, u64, u64)>,
    raised_until: i64,
}

/// A login whose line names no account, waiting for the client's next request that does.
#[derive(Debug)]
struct Pending {
    net: u64,
    addr: Box<[u8]>,
    time: i64,
    line: u64,
}

/// Logins are counted per account, never per session or line: one account logging in a thousand
/// times (a token sampler, a retrying script) is not many accounts. Where the login line names no
/// user (most apps log the request as anonymous, and rotate the session id at login), the login is
/// the account that the same client (address and agent) shows on its next request within the window;
/// a login never followed by one is not counted.
#[derive(Debug, Default)]
pub struct Bursts {
    nets: KeyMap<Net>,
    pending: KeyMap<Pending>,
    pub logins: u64,
}

/// The client a login came from: its address and user agent.
pub fn client(addr_hash: u64, agent_hash: u64) -> u64 {
    addr_hash ^ agent_hash.rotate_left(29)
}

impl Bursts {
    /// A login (status below 400). `user` is the account the line names, if any; `client` is
    /// [`client`] of the line.
    #[allow(clippy::too_many_arguments)]
    pub fn on_login(
        &mut self,
        addr: &[u8],
        user: &[u8],
        client: u64,
        time: i64,
        line: u64,
        threshold: usize,
        window: i64,
        found: &mut Found,
    ) {
        self.logins += 1;
        let Some(net) = narrow(addr) else {
            return;
        };
        if user.is_empty() {
            self.pending.insert(
                client,
                Pending {
                    net,
                    addr: addr.into(),
                    time,
                    line,
                },
            );
            return;
        }
        self.count(net, addr, of(user), time, line, threshold, window, found);
    }

    /// Whether a login is waiting for its account: [`Bursts::on_user`] is worth calling.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// A request from `client` naming `user`: the account of that client's pending login, if any.
    #[allow(clippy::too_many_arguments)]
    pub fn on_user(
        &mut self,
        client: u64,
        user: &[u8],
        time: i64,
        threshold: usize,
        window: i64,
        found: &mut Found,
    ) {
        let Some(p) = self.pending.remove(&client) else {
            return;
        };
        if time - p.time > window {
            return;
        }
        self.count(
            p.net,
            &p.addr,
            of(user),
            p.time,
            p.line,
            threshold,
            window,
            found,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn count(
        &mut self,
        key: u64,
        addr: &[u8],
        account: u64,
        time: i64,
        line: u64,
        threshold: usize,
        window: i64,
        found: &mut Found,
    ) {
        let net = self.nets.entry(key).or_default();
        net.recent.push_back((time, account, line));
        let newest = net.recent.iter().map(|(t, _, _)| *t).max().unwrap_or(time);
        net.recent.retain(|(t, _, _)| newest - t <= window);
        if net.recent.len() < threshold || time <= net.raised_until {
            return;
        }
        let mut ids: Vec<u64> = net.recent.iter().map(|(_, i, _)| *i).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() >= threshold {
            net.raised_until = newest + window;
            let first = net
                .recent
                .iter()
                .min_by_key(|(t, _, l)| (*t, *l))
                .copied()
                .unwrap_or((time, 0, line));
            let last = net
                .recent
                .iter()
                .max_by_key(|(t, _, l)| (*t, *l))
                .copied()
                .unwrap_or((time, 0, line));
            found.add(Incident {
                session: None,
                account: None,
                lines: vec![first.2, last.2],
                times: vec![format_utc(first.0), format_utc(last.0)],
                message: format!(
                    "{} logins for {} accounts from {} within {}s (burst threshold {threshold})",
                    net.recent.len(),
                    ids.len(),
                    show(addr, true),
                    last.0 - first.0
                ),
            });
        }
    }

    pub fn sweep(&mut self, now: i64, window: i64) {
        self.nets
            .retain(|_, n| n.recent.back().is_some_and(|(t, _, _)| now - t <= window));
        self.pending.retain(|_, p| now - p.time <= window);
    }
}
