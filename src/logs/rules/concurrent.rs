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
    /// How many moments have had their sessions counted: what this rule costs, and what keeps an
    /// account that logs in thousands of times within one idle timeout (a sampler, a monitor) from
    /// costing the square of its sessions on every line.
    moments_counted: u64,
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
        // The moments this use can have added a session to: those after the session's previous use
        // (it is now alive at each of them), or a new session's own first use.
        let changed_after = match acc.sessions.iter_mut().find(|a| a.key == key) {
            Some(a) => {
                let previous = (a.last, a.last_line);
                a.last = time;
                a.last_line = line;
                previous
            }
            None => {
                acc.sessions.push(Alive {
                    key,
                    fp,
                    first: time,
                    first_line: line,
                    last: time,
                    last_line: line,
                });
                (time, line.saturating_sub(1))
            }
        };
        if cap == 0 || acc.raised || acc.sessions.len() <= cap as usize {
            return akey;
        }
        // The moment with the most sessions alive: some session's first use. Moments are (time, line):
        // a log stamps whole seconds, and within one second its lines are in the server's order, so a
        // session ended on an earlier line of that second was not alive at a later line's login.
        // Until this use no moment had more than `cap` (the account would have been raised), and only
        // the moments after `changed_after` gained a session, so only they can be the one over the cap
        // now: counting them alone finds what counting every moment would, and a long run of
        // sessions one after another (a token sampler's logins) costs one count per use, not one per
        // session alive.
        let counted = &mut self.moments_counted;
        let best = acc
            .sessions
            .iter()
            .filter(|p| (p.first, p.first_line) > changed_after)
            .map(|p| {
                *counted += 1;
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
            let lines = proof_lines(&alive);
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

/// The lines that prove sessions were alive at once: each one's first and last use, in order.
fn proof_lines(alive: &[&Alive]) -> Vec<u64> {
    let mut lines: Vec<u64> = alive
        .iter()
        .flat_map(|a| [a.first_line, a.last_line])
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
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

    /// What counting every moment on every use raises first (the rule as it was first written, kept
    /// as the reference): the lines, the moment, the use that raised it and the sessions alive.
    fn every_moment(
        uses: &[(u64, i64, u64)],
        cap: usize,
        idle: i64,
    ) -> Option<(Vec<u64>, i64, i64, Vec<u64>)> {
        let mut sessions: Vec<Alive> = Vec::new();
        for &(key, time, line) in uses {
            sessions.retain(|a| time - a.last <= idle);
            match sessions.iter_mut().find(|a| a.key == key) {
                Some(a) => (a.last, a.last_line) = (time, line),
                None => sessions.push(Alive {
                    key,
                    fp: key as u32,
                    first: time,
                    first_line: line,
                    last: time,
                    last_line: line,
                }),
            }
            let (at, alive) = sessions
                .iter()
                .map(|p| {
                    let at = (p.first, p.first_line);
                    let alive: Vec<&Alive> = sessions
                        .iter()
                        .filter(|a| (a.first, a.first_line) <= at && (a.last, a.last_line) >= at)
                        .collect();
                    (p.first, alive)
                })
                .max_by_key(|(_, alive)| alive.len())?;
            if alive.len() > cap {
                let keys = alive.iter().map(|a| a.key).collect();
                return Some((proof_lines(&alive), at, time, keys));
            }
        }
        None
    }

    /// Counting only the moments a use changed raises what counting every moment raises, on the
    /// same line and in the same words: seeded random uses of up to 12 sessions, some used again
    /// later, several per second, some going idle, at caps 1 to 4.
    #[test]
    fn counting_the_changed_moments_finds_what_counting_every_moment_finds() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut raised = 0;
        for round in 0..400 {
            let cap = 1 + round % 4;
            let idle = rng.random_range(2..20);
            let (mut time, mut uses) = (1_000i64, Vec::new());
            for line in 1..rng.random_range(2..60u64) {
                time += rng.random_range(0..4);
                uses.push((rng.random_range(0..12u64), time, line));
            }
            let mut accounts = Accounts::default();
            let mut found = Found::default();
            for &(key, time, line) in &uses {
                accounts.on_accepted(b"alice", key, key as u32, time, line, cap, idle, &mut found);
            }
            let want = every_moment(&uses, cap as usize, idle);
            raised += usize::from(want.is_some());
            assert_eq!(found.count, u64::from(want.is_some()), "{uses:?} cap {cap}");
            if let (Some((lines, at, time, alive)), Some(got)) = (want, found.shown.first()) {
                let fps: Vec<String> = alive.iter().map(|k| format!("tok:{k:06x}")).collect();
                let said = format!(
                    "{} sessions alive at once at {} (cap {cap}): {};",
                    alive.len(),
                    format_utc(at),
                    fps.join(", ")
                );
                assert_eq!(got.lines, lines, "{uses:?} cap {cap}");
                assert_eq!(got.times, [format_utc(at), format_utc(time)], "{uses:?}");
                assert!(got.message.starts_with(&said), "{} / {said}", got.message);
            }
        }
        // Both sides of the rule were exercised.
        assert!(raised > 50 && raised < 350, "{raised} of 400 raised");
    }

    /// An account that logs in thousands of times within one idle timeout, each session used twice
    /// and never beside another (a token sampler's logins on a secure app): nothing raised, and one
    /// moment counted per use at most, where counting every moment on every use counted millions.
    #[test]
    fn a_long_run_of_sessions_one_after_another_costs_one_count_per_use() {
        let mut accounts = Accounts::default();
        let mut found = Found::default();
        let mut uses = 0;
        for s in 0..3_000u64 {
            for line in [2 * s + 1, 2 * s + 2] {
                accounts.on_accepted(
                    b"alice",
                    s,
                    s as u32,
                    1_000 + s as i64 / 10,
                    line,
                    3,
                    1_800,
                    &mut found,
                );
                uses += 1;
            }
        }
        assert_eq!(found.count, 0);
        assert!(
            accounts.moments_counted <= uses,
            "{} moments counted for {uses} uses",
            accounts.moments_counted
        );
    }
}
