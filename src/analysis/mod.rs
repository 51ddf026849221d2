//! Session-token predictability analysis (OWASP WSTG-SESS-01, following Burp Sequencer's method).
//!
//! Input: a sample of tokens issued by fresh logins (the built-in scenario samples 200 by default, up
//! to 20 000) or read one a line by `usher analyze FILE`. Output: an [`Analysis`] with a verdict, one
//! reason a line for a FAIL, the measurements behind it, and a report that never prints a token (only
//! lengths, alphabets, positions, counts and [`crate::redact::fingerprint`]s).
//!
//! The method, in order, and why:
//! 1. **Uniqueness.** Any duplicate is a FAIL "not unique": two logins sharing a token is a session
//!    collision, no statistics needed — and none are given (no entropy figure), since bits measured
//!    over repeated rows would headline a broken generator.
//! 2. **Positions and alphabet.** Tokens are compared byte position by byte position up to the shortest
//!    token's length (bytes past it are not analysed: length variation carries little entropy and
//!    aligning variable-length tokens is guesswork, so this errs low). Positions holding one value in
//!    every token are *constant* and set aside; the alphabet is detected from the varying positions
//!    ([`alphabet`]), so a fixed `sess-` prefix does not turn a hex token into "other".
//! 3. **Character level** ([`charlevel`]): per-position Shannon entropy and a chi-square uniformity test;
//!    effective char-level entropy = Σ log2(alphabet) over uniform positions (Burp's approach).
//! 4. **Bit level** ([`bitlevel`]): tokens decoded to bits, per-bit-position significance tests and the
//!    FIPS 140-2 battery. Effective entropy = bit positions that pass. **FAIL when it is below the
//!    policy's minimum** (`min_entropy_bits`, 128 by default). This is the number the verdict rests on.
//! 5. **Structure** ([`structure`]): shared prefixes/suffixes, counters, timestamps, JWTs and
//!    base64/hex payloads that decode to readable data, UUIDv1. Times are judged against the
//!    sample's wall clock ([`clock`]: the sampling window when the sampler gives it). Structured tokens (signed cookies:
//!    `payload.time.mac`) are split at their separators first; fields that are readable, a time or a
//!    counter are predictable, and steps 2–4 then run on the remaining fields alone, capped at what
//!    those fields can hold. The bit-level figure is never above the varying characters ×
//!    log2(symbols), counting no more symbols than were seen.
//! 6. **Hash of counter** ([`hashsearch`]): digests of small integers or recent Unix times pass every
//!    statistical test, so they are searched for directly.
//! 7. **Generator prediction** ([`prng`]): `java.util.Random` and Mersenne Twister ids pass every
//!    statistical test too; their state is recovered from tokens in the order given and a FAIL is
//!    claimed only when the recovered generator reproduces other sampled tokens exactly.
//! 8. **What is credited.** When the tokens were shown to follow from guessable inputs (predicted,
//!    hashes of a counter or the clock, UUIDv1, sequential, the issue time) the bit-level figure is
//!    reported but not credited ([`Analysis::entropy_withheld`]): the statistics only fail to see the
//!    recipe, and an estimate must never be above the true entropy.
//! 9. **Sample size.** Statistics on fewer than [`MIN_SAMPLES`] tokens mean nothing, so steps 3–5
//!    (except readable data) are skipped and the verdict is `Inconclusive` (an ERROR for the check,
//!    never a PASS) — unless a definitive finding (duplicate, readable data, hash of counter) already
//!    proves a FAIL.
//!
//! Passing proves nothing: a token can be uniform in every test and still be derived from guessable
//! data with a recipe this module does not try. Every report says so ([`NOTE`]).

mod alphabet;
mod bitlevel;
mod charlevel;
mod clock;
mod hashsearch;
mod prng;
mod render;
mod structure;

pub use alphabet::Alphabet;
pub use bitlevel::{BitLevel, FipsSummary};
pub use charlevel::{CharLevel, PositionStat};
pub use clock::{Clock, now_ms};
pub use hashsearch::HashSearch;
pub use structure::{Finding, FindingKind};

use serde::Serialize;
use std::collections::HashMap;

/// Fewer tokens than this give an `Inconclusive` verdict.
pub const MIN_SAMPLES: usize = 20;

/// Printed with every analysis.
pub const NOTE: &str = "passing statistics prove no unpredictability; they only fail to find a pattern. \
A token can pass every test here and still be derived from guessable data (a hash of a counter, a keyed \
clock, a seeded PRNG) — generate session ids from a CSPRNG with at least the policy's bits of entropy.";

#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Policy: minimum effective entropy in bits (bit level).
    pub min_entropy_bits: u32,
    /// False-alarm rate of the analysis: each of the k positions tested fails when p < significance / k
    /// (Bonferroni; see [`bitlevel`]).
    pub significance: f64,
    /// Search for hashes of small integers and recent Unix times.
    pub hash_search: bool,
    /// When the sample was taken: Unix milliseconds of the first and the last sample (the sampler
    /// fills it). Time fields are then looked for within a day of it, and the hash search covers the
    /// two days before its end. `None` (a file of tokens of unknown age): within ten years of now.
    pub sample_window_ms: Option<(u64, u64)>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            min_entropy_bits: 128,
            significance: 0.01,
            hash_search: true,
            sample_window_ms: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum TokenVerdict {
    Pass,
    Fail,
    /// Not enough evidence either way; maps to ERROR, never PASS.
    Inconclusive(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub verdict: TokenVerdict,
    /// One line each, why the verdict is FAIL (empty otherwise).
    pub reasons: Vec<String>,
    pub min_entropy_bits: u32,
    pub significance: f64,
    /// Tokens analysed (after trimming whitespace and dropping empty lines).
    pub sample_size: usize,
    /// Empty tokens dropped.
    pub ignored_empty: usize,
    pub unique: usize,
    /// `sample_size - unique`.
    pub duplicates: usize,
    pub length_min: usize,
    pub length_max: usize,
    /// Alphabet of the varying positions.
    pub alphabet: Alphabet,
    /// Byte positions (below `length_min`) whose value differs between tokens.
    pub varying_positions: usize,
    /// Byte positions (below `length_min`) holding the same value in every token.
    pub constant_positions: usize,
    /// `None` when the sample is too small or nothing varies.
    pub char_level: Option<CharLevel>,
    pub bit_level: Option<BitLevel>,
    pub structure: Vec<Finding>,
    pub hash_search: HashSearch,
    pub hash_of_counter: Option<Finding>,
    /// A non-cryptographic generator proved by predicting sampled tokens.
    pub prediction: Option<Finding>,
    /// The wall clock time fields were judged against.
    pub clock: Clock,
    /// Why no entropy figure is credited although the statistics measured one: the tokens were shown
    /// to follow from guessable inputs (earlier tokens, a counter, the clock), so whatever the bit
    /// tests saw would overstate them. `None` when the figure stands.
    pub entropy_withheld: Option<String>,
    pub note: String,
}

impl Analysis {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("analysis serialises")
    }

    /// The human report; never contains a token.
    pub fn render_text(&self) -> String {
        render::text(self)
    }

    /// The effective entropy credited to the tokens (bit level): `None` when not measured (too few
    /// tokens, duplicates) or withheld ([`Analysis::entropy_withheld`]).
    pub fn effective_entropy_bits(&self) -> Option<usize> {
        if self.entropy_withheld.is_some() {
            return None;
        }
        self.bit_level.as_ref().map(|b| b.effective_entropy_bits)
    }
}

/// Analyses a sample of tokens, judging against `opts`. Tokens are trimmed; empty ones are dropped.
/// "Now" is the end of the sample window when there is one.
pub fn analyze(tokens: &[String], opts: &AnalysisOptions) -> Analysis {
    let now_s = opts
        .sample_window_ms
        .map_or_else(|| clock::now_ms() / 1000, |(_, end_ms)| end_ms / 1000);
    analyze_at(tokens, opts, now_s)
}

/// [`analyze`] with "now" given (Unix seconds), for timestamp and hash-of-time checks.
pub fn analyze_at(tokens: &[String], opts: &AnalysisOptions, now_s: u64) -> Analysis {
    let clock = match opts.sample_window_ms {
        Some((start_ms, end_ms)) => Clock::window(start_ms, end_ms),
        None => Clock::recent(now_s),
    };
    let all: Vec<&str> = tokens.iter().map(|t| t.trim()).collect();
    let toks: Vec<&str> = all.iter().copied().filter(|t| !t.is_empty()).collect();
    let n = toks.len();
    let min_bits = f64::from(opts.min_entropy_bits);
    let mut reasons = Vec::new();
    let mut structure_findings = Vec::new();

    // 1. Uniqueness.
    let mut counts: HashMap<&str, usize> = HashMap::with_capacity(n);
    for t in &toks {
        *counts.entry(t).or_default() += 1;
    }
    let unique = counts.len();
    if unique < n {
        let (worst, times) = counts
            .iter()
            .max_by_key(|(t, c)| (**c, std::cmp::Reverse(**t)))
            .map(|(t, c)| (*t, *c))
            .unwrap_or_default();
        let repeated = counts.values().filter(|&&c| c > 1).count();
        reasons.push(format!(
            "not unique: {} duplicate tokens among {n} ({repeated} values issued more than once; most repeated: {} seen {times} times)",
            n - unique,
            crate::redact::fingerprint(crate::redact::Kind::Token, worst)
        ));
    }
    let length_min = toks.iter().map(|t| t.len()).min().unwrap_or(0);
    let length_max = toks.iter().map(|t| t.len()).max().unwrap_or(0);

    // 5a. Readable data: definitive whatever the sample size.
    for f in structure::readable(&toks) {
        if f.fails {
            reasons.push(f.detail.clone());
        }
        structure_findings.push(f);
    }
    // 5c. Structured tokens: fields that are readable, times or counters are predictable and set
    // aside; the statistics judge only the fields that vary unpredictably.
    let readable_found = structure_findings.iter().any(|f| f.fails);
    let fields = structure::fields(&toks, &clock, !readable_found);
    let uuid_v1 = structure::uuid_v1(&toks, &clock);
    if unique < n {
        // Whether the repeats share their issue second: with a time field they must, so the token
        // is a function of the login and its second.
        reasons[0].push_str(&match &fields.time_field {
            Some(name) => format!(
                "; the tokens hold their issue time ({name}), so each repeated token was issued twice in the same second"
            ),
            None => "; no issue time is readable in the tokens".to_string(),
        });
    }
    for f in uuid_v1.iter().chain(&fields.findings) {
        if f.fails {
            reasons.push(f.detail.clone());
        }
        structure_findings.push(f.clone());
    }
    let work: Vec<&str> = match &fields.judged {
        Some(j) => j.iter().map(String::as_str).collect(),
        None => toks.clone(),
    };
    let work_min = work.iter().map(|t| t.len()).min().unwrap_or(0);

    // 2. Varying positions and alphabet (of the judged part).
    let mut seen_at: Vec<[bool; 256]> = vec![[false; 256]; work_min];
    let mut seen_tail = [false; 256];
    for t in &work {
        let b = t.as_bytes();
        for (seen, &c) in seen_at.iter_mut().zip(b) {
            seen[usize::from(c)] = true;
        }
        for &c in &b[work_min..] {
            if c != b'=' {
                seen_tail[usize::from(c)] = true;
            }
        }
    }
    let varying: Vec<usize> = (0..work_min)
        .filter(|&j| seen_at[j].iter().filter(|&&s| s).count() > 1)
        .collect();
    let mut seen = seen_tail;
    for &j in &varying {
        for (s, &v) in seen.iter_mut().zip(&seen_at[j]) {
            *s |= v;
        }
    }
    if !seen.iter().any(|&s| s) {
        seen_at.iter().for_each(|p| {
            for (s, &v) in seen.iter_mut().zip(p) {
                *s |= v;
            }
        });
    }
    let alphabet = Alphabet::detect(&seen);

    // 6. Hash of counter: on digest-shaped tokens the costliest step, so it runs beside steps 3-5
    // (its reason still comes first).
    let hash_reason_at = reasons.len();
    let mut derived: Option<&str> = None;
    let mut char_level = None;
    let mut bit_level = None;
    let (hash_search, hash_of_counter, prediction) = std::thread::scope(|scope| {
        let search = opts
            .hash_search
            .then(|| scope.spawn(|| hashsearch::search(&toks, now_s)));
        // 7. Generator prediction (cheap: a few hundred thousand steps when nothing is found).
        let prediction = prng::predict(&toks).or_else(|| {
            let prefix = structure::common_prefix(&toks);
            let suffix = structure::common_suffix(&toks, length_min - prefix.min(length_min));
            let middles: Vec<&str> = toks
                .iter()
                .map(|t| t.get(prefix..t.len() - suffix).unwrap_or(""))
                .collect();
            (prefix + suffix > 0)
                .then(|| prng::predict(&middles))
                .flatten()
        });
        if let Some(f) = &prediction {
            reasons.push(f.detail.clone());
            structure_findings.push(f.clone());
        }
        if n >= MIN_SAMPLES && !varying.is_empty() {
            // 5b. Shared prefix/suffix, constant positions, counters, timestamps.
            let prefix = structure::common_prefix(&work);
            let suffix = structure::common_suffix(&work, work_min - prefix.min(work_min));
            // Never more symbols than were seen: a 32-symbol alphabet inside base 36 is 5 bits a
            // character, not log2(36).
            let observed = seen.iter().filter(|&&s| s).count();
            let symbol_bits = (alphabet.size().min(observed).max(1) as f64).log2();
            let mut capacity_bits = varying.len() as f64 * symbol_bits;
            if fields.judged.is_some() {
                capacity_bits = capacity_bits.min(fields.judged_capacity_bits);
            }
            let varying_capacity = capacity_bits;
            let short = varying_capacity < min_bits;
            for (len, kind, place) in [
                (prefix, FindingKind::SharedPrefix, "start"),
                (suffix, FindingKind::SharedSuffix, "end"),
            ] {
                if len > 0 {
                    let toks0 = work[0].as_bytes();
                    let part = if place == "start" {
                        &toks0[..len]
                    } else {
                        &toks0[toks0.len() - len..]
                    };
                    let f = Finding {
                        kind,
                        fails: short,
                        detail: format!(
                            "all tokens {place} with the same {len} characters ({}); the {} varying positions can hold at most {varying_capacity:.0} bits{}",
                            crate::redact::fingerprint(
                                crate::redact::Kind::Token,
                                &String::from_utf8_lossy(part)
                            ),
                            varying.len(),
                            if short {
                                format!(", below the policy's {} bits", opts.min_entropy_bits)
                            } else {
                                String::new()
                            }
                        ),
                    };
                    if f.fails {
                        reasons.push(f.detail.clone());
                    }
                    structure_findings.push(f);
                }
            }
            let is_varying: Vec<bool> = (0..work_min)
                .map(|j| varying.binary_search(&j).is_ok())
                .collect();
            let inner: Vec<usize> = (prefix..work_min.saturating_sub(suffix))
                .filter(|&j| !is_varying[j])
                .collect();
            if !inner.is_empty() {
                let inner_constant = inner.len();
                let positions: Vec<String> = inner.iter().take(16).map(usize::to_string).collect();
                structure_findings.push(Finding {
                kind: FindingKind::ConstantPositions,
                fails: false,
                detail: format!(
                    "{inner_constant} constant character positions inside the token (offsets {}{})",
                    positions.join(", "),
                    if inner_constant > 16 { ", …" } else { "" }
                ),
            });
            }
            let middles: Vec<&str> = work
                .iter()
                .map(|t| t.get(prefix..t.len() - suffix).unwrap_or(""))
                .collect();
            let timestamp = (!fields.has_time && uuid_v1.is_none())
                .then(|| structure::timestamp(&toks, &clock))
                .flatten();
            for f in [structure::counter(&middles), timestamp]
                .into_iter()
                .flatten()
            {
                if f.fails {
                    reasons.push(f.detail.clone());
                    derived.get_or_insert(match f.kind {
                        FindingKind::Counter => "the tokens are sequential",
                        _ => "the tokens hold their issue time",
                    });
                }
                structure_findings.push(f);
            }

            // 3. Character level. A sample with duplicates gets no entropy figure: the collision is
            // the finding, and bits measured over repeated rows would headline a broken generator.
            if unique == n {
                // 3. Character level.
                let lookup = alphabet.lookup();
                let symbols: Vec<Vec<u8>> = work
                    .iter()
                    .map(|t| {
                        let b = t.as_bytes();
                        varying.iter().map(|&j| lookup[usize::from(b[j])]).collect()
                    })
                    .collect();
                let k = alphabet.size();
                // Bytes outside the alphabet can only be constant ones, which are not in `varying`.
                char_level = Some(charlevel::analyse(&symbols, &varying, k, opts.significance));

                // 4. Bit level.
                let (matrix, conversion) = if alphabet.is_numeric_encoding() {
                    if k.is_power_of_two() {
                        (
                            bitlevel::BitMatrix::from_fixed_width(&symbols, k.trailing_zeros()),
                            "decoded",
                        )
                    } else {
                        (
                            bitlevel::BitMatrix::from_radix(&symbols, k as u32),
                            "decoded",
                        )
                    }
                } else {
                    let raw: Vec<Vec<u8>> = work
                        .iter()
                        .map(|t| varying.iter().map(|&j| t.as_bytes()[j]).collect())
                        .collect();
                    (bitlevel::BitMatrix::from_fixed_width(&raw, 8), "raw_bytes")
                };
                let mut bits = bitlevel::analyse(&matrix, opts.significance, conversion);
                bits.cap(capacity_bits);
                if (bits.effective_entropy_bits as f64) < min_bits {
                    reasons.push(format!(
                        "effective entropy {} bits < policy {} bits ({} of {} bit positions pass)",
                        bits.effective_entropy_bits,
                        opts.min_entropy_bits,
                        bits.effective_entropy_bits,
                        bits.bits_per_token
                    ));
                }
                bit_level = Some(bits);
            }
        } else if n >= MIN_SAMPLES && fields.judged.is_some() {
            reasons.push(format!(
                "no field varies unpredictably across the {n} tokens: effective entropy 0 bits < policy {} bits",
                opts.min_entropy_bits
            ));
        } else if n >= MIN_SAMPLES {
            // Nothing varies below the shortest length: every token shares it; entropy is nil.
            reasons.push(format!(
            "no character position varies across the {n} tokens (within the shortest length, {length_min}): effective entropy 0 bits < policy {} bits",
            opts.min_entropy_bits
        ));
        }
        let (status, found) = match search {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            None => (HashSearch::Disabled, None),
        };
        (status, found, prediction)
    });
    let entropy_withheld = if unique < n {
        Some("the sample is not unique".to_string())
    } else if prediction.is_some() {
        Some("the tokens were predicted from earlier ones".to_string())
    } else if hash_of_counter.is_some() {
        Some("the tokens are hashes of a counter or the clock".to_string())
    } else if uuid_v1.is_some() {
        Some("the ids are derived from their issue time".to_string())
    } else {
        derived.map(str::to_string)
    };
    if let Some(f) = &hash_of_counter {
        reasons.insert(hash_reason_at, f.detail.clone());
    }

    let verdict = if !reasons.is_empty() {
        TokenVerdict::Fail
    } else if n < MIN_SAMPLES {
        TokenVerdict::Inconclusive(format!(
            "only {n} tokens; at least {MIN_SAMPLES} are needed for the statistical tests"
        ))
    } else {
        TokenVerdict::Pass
    };

    Analysis {
        verdict,
        reasons,
        min_entropy_bits: opts.min_entropy_bits,
        significance: opts.significance,
        sample_size: n,
        ignored_empty: all.len() - n,
        unique,
        duplicates: n - unique,
        length_min,
        length_max,
        alphabet,
        varying_positions: varying.len(),
        constant_positions: work_min - varying.len(),
        char_level,
        bit_level,
        structure: structure_findings,
        hash_search,
        hash_of_counter,
        prediction,
        clock,
        entropy_withheld,
        note: NOTE.to_string(),
    }
}
