//! Token-analysis verdicts on generated samples (OWASP WSTG-SESS-01): strong tokens pass; counters,
//! timestamps, hashes of counters, readable payloads, duplicates and short random parts fail; tiny
//! samples are inconclusive. Every report is checked for leaked tokens.

use crate::support::tokens::uuid_v4;
use md5::Md5;
use rand::{Rng, RngCore, SeedableRng, rngs::StdRng};
use sha2::{Digest, Sha256};
use usher::analysis::{
    Analysis, AnalysisOptions, FindingKind, HashSearch, NOTE, TokenVerdict, analyze,
};

fn rng() -> StdRng {
    StdRng::seed_from_u64(0x5e55_10ff)
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn random_hex(rng: &mut StdRng, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rng.fill_bytes(&mut b);
    hex::encode(b)
}

fn b64url(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let v = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[(v >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Analyses, then checks that neither the text nor the JSON report contains any input token.
fn run(tokens: &[String], opts: &AnalysisOptions) -> Analysis {
    let a = analyze(tokens, opts);
    let text = a.render_text();
    let json = a.to_json().to_string();
    for t in tokens.iter().filter(|t| !t.trim().is_empty()) {
        assert!(
            !text.contains(t.as_str()),
            "token leaked into text:\n{text}"
        );
        assert!(!json.contains(t.as_str()), "token leaked into JSON");
    }
    assert!(text.contains("passing statistics prove no unpredictability"));
    assert_eq!(a.note, NOTE);
    a
}

fn has(a: &Analysis, kind: FindingKind) -> bool {
    a.structure.iter().any(|f| f.kind == kind && f.fails)
}

#[test]
fn csprng_tokens_pass_with_high_entropy() {
    let mut r = rng();
    let tokens: Vec<String> = (0..1000).map(|_| random_hex(&mut r, 32)).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Pass, "{}", a.render_text());
    assert!(a.reasons.is_empty());
    assert_eq!(a.alphabet.name(), "hex");
    let bits = a.bit_level.as_ref().unwrap();
    assert_eq!(bits.bits_per_token, 256);
    assert!(bits.effective_entropy_bits >= 240, "{}", a.render_text());
    let fips = bits.fips.as_ref().unwrap();
    assert_eq!((fips.scope, fips.tested), ("stream", 1));
    assert_eq!(
        (fips.monobit, fips.poker, fips.runs, fips.long_runs),
        (1, 1, 1, 1)
    );
    assert!(a.char_level.as_ref().unwrap().effective_bits >= 240.0);
    assert!(matches!(
        a.hash_search,
        HashSearch::Searched {
            algorithm: "SHA-256",
            matched: false,
            ..
        }
    ));
    assert_eq!(a.to_json()["verdict"]["status"], "pass");
}

#[test]
fn alphanumeric_tokens_are_decoded_not_read_as_ascii() {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut r = rng();
    let tokens: Vec<String> = (0..500)
        .map(|_| {
            (0..32)
                .map(|_| ALNUM[r.random_range(0..62)] as char)
                .collect()
        })
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Pass, "{}", a.render_text());
    assert_eq!(a.alphabet.name(), "alphanumeric");
    // 32 base-62 digits are 190.5 bits, written in 191.
    assert!(a.effective_entropy_bits().unwrap() >= 180);
}

#[test]
fn counter_tokens_fail() {
    let start: u128 = 0x0123_4567_89ab_cdef_0000;
    let tokens: Vec<String> = (0..1000).map(|i| format!("{:032x}", start + i)).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(has(&a, FindingKind::Counter), "{}", a.render_text());
    assert!(a.bit_level.as_ref().unwrap().effective_entropy_bits < 128);
    // Sequential ids get no entropy figure: the low bits' statistics would overstate a counter.
    assert_eq!(a.effective_entropy_bits(), None);
    assert!(
        a.render_text()
            .contains("Entropy credited: none — the tokens are sequential")
    );
    assert!(a.reasons.iter().any(|r| r.contains("sequential ids")));
    assert!(a.reasons.iter().any(|r| r.contains("effective entropy")));
}

#[test]
fn timestamp_tokens_fail() {
    let mut r = rng();
    let base_ms = now_s() * 1000;
    let tokens: Vec<String> = (0..500)
        .map(|i| format!("{}{:06}", base_ms + i * 37, r.random_range(0..1_000_000)))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(has(&a, FindingKind::Timestamp), "{}", a.render_text());
    assert!(a.reasons.iter().any(|r| r.contains("milliseconds")));
}

#[test]
fn md5_of_sequential_integers_passes_statistics_but_fails_hash_search() {
    let tokens: Vec<String> = (0..1000u32)
        .map(|i| hex::encode(Md5::digest((40_000 + i).to_string())))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    // The statistics see nothing...
    assert!(
        a.bit_level.as_ref().unwrap().effective_entropy_bits >= 120,
        "{}",
        a.render_text()
    );
    // ...and are not believed: no entropy is credited to hashes of a counter.
    assert_eq!(a.effective_entropy_bits(), None);
    assert!(a.structure.iter().all(|f| !f.fails));
    // ...the hash search does, and the report says why statistics are not enough.
    let f = a.hash_of_counter.as_ref().expect("hash of counter");
    assert_eq!(f.kind, FindingKind::HashOfCounter);
    assert_eq!(a.reasons.len(), 1, "{:?}", a.reasons);
    assert!(
        a.reasons[0].contains("tokens are MD5(n) of small integers"),
        "{}",
        a.reasons[0]
    );
    assert!(
        a.render_text()
            .contains("passing statistics prove no unpredictability")
    );
}

#[test]
fn sha256_of_recent_unix_seconds_fails() {
    let now = now_s();
    let tokens: Vec<String> = (0..200u64)
        .map(|i| hex::encode(Sha256::digest((now - 5_000 + i * 3).to_string())))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("SHA-256(n) of recent Unix times")),
        "{:?}",
        a.reasons
    );
    assert!(a.bit_level.as_ref().unwrap().effective_entropy_bits >= 120);
    assert_eq!(a.effective_entropy_bits(), None);
}

#[test]
fn jwt_with_readable_payload_fails_and_names_claims() {
    let mut r = rng();
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let now = now_s();
    let tokens: Vec<String> = (0..100)
        .map(|i| {
            let payload = b64url(
                format!(r#"{{"sub":"user{i}","iat":{},"role":"member"}}"#, now + i).as_bytes(),
            );
            let mut sig = [0u8; 32];
            r.fill_bytes(&mut sig);
            format!("{header}.{payload}.{}", b64url(&sig))
        })
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(has(&a, FindingKind::Jwt));
    let reason = a
        .reasons
        .iter()
        .find(|r| r.contains("token carries readable data"))
        .expect("readable-data reason");
    assert!(reason.contains("claims: iat, role, sub"), "{reason}");
    assert!(!reason.contains("member"), "claim values must not be shown");
}

#[test]
fn duplicates_fail() {
    let mut r = rng();
    let mut tokens: Vec<String> = (0..200).map(|_| random_hex(&mut r, 32)).collect();
    tokens.push(tokens[17].clone());
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert_eq!((a.sample_size, a.unique, a.duplicates), (201, 200, 1));
    assert!(a.reasons[0].contains("1 duplicate tokens among 201"));
    assert!(a.reasons[0].contains("tok:"));
}

#[test]
fn ten_tokens_are_inconclusive() {
    let mut r = rng();
    let tokens: Vec<String> = (0..10).map(|_| random_hex(&mut r, 32)).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert!(
        matches!(&a.verdict, TokenVerdict::Inconclusive(why) if why.contains("only 10 tokens")),
        "{:?}",
        a.verdict
    );
    assert!(a.bit_level.is_none());
    assert!(a.render_text().starts_with("Token analysis: INCONCLUSIVE"));
    assert_eq!(a.to_json()["verdict"]["status"], "inconclusive");
}

#[test]
fn empty_input_is_inconclusive() {
    let a = run(&["".into(), "  ".into()], &AnalysisOptions::default());
    assert!(matches!(a.verdict, TokenVerdict::Inconclusive(_)));
    assert_eq!((a.sample_size, a.ignored_empty), (0, 2));
}

#[test]
fn shared_prefix_with_64_random_bits_fails_a_128_bit_policy() {
    let mut r = rng();
    let prefix = "SESSIONv2-0000000001";
    assert_eq!(prefix.len(), 20);
    let tokens: Vec<String> = (0..500)
        .map(|_| format!("{prefix}{}", random_hex(&mut r, 8)))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert_eq!(a.alphabet.name(), "hex");
    assert_eq!((a.varying_positions, a.constant_positions), (16, 20));
    assert!(has(&a, FindingKind::SharedPrefix), "{}", a.render_text());
    let bits = a.effective_entropy_bits().unwrap();
    assert!((56..=64).contains(&bits), "{bits}");
    assert!(a.render_text().contains("same 20 characters"));
    assert!(!a.render_text().contains(prefix));
    // The same tokens meet a 48-bit policy.
    let lax = AnalysisOptions {
        min_entropy_bits: 48,
        ..AnalysisOptions::default()
    };
    assert_eq!(run(&tokens, &lax).verdict, TokenVerdict::Pass);
}

#[test]
fn twenty_thousand_tokens_run_fips_per_bit_position() {
    let mut r = rng();
    let tokens: Vec<String> = (0..20_000).map(|_| random_hex(&mut r, 16)).collect();
    let opts = AnalysisOptions {
        hash_search: false,
        ..AnalysisOptions::default()
    };
    let a = analyze(&tokens, &opts);
    let bits = a.bit_level.as_ref().unwrap();
    let fips = bits.fips.as_ref().unwrap();
    assert_eq!((fips.scope, fips.tested), ("per_position", 128));
    assert!(fips.monobit >= 126 && fips.poker >= 126 && fips.runs >= 126);
    assert!(bits.effective_entropy_bits >= 120);
    assert_eq!(a.hash_search, HashSearch::Disabled);
}

fn random_base36(rng: &mut StdRng, len: usize) -> String {
    const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| A[rng.random_range(0..36)] as char)
        .collect()
}

/// 24 base-36 characters hold 24·log2(36) ≈ 124.1 bits: below a 128-bit policy whatever the tests say.
#[test]
fn base36_tokens_of_24_chars_fail_a_128_bit_policy() {
    let mut r = rng();
    let tokens: Vec<String> = (0..200).map(|_| random_base36(&mut r, 24)).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.alphabet.name(), "base36", "{}", a.render_text());
    assert_eq!(a.verdict, TokenVerdict::Fail, "{}", a.render_text());
    let bits = a.effective_entropy_bits().unwrap();
    assert!(bits <= 124, "{bits} bits from 124.1 true bits");
    assert!(bits >= 110, "{}", a.render_text());
    let upper: Vec<String> = tokens.iter().map(|t| t.to_ascii_uppercase()).collect();
    let a = run(&upper, &AnalysisOptions::default());
    assert_eq!(a.alphabet.name(), "base36 uppercase");
    assert!(a.effective_entropy_bits().unwrap() <= 124);
}

#[test]
fn base36_tokens_of_32_chars_stay_at_or_below_165_bits() {
    let mut r = rng();
    for len in [20, 28, 32] {
        let tokens: Vec<String> = (0..300).map(|_| random_base36(&mut r, len)).collect();
        let a = run(&tokens, &AnalysisOptions::default());
        let bits = a.effective_entropy_bits().unwrap() as f64;
        let truth = len as f64 * 36f64.log2();
        assert!(bits <= truth, "{len} chars: {bits} bits > {truth:.1}");
        assert!(bits >= truth - 12.0, "{}", a.render_text());
        let expected = if truth >= 128.0 {
            TokenVerdict::Pass
        } else {
            TokenVerdict::Fail
        };
        assert_eq!(a.verdict, expected, "{len}: {}", a.render_text());
    }
}

/// Base 32 (RFC 4648) and a 32-symbol alphabet that is a subset of base 36 (base32hex) are credited 5
/// bits a character, not log2(36).
#[test]
fn base32_tokens_are_credited_five_bits_a_character() {
    const RFC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const HEX32: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let mut r = rng();
    for (alphabet, name) in [(RFC, "base32"), (HEX32, "base36")] {
        let tokens: Vec<String> = (0..300)
            .map(|_| {
                (0..26)
                    .map(|_| alphabet[r.random_range(0..32)] as char)
                    .collect()
            })
            .collect();
        let a = run(&tokens, &AnalysisOptions::default());
        assert_eq!(a.alphabet.name(), name);
        let bits = a.effective_entropy_bits().unwrap();
        assert!(bits <= 130, "26 base-32 chars: {bits} > 130");
    }
}

/// A sample with duplicates is a collision: FAIL "not unique", and no entropy figure to headline.
#[test]
fn a_sample_with_many_duplicates_is_not_unique_and_has_no_entropy_headline() {
    let mut r = rng();
    let distinct: Vec<String> = (0..74).map(|_| random_hex(&mut r, 32)).collect();
    let tokens: Vec<String> = (0..200).map(|i| distinct[i % 74].clone()).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert_eq!((a.unique, a.duplicates), (74, 126));
    assert!(
        a.reasons[0].starts_with("not unique: 126 duplicate tokens among 200"),
        "{:?}",
        a.reasons
    );
    assert_eq!(a.effective_entropy_bits(), None, "{}", a.render_text());
    assert!(!a.render_text().contains("effective entropy 2"));
}

/// `base64url(json).base64url(4-byte time).base64url(hmac)`, as signed-cookie session frameworks issue.
fn signed_cookie(rng: &mut StdRng, payload: &str, time: u32) -> String {
    let mut mac = [0u8; 32];
    rng.fill_bytes(&mut mac);
    format!(
        "{}.{}.{}",
        b64url(payload.as_bytes()),
        b64url(&time.to_be_bytes()),
        b64url(&mac)
    )
}

#[test]
fn signed_cookie_sessions_from_logins_a_second_apart_fail_and_only_the_mac_is_judged() {
    let mut r = rng();
    let now = now_s();
    let payload = r#"{"user_id":42,"username":"alice@ticketbooth.test"}"#;
    let tokens: Vec<String> = (0..200u64)
        .map(|i| signed_cookie(&mut r, payload, (now - 400 + i * 105 / 100) as u32))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail, "{}", a.render_text());
    let text = a.render_text();
    assert!(has(&a, FindingKind::ReadableData), "{text}");
    assert!(has(&a, FindingKind::Timestamp), "{text}");
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("field 1 of 3") && r.contains("user_id, username")),
        "{:?}",
        a.reasons
    );
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("field 2 of 3") && r.contains("4 bytes")),
        "{:?}",
        a.reasons
    );
    assert!(!text.contains("alice"), "payload values must not be shown");
    // Only the 32-byte MAC varies unpredictably.
    let bits = a.effective_entropy_bits().unwrap();
    assert!((240..=256).contains(&bits), "{text}");
}

#[test]
fn signed_cookie_sessions_in_the_same_second_are_not_unique() {
    let now = now_s() as u32;
    let payload = r#"{"user_id":42}"#;
    // The MAC is a function of payload and time: same second, same cookie.
    let tokens: Vec<String> = (0..100u32)
        .map(|i| {
            signed_cookie(
                &mut StdRng::seed_from_u64(u64::from(i / 2)),
                payload,
                now + i / 2,
            )
        })
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(a.reasons[0].starts_with("not unique: 50 duplicate tokens among 100"));
    assert_eq!(a.effective_entropy_bits(), None);
}

fn uuid_v1(ticks: u64, clock_seq: u16, node: u64) -> String {
    let time_low = ticks & 0xffff_ffff;
    let time_mid = (ticks >> 32) & 0xffff;
    let time_hi = (ticks >> 48) & 0x0fff | 0x1000;
    let seq = clock_seq & 0x3fff | 0x8000;
    format!("{time_low:08x}-{time_mid:04x}-{time_hi:04x}-{seq:04x}-{node:012x}")
}

#[test]
fn uuid_v1_fails_as_time_derived() {
    // 100 ns ticks since 1582-10-15.
    let ticks_now = (now_s() + 12_219_292_800) * 10_000_000;
    let tokens: Vec<String> = (0..200u64)
        .map(|i| uuid_v1(ticks_now + i * 10_513_377, 0x1234, 0x0242_ac11_0002))
        .collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("UUIDv1") && r.contains("issue time")),
        "{:?}",
        a.reasons
    );
}

#[test]
fn uuid_v4_is_credited_at_most_122_bits() {
    let mut r = rng();
    let tokens: Vec<String> = (0..300).map(|_| uuid_v4(&mut r)).collect();
    let a = run(&tokens, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(
        a.effective_entropy_bits().unwrap() <= 122,
        "{}",
        a.render_text()
    );
    assert!(!a.reasons.iter().any(|r| r.contains("UUIDv1")));
}

fn base62(mut v: u64) -> String {
    const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while v > 0 {
        out.push(A[(v % 62) as usize]);
        v /= 62;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

/// Signed cookies with a zlib-compressed payload (a leading `.`) that differs per login, and
/// `payload:base62(time):mac` cookies: the payload is still read, the time still found.
#[test]
fn compressed_and_colon_separated_signed_cookies_are_read() {
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;
    let mut r = rng();
    let now = now_s();
    let compressed: Vec<String> = (0..200u64)
        .map(|i| {
            let json = format!(
                r#"{{"_fresh":true,"csrf_token":"{}","user_id":"42"}}"#,
                random_hex(&mut r, 20)
            );
            let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
            z.write_all(json.as_bytes()).unwrap();
            let mut mac = [0u8; 20];
            r.fill_bytes(&mut mac);
            format!(
                ".{}.{}.{}",
                b64url(&z.finish().unwrap()),
                b64url(&((now - 300 + i) as u32).to_be_bytes()),
                b64url(&mac)
            )
        })
        .collect();
    let a = run(&compressed, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(
        a.reasons.iter().any(|r| r.contains("field 2 of 4")
            && r.contains("zlib")
            && r.contains("names the user (user_id)")),
        "{:?}",
        a.reasons
    );
    assert!(has(&a, FindingKind::Timestamp), "{}", a.render_text());
    // Only the 160-bit MAC is judged.
    assert!(
        a.effective_entropy_bits().unwrap() <= 160,
        "{}",
        a.render_text()
    );

    let colon: Vec<String> = (0..200u64)
        .map(|i| {
            let mut mac = [0u8; 32];
            r.fill_bytes(&mut mac);
            format!(
                "{}:{}:{}",
                b64url(br#"{"uid":7}"#),
                base62(now - 300 + i),
                b64url(&mac)
            )
        })
        .collect();
    let a = run(&colon, &AnalysisOptions::default());
    assert_eq!(a.verdict, TokenVerdict::Fail);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("field 2 of 3 (split at ':')") && r.contains("base 62")),
        "{:?}",
        a.reasons
    );
}

/// CSPRNG families of known entropy: no estimate above the truth.
#[test]
fn no_estimate_exceeds_the_true_entropy_of_csprng_families() {
    use base64::Engine;
    let mut r = rng();
    let std = base64::engine::general_purpose::STANDARD;
    for (name, bytes) in [
        ("hex", 16usize),
        ("hex", 20),
        ("base64url", 16),
        ("base64", 16),
        ("base64", 18),
    ] {
        let tokens: Vec<String> = (0..300)
            .map(|_| {
                let mut b = vec![0u8; bytes];
                r.fill_bytes(&mut b);
                match name {
                    "hex" => hex::encode(&b),
                    "base64url" => b64url(&b),
                    _ => std.encode(&b),
                }
            })
            .collect();
        let a = run(&tokens, &AnalysisOptions::default());
        let bits = a.effective_entropy_bits().unwrap();
        assert!(bits <= 8 * bytes, "{name} of {bytes} bytes: {bits} bits");
        assert!(bits + 12 >= 8 * bytes, "{name}: {}", a.render_text());
    }
}
