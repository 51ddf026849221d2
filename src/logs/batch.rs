//! A block of whole lines and what could be learnt of each without knowing any other line: its fields,
//! its session id and that id's hash, whether the server accepted it, the URL parameters worth
//! judging. Workers fill batches in parallel; the judge then only follows sessions, in line order.
//! Everything is kept as offsets into the block (or into a small arena for bytes that are not in it:
//! JSON values unescaped, a format's `$arg_NAME` names), so a batch holds no borrowed pointers.

use super::Options;
use super::format::request::{path, query_pairs};
use super::format::{Carries, Fields, JsonScratch};
use super::hash::of;
use super::rules::{after_logout, login_burst};
use super::session_id::{Place, high_entropy, plausible};

/// How many malformed lines are listed by number (all are counted); per batch and over the run.
pub const MALFORMED_SHOWN: usize = 20;

/// Where some bytes of a line are: in the block, or (at `block.len()` and after) in the arena.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    off: u32,
    len: u32,
}

/// One request, as the judge needs it.
#[derive(Debug, Clone, Copy)]
pub struct Req {
    /// 1-based within the block.
    pub line: u32,
    pub time: i64,
    pub status: u16,
    pub place: Option<Place>,
    /// Status below 400 and a user named (or, without a user column, no new session cookie set).
    pub accepted: bool,
    /// A login POST answered below 400.
    pub login: bool,
    pub logout: bool,
    pub has_target: bool,
    pub addr: Span,
    pub user: Span,
    pub agent: Span,
    pub method: Span,
    pub path: Span,
    pub session: Span,
    pub session_hash: u64,
    pub agent_hash: u64,
    pub addr_hash: u64,
    /// Where the address is (`--geoip`, accepted uses with a session only).
    pub place_of_addr: Option<crate::logs::geo::Place>,
    /// `params[from..to]`: this request's URL parameters worth judging.
    pub params: (u32, u32),
}

/// A URL parameter with a session name and an id-like value, or a high-entropy value.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: Span,
    pub value: Span,
    pub by_name: bool,
    pub hash: u64,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub arena: Vec<u8>,
    pub reqs: Vec<Req>,
    pub params: Vec<Param>,
    /// Lines in the block, blank and malformed ones included.
    pub lines: u64,
    pub malformed: u64,
    pub malformed_lines: Vec<(u32, &'static str)>,
}

#[derive(Debug, Default)]
pub struct Batch {
    /// Input order: the judge takes batches by this number.
    pub seq: u64,
    pub block: Vec<u8>,
    /// How much of `block` holds lines.
    pub len: usize,
    pub failed: Option<String>,
    pub parsed: Parsed,
}

impl Batch {
    pub fn bytes(&self, s: Span) -> &[u8] {
        let (off, len) = (s.off as usize, s.len as usize);
        if off < self.block.len() || len == 0 {
            &self.block[off..off + len]
        } else {
            let a = off - self.block.len();
            &self.parsed.arena[a..a + len]
        }
    }

    /// Parses every line of the block; `scratch` is the worker's (JSON values are unescaped into it).
    pub fn parse(&mut self, o: &Options, carries: Carries, scratch: &mut JsonScratch) {
        let p = &mut self.parsed;
        p.arena.clear();
        p.reqs.clear();
        p.params.clear();
        p.lines = 0;
        p.malformed = 0;
        p.malformed_lines.clear();
        let block = &self.block;
        let buf = &block[..self.len];
        let mut start = 0;
        let mut idx: u32 = 0;
        let mut one = |line: &[u8], p: &mut Parsed, scratch: &mut JsonScratch| {
            idx += 1;
            p.lines += 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                return;
            }
            match o.format.read(line, scratch) {
                Ok(f) => p.push(block, idx, &f, o, carries),
                Err(reason) => {
                    p.malformed += 1;
                    if p.malformed_lines.len() < MALFORMED_SHOWN {
                        p.malformed_lines.push((idx, reason));
                    }
                }
            }
        };
        for end in memchr::memchr_iter(b'\n', buf) {
            one(&buf[start..end], p, scratch);
            start = end + 1;
        }
        if start < buf.len() {
            one(&buf[start..], p, scratch);
        }
    }
}

impl Parsed {
    fn span(&mut self, block: &[u8], s: &[u8]) -> Span {
        if s.is_empty() {
            return Span::default();
        }
        let base = block.as_ptr() as usize;
        let at = s.as_ptr() as usize;
        let off = if at >= base && at + s.len() <= base + block.len() {
            at - base
        } else {
            let a = self.arena.len();
            self.arena.extend_from_slice(s);
            block.len() + a
        };
        Span {
            off: off as u32,
            len: s.len() as u32,
        }
    }

    fn push(&mut self, block: &[u8], line: u32, f: &Fields, o: &Options, carries: Carries) {
        let time = f.time.expect("formats reject lines without a time");
        let target_path = path(f.target);
        let found = o.sources.find(f);
        let accepted = f.status < 400
            && if carries.user {
                !f.user.is_empty()
            } else {
                !found.is_some_and(|(v, _)| o.sources.replaced(f.set_cookie, v))
            };
        let from = self.params.len() as u32;
        if !f.target.is_empty() && (memchr::memchr(b'?', f.target).is_some() || f.args.len > 0) {
            for (name, value) in query_pairs(f.target).chain(f.args.iter()) {
                if value.is_empty() {
                    continue;
                }
                let by_name = o.sources.query_name(name) && plausible(value);
                if !by_name && !high_entropy(value) {
                    continue;
                }
                let param = Param {
                    name: self.span(block, name),
                    value: self.span(block, value),
                    by_name,
                    hash: of(value),
                };
                self.params.push(param);
            }
        }
        let params = (from, self.params.len() as u32);
        let (session, session_hash, place) = match found {
            Some((v, place)) => (self.span(block, v), of(v), Some(place)),
            None => (Span::default(), 0, None),
        };
        let with_session = place.is_some() && accepted;
        let login = f.status < 400 && login_burst::is_login(f.method, target_path);
        // A login's client (address and agent) is what ties it to the account shown next.
        let hashed = with_session || login;
        let req = Req {
            line,
            time,
            status: f.status,
            place,
            accepted,
            login,
            logout: place.is_some() && after_logout::is_logout(target_path),
            has_target: !f.target.is_empty(),
            addr: self.span(block, f.addr),
            user: self.span(block, f.user),
            agent: self.span(block, f.agent),
            method: self.span(block, f.method),
            path: self.span(block, target_path),
            session,
            session_hash,
            agent_hash: if hashed { of(f.agent) } else { 0 },
            addr_hash: if hashed { of(f.addr) } else { 0 },
            place_of_addr: match &o.geoip {
                Some(db) if with_session => db.locate(f.addr),
                _ => None,
            },
            params,
        };
        self.reqs.push(req);
    }
}
