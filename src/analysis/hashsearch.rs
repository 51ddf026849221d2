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
use sha2::{Digest, Sha256};
use std::collections::HashSet;

pub const MAX_INTEGER: u64 = 1_000_000;
pub const PAST_SECONDS: u64 = 2 * 86_400;
pub const FUTURE_SECONDS: u64 = 3_600;

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

enum Input {
    Integer,
    UnixSeconds,
}

fn run<D: Digest, const N: usize>(
    tokens: &[&str],
    algorithm: &'static str,
    now_s: u64,
) -> (HashSearch, Option<Finding>) {
    let set: HashSet<[u8; N]> = tokens
        .iter()
        .filter_map(|t| super::alphabet::decode_hex(t)?.try_into().ok())
        .collect();
    let start = now_s.saturating_sub(PAST_SECONDS);
    let ranges = [
        (Input::Integer, 0..=MAX_INTEGER),
        (Input::UnixSeconds, start..=now_s + FUTURE_SECONDS),
    ];
    let mut candidates = 0u64;
    let mut buf = [0u8; 20];
    for (input, range) in ranges {
        for v in range {
            candidates += 1;
            let digest = D::digest(decimal(v, &mut buf));
            let Ok(key) = <[u8; N]>::try_from(digest.as_slice()) else {
                continue;
            };
            if set.contains(&key) {
                let token = tokens
                    .iter()
                    .find(|t| super::alphabet::decode_hex(t).is_some_and(|d| d == key))
                    .copied()
                    .unwrap_or_default();
                let what = match input {
                    Input::Integer => format!("small integers (decimal text, 0..={MAX_INTEGER})"),
                    Input::UnixSeconds => {
                        "recent Unix times (decimal seconds, last 2 days)".to_string()
                    }
                };
                let finding = Finding {
                    kind: FindingKind::HashOfCounter,
                    fails: true,
                    detail: format!(
                        "tokens are {algorithm}(n) of {what}: sampled token {} is one, found after {candidates} candidates",
                        crate::redact::fingerprint(crate::redact::Kind::Token, token)
                    ),
                };
                return (
                    HashSearch::Searched {
                        algorithm,
                        candidates,
                        matched: true,
                    },
                    Some(finding),
                );
            }
        }
    }
    (
        HashSearch::Searched {
            algorithm,
            candidates,
            matched: false,
        },
        None,
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
}
