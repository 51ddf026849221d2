//! More sessions of one account alive at once than the policy's cap. "Alive at once" is proved by the
//! log: each session was first used before some moment and used again at or after it, with no gap
//! beyond the idle timeout (a session idle longer is taken as expired). Within one second, the line
//! order says what came first.

use super::span;
use crate::logs::format::time::format_utc;
use crate::logs::hash::KeyMap;
use crate::logs::outcome::{Found, Incident};

pub const ID: &str = "concurrent-sessions";
pub const TITLE: &str = "more concurrent sessions per account than the cap";

#[derive(Debug, Clone, Copy)]
struct Alive {
    key: u64,
    fp: u32,
    first: i64,
    first_line: u64,
    last: i64,
    last_line: u64,
}

#[derive(Debug, Default)]
struct Account {
    name: String,
    sessions: Vec<Alive>,
    raised: bool,
}

#[derive(Debug, Default)]
pub struct Accounts {
    map: KeyMap<Account>,
    pub seen: u64,
}

impl Accounts {
    /// An accepted use of session `key` (fingerprint `fp`) by account `user`.
    #[allow(clippy::too_many_arguments)]
    pub fn on_accepted(
        &mut self,
        user: &[u8],
        key: u64,
        fp: u32,
        time: i64,
        line: u64,
        cap: u32,
        idle_limit: i64,
        found: &mut Found,
    ) -> u64 {
        let akey = crate::logs::hash::of(user);
        let seen = &mut self.seen;
        let acc = self.map.entry(akey).or_insert_with(|| {
            *seen += 1;
            Account {
                name: crate::logs::outcome::clean_text(user),
                ..Account::default()
            }
        });
        acc.sessions.retain(|a| time - a.last <= idle_limit);
        match acc.sessions.iter_mut().find(|a| a.key == key) {
            Some(a) => {
                a.last = time;
                a.last_line = line;
            }
            None => acc.sessions.push(Alive {
                key,
                fp,
                first: time,
                first_line: line,
                last: time,
                last_line: line,
            }),
        }
        if cap == 0 || acc.raised || acc.sessions.len() <= cap as usize {
            return akey;
        }
        // The moment with the most sessions alive: some session's first use. Moments are (time, line):
        // a log stamps whole seconds, and within one second its lines are in the server's order, so a
        // session ended on an earlier line of that second was not alive at a later line's login.
        let best = acc
            .sessions
            .iter()
            .map(|p| {
                let at = (p.first, p.first_line);
                let alive: Vec<&Alive> = acc
                    .sessions
                    .iter()
                    .filter(|a| (a.first, a.first_line) <= at && (a.last, a.last_line) >= at)
                    .collect();
                (p.first, alive)
            })
            .max_by_key(|(_, alive)| alive.len());
        if let Some((at, alive)) = best
            && alive.len() > cap as usize
        {
            acc.raised = true;
            let mut lines: Vec<u64> = alive
                .iter()
                .flat_map(|a| [a.first_line, a.last_line])
                .collect();
            lines.sort_unstable();
            lines.dedup();
            let fps: Vec<String> = alive.iter().map(|a| format!("tok:{:06x}", a.fp)).collect();
            let longest = alive.iter().map(|a| a.last - a.first).max().unwrap_or(0);
            found.add(Incident {
                session: None,
                account: Some(acc.name.clone()),
                lines,
                times: vec![format_utc(at), format_utc(time)],
                message: format!(
                    "{} sessions alive at once at {} (cap {cap}): {}; the longest used over {}",
                    alive.len(),
                    format_utc(at),
                    fps.join(", "),
                    span(longest)
                ),
            });
        }
        akey
    }

    /// Drops accounts whose sessions all went idle.
    pub fn sweep(&mut self, now: i64, idle_limit: i64) {
        self.map.retain(|_, acc| {
            acc.sessions.retain(|a| now - a.last <= idle_limit);
            !acc.sessions.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `(session, time, line)` uses of one account and counts the incidents raised at cap 3.
    fn incidents(uses: &[(u64, i64, u64)]) -> u64 {
        let mut accounts = Accounts::default();
        let mut found = Found::default();
        for &(key, time, line) in uses {
            accounts.on_accepted(b"alice", key, key as u32, time, line, 3, 600, &mut found);
        }
        found.count
    }

    /// Combined logs stamp whole seconds: five sessions that each log in, are used and end one after
    /// another within one second were never alive together, whatever their equal timestamps say.
    #[test]
    fn sessions_one_after_another_in_one_second_are_not_concurrent() {
        let uses: Vec<(u64, i64, u64)> = (0..5u64)
            .flat_map(|s| [(s, 100, 10 * s), (s, 100, 10 * s + 1)])
            .collect();
        assert_eq!(incidents(&uses), 0);
    }

    /// The same five sessions used again after all five logged in are alive together.
    #[test]
    fn sessions_used_after_each_other_logged_in_are_concurrent() {
        let mut uses: Vec<(u64, i64, u64)> = (0..5u64).map(|s| (s, 100, s)).collect();
        uses.extend((0..5u64).map(|s| (s, 101, 10 + s)));
        assert_eq!(incidents(&uses), 1);
    }
}
