//! The corpus of token families with known true entropy (issue 13): each family is generated here
//! from a fixed seed, analysed, and must get the right verdict — PASS only for CSPRNG families whose
//! true entropy meets the policy — with no entropy estimate above the family's true entropy.
//!
//! "True entropy" is what an attacker who knows the recipe but not the secrets must guess per token:
//! the CSPRNG bytes; for keyed MACs (signed cookies, JWTs) at most the MAC, whose key the attacker
//! lacks; 0 for anything that follows from a counter, the clock or an earlier token (hashes of
//! counters and times, UUIDv1, java.util.Random, Mersenne Twister). An analysis that gives no entropy
//! figure (duplicates, a predicted generator) counts as 0 bits credited.

use crate::support::tokens::{uuid_string, uuid_v4};
use hmac::{Hmac, Mac};
use md5::Md5;
use rand::{Rng, RngCore, SeedableRng, rngs::StdRng, seq::SliceRandom};
use sha1::{Digest, Sha1};
use usher::analysis::{Analysis, AnalysisOptions, TokenVerdict, analyze_at};

const NOW_S: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z: fixed, so every run sees the same corpus.

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(0xc0_4b05 ^ seed)
}

fn b64url(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// The sample's wall clock: sampling took one second per 10 tokens, ending at `NOW_S`.
fn opts_for(n: usize) -> AnalysisOptions {
    let end_ms = NOW_S * 1000;
    AnalysisOptions {
        sample_window_ms: Some((end_ms - n as u64 * 100, end_ms)),
        ..AnalysisOptions::default()
    }
}

/// Analyses at `NOW_S`, checks no token leaks into the report, and returns the analysis.
fn run(tokens: &[String]) -> Analysis {
    let a = analyze_at(tokens, &opts_for(tokens.len()), NOW_S);
    let text = a.render_text();
    let json = a.to_json().to_string();
    for t in tokens {
        assert!(
            !text.contains(t.as_str()),
            "token leaked into text:\n{text}"
        );
        assert!(!json.contains(t.as_str()), "token leaked into JSON");
    }
    a
}

/// The verdict and the bound every family must meet: PASS only for a CSPRNG family whose true
/// entropy meets the 128-bit policy, FAIL for every other.
fn judge(name: &str, tokens: &[String], true_bits: f64) -> Analysis {
    judge_as(name, tokens, true_bits, true_bits >= 128.0)
}

/// [`judge`] for a family that must FAIL whatever its bits (readable payloads, keyed MACs of them).
fn judge_fail(name: &str, tokens: &[String], true_bits: f64) -> Analysis {
    judge_as(name, tokens, true_bits, false)
}

fn judge_as(name: &str, tokens: &[String], true_bits: f64, pass: bool) -> Analysis {
    let a = run(tokens);
    let credited = a.effective_entropy_bits().unwrap_or(0) as f64;
    assert!(
        credited <= true_bits,
        "{name}: {credited} bits credited, true entropy {true_bits:.1}\n{}",
        a.render_text()
    );
    let expected = if pass {
        TokenVerdict::Pass
    } else {
        TokenVerdict::Fail
    };
    assert_eq!(a.verdict, expected, "{name}\n{}", a.render_text());
    a
}

fn reason_with(a: &Analysis, needle: &str) -> bool {
    a.reasons.iter().any(|r| r.contains(needle))
}

// ---- CSPRNG families ----

#[test]
fn csprng_hex_base36_and_base64_families() {
    let mut r = rng(1);
    for bytes in [16usize, 32] {
        let tokens: Vec<String> = (0..300)
            .map(|_| {
                let mut b = vec![0u8; bytes];
                r.fill_bytes(&mut b);
                hex::encode(b)
            })
            .collect();
        judge(
            &format!("hex of {bytes} bytes"),
            &tokens,
            8.0 * bytes as f64,
        );
    }
    const B36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    for len in [20usize, 24, 26, 32] {
        let tokens: Vec<String> = (0..300)
            .map(|_| {
                (0..len)
                    .map(|_| B36[r.random_range(0..36)] as char)
                    .collect()
            })
            .collect();
        judge(
            &format!("base36 of {len}"),
            &tokens,
            len as f64 * 36f64.log2(),
        );
    }
    for bytes in [12usize, 18, 32] {
        let tokens: Vec<String> = (0..300)
            .map(|_| {
                let mut b = vec![0u8; bytes];
                r.fill_bytes(&mut b);
                b64url(&b)
            })
            .collect();
        judge(
            &format!("base64 of {bytes} bytes"),
            &tokens,
            8.0 * bytes as f64,
        );
    }
}

// ---- Signed cookies and JWTs ----

/// The brief's `signed-cookie` family: `base64url(json).base64url(4-byte BE seconds).base64url(HMAC-SHA1)`.
fn signed_cookie(key: &[u8], json: &str, time: u32) -> String {
    let head = format!(
        "{}.{}",
        b64url(json.as_bytes()),
        b64url(&time.to_be_bytes())
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
    mac.update(head.as_bytes());
    format!("{head}.{}", b64url(&mac.finalize().into_bytes()))
}

#[test]
fn signed_cookies_a_second_apart_and_in_the_same_second() {
    let key = b"ticketbooth server key";
    let json = r#"{"uid":7,"user":"alice@ticketbooth.test"}"#;
    let start = (NOW_S - 400) as u32;
    // Logins 1.05 s apart: never the same second, so every cookie differs.
    let apart: Vec<String> = (0..200u32)
        .map(|i| signed_cookie(key, json, start + i * 105 / 100))
        .collect();
    let a = judge_fail("signed cookies 1.05 s apart", &apart, 160.0);
    assert!(reason_with(&a, "names the user"), "{:?}", a.reasons);
    assert!(reason_with(&a, "timestamp"), "{:?}", a.reasons);
    // Two logins a second: identical cookies, reported as such with their shared issue second.
    let same: Vec<String> = (0..200u32)
        .map(|i| signed_cookie(key, json, start + i / 2))
        .collect();
    let a = judge("signed cookies, two a second", &same, 0.0);
    assert!(a.reasons[0].starts_with("not unique: 100 duplicate tokens among 200"));
    assert!(a.reasons[0].contains("same second"), "{}", a.reasons[0]);
    assert_eq!(a.effective_entropy_bits(), None);
    // Anonymous sessions: a 64-bit CSPRNG id inside the payload.
    let mut r = rng(2);
    let anon: Vec<String> = (0..200u32)
        .map(|i| {
            let sid = format!(r#"{{"sid":"{:016x}"}}"#, r.next_u64());
            signed_cookie(key, &sid, start + i)
        })
        .collect();
    judge_fail("anonymous signed cookies", &anon, 160.0);
}

#[test]
fn jwts_signed_with_hs256() {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let tokens: Vec<String> = (0..200u64)
        .map(|i| {
            let payload = b64url(
                format!(r#"{{"sub":"{}","iat":{}}}"#, 1000 + i % 7, NOW_S - 300 + i).as_bytes(),
            );
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"jwt key").unwrap();
            mac.update(format!("{header}.{payload}").as_bytes());
            format!(
                "{header}.{payload}.{}",
                b64url(&mac.finalize().into_bytes())
            )
        })
        .collect();
    let a = judge_fail("HS256 JWTs", &tokens, 256.0);
    assert!(reason_with(&a, "JWTs"), "{:?}", a.reasons);
}

// ---- UUIDs ----

#[test]
fn uuid_v1_and_v4() {
    // v1: 100 ns ticks since 1582-10-15, clock sequence and node fixed per server.
    let ticks_now = (NOW_S - 600 + 12_219_292_800) * 10_000_000;
    let v1: Vec<String> = (0..200u64)
        .map(|i| {
            let t = ticks_now + i * 10_513_377;
            let mut b = [0u8; 16];
            b[..4].copy_from_slice(&((t & 0xffff_ffff) as u32).to_be_bytes());
            b[4..6].copy_from_slice(&(((t >> 32) & 0xffff) as u16).to_be_bytes());
            b[6..8].copy_from_slice(&((((t >> 48) & 0x0fff) as u16) | 0x1000).to_be_bytes());
            b[8..10].copy_from_slice(&(0x1234u16 & 0x3fff | 0x8000).to_be_bytes());
            b[10..].copy_from_slice(&[0x02, 0x42, 0xac, 0x11, 0x00, 0x02]);
            uuid_string(b)
        })
        .collect();
    let a = judge("UUIDv1", &v1, 0.0);
    assert!(reason_with(&a, "UUIDv1"), "{:?}", a.reasons);
    let mut r = rng(3);
    let v4: Vec<String> = (0..300).map(|_| uuid_v4(&mut r)).collect();
    judge("UUIDv4", &v4, 122.0);
}

// ---- Hashes of counters and times, counters ----

#[test]
fn hashes_of_counters_and_of_times() {
    let md5_counter: Vec<String> = (0..300u64)
        .map(|i| hex::encode(Md5::digest((52_000 + i).to_string())))
        .collect();
    let a = judge("MD5 of a counter", &md5_counter, 0.0);
    assert!(
        reason_with(&a, "MD5(n) of small integers"),
        "{:?}",
        a.reasons
    );
    let sha1_counter: Vec<String> = (0..300u64)
        .map(|i| hex::encode(Sha1::digest((700_000 + 3 * i).to_string())))
        .collect();
    judge("SHA-1 of a counter", &sha1_counter, 0.0);
    let md5_time: Vec<String> = (0..300u64)
        .map(|i| hex::encode(Md5::digest((NOW_S - 900 + i).to_string())))
        .collect();
    let a = judge("MD5 of the time", &md5_time, 0.0);
    assert!(reason_with(&a, "recent Unix times"), "{:?}", a.reasons);
    let sha1_time: Vec<String> = (0..300u64)
        .map(|i| hex::encode(Sha1::digest((NOW_S - 900 + i).to_string())))
        .collect();
    judge("SHA-1 of the time", &sha1_time, 0.0);
}

#[test]
fn counters() {
    let decimal: Vec<String> = (0..300u64).map(|i| (10_000_000 + i).to_string()).collect();
    judge("decimal counter", &decimal, 0.0);
    let hex: Vec<String> = (0..300u128)
        .map(|i| format!("{:032x}", 0x0123_4567_89ab_cdef_0000u128 + 5 * i))
        .collect();
    judge("hex counter", &hex, 0.0);
}

// ---- Non-cryptographic generators: java.util.Random and MT19937 ----

/// java.util.Random, exactly as the JDK: 48-bit LCG, seed scrambled with the multiplier.
struct JavaRandom(u64);

impl JavaRandom {
    const MULT: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: u64) -> Self {
        Self((seed ^ Self::MULT) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.0 = (self.0.wrapping_mul(Self::MULT).wrapping_add(0xB)) & Self::MASK;
        (self.0 >> (48 - bits)) as u32 as i32
    }

    fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    fn next_long(&mut self) -> i64 {
        (i64::from(self.next(32)) << 32).wrapping_add(i64::from(self.next(32)))
    }
}

#[test]
fn java_random_matches_the_jdk() {
    let mut r = JavaRandom::new(42);
    assert_eq!(r.next_int(), -1_170_105_035);
    assert_eq!(r.next_int(), 234_785_527);
    assert_eq!(JavaRandom::new(42).next_long(), -5_025_562_857_975_149_833);
}

/// The brief's `lcg` family: two consecutive nextLong() values as 32 hex digits. `skip` ids are
/// drawn between two sampled ones (anonymous sessions issued between logins).
fn lcg_ids(seed: u64, n: usize, skip: usize) -> Vec<String> {
    let mut g = JavaRandom::new(seed);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let id = format!("{:016x}{:016x}", g.next_long(), g.next_long());
        out.push(id);
        for _ in 0..skip {
            g.next_long();
            g.next_long();
        }
    }
    out
}

/// The brief's `mt` family: 8 consecutive genrand_int32() outputs as 8 hex digits each.
fn mt_ids(seed: u32, n: usize) -> Vec<String> {
    let mut g = rand_mt::Mt::new(seed);
    (0..n)
        .map(|_| (0..8).map(|_| format!("{:08x}", g.next_u32())).collect())
        .collect()
}

/// The sampler keeps the first 200 in issue order; later ones may come back in any order.
fn reorder_after_200(mut tokens: Vec<String>, seed: u64) -> Vec<String> {
    if tokens.len() > 200 {
        tokens[200..].shuffle(&mut rng(seed));
    }
    tokens
}

fn assert_predicted(a: &Analysis, generator: &str, later: usize) {
    let reason = a
        .reasons
        .iter()
        .find(|r| r.contains("the next token was predicted"))
        .unwrap_or_else(|| panic!("no prediction: {:?}\n{}", a.reasons, a.render_text()));
    assert!(reason.contains(generator), "{reason}");
    assert!(
        reason.contains(&format!("{later} later tokens predicted exactly")),
        "{reason}"
    );
    assert_eq!(a.effective_entropy_bits(), None, "{}", a.render_text());
}

#[test]
fn java_random_ids_are_predicted() {
    for n in [200usize, 1000] {
        let tokens = reorder_after_200(lcg_ids(0x1234_5678 + n as u64, n, 0), 7);
        let a = judge(&format!("lcg, {n}"), &tokens, 0.0);
        assert_predicted(&a, "java.util.Random", n - 1);
    }
    // An anonymous session's id drawn between every two sampled logins: still predicted.
    let tokens = lcg_ids(99, 200, 1);
    let a = judge("lcg with gaps", &tokens, 0.0);
    assert_predicted(&a, "java.util.Random", 199);
}

#[test]
fn java_random_next_int_tokens_are_predicted() {
    let mut g = JavaRandom::new(2024);
    let tokens: Vec<String> = (0..300).map(|_| g.next_int().to_string()).collect();
    let a = judge("nextInt() in decimal", &tokens, 0.0);
    assert_predicted(&a, "java.util.Random", 298);
    let mut g = JavaRandom::new(2025);
    let tokens: Vec<String> = (0..300)
        .map(|_| format!("{:08x}{:08x}", g.next_int(), g.next_int()))
        .collect();
    let a = judge("two nextInt() in hex", &tokens, 0.0);
    assert_predicted(&a, "java.util.Random", 299);
}

#[test]
fn mersenne_twister_ids_are_predicted() {
    for n in [200usize, 1000] {
        let tokens = reorder_after_200(mt_ids(5489 + n as u32, n), 11);
        let a = judge(&format!("mt, {n}"), &tokens, 0.0);
        // 624 outputs = 78 ids recover the state; every other id follows from it.
        assert_predicted(&a, "Mersenne Twister", n - 78);
    }
}

/// An anonymous session's id drawn between every two sampled logins: no run of 78 consecutive ids
/// exists, yet the recurrence predicts half of every later token's outputs.
#[test]
fn mersenne_twister_ids_with_unseen_ids_between_are_predicted() {
    let all = mt_ids(77, 400);
    let tokens: Vec<String> = all.iter().step_by(2).cloned().collect();
    let a = judge("mt, every other id", &tokens, 0.0);
    let reason = a
        .reasons
        .iter()
        .find(|r| r.contains("the next token was predicted"))
        .unwrap_or_else(|| panic!("{}", a.render_text()));
    assert!(reason.contains("Mersenne Twister"), "{reason}");
    assert!(
        reason.contains("across ids the sample did not see"),
        "{reason}"
    );
    // Tokens 39 sampled ids (78 issued) after the first 161: 4 outputs each (the words whose
    // partners 397 outputs on fall in a sampled id).
    assert!(
        reason.contains("644 outputs of 161 later tokens"),
        "{reason}"
    );
    assert_eq!(a.effective_entropy_bits(), None);
}

/// Python's `'%032x' % random.getrandbits(128)`: four outputs, the first as the lowest word.
#[test]
fn python_getrandbits_tokens_are_predicted() {
    let mut g = rand_mt::Mt::new(31_337);
    let tokens: Vec<String> = (0..300)
        .map(|_| {
            let w: Vec<u32> = (0..4).map(|_| g.next_u32()).collect();
            format!("{:08x}{:08x}{:08x}{:08x}", w[3], w[2], w[1], w[0])
        })
        .collect();
    let a = judge("getrandbits(128)", &tokens, 0.0);
    assert_predicted(&a, "Mersenne Twister", 300 - 156);
}

/// Fewer consecutive outputs than the state holds: no claim is made, and the statistics decide.
#[test]
fn too_few_mersenne_twister_outputs_claim_nothing() {
    let tokens = mt_ids(1, 60);
    let a = run(&tokens);
    assert!(!reason_with(&a, "predicted"), "{:?}", a.reasons);
}
