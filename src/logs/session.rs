//! The state kept per session id while it lives, and the small tombstone kept after it went idle (so a
//! session the server should have expired is still recognised when it comes back).

use sha2::{Digest, Sha256};

/// How many distinct agents and networks a session remembers; the rules need only the first few.
pub const AGENTS: usize = 4;
pub const NETWORKS: usize = 4;

/// One request of a session, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Use<'a> {
    pub line: u64,
    pub time: i64,
    pub addr: &'a [u8],
    pub user: &'a [u8],
    pub agent: &'a [u8],
    pub method: &'a [u8],
    pub path: &'a [u8],
    pub status: u16,
    /// The server took the session: status below 400 and, where the log names users, a user logged
    /// (or, without one, no new session cookie set in its place).
    pub accepted: bool,
    /// Hashes of the agent string and of the address (computed by the parsing workers).
    pub agent_hash: u64,
    pub addr_hash: u64,
}

/// Rules already raised for a session (each once per session).
pub mod flag {
    pub const AGENTS: u8 = 1;
    pub const NETWORKS: u8 = 2;
    pub const IDLE: u8 = 4;
    pub const LIFETIME: u8 = 8;
    pub const LOGOUT: u8 = 16;
    pub const TRAVEL: u8 = 32;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Agent {
    pub family: &'static str,
    pub platform: &'static str,
    pub line: u64,
    pub time: i64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Net {
    pub key: u64,
    pub last: i64,
    pub line: u64,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// First 24 bits of the id's SHA-256: the report's `tok:xxxxxx` fingerprint.
    pub fp: u32,
    pub first: i64,
    pub last: i64,
    pub requests: u32,
    /// First and last accepted use (0 line: none yet).
    pub first_ok: i64,
    pub first_ok_line: u64,
    pub last_ok: i64,
    pub last_ok_line: u64,
    pub account: u64,
    pub logout_line: u64,
    pub logout_time: i64,
    pub agents: [Agent; AGENTS],
    pub n_agents: u8,
    /// Hash of the last user-agent string seen: the same string again needs no classifying.
    pub last_agent: u64,
    /// Hash of the last client address and its network, likewise.
    pub last_addr: u64,
    pub last_net: u64,
    pub nets: [Net; NETWORKS],
    pub n_nets: u8,
    /// The last place it was used from, when, on which line (`--geoip` only).
    pub place: Option<(crate::logs::geo::Place, i64, u64)>,
    pub flags: u8,
}

impl Session {
    pub fn new(id: &[u8], time: i64) -> Session {
        Session {
            fp: fingerprint_bits(id),
            first: time,
            last: time,
            requests: 0,
            first_ok: 0,
            first_ok_line: 0,
            last_ok: 0,
            last_ok_line: 0,
            account: 0,
            logout_line: 0,
            logout_time: 0,
            agents: [Agent::default(); AGENTS],
            n_agents: 0,
            last_agent: 0,
            last_addr: 0,
            last_net: 0,
            nets: [Net::default(); NETWORKS],
            n_nets: 0,
            place: None,
            flags: 0,
        }
    }

    pub fn fingerprint(&self) -> String {
        format!("tok:{:06x}", self.fp)
    }

    pub fn raised(&mut self, f: u8) -> bool {
        let was = self.flags & f != 0;
        self.flags |= f;
        was
    }

    /// Seconds between first and last accepted use, else first and last use.
    pub fn duration(&self) -> i64 {
        if self.first_ok_line > 0 {
            self.last_ok - self.first_ok
        } else {
            self.last - self.first
        }
    }

    /// What is kept once the session went idle beyond the policy.
    pub fn tomb(&self) -> Tomb {
        Tomb {
            fp: self.fp,
            first_ok: self.first_ok,
            first_ok_line: self.first_ok_line,
            last_ok: self.last_ok,
            last_ok_line: self.last_ok_line,
            logout_line: self.logout_line,
            logout_time: self.logout_time,
            last: self.last,
            flags: self.flags,
        }
    }
}

/// A session gone idle: enough to judge it if it comes back.
#[derive(Debug, Clone, Copy)]
pub struct Tomb {
    pub fp: u32,
    pub first_ok: i64,
    pub first_ok_line: u64,
    pub last_ok: i64,
    pub last_ok_line: u64,
    pub logout_line: u64,
    pub logout_time: i64,
    pub last: i64,
    pub flags: u8,
}

impl Tomb {
    /// The session again, as it was, without its agents and networks (a comeback is judged for its
    /// gap, lifetime and logout; agents and networks start over).
    pub fn revive(&self, time: i64) -> Session {
        let mut s = Session::new(b"", time);
        s.fp = self.fp;
        s.first = self.first_ok.min(time);
        s.last = self.last;
        s.first_ok = self.first_ok;
        s.first_ok_line = self.first_ok_line;
        s.last_ok = self.last_ok;
        s.last_ok_line = self.last_ok_line;
        s.logout_line = self.logout_line;
        s.logout_time = self.logout_time;
        s.flags = self.flags;
        s
    }
}

/// The same six hex digits as `crate::redact::fingerprint(Kind::Token, id)`.
pub fn fingerprint_bits(id: &[u8]) -> u32 {
    let d = Sha256::digest(id);
    u32::from_be_bytes([0, d[0], d[1], d[2]])
}

/// Bytes one session takes in its table (entry and the table's spare room at its load factor).
pub fn bytes_per_session() -> u64 {
    table_bytes(std::mem::size_of::<(u64, Session)>())
}

pub fn bytes_per_tombstone() -> u64 {
    table_bytes(std::mem::size_of::<(u64, Tomb)>())
}

fn table_bytes(entry: usize) -> u64 {
    ((entry + 1) as f64 / 0.875).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{Kind, fingerprint};

    #[test]
    fn fingerprints_match_the_redactor() {
        let s = Session::new(b"s3cr3t-session-value", 0);
        assert_eq!(
            s.fingerprint(),
            fingerprint(Kind::Token, "s3cr3t-session-value")
        );
    }
}
