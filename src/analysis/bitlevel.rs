//! Bit-level analysis (Burp Sequencer's method, with the FIPS 140-2 battery).
//!
//! Each token's varying part is turned into a fixed-width bit string: tokens in a named alphabet are
//! *decoded* as the number they spell (hex: 4 bits a symbol, base64/base64url: 6 bits a symbol,
//! decimal/alphanumeric: the base-10/base-62 value written in `ceil(m·log2 k)` bits), and tokens in any
//! other alphabet contribute 8 bits per raw byte. Decoding matters: reading `a-f0-9` as ASCII would make
//! half of every byte constant and undercount a strong token.
//!
//! The sample is then a matrix, one row per token and one column per bit position. For every column:
//! - a monobit significance test (is the count of ones consistent with p = ½? two-sided normal
//!   approximation to the binomial, p-value = erfc(|z|/√2)) at the chosen significance; and
//! - when the sample holds at least 20 000 tokens, the full FIPS 140-2 battery (§4.9.1: monobit,
//!   poker, runs, long runs) on the column's first 20 000 bits, which is how Burp applies it.
//!
//! **Many positions, one verdict.** Testing 128 columns at 1 % each fails at least one column of a
//! perfect 128-bit token 72 % of the time, so a healthy token would flap between PASS and FAIL from run
//! to run against a 128-bit policy. The per-column threshold is therefore Bonferroni-corrected
//! (`significance / columns`), making `significance` the false-alarm rate of the whole analysis; the
//! uncorrected count (Burp's figure) is reported alongside as `failing_uncorrected`. Real bias is still
//! caught: a constant column, or a 30/70 column in 200 tokens, has p < 10⁻⁷.
//!
//! A column that passes every test run on it counts as one bit of effective entropy. With fewer than
//! 20 000 tokens the FIPS battery instead runs once on the first 20 000 bits of the concatenated rows
//! (reported, not a verdict on its own: a constant version byte would fail it while the token stays
//! strong; the per-column counts decide).
//!
//! The FIPS thresholds are fixed by the standard (each test rejects a random sample roughly 10⁻⁴ of
//! the time, about 0.15 % for the battery), so with 20 000+ tokens a perfect k-bit token occasionally
//! measures k − 1: policies are met comfortably with some headroom.

use serde::Serialize;
use statrs::function::erf::erfc;

/// Bits per FIPS 140-2 test sample.
pub const FIPS_BITS: usize = 20_000;

/// Rows × columns of bits, stored column-major (one bitset per bit position).
#[derive(Debug, Clone)]
pub struct BitMatrix {
    rows: usize,
    width: usize,
    cols: Vec<Vec<u64>>,
}

impl BitMatrix {
    fn new(rows: usize, width: usize) -> Self {
        Self {
            rows,
            width,
            cols: vec![vec![0u64; rows.div_ceil(64)]; width],
        }
    }

    fn set(&mut self, row: usize, col: usize) {
        self.cols[col][row / 64] |= 1 << (row % 64);
    }

    fn get(&self, row: usize, col: usize) -> bool {
        self.cols[col][row / 64] >> (row % 64) & 1 == 1
    }

    /// Every value in `rows` is below `2^bits`; each contributes `bits` bits, most significant first.
    pub fn from_fixed_width(rows: &[Vec<u8>], bits: u32) -> Self {
        let m = rows.first().map_or(0, Vec::len);
        let bits = bits as usize;
        let mut out = Self::new(rows.len(), m * bits);
        // 64 rows at a time into one word per column (kept in L1), then each word stored once:
        // setting bits one by one across the column-major matrix costs a cache miss a bit.
        let mut acc = vec![0u64; out.width];
        for (block, chunk) in rows.chunks(64).enumerate() {
            acc.fill(0);
            for (r, row) in chunk.iter().enumerate() {
                for (i, &v) in row.iter().take(m).enumerate() {
                    for (b, a) in acc[i * bits..(i + 1) * bits].iter_mut().enumerate() {
                        *a |= u64::from(v >> (bits - 1 - b) & 1) << r;
                    }
                }
            }
            for (col, &word) in out.cols.iter_mut().zip(&acc) {
                col[block] = word;
            }
        }
        out
    }

    /// Each row is a number in base `radix` (most significant digit first), written in the fewest bits
    /// that hold `radix^m − 1`.
    pub fn from_radix(rows: &[Vec<u8>], radix: u32) -> Self {
        let m = rows.first().map_or(0, Vec::len);
        let mut limbs = Vec::new();
        for _ in 0..m {
            mul_add(&mut limbs, radix, radix - 1);
        }
        let width = bit_length(&limbs);
        let mut out = Self::new(rows.len(), width);
        for (r, row) in rows.iter().enumerate() {
            limbs.clear();
            for &d in row {
                mul_add(&mut limbs, radix, u32::from(d));
            }
            for col in 0..width {
                let bit = width - 1 - col;
                if limbs
                    .get(bit / 32)
                    .is_some_and(|l| l >> (bit % 32) & 1 == 1)
                {
                    out.set(r, col);
                }
            }
        }
        out
    }

    /// The first `FIPS_BITS` bits of the rows concatenated, if there are that many.
    fn stream(&self) -> Option<Vec<u64>> {
        if self.rows * self.width < FIPS_BITS || self.width == 0 {
            return None;
        }
        let mut words = vec![0u64; FIPS_BITS.div_ceil(64)];
        let mut i = 0;
        'outer: for r in 0..self.rows {
            for c in 0..self.width {
                if i == FIPS_BITS {
                    break 'outer;
                }
                if self.get(r, c) {
                    words[i / 64] |= 1 << (i % 64);
                }
                i += 1;
            }
        }
        Some(words)
    }
}

/// Little-endian base-2^32 `limbs = limbs * mul + add`.
fn mul_add(limbs: &mut Vec<u32>, mul: u32, add: u32) {
    let mut carry = u64::from(add);
    for l in limbs.iter_mut() {
        let v = u64::from(*l) * u64::from(mul) + carry;
        *l = v as u32;
        carry = v >> 32;
    }
    if carry > 0 {
        limbs.push(carry as u32);
    }
}

fn bit_length(limbs: &[u32]) -> usize {
    match limbs.iter().rposition(|&l| l != 0) {
        Some(i) => i * 32 + (32 - limbs[i].leading_zeros() as usize),
        None => 0,
    }
}

/// Outcome of the FIPS 140-2 battery on one 20 000-bit sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FipsResult {
    pub monobit: bool,
    pub poker: bool,
    pub runs: bool,
    pub long_runs: bool,
}

impl FipsResult {
    pub fn all(&self) -> bool {
        self.monobit && self.poker && self.runs && self.long_runs
    }
}

/// FIPS 140-2 §4.9.1's accepted counts of runs of length 1, 2, 3, 4, 5 and 6+, the same for runs of
/// zeros and of ones.
const RUN_BOUNDS: [(u32, u32); 6] = [
    (2_343, 2_657),
    (1_135, 1_365),
    (542, 708),
    (251, 373),
    (111, 201),
    (111, 201),
];

/// Whether the counts of runs (`[value][length 1..5, 6+]`) are all within [`RUN_BOUNDS`].
fn runs_within_bounds(runs: &[[u32; 6]; 2]) -> bool {
    runs.iter().all(|per_value| {
        per_value
            .iter()
            .zip(RUN_BOUNDS)
            .all(|(&c, (lo, hi))| lo <= c && c <= hi)
    })
}

/// FIPS 140-2 §4.9.1 statistical tests on the first 20 000 bits of `words` (bit `i` is
/// `words[i / 64] >> (i % 64) & 1`). Word at a time: it runs once per bit position of a 20 000-token
/// sample, which made the bit-at-a-time version the costliest part of `usher analyze`.
pub fn fips_140_2(words: &[u64]) -> FipsResult {
    const FULL: usize = FIPS_BITS / 64;
    const TAIL: u32 = (FIPS_BITS % 64) as u32;
    let tail_mask = (1u64 << TAIL) - 1;
    let word = |k: usize| {
        if k < FULL {
            words[k]
        } else {
            words[k] & tail_mask
        }
    };
    let n_words = FIPS_BITS.div_ceil(64);
    // Monobit: 9725 < ones < 10275.
    let ones: u32 = (0..n_words).map(|k| word(k).count_ones()).sum();
    let monobit = 9_725 < ones && ones < 10_275;
    // Poker: 5000 4-bit segments, X = 16/5000 · Σ f(i)² − 5000, pass if 2.16 < X < 46.17. Segments
    // never straddle a word (64 and 20 000 are multiples of 4); reading a segment's bits in reverse
    // order only relabels the 16 categories, which leaves Σ f(i)² unchanged.
    let mut f = [0u64; 16];
    for k in 0..n_words {
        // `word` masks the last, partial word; the full ones hold 16 segments each.
        let segments = if k < FULL { 16 } else { TAIL / 4 };
        let w = word(k);
        for j in 0..segments {
            f[(w >> (4 * j) & 0xf) as usize] += 1;
        }
    }
    let sum_sq: u64 = f.iter().map(|c| c * c).sum();
    let x = 16.0 / 5_000.0 * sum_sq as f64 - 5_000.0;
    let poker = 2.16 < x && x < 46.17;
    // Runs: lengths 1..5 and 6+, counted separately for runs of zeros and of ones; long run: ≥ 26.
    // A run ends where a bit differs from the one before it: those places are the set bits of
    // `w ^ (w << 1 | carry)`, visited in order.
    let mut runs = [[0u32; 6]; 2];
    let mut longest = 0usize;
    let mut current = (words[0] & 1) as usize;
    let mut start = 0usize;
    let mut carry = words[0] & 1;
    let mut close = |value: usize, len: usize| {
        runs[value][len.min(6) - 1] += 1;
        longest = longest.max(len);
    };
    for k in 0..n_words {
        let w = word(k);
        let valid = if k < FULL { u64::MAX } else { tail_mask };
        let mut changes = (w ^ (w << 1 | carry)) & valid;
        carry = w >> 63;
        while changes != 0 {
            let at = k * 64 + changes.trailing_zeros() as usize;
            close(current, at - start);
            current ^= 1;
            start = at;
            changes &= changes - 1;
        }
    }
    close(current, FIPS_BITS - start);
    let runs_ok = runs_within_bounds(&runs);
    FipsResult {
        monobit,
        poker,
        runs: runs_ok,
        long_runs: longest < 26,
    }
}

/// Pass counts of the FIPS battery: per bit position (20 000+ tokens) or once on the concatenated
/// stream (fewer tokens, at least 20 000 bits in all).
#[derive(Debug, Clone, Serialize)]
pub struct FipsSummary {
    /// `per_position` or `stream`.
    pub scope: &'static str,
    /// Samples tested: bit positions, or 1 for the stream.
    pub tested: usize,
    pub monobit: usize,
    pub poker: usize,
    pub runs: usize,
    pub long_runs: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BitLevel {
    /// How the bits were obtained: `decoded` (the token's value in its alphabet) or `raw_bytes`.
    pub conversion: &'static str,
    pub bits_per_token: usize,
    /// bits_per_token × sample size.
    pub bits_analysed: usize,
    /// Bit positions that pass every test run on them, never more than `capacity_bits`.
    pub effective_entropy_bits: usize,
    /// What the analysed characters can hold at most (length × log2 of the symbols), when known: a
    /// radix-decoded number has bit positions the tests cannot tell from random, and they must not
    /// count beyond it.
    pub capacity_bits: Option<f64>,
    /// Bit positions (0 = most significant of the varying part) that fail.
    pub failing_positions: Vec<usize>,
    /// The per-position p-value threshold: significance / bits_per_token (Bonferroni).
    pub threshold: f64,
    /// Positions whose monobit p-value is below the uncorrected significance (Burp's count; about
    /// significance × bits_per_token of them are expected by chance).
    pub failing_uncorrected: usize,
    pub fips: Option<FipsSummary>,
}

impl BitLevel {
    /// Caps the effective entropy at what the characters can hold.
    pub fn cap(&mut self, capacity_bits: f64) {
        self.capacity_bits = Some(capacity_bits);
        self.effective_entropy_bits = self
            .effective_entropy_bits
            .min(capacity_bits.max(0.0).floor() as usize);
    }
}

pub fn analyse(m: &BitMatrix, significance: f64, conversion: &'static str) -> BitLevel {
    let n = m.rows;
    let per_position = n >= FIPS_BITS;
    let mut summary = FipsSummary {
        scope: if per_position {
            "per_position"
        } else {
            "stream"
        },
        tested: 0,
        monobit: 0,
        poker: 0,
        runs: 0,
        long_runs: 0,
    };
    let mut tally = |r: FipsResult| {
        summary.tested += 1;
        summary.monobit += usize::from(r.monobit);
        summary.poker += usize::from(r.poker);
        summary.runs += usize::from(r.runs);
        summary.long_runs += usize::from(r.long_runs);
    };
    let mut failing = Vec::new();
    let mut failing_uncorrected = 0;
    let threshold = significance / m.width.max(1) as f64;
    for (c, col) in m.cols.iter().enumerate() {
        let ones: u32 = col.iter().map(|w| w.count_ones()).sum();
        let z = (2.0 * f64::from(ones) - n as f64) / (n as f64).sqrt();
        let p = if n > 0 {
            erfc(z.abs() / std::f64::consts::SQRT_2)
        } else {
            0.0
        };
        failing_uncorrected += usize::from(p < significance);
        let mut pass = p >= threshold;
        if per_position {
            let r = fips_140_2(col);
            tally(r);
            pass &= r.all();
        }
        if !pass {
            failing.push(c);
        }
    }
    if !per_position && let Some(stream) = m.stream() {
        tally(fips_140_2(&stream));
    }
    let fips = (summary.tested > 0).then_some(summary);
    BitLevel {
        conversion,
        bits_per_token: m.width,
        bits_analysed: m.width * n,
        effective_entropy_bits: m.width - failing.len(),
        capacity_bits: None,
        failing_positions: failing,
        threshold,
        failing_uncorrected,
        fips,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    fn words(bits: impl Iterator<Item = bool>) -> Vec<u64> {
        let mut w = vec![0u64; FIPS_BITS.div_ceil(64)];
        for (i, b) in bits.take(FIPS_BITS).enumerate() {
            if b {
                w[i / 64] |= 1 << (i % 64);
            }
        }
        w
    }

    #[test]
    fn fips_passes_random_and_fails_patterns() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let w: Vec<u64> = (0..FIPS_BITS.div_ceil(64))
            .map(|_| rng.next_u64())
            .collect();
        assert!(fips_140_2(&w).all());
        let zeros = words(std::iter::repeat(false));
        let r = fips_140_2(&zeros);
        assert!(!r.monobit && !r.poker && !r.runs && !r.long_runs);
        let alternating = words((0..).map(|i| i % 2 == 0));
        let r = fips_140_2(&alternating);
        assert!(r.monobit && !r.runs && r.long_runs);
    }

    /// The standard's tests bit by bit, as §4.9.1 states them: the reference for the word version
    /// (with the same table of run bounds: what it checks is the counting).
    fn fips_reference(words: &[u64]) -> FipsResult {
        let bit = |i: usize| (words[i / 64] >> (i % 64) & 1) as usize;
        let ones: usize = (0..FIPS_BITS).map(bit).sum();
        let mut f = [0u64; 16];
        for seg in 0..FIPS_BITS / 4 {
            f[(0..4).fold(0, |acc, k| (acc << 1) | bit(seg * 4 + k))] += 1;
        }
        let x = 16.0 / 5_000.0 * f.iter().map(|c| c * c).sum::<u64>() as f64 - 5_000.0;
        let mut runs = [[0u32; 6]; 2];
        let (mut longest, mut len, mut current) = (0, 0, bit(0));
        for i in 0..FIPS_BITS {
            if bit(i) == current {
                len += 1;
            } else {
                runs[current][len.min(6) - 1] += 1;
                longest = longest.max(len);
                current = bit(i);
                len = 1;
            }
        }
        runs[current][len.min(6) - 1] += 1;
        longest = longest.max(len);
        FipsResult {
            monobit: 9_725 < ones && ones < 10_275,
            poker: 2.16 < x && x < 46.17,
            runs: runs_within_bounds(&runs),
            long_runs: longest < 26,
        }
    }

    #[test]
    fn fips_word_version_agrees_with_the_reference() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let n = FIPS_BITS.div_ceil(64) + 3;
        let mut cases: Vec<Vec<u64>> = Vec::new();
        for _ in 0..200 {
            cases.push((0..n).map(|_| rng.next_u64()).collect());
        }
        // Biased streams: sparse ones, long runs, runs across word edges and past bit 20 000.
        for shift in [1, 2, 3, 5, 7] {
            cases.push(
                (0..n)
                    .map(|_| rng.next_u64() & (rng.next_u64() >> shift))
                    .collect(),
            );
            cases.push(
                (0..n)
                    .map(|_| rng.next_u64() | (rng.next_u64() >> shift))
                    .collect(),
            );
        }
        cases.push(vec![u64::MAX; n]);
        cases.push(vec![0; n]);
        cases.push(
            (0..n)
                .map(|i| if i % 2 == 0 { u64::MAX } else { 0 })
                .collect(),
        );
        cases.push(vec![0x0123_4567_89ab_cdef; n]);
        let mut outcomes = std::collections::HashSet::new();
        for w in &cases {
            let r = fips_140_2(w);
            assert_eq!(r, fips_reference(w));
            outcomes.insert((r.monobit, r.poker, r.runs, r.long_runs));
        }
        assert!(outcomes.len() >= 4, "cases too alike: {outcomes:?}");
    }

    #[test]
    fn fixed_width_matrix_matches_bit_by_bit() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for (rows, bits) in [(1, 4), (63, 4), (64, 8), (65, 6), (200, 4), (1_000, 8)] {
            let data: Vec<Vec<u8>> = (0..rows)
                .map(|_| {
                    (0..9)
                        .map(|_| (rng.next_u32() & ((1 << bits) - 1)) as u8)
                        .collect()
                })
                .collect();
            let m = BitMatrix::from_fixed_width(&data, bits);
            assert_eq!(m.width, 9 * bits as usize);
            for (r, row) in data.iter().enumerate() {
                for (i, &v) in row.iter().enumerate() {
                    for b in 0..bits {
                        let want = v >> (bits - 1 - b) & 1 == 1;
                        assert_eq!(m.get(r, i * bits as usize + b as usize), want, "row {r}");
                    }
                }
            }
        }
    }

    #[test]
    fn radix_conversion_matches_value() {
        // "255" in base 10 is 0b11111111 in ceil(3·log2 10) = 10 bits.
        let m = BitMatrix::from_radix(&[vec![2, 5, 5]], 10);
        assert_eq!(m.width, 10);
        let bits: String = (0..10)
            .map(|c| if m.get(0, c) { '1' } else { '0' })
            .collect();
        assert_eq!(bits, "0011111111");
        let h = BitMatrix::from_fixed_width(&[vec![0xa, 0x5]], 4);
        let bits: String = (0..8)
            .map(|c| if h.get(0, c) { '1' } else { '0' })
            .collect();
        assert_eq!(bits, "10100101");
    }
}
