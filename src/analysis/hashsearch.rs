//! Hash-of-counter search.
//!
//! `md5(user_id)`, `sha1(time())` and friends look perfectly random: every statistical test above
//! passes, yet an attacker who guesses the recipe enumerates the whole space in seconds. So when the
//! tokens have the exact shape of a hex digest (all 32, 40 or 64 hex digits: MD5, SHA-1, SHA-256), the
//! likely inputs are hashed and looked up in a set of the sample's decoded digests:
//! - the decimal text of every integer `0..=1_000_000` (ids, counters), and
//! - the decimal text of every Unix time in seconds from 2 days ago to 1 hour ahead (clock skew),
//!   about 176 000 candidates. Milliseconds (1 000× more) are left out: bounded cost beats coverage.
//!
//! Each candidate is hashed once (with one algorithm, picked by the digest length) and the search stops
//! at the first match: one match is proof (a chance collision is ~2^-128). Other encodings of the
//! input (binary integers, salted or keyed hashes) are not tried; a keyed hash of a counter is
//! unpredictable to anyone without the key, which is the point of keying it.

use super::structure::{Finding, FindingKind};
use md5::Md5;
use serde::Serialize;
use sha1::Sha1;
use sha2::digest::{FixedOutputReset, Output};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

pub const MAX_INTEGER: u64 = 1_000_000;
pub const PAST_SECONDS: u64 = 2 * 86_400;
pub const FUTURE_SECONDS: u64 = 3_600;

/// Candidates a worker claims at once: claiming is then rare, and a match found early still stops
/// the other workers within one block.
const BLOCK: u64 = 1 << 14;
/// Bits of the prefilter index (a 128 KiB bitmap, which stays in cache): with 20 000 digests about
/// 2 % of candidates reach the exact set.
const FILTER_BITS: u32 = 20;

/// What the hash search did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum HashSearch {
    /// Turned off in the options.
    Disabled,
    /// Tokens are not all hex digests of one length.
    NotApplicable,
    /// Not run because too little else could be said (no tokens).
    Skipped,
    Searched {
        algorithm: &'static str,
        /// Candidates hashed before a match or the end.
        candidates: u64,
        matched: bool,
    },
}

/// Runs the search when every token is a hex digest of 32, 40 or 64 digits (all the same length).
pub fn search(tokens: &[&str], now_s: u64) -> (HashSearch, Option<Finding>) {
    let Some(len) = tokens.first().map(|t| t.len()) else {
        return (HashSearch::Skipped, None);
    };
    if !tokens
        .iter()
        .all(|t| t.len() == len && t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return (HashSearch::NotApplicable, None);
    }
    match len {
        32 => run::<Md5, 16>(tokens, "MD5", now_s),
        40 => run::<Sha1, 20>(tokens, "SHA-1", now_s),
        64 => run::<Sha256, 32>(tokens, "SHA-256", now_s),
        _ => (HashSearch::NotApplicable, None),
    }
}

/// The candidate inputs in search order: the integers, then the Unix times. Candidate `i` of the
/// search is `value(i)`, so the first match is the same however the work is split.
struct Candidates {
    integers: u64,
    time_start: u64,
    total: u64,
}

impl Candidates {
    fn new(now_s: u64) -> Self {
        let integers = MAX_INTEGER + 1;
        let time_start = now_s.saturating_sub(PAST_SECONDS);
        let times = now_s + FUTURE_SECONDS - time_start + 1;
        Self {
            integers,
            time_start,
            total: integers + times,
        }
    }

    fn value(&self, i: u64) -> u64 {
        if i < self.integers {
            i
        } else {
            self.time_start + (i - self.integers)
        }
    }
}

/// The sample's digests: a bitmap on their leading bits rejects almost every candidate before the
/// exact set is asked.
struct Targets<const N: usize> {
    filter: Vec<u64>,
    exact: HashSet<[u8; N]>,
}

impl<const N: usize> Targets<N> {
    fn new(tokens: &[&str]) -> Self {
        let exact: HashSet<[u8; N]> = tokens
            .iter()
            .filter_map(|t| super::alphabet::decode_hex(t)?.try_into().ok())
            .collect();
        let mut filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for d in &exact {
            let slot = Self::slot(d);
            filter[slot / 64] |= 1 << (slot % 64);
        }
        Self { filter, exact }
    }

    fn slot(digest: &[u8]) -> usize {
        let lead = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        (lead >> (32 - FILTER_BITS)) as usize
    }

    fn contains(&self, digest: &[u8]) -> bool {
        let slot = Self::slot(digest);
        self.filter[slot / 64] & (1 << (slot % 64)) != 0
            && <[u8; N]>::try_from(digest).is_ok_and(|k| self.exact.contains(&k))
    }
}

/// The index of the first candidate whose digest is in `targets`. Workers (one per core) claim
/// blocks in order; a block past a match already found is not started, and a block before it is
/// finished, so the answer is the sequential search's.
fn first_match<D: Digest + FixedOutputReset, const N: usize>(
    targets: &Targets<N>,
    cand: &Candidates,
) -> Option<u64> {
    let next = AtomicU64::new(0);
    let best = AtomicU64::new(u64::MAX);
    let work = || {
        let mut buf = [0u8; 20];
        // One hasher and one output per worker, reset by each digest: a fresh hasher and output per
        // candidate cost more than the hash itself in a debug build (generic code at opt-level 0).
        let mut hasher = D::new();
        let mut out = Output::<D>::default();
        loop {
            let from = next.fetch_add(BLOCK, Ordering::Relaxed);
            if from >= cand.total || from > best.load(Ordering::Relaxed) {
                return;
            }
            for i in from..(from + BLOCK).min(cand.total) {
                Digest::update(&mut hasher, decimal(cand.value(i), &mut buf));
                Digest::finalize_into_reset(&mut hasher, &mut out);
                if targets.contains(&out) {
                    best.fetch_min(i, Ordering::Relaxed);
                    break;
                }
            }
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
    });
    Some(best.into_inner()).filter(|&i| i != u64::MAX)
}

fn run<D: Digest + FixedOutputReset, const N: usize>(
    tokens: &[&str],
    algorithm: &'static str,
    now_s: u64,
) -> (HashSearch, Option<Finding>) {
    let targets = Targets::<N>::new(tokens);
    let cand = Candidates::new(now_s);
    let Some(index) = first_match::<D, N>(&targets, &cand) else {
        return (
            HashSearch::Searched {
                algorithm,
                candidates: cand.total,
                matched: false,
            },
            None,
        );
    };
    let candidates = index + 1;
    let mut buf = [0u8; 20];
    let key = D::digest(decimal(cand.value(index), &mut buf));
    let token = tokens
        .iter()
        .find(|t| super::alphabet::decode_hex(t).is_some_and(|d| d == key.as_slice()))
        .copied()
        .unwrap_or_default();
    let what = if index < cand.integers {
        format!("small integers (decimal text, 0..={MAX_INTEGER})")
    } else {
        "recent Unix times (decimal seconds, last 2 days)".to_string()
    };
    let finding = Finding {
        kind: FindingKind::HashOfCounter,
        fails: true,
        detail: format!(
            "tokens are {algorithm}(n) of {what}: sampled token {} is one, found after {candidates} candidates",
            crate::redact::fingerprint(crate::redact::Kind::Token, token)
        ),
    };
    (
        HashSearch::Searched {
            algorithm,
            candidates,
            matched: true,
        },
        Some(finding),
    )
}

/// The decimal text of `v` in `buf`, without allocating.
fn decimal(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text() {
        let mut b = [0u8; 20];
        assert_eq!(decimal(0, &mut b), b"0");
        assert_eq!(decimal(1_234_567, &mut b), b"1234567");
        assert_eq!(decimal(u64::MAX, &mut b), u64::MAX.to_string().as_bytes());
    }

    #[test]
    fn finds_sha1_of_integer() {
        let t = hex::encode(Sha1::digest(b"424242"));
        let (status, finding) = search(&[t.as_str()], 1_750_000_000);
        assert!(matches!(status, HashSearch::Searched { matched: true, .. }));
        let detail = finding.unwrap().detail;
        assert!(detail.contains("SHA-1(n) of small integers"), "{detail}");
        assert!(!detail.contains(&t));
    }

    /// The parallel search reports the first match in search order, as a sequential one would.
    #[test]
    fn reports_the_earliest_of_several_matches() {
        let now = 1_750_000_000;
        let late = hex::encode(Sha256::digest(b"999999"));
        let early = hex::encode(Sha256::digest(b"20000"));
        let time = hex::encode(Sha256::digest((now - 5).to_string().as_bytes()));
        let noise = hex::encode(Sha256::digest(b"not a counter"));
        let (status, finding) = search(&[&late, &noise, &time, &early], now);
        assert_eq!(
            status,
            HashSearch::Searched {
                algorithm: "SHA-256",
                candidates: 20_001,
                matched: true
            }
        );
        assert!(finding.unwrap().detail.contains("small integers"));
        let (status, finding) = search(&[&noise, &time], now);
        let expected = MAX_INTEGER + 1 + PAST_SECONDS - 5 + 1;
        assert!(
            matches!(status, HashSearch::Searched { candidates, matched: true, .. } if candidates == expected),
            "{status:?}"
        );
        assert!(finding.unwrap().detail.contains("recent Unix times"));
    }

    #[test]
    fn searches_every_candidate_without_a_match() {
        let noise = hex::encode(Md5::digest(b"not a counter"));
        let (status, finding) = search(&[&noise], 1_750_000_000);
        let total = MAX_INTEGER + 1 + PAST_SECONDS + FUTURE_SECONDS + 1;
        assert_eq!(
            status,
            HashSearch::Searched {
                algorithm: "MD5",
                candidates: total,
                matched: false
            }
        );
        assert!(finding.is_none());
    }
}
