//! Character-level analysis (Burp Sequencer's "character count" analysis).
//!
//! For every varying character position, the symbols observed across the sample are counted. Two
//! numbers per position:
//! - the Shannon entropy of the observed distribution (bits; at most `log2(alphabet)` and at most
//!   `log2(sample size)`, so it is a description, not a verdict), and
//! - a chi-square goodness-of-fit test against the uniform distribution over the alphabet
//!   (`df = alphabet − 1`, p-value from statrs' `ChiSquared` survival function).
//!
//! As at the bit level, the threshold is Bonferroni-corrected (`significance / positions`) so that a
//! perfect token does not lose a position to chance in most runs.
//!
//! A position whose p-value is at least that threshold is taken as uniform and contributes
//! `log2(alphabet)` bits; the sum is the character-level effective entropy. With few samples per symbol
//! (expected count below 5) the chi-square approximation is rough, which is why the verdict rests on the
//! bit-level result; the character level is reported to show *where* a token is weak.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// One analysed character position.
#[derive(Debug, Clone, Serialize)]
pub struct PositionStat {
    /// Byte offset in the token.
    pub position: usize,
    pub distinct: usize,
    pub shannon_bits: f64,
    pub chi_square: f64,
    pub p_value: f64,
    pub uniform: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CharLevel {
    pub alphabet_size: usize,
    /// Per-position p-value threshold: significance / positions (Bonferroni).
    pub threshold: f64,
    /// Varying positions analysed (constant positions are listed under structure).
    pub positions: usize,
    /// Sum of the per-position Shannon entropies.
    pub shannon_bits: f64,
    /// Sum of `log2(alphabet)` over the positions that pass the uniformity test.
    pub effective_bits: f64,
    /// Offsets of the varying positions that fail the uniformity test.
    pub non_uniform_positions: Vec<usize>,
    pub per_position: Vec<PositionStat>,
}

/// `symbols[i]` are the symbol indexes of token `i` at `positions` (same order).
pub fn analyse(
    symbols: &[Vec<u8>],
    positions: &[usize],
    alphabet_size: usize,
    significance: f64,
) -> CharLevel {
    let n = symbols.len();
    let k = alphabet_size.max(2);
    let dist = ChiSquared::new((k - 1) as f64).expect("df > 0");
    let expected = n as f64 / k as f64;
    let bits_per_symbol = (k as f64).log2();
    let threshold = significance / positions.len().max(1) as f64;
    let mut counts = vec![0u32; k];
    let mut per_position = Vec::with_capacity(positions.len());
    for (col, &position) in positions.iter().enumerate() {
        counts.iter_mut().for_each(|c| *c = 0);
        for row in symbols {
            counts[usize::from(row[col]).min(k - 1)] += 1;
        }
        let mut shannon = 0.0;
        let mut chi = 0.0;
        let mut distinct = 0;
        for &c in &counts {
            if c > 0 {
                distinct += 1;
                let p = f64::from(c) / n as f64;
                shannon -= p * p.log2();
            }
            let d = f64::from(c) - expected;
            chi += d * d / expected;
        }
        let p_value = dist.sf(chi).clamp(0.0, 1.0);
        per_position.push(PositionStat {
            position,
            distinct,
            shannon_bits: shannon,
            chi_square: chi,
            p_value,
            uniform: p_value >= threshold,
        });
    }
    let shannon_bits = per_position.iter().map(|p| p.shannon_bits).sum();
    let passing = per_position.iter().filter(|p| p.uniform).count();
    CharLevel {
        alphabet_size: k,
        threshold,
        positions: positions.len(),
        shannon_bits,
        effective_bits: passing as f64 * bits_per_symbol,
        non_uniform_positions: per_position
            .iter()
            .filter(|p| !p.uniform)
            .map(|p| p.position)
            .collect(),
        per_position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_and_constant_positions() {
        // Position 0 cycles through all 16 symbols evenly; position 1 is always 3.
        let rows: Vec<Vec<u8>> = (0..320).map(|i| vec![(i % 16) as u8, 3]).collect();
        let r = analyse(&rows, &[0, 1], 16, 0.01);
        assert!(r.per_position[0].uniform);
        assert!((r.per_position[0].shannon_bits - 4.0).abs() < 1e-9);
        assert!(!r.per_position[1].uniform);
        assert_eq!(r.non_uniform_positions, vec![1]);
        assert!((r.effective_bits - 4.0).abs() < 1e-9);
    }
}
