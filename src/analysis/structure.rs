//! Structure detection: what a token *is made of*, beyond its statistics.
//!
//! Statistics measure how evenly symbols are spread; they say nothing about meaning, and a token built
//! from a counter or a clock can be spread evenly in its low bits. So the sample is also read as data:
//! - **shared prefix / suffix**: bytes every token starts or ends with. Harmless by themselves
//!   (`sess_`, a version tag); a failure only when what remains cannot hold the policy's bits.
//! - **counter / sequential ids**: the varying middle (after the shared prefix and suffix) read as a
//!   decimal or hex number (its last 128 bits). Sequential when, in sample order, at least 70 % of
//!   consecutive tokens differ by a small step (≤ 1024) in one direction, or when all values are unique
//!   and sit in a range no wider than 1024 per token while the encoding could hold ≥ 1000 times more
//!   (so tokens that are simply short are left to the entropy verdict, not mislabelled as counters).
//! - **timestamps**: fields (the whole token, or each field when every token splits at the same
//!   non-alphanumeric separators into the same count) read as Unix seconds or milliseconds: the leading
//!   or trailing 10/13 decimal digits, the leading 8 (s) or 11/12 (ms) hex digits, the first 4/8
//!   decoded bytes of base64, or 4/6/8 bytes at any offset of the hex- or base64-decoded token. A
//!   timestamp when ≥ 95 % of tokens land near the sample's wall clock ([`super::clock`]); a
//!   random field lands there with probability at most ~0.3 per token, so with 20+ tokens a false
//!   alarm is negligible.
//! - **fields** of structured tokens ([`fields`]): split at the first separator (`.`, `:`, `|`, …)
//!   every token holds equally often; each field decoded (hex, base64/base64url, then zlib when it is
//!   a zlib stream) and read as readable JSON/text (user keys named, values never shown), a Unix time
//!   (4/6/8 bytes, 10/13 decimal digits, 5-7 base-62 digits, seconds since 1970 or 2011), a counter,
//!   or constant. Only the other fields are left to the statistics.
//! - **UUIDv1**: the issue time in 100 ns, a clock sequence and the node: predictable by design.
//! - **readable data**: JWTs (`header.payload.signature` with a JSON header naming `alg`/`typ`; the
//!   payload's claim *names* are reported, never their values) and tokens whose base64 or hex decoding
//!   is printable text or JSON. A session id should be an opaque random reference (WSTG-SESS-01), so
//!   readable content is a failure whether or not it is signed.

use super::alphabet::{decode_base64, decode_hex};
use super::clock::{Clock, scan};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    SharedPrefix,
    SharedSuffix,
    ConstantPositions,
    Counter,
    Timestamp,
    Jwt,
    ReadableData,
    HashOfCounter,
    /// A non-cryptographic generator recognised by predicting sampled tokens ([`super::prng`]).
    PredictedGenerator,
}

/// One observation about the tokens. `detail` never contains a token: only lengths, positions,
/// counts, claim names and fingerprints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Whether this finding alone makes the analysis FAIL.
    pub fails: bool,
    pub detail: String,
}

const SMALL_STEP: u128 = 1024;

/// Length in bytes of the prefix every token shares.
pub fn common_prefix(tokens: &[&str]) -> usize {
    let Some(first) = tokens.first() else {
        return 0;
    };
    tokens.iter().fold(first.len(), |len, t| {
        first.as_bytes()[..len]
            .iter()
            .zip(t.as_bytes())
            .take_while(|(a, b)| a == b)
            .count()
    })
}

/// Length in bytes of the suffix every token shares, at most `max`.
pub fn common_suffix(tokens: &[&str], max: usize) -> usize {
    let Some(first) = tokens.first() else {
        return 0;
    };
    tokens.iter().fold(max.min(first.len()), |len, t| {
        first.as_bytes()[first.len() - len..]
            .iter()
            .rev()
            .zip(t.as_bytes().iter().rev())
            .take_while(|(a, b)| a == b)
            .count()
    })
}

fn all_bytes(s: &str, f: impl Fn(&u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().all(|b| f(&b))
}

/// Parses the last 128 bits' worth of digits; returns the value and the encoding's capacity in bits.
fn numbers(middles: &[&str]) -> Option<(Vec<u128>, f64)> {
    let (radix, max_digits, bits_per_digit) =
        if middles.iter().all(|m| all_bytes(m, u8::is_ascii_digit)) {
            (10, 38, 10f64.log2())
        } else if middles.iter().all(|m| all_bytes(m, u8::is_ascii_hexdigit)) {
            (16, 32, 4.0)
        } else {
            return None;
        };
    let mut digits = usize::MAX;
    let values = middles
        .iter()
        .map(|m| {
            let tail = &m[m.len().saturating_sub(max_digits)..];
            digits = digits.min(tail.len());
            u128::from_str_radix(tail, radix).ok()
        })
        .collect::<Option<Vec<_>>>()?;
    Some((values, digits as f64 * bits_per_digit))
}

/// Counters and sequential ids in the varying middle of the tokens.
pub fn counter(middles: &[&str]) -> Option<Finding> {
    let (values, capacity_bits) = numbers(middles)?;
    let n = values.len();
    if n < 3 {
        return None;
    }
    let steps = n - 1;
    let mut up = Vec::new();
    let mut down = 0usize;
    for w in values.windows(2) {
        if w[1] > w[0] && w[1] - w[0] <= SMALL_STEP {
            up.push(w[1] - w[0]);
        } else if w[0] > w[1] && w[0] - w[1] <= SMALL_STEP {
            down += 1;
        }
    }
    let small = up.len().max(down);
    if small * 10 >= steps * 7 {
        up.sort_unstable();
        let direction = if up.len() >= down {
            "increase"
        } else {
            "decrease"
        };
        let median = up.get(up.len() / 2).copied().unwrap_or(0);
        return Some(Finding {
            kind: FindingKind::Counter,
            fails: true,
            detail: format!(
                "sequential ids: read as numbers, {small} of {steps} consecutive tokens {direction} by a small step (≤ {SMALL_STEP}{})",
                if direction == "increase" {
                    format!(", median {median}")
                } else {
                    String::new()
                }
            ),
        });
    }
    let (min, max) = (*values.iter().min()?, *values.iter().max()?);
    let span = max - min;
    let span_bits = f64::from(128 - span.leading_zeros());
    let unique = values.iter().collect::<BTreeSet<_>>().len() == n;
    if unique && span <= SMALL_STEP * steps as u128 && capacity_bits >= span_bits + 10.0 {
        return Some(Finding {
            kind: FindingKind::Counter,
            fails: true,
            detail: format!(
                "sequential ids: read as numbers, all {n} tokens fall in a range of width {span} (about {:.0} bits) of a {:.0}-bit space",
                span_bits, capacity_bits
            ),
        });
    }
    None
}

#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
}

/// Timestamps (Unix seconds or milliseconds near `clock`) in a field of the tokens.
pub fn timestamp(tokens: &[&str], clock: &Clock) -> Option<Finding> {
    let mut sources: Vec<(String, Vec<&str>)> = vec![("the whole token".into(), tokens.to_vec())];
    let split: Vec<Vec<&str>> = tokens
        .iter()
        .map(|t| {
            t.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .collect();
    let count = split.first().map_or(0, Vec::len);
    if count > 1 && split.iter().all(|f| f.len() == count) {
        for i in 0..count {
            sources.push((
                format!("field {} of {count} (split at separators)", i + 1),
                split.iter().map(|f| f[i]).collect(),
            ));
        }
    }
    for (source, fields) in sources {
        if let Some(f) = timestamp_in(&source, &fields, clock) {
            return Some(f);
        }
    }
    None
}

type Extract = Box<dyn Fn(&str) -> Option<u64>>;
type Extractor = (&'static str, Unit, Extract);

fn timestamp_in(source: &str, fields: &[&str], clock: &Clock) -> Option<Finding> {
    let digits = |lead: bool, n: usize, radix: u32| -> Extract {
        Box::new(move |s: &str| {
            if s.len() < n {
                return None;
            }
            let part = if lead { &s[..n] } else { &s[s.len() - n..] };
            u64::from_str_radix(part, radix).ok()
        })
    };
    let bytes_be = |n: usize| -> Extract {
        Box::new(move |s: &str| {
            let b = decode_base64(s)?;
            (b.len() >= n.max(6)).then(|| b[..n].iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
        })
    };
    let mut extractors: Vec<Extractor> = Vec::new();
    if fields.iter().all(|f| all_bytes(f, u8::is_ascii_digit)) {
        extractors.push((
            "its leading 13 decimal digits",
            Unit::Millis,
            digits(true, 13, 10),
        ));
        extractors.push((
            "its leading 10 decimal digits",
            Unit::Seconds,
            digits(true, 10, 10),
        ));
        extractors.push((
            "its trailing 13 decimal digits",
            Unit::Millis,
            digits(false, 13, 10),
        ));
        extractors.push((
            "its trailing 10 decimal digits",
            Unit::Seconds,
            digits(false, 10, 10),
        ));
    } else if fields.iter().all(|f| all_bytes(f, u8::is_ascii_hexdigit)) {
        extractors.push((
            "its leading 12 hex digits",
            Unit::Millis,
            digits(true, 12, 16),
        ));
        extractors.push((
            "its leading 11 hex digits",
            Unit::Millis,
            digits(true, 11, 16),
        ));
        extractors.push((
            "its leading 8 hex digits",
            Unit::Seconds,
            digits(true, 8, 16),
        ));
        extractors.push((
            "its trailing 8 hex digits",
            Unit::Seconds,
            digits(false, 8, 16),
        ));
    } else if fields
        .iter()
        .all(|f| decode_base64(f).is_some_and(|b| b.len() >= 6))
    {
        extractors.push((
            "its first 8 base64-decoded bytes",
            Unit::Millis,
            bytes_be(8),
        ));
        extractors.push((
            "its first 6 base64-decoded bytes",
            Unit::Millis,
            bytes_be(6),
        ));
        extractors.push((
            "its first 8 base64-decoded bytes",
            Unit::Seconds,
            bytes_be(8),
        ));
        extractors.push((
            "its first 4 base64-decoded bytes",
            Unit::Seconds,
            bytes_be(4),
        ));
    }
    let n = fields.len();
    for (what, unit, extract) in extractors {
        let secs: Vec<u64> = fields
            .iter()
            .filter_map(|f| extract(f))
            .map(|v| match unit {
                Unit::Seconds => v,
                Unit::Millis => v / 1000,
            })
            .filter(|&s| clock.near(s))
            .collect();
        if secs.len() * 100 >= n * 95 {
            let spread = secs.iter().max()? - secs.iter().min()?;
            let unit_name = match unit {
                Unit::Seconds => "seconds",
                Unit::Millis => "milliseconds",
            };
            return Some(Finding {
                kind: FindingKind::Timestamp,
                fails: true,
                detail: format!(
                    "timestamp: in {} of {n} tokens, {source} read as {what} is a Unix time in {unit_name} {} (spread over {spread} s)",
                    secs.len(),
                    clock.near_what
                ),
            });
        }
    }
    // A time anywhere inside the decoded token (after random bytes, before a counter). The first
    // tokens rule out almost every layout, so the whole sample is decoded only when they agree.
    let hex = fields.iter().all(|f| all_bytes(f, u8::is_ascii_hexdigit));
    let decode = |part: &[&str]| -> Option<Vec<Vec<u8>>> {
        part.iter()
            .map(|f| if hex { decode_hex(f) } else { decode_base64(f) })
            .collect()
    };
    scan(&decode(&fields[..n.min(40)])?, clock)?;
    let t = scan(&decode(fields)?, clock)?;
    Some(Finding {
        kind: FindingKind::Timestamp,
        fails: true,
        detail: format!(
            "timestamp: in {} of {n} tokens, {source} decoded holds a Unix time at {} {} (spread over {} s)",
            t.near, t.what, clock.near_what, t.spread_s
        ),
    })
}

fn printable(b: &[u8]) -> bool {
    let ok = b
        .iter()
        .filter(|&&c| (0x20..0x7f).contains(&c) || matches!(c, b'\t' | b'\r' | b'\n'))
        .count();
    b.len() >= 4 && ok * 10 >= b.len() * 9
}

fn json_keys(b: &[u8]) -> Option<Vec<String>> {
    match serde_json::from_slice::<serde_json::Value>(b).ok()? {
        serde_json::Value::Object(m) => Some(m.keys().cloned().collect()),
        _ => None,
    }
}

fn names(keys: &BTreeSet<String>) -> String {
    const MAX: usize = 12;
    let mut shown: Vec<String> = keys
        .iter()
        .take(MAX)
        .map(|k| k.chars().filter(|c| !c.is_control()).take(32).collect())
        .collect();
    if keys.len() > MAX {
        shown.push(format!("… {} more", keys.len() - MAX));
    }
    shown.join(", ")
}

/// JWTs and tokens that decode to readable text. Returns the JWT finding (if any) and the
/// readable-data finding (if any).
pub fn readable(tokens: &[&str]) -> Vec<Finding> {
    let n = tokens.len();
    let mut out = Vec::new();
    let (mut jwt, mut jwt_readable) = (0usize, 0usize);
    let mut claims = BTreeSet::new();
    let (mut text, mut json) = (0usize, 0usize);
    let mut keys = BTreeSet::new();
    for t in tokens {
        let parts: Vec<&str> = t.split('.').collect();
        if parts.len() == 3 {
            let header = decode_base64(parts[0])
                .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok());
            if header
                .as_ref()
                .and_then(|h| h.as_object())
                .is_some_and(|h| h.contains_key("alg") || h.contains_key("typ"))
            {
                jwt += 1;
                if let Some(k) = decode_base64(parts[1]).and_then(|p| json_keys(&p)) {
                    jwt_readable += 1;
                    claims.extend(k);
                }
                continue;
            }
        }
        let decoded = decode_base64(t)
            .filter(|b| printable(b))
            .or_else(|| decode_hex(t).filter(|b| printable(b)));
        if let Some(b) = decoded {
            text += 1;
            if let Some(k) = json_keys(&b) {
                json += 1;
                keys.extend(k);
            }
        }
    }
    if jwt * 2 > n {
        out.push(if jwt_readable * 2 > n {
            Finding {
                kind: FindingKind::Jwt,
                fails: true,
                detail: format!(
                    "token carries readable data: {jwt_readable} of {n} tokens are JWTs with a readable JSON payload (claims: {})",
                    names(&claims)
                ),
            }
        } else {
            Finding {
                kind: FindingKind::Jwt,
                fails: false,
                detail: format!("{jwt} of {n} tokens are JWTs; their payload is not readable JSON"),
            }
        });
    }
    if text * 2 > n {
        out.push(Finding {
            kind: FindingKind::ReadableData,
            fails: true,
            detail: if json * 2 > n {
                format!(
                    "token carries readable data: {json} of {n} tokens decode (base64/hex) to JSON (keys: {})",
                    names(&keys)
                )
            } else {
                format!("token carries readable data: {text} of {n} tokens decode (base64/hex) to printable text")
            },
        });
    }
    out
}

/// Separators structured tokens are built with, most telling first. `_`, `/` and `+` are base64
/// symbols and never split; `-` only when every token holds the same number of them (UUIDs).
const SEPARATORS: &[char] = &['.', ':', '|', '~', '!', ',', ';', '*', '$', '-'];

/// Keys of a JSON payload that name the user the session belongs to.
const USER_KEYS: &[&str] = &[
    "user",
    "user_id",
    "userid",
    "uid",
    "username",
    "user_name",
    "login",
    "email",
    "sub",
    "id",
    "account",
    "account_id",
    "_user_id",
    "name",
];

/// 2011-01-01, the epoch of older signed-cookie libraries' time fields.
const EPOCH_2011: u64 = 1_293_840_000;

/// What [`fields`] found in a structured token.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub findings: Vec<Finding>,
    /// When some varying field is predictable (readable, a time, a counter): per token, the fields
    /// left to judge, concatenated. `None` when nothing was set aside.
    pub judged: Option<Vec<String>>,
    /// What the judged fields can hold at most: Σ length × log2(symbols seen), field by field.
    pub judged_capacity_bits: f64,
    /// Whether a time field was found (the whole-token timestamp search is then redundant).
    pub has_time: bool,
    /// The first time field's name (`field 2 of 3 (split at '.')`).
    pub time_field: Option<String>,
}

enum Decoded {
    Hex,
    Base64,
    Raw,
}

fn decode_field(kind: &Decoded, v: &str) -> Vec<u8> {
    match kind {
        Decoded::Hex => decode_hex(v).unwrap_or_default(),
        Decoded::Base64 => decode_base64(v).unwrap_or_default(),
        Decoded::Raw => v.as_bytes().to_vec(),
    }
}

/// Splits tokens at the first separator every token holds equally often, then reads each field:
/// constant, readable (JSON or text, naming user keys), a Unix time (4, 6 or 8 decoded bytes, 10 or
/// 13 decimal digits), a counter, or unpredictable. Only the last kind is left for the statistics.
pub fn fields(tokens: &[&str], clock: &Clock, report_readable: bool) -> Fields {
    let mut out = Fields::default();
    let Some(first) = tokens.first() else {
        return out;
    };
    let Some(sep) = SEPARATORS.iter().copied().find(|&c| {
        let count = first.matches(c).count();
        count > 0 && tokens.iter().all(|t| t.matches(c).count() == count)
    }) else {
        return out;
    };
    let split: Vec<Vec<&str>> = tokens.iter().map(|t| t.split(sep).collect()).collect();
    let count = split[0].len();
    let n = tokens.len();
    let mut judged_fields = Vec::new();
    let mut predictable = false;
    for i in 0..count {
        let vals: Vec<&str> = split.iter().map(|f| f[i]).collect();
        let name = format!("field {} of {count} (split at '{sep}')", i + 1);
        let constant = vals.iter().all(|v| *v == vals[0]);
        if vals.iter().all(|v| v.is_empty()) {
            continue;
        }
        let kind = if vals.iter().all(|v| decode_hex(v).is_some()) {
            Decoded::Hex
        } else if vals.iter().all(|v| decode_base64(v).is_some()) {
            Decoded::Base64
        } else {
            Decoded::Raw
        };
        let mut decoded: Vec<Vec<u8>> = vals.iter().map(|v| decode_field(&kind, v)).collect();
        let zlib = !matches!(kind, Decoded::Raw) && decoded.iter().all(|b| inflate(b).is_some());
        if zlib {
            decoded = decoded.iter().filter_map(|b| inflate(b)).collect();
        }
        // Readable: JSON or text (decoded or as written).
        let text = decoded.iter().filter(|b| printable(b)).count();
        let keys: Vec<Vec<String>> = decoded.iter().filter_map(|b| json_keys(b)).collect();
        if !matches!(kind, Decoded::Raw) && text * 2 > n || keys.len() * 2 > n {
            predictable = true;
            if report_readable {
                let all: BTreeSet<String> = keys.iter().flatten().cloned().collect();
                let users: BTreeSet<String> = all
                    .iter()
                    .filter(|k| USER_KEYS.contains(&k.to_ascii_lowercase().as_str()))
                    .cloned()
                    .collect();
                let how = match (&kind, zlib) {
                    (Decoded::Hex, false) => "hex",
                    (Decoded::Hex, true) => "hex, then zlib",
                    (Decoded::Base64, false) => "base64",
                    (Decoded::Base64, true) => "base64, then zlib",
                    (Decoded::Raw, _) => "as written",
                };
                out.findings.push(Finding {
                    kind: FindingKind::ReadableData,
                    fails: true,
                    detail: if keys.len() * 2 > n {
                        format!(
                            "token carries readable data: {name} decodes ({how}) to JSON in {} of {n} tokens (keys: {}){}{}",
                            keys.len(),
                            names(&all),
                            if users.is_empty() {
                                String::new()
                            } else {
                                format!("; it names the user ({})", names(&users))
                            },
                            if constant { "; the same in every token" } else { "" }
                        )
                    } else {
                        format!(
                            "token carries readable data: {name} decodes ({how}) to printable text in {text} of {n} tokens"
                        )
                    },
                });
            }
            continue;
        }
        if constant {
            out.findings.push(Finding {
                kind: FindingKind::ConstantPositions,
                fails: false,
                detail: format!(
                    "{name} is the same in every token ({} characters)",
                    vals[0].len()
                ),
            });
            continue;
        }
        if let Some(f) = time_field(&name, &kind, &vals, &decoded, clock) {
            predictable = true;
            out.has_time = true;
            out.time_field.get_or_insert(name.clone());
            out.findings.push(f);
            continue;
        }
        // A field of a few bits steps up or down by chance in small samples; only wide ones can be
        // told apart from noise as counters.
        let wide = numbers(&vals).is_some_and(|(_, capacity)| capacity >= 24.0);
        if let Some(mut f) = counter(&vals).filter(|_| wide) {
            predictable = true;
            f.detail = format!("{name}: {}", f.detail);
            out.findings.push(f);
            continue;
        }
        judged_fields.push(i);
    }
    if !predictable {
        return out;
    }
    out.judged_capacity_bits = judged_fields
        .iter()
        .map(|&i| {
            let mut seen = [false; 256];
            let mut len = usize::MAX;
            for f in &split {
                let v = f[i].trim_end_matches('=');
                len = len.min(v.len());
                v.bytes().for_each(|b| seen[usize::from(b)] = true);
            }
            let observed = seen.iter().filter(|&&s| s).count();
            let k = super::alphabet::Alphabet::detect(&seen)
                .size()
                .min(observed);
            len as f64 * (k.max(1) as f64).log2()
        })
        .sum();
    out.judged = Some(
        split
            .iter()
            .map(|f| judged_fields.iter().map(|&i| f[i]).collect::<String>())
            .collect(),
    );
    if !judged_fields.is_empty() {
        let list: Vec<String> = judged_fields.iter().map(|i| (i + 1).to_string()).collect();
        out.findings.push(Finding {
            kind: FindingKind::ConstantPositions,
            fails: false,
            detail: format!(
                "only field {} of {count} (split at '{sep}') varies unpredictably; the statistics judge it alone (at most {:.0} bits)",
                list.join(", "),
                out.judged_capacity_bits
            ),
        });
    }
    out
}

/// Inflates a zlib stream (RFC 1950 header checked first), at most 64 KiB of output.
fn inflate(b: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let header_ok =
        b.len() >= 6 && b[0] & 0x0f == 8 && (u16::from(b[0]) << 8 | u16::from(b[1])) % 31 == 0;
    if !header_ok {
        return None;
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(b)
        .take(64 * 1024)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// A base-62 number (`0-9A-Za-z`, as Django's signer writes times); `None` past 11 digits.
fn base62(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 11 {
        return None;
    }
    v.bytes().try_fold(0u64, |acc, c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 36,
            _ => return None,
        };
        acc.checked_mul(62)?.checked_add(u64::from(d))
    })
}

/// A field that reads as a Unix time near now, in seconds (also from 2011, as older signed-cookie
/// libraries count) or milliseconds.
fn time_field(
    name: &str,
    kind: &Decoded,
    vals: &[&str],
    decoded: &[Vec<u8>],
    clock: &Clock,
) -> Option<Finding> {
    let n = vals.len();
    let be = |b: &[u8]| b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
    let mut reads: Vec<(String, Vec<Option<u64>>)> = Vec::new();
    if vals.iter().all(|v| all_bytes(v, u8::is_ascii_digit)) {
        for (digits, what) in [(10, "seconds"), (13, "milliseconds")] {
            if vals.iter().all(|v| v.len() == digits) {
                reads.push((
                    format!("{digits} decimal digits, Unix {what}"),
                    vals.iter()
                        .map(|v| {
                            v.parse::<u64>()
                                .ok()
                                .map(|x| if digits == 13 { x / 1000 } else { x })
                        })
                        .collect(),
                ));
            }
        }
    }
    if vals.iter().all(|v| (5..=7).contains(&v.len())) {
        reads.push((
            "base 62 digits, Unix seconds".into(),
            vals.iter().map(|v| base62(v)).collect(),
        ));
    }
    if !matches!(kind, Decoded::Raw) {
        let len = decoded[0].len();
        if decoded.iter().all(|b| b.len() == len) {
            let v: Vec<u64> = decoded.iter().map(|b| be(b)).collect();
            match len {
                4 => {
                    reads.push((
                        "4 bytes, Unix seconds".into(),
                        v.iter().map(|&x| Some(x)).collect(),
                    ));
                    reads.push((
                        "4 bytes, seconds since 2011".into(),
                        v.iter().map(|&x| Some(x + EPOCH_2011)).collect(),
                    ));
                }
                6 => reads.push((
                    "6 bytes, Unix milliseconds".into(),
                    v.iter().map(|&x| Some(x / 1000)).collect(),
                )),
                8 => {
                    reads.push((
                        "8 bytes, Unix seconds".into(),
                        v.iter().map(|&x| Some(x)).collect(),
                    ));
                    reads.push((
                        "8 bytes, Unix milliseconds".into(),
                        v.iter().map(|&x| Some(x / 1000)).collect(),
                    ));
                    reads.push((
                        "8 bytes, Unix microseconds".into(),
                        v.iter().map(|&x| Some(x / 1_000_000)).collect(),
                    ));
                }
                _ => {}
            }
        }
    }
    for (what, secs) in reads {
        let near: Vec<u64> = secs
            .into_iter()
            .flatten()
            .filter(|&s| clock.near(s))
            .collect();
        if near.len() * 100 >= n * 95 {
            let spread = near.iter().max()? - near.iter().min()?;
            return Some(Finding {
                kind: FindingKind::Timestamp,
                fails: true,
                detail: format!(
                    "timestamp: {name} is the issue time ({what}) {} in {} of {n} tokens (spread over {spread} s): anyone who knows when a session was made knows this field",
                    clock.near_what,
                    near.len()
                ),
            });
        }
    }
    // A time at some offset of a longer decoded field.
    if matches!(kind, Decoded::Raw) {
        return None;
    }
    let t = scan(decoded, clock)?;
    Some(Finding {
        kind: FindingKind::Timestamp,
        fails: true,
        detail: format!(
            "timestamp: {name} holds the issue time ({}) {} in {} of {n} tokens (spread over {} s): anyone who knows when a session was made knows these bytes",
            t.what, clock.near_what, t.near, t.spread_s
        ),
    })
}

/// UUIDv1 (RFC 9562 §5.1): a 60-bit issue time in 100 ns, a clock sequence and the node (often the
/// MAC address). The next id follows from the last one and the clock.
pub fn uuid_v1(tokens: &[&str], clock: &Clock) -> Option<Finding> {
    const GREGORIAN_TO_UNIX_S: u64 = 12_219_292_800;
    let n = tokens.len();
    let mut times = Vec::new();
    for t in tokens {
        let b = t.as_bytes();
        let shaped = b.len() == 36
            && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
            && b[14] == b'1'
            && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b');
        if !shaped {
            continue;
        }
        let hex = |r: std::ops::Range<usize>| u64::from_str_radix(&t[r], 16).ok();
        let (Some(low), Some(mid), Some(hi)) = (hex(0..8), hex(9..13), hex(15..18)) else {
            continue;
        };
        let ticks = (hi << 48) | (mid << 32) | low;
        times.push((ticks / 10_000_000).saturating_sub(GREGORIAN_TO_UNIX_S));
    }
    if times.len() * 2 <= n {
        return None;
    }
    let near = times.iter().filter(|&&s| clock.near(s)).count();
    let spread = times.iter().max()? - times.iter().min()?;
    Some(Finding {
        kind: FindingKind::Timestamp,
        fails: true,
        detail: format!(
            "time-derived ids: {} of {n} tokens are UUIDv1, which hold their issue time (in 100 ns), a clock sequence and the node; {near} of them decode to an issue time {} (spread over {spread} s), so ids are predictable from the clock",
            times.len(),
            clock.near_what
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix() {
        let t = ["abcXYZ12", "abcQQQ12", "abcRRR12"];
        assert_eq!(common_prefix(&t), 3);
        assert_eq!(common_suffix(&t, 8 - 3), 2);
        assert_eq!(common_suffix(&["aa", "aa"], 0), 0);
    }

    #[test]
    fn counters() {
        let owned: Vec<String> = (0..50).map(|i| format!("{:08}", 1000 + 3 * i)).collect();
        let t: Vec<&str> = owned.iter().map(String::as_str).collect();
        assert!(counter(&t).is_some());
        // Shuffled but narrow.
        let mut v: Vec<u64> = (0..50).collect();
        v.reverse();
        v.swap(3, 30);
        let owned: Vec<String> = v
            .iter()
            .map(|i| format!("{:032x}", (1u128 << 100) + u128::from(*i) * 7))
            .collect();
        let t: Vec<&str> = owned.iter().map(String::as_str).collect();
        assert!(counter(&t).is_some());
    }

    #[test]
    fn timestamps_in_fields() {
        let now = 1_750_000_000u64;
        let owned: Vec<String> = (0..30)
            .map(|i| format!("x9z-{:x}-ab{i}", now + i))
            .collect();
        let t: Vec<&str> = owned.iter().map(String::as_str).collect();
        let f = timestamp(&t, &Clock::recent(now)).expect("found");
        assert!(f.detail.contains("field 2 of 3"), "{}", f.detail);
    }

    #[test]
    fn fields_split_at_the_first_consistent_separator() {
        let now = 1_750_000_000u64;
        let owned: Vec<String> = (0..30u64)
            .map(|i| format!("{}|{:02x}{:030x}", now + i, i * 7 % 256, i * 0x9e37_79b9))
            .collect();
        let t: Vec<&str> = owned.iter().map(String::as_str).collect();
        let f = fields(&t, &Clock::recent(now), true);
        assert!(f.has_time);
        assert_eq!(f.judged.as_ref().unwrap()[1].len(), 32);
        assert!(f.judged_capacity_bits <= 128.0);
        // Random fields alone are not set aside.
        let owned: Vec<String> = (0..30u64)
            .map(|i| {
                let a = (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                format!(
                    "{a:016x}.{:016x}",
                    a.rotate_left(29) ^ 0xc2b2_ae3d_27d4_eb4f
                )
            })
            .collect();
        let t: Vec<&str> = owned.iter().map(String::as_str).collect();
        assert!(fields(&t, &Clock::recent(now), true).judged.is_none());
        assert_eq!(base62("1"), Some(1));
        assert_eq!(base62("10"), Some(62));
        assert_eq!(base62("a-b"), None);
    }

    #[test]
    fn readable_base64_json() {
        let t = ["eyJ1c2VyIjoiYWxpY2UifQ", "eyJ1c2VyIjoiYm9iYmIifQ"];
        let f = readable(&t);
        assert_eq!(f.len(), 1);
        assert!(f[0].detail.contains("keys: user"));
    }
}
