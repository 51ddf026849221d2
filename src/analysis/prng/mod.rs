//! Generator prediction ("beyond Burp"): session ids drawn from a non-cryptographic generator pass
//! every statistical test, yet each one follows from the ones before. So the common generators behind
//! real session ids are tried directly, and a FAIL is claimed only when it is *proved by prediction*:
//! the generator's state is recovered from tokens in the order given, run on, and the values it
//! produces are found among the other tokens of the sample.
//!
//! - [`lcg`]: `java.util.Random` (48-bit LCG). Two consecutive 32-bit outputs pin the state down to a
//!   handful of candidates; one token of two `nextLong()`s (four outputs) proves it alone.
//! - [`mt`]: MT19937 (Python's `random`, PHP's `mt_rand`, C++'s `std::mt19937`): 624 consecutive
//!   32-bit outputs, untempered, are its whole state ([`rand_mt::Mt::recover`]).
//!
//! Tokens are read as the generators' raw 32-bit outputs in several ways ([`Words`]): hex in 32-bit
//! words (first output first, or last first as Python's `getrandbits(k)` writes them), hex in 64-bit
//! Java `nextLong()` values (whose low half is added signed), and decimal 32/64-bit integers.
//!
//! Verification is order-insensitive: the recovered generator is run on past the tokens it came from,
//! and every window of its output that equals a whole sampled token counts, wherever that token sits
//! in the sample (the sampler keeps only the first samples in issue order), and with ids the sample
//! never saw (other visitors' sessions) drawn in between. A chance match of one whole token of two or
//! more words is below 2⁻⁶⁰; single-word tokens need three matches.

pub mod lcg;
pub mod mt;
mod walk;

use super::structure::{Finding, FindingKind};

/// Tokens that `usher analyze` or the sampler gives in issue order, at most: recovery starts in them.
pub const ORDERED_PREFIX: usize = 200;

/// The sampled tokens read as 32-bit generator outputs, `width` a token, tokens in sample order.
#[derive(Debug, Clone)]
pub struct Words {
    /// How the tokens were read, for the report.
    pub format: &'static str,
    pub width: usize,
    /// Token `i` is `words[i * width..(i + 1) * width]`.
    pub words: Vec<u32>,
}

impl Words {
    pub fn len(&self) -> usize {
        self.words.len() / self.width
    }

    pub fn token(&self, i: usize) -> &[u32] {
        &self.words[i * self.width..(i + 1) * self.width]
    }
}

/// Which generators a reading of the tokens suits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fits {
    Both,
    Lcg,
    Mt,
}

/// The readings of `tokens` as 32-bit outputs that apply (all tokens alike).
pub fn readings(tokens: &[&str]) -> Vec<(Fits, Words)> {
    let mut out = Vec::new();
    let Some(len) = tokens.first().map(|t| t.len()) else {
        return out;
    };
    let same_len = tokens.iter().all(|t| t.len() == len);
    let forward: Option<Vec<u32>> = (same_len && len >= 8 && len.is_multiple_of(8))
        .then(|| {
            tokens
                .iter()
                .flat_map(|t| t.as_bytes().chunks_exact(8).map(hex_word))
                .collect()
        })
        .flatten();
    if let Some(forward) = forward {
        let width = len / 8;
        if len >= 16 {
            let mut reversed = forward.clone();
            reversed.chunks_exact_mut(width).for_each(<[u32]>::reverse);
            out.push((
                Fits::Mt,
                Words {
                    format: "hex, 32-bit outputs with the first as the lowest word",
                    width,
                    words: reversed,
                },
            ));
        }
        if len.is_multiple_of(16) {
            let longs = forward
                .chunks_exact(2)
                .flat_map(|p| long_outputs((u64::from(p[0]) << 32) | u64::from(p[1])))
                .collect();
            out.push((
                Fits::Lcg,
                Words {
                    format: "hex, Java nextLong() values of 16 digits",
                    width,
                    words: longs,
                },
            ));
        }
        out.insert(
            0,
            (
                Fits::Both,
                Words {
                    format: "hex, one 32-bit output per 8 digits",
                    width,
                    words: forward,
                },
            ),
        );
    }
    let decimal = tokens.iter().all(|t| {
        let d = t.strip_prefix('-').unwrap_or(t);
        !d.is_empty() && d.len() <= 20 && d.bytes().all(|b| b.is_ascii_digit())
    });
    if decimal {
        let values: Option<Vec<i128>> = tokens.iter().map(|t| t.parse::<i128>().ok()).collect();
        if let Some(values) = values {
            let fits = |lo: i128, hi: i128| values.iter().all(|v| (lo..=hi).contains(v));
            if fits(i128::from(i32::MIN), i128::from(u32::MAX)) {
                out.push((
                    Fits::Both,
                    Words {
                        format: "decimal 32-bit integers",
                        width: 1,
                        words: values.iter().map(|&v| v as i64 as u32).collect(),
                    },
                ));
            } else if fits(i128::from(i64::MIN), i128::from(u64::MAX)) {
                out.push((
                    Fits::Lcg,
                    Words {
                        format: "decimal Java nextLong() values",
                        width: 2,
                        words: values
                            .iter()
                            .flat_map(|&v| long_outputs(v as i64 as u64))
                            .collect(),
                    },
                ));
            }
        }
    }
    out
}

/// Hex digit values; 0xff for any other byte.
static HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 16 {
        t[b"0123456789abcdef"[i] as usize] = i as u8;
        t[b"0123456789ABCDEF"[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The value of 8 hex digits; `None` if any is not one (one pass: the check and the value).
fn hex_word(digits: &[u8]) -> Option<u32> {
    let (mut v, mut bad) = (0u32, 0u8);
    for &d in digits {
        let x = HEX[usize::from(d)];
        bad |= x;
        v = (v << 4) | u32::from(x & 15);
    }
    (bad & 0xf0 == 0).then_some(v)
}

/// The two 32-bit outputs behind a Java `nextLong()` value: `(hi << 32) + lo` with `lo` added as a
/// signed int, so the high half printed is one less than the output whenever `lo` is negative.
fn long_outputs(v: u64) -> [u32; 2] {
    let lo = v as u32;
    let hi = ((v >> 32) as u32).wrapping_add(lo >> 31);
    [hi, lo]
}

/// A verified prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    pub generator: &'static str,
    pub format: &'static str,
    /// Consecutive tokens the state was recovered from.
    pub recovered_from: usize,
    /// Distinct other tokens of the sample the recovered generator produced exactly.
    pub predicted: usize,
    /// The first token the state was recovered from (fingerprinted in the report).
    pub seed_token: usize,
    /// When the state could not be recovered whole (ids drawn unseen between the sampled ones), the
    /// 32-bit outputs of the `predicted` tokens that were predicted exactly; `None`: whole tokens.
    pub outputs_only: Option<usize>,
}

/// Tries every generator on every reading; of the verified predictions, the one that predicts most
/// tokens is reported (hex `nextLong()`s read as plain 32-bit words still predict the quarter of
/// tokens whose low halves are positive).
pub fn predict(tokens: &[&str]) -> Option<Finding> {
    let prediction = readings(tokens)
        .into_iter()
        .flat_map(|(fits, words)| {
            let lcg = matches!(fits, Fits::Both | Fits::Lcg)
                .then(|| lcg::predict(&words))
                .flatten();
            let mt = matches!(fits, Fits::Both | Fits::Mt)
                .then(|| mt::predict(&words))
                .flatten();
            lcg.into_iter().chain(mt)
        })
        .max_by_key(|p| (p.outputs_only.is_none(), p.predicted))?;
    let seed =
        crate::redact::fingerprint(crate::redact::Kind::Token, tokens[prediction.seed_token]);
    if let Some(outputs) = prediction.outputs_only {
        return Some(Finding {
            kind: FindingKind::PredictedGenerator,
            fails: true,
            detail: format!(
                "the next token was predicted: {} recognised by its state recurrence from tokens in issue order (from {seed}, read as {}), across ids the sample did not see; {outputs} outputs of {} later tokens predicted exactly (32 bits each), found among the sample",
                prediction.generator, prediction.format, prediction.predicted
            ),
        });
    }
    Some(Finding {
        kind: FindingKind::PredictedGenerator,
        fails: true,
        detail: format!(
            "the next token was predicted: {} state recovered from {} consecutive token{} ({}, read as {}); {} later tokens predicted exactly, found among the sample",
            prediction.generator,
            prediction.recovered_from,
            if prediction.recovered_from == 1 {
                ""
            } else {
                "s"
            },
            seed,
            prediction.format,
            prediction.predicted
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_long_outputs_undo_the_signed_addition() {
        // (0x12345678 << 32) + (0x9abcdef0 as i32): the printed high half is one less.
        let v = (0x1234_5678i64 << 32).wrapping_add(i64::from(0x9abc_def0u32 as i32)) as u64;
        assert_eq!(format!("{v:016x}"), "123456779abcdef0");
        assert_eq!(long_outputs(v), [0x1234_5678, 0x9abc_def0]);
        assert_eq!(
            long_outputs(0x1234_5678_1234_5678),
            [0x1234_5678, 0x1234_5678]
        );
    }

    #[test]
    fn readings_of_hex_and_decimal() {
        let r = readings(&["0123456789abcdef", "fedcba9876543210"]);
        let formats: Vec<(Fits, usize)> = r.iter().map(|(f, w)| (*f, w.width)).collect();
        assert_eq!(formats, [(Fits::Both, 2), (Fits::Mt, 2), (Fits::Lcg, 2)]);
        assert_eq!(r[0].1.token(1), [0xfedc_ba98, 0x7654_3210]);
        assert_eq!(r[1].1.token(0), [0x89ab_cdef, 0x0123_4567]);
        let r = readings(&["-5", "4294967295"]);
        assert_eq!(r[0].1.words, [u32::MAX - 4, u32::MAX]);
        assert!(readings(&["abc", "xyz"]).is_empty());
    }
}
