//! `java.util.Random`: a 48-bit linear congruential generator (multiplier 0x5DEECE66D, addend 11)
//! whose `next(32)` output is the state's top 32 bits. Given one output, only the 16 hidden low bits
//! are unknown, so the 65 536 states it allows are stepped once and kept when they give the next
//! output: about one survives, and further outputs of the same token confirm it. Tokens of a single
//! output (a decimal `nextInt()`) pair each with the next one, allowing up to [`MAX_JUMP`] − 1 ids
//! drawn unseen in between.

use super::walk::{Bounds, Index, count_found};
use super::{ORDERED_PREFIX, Prediction, Words};

const MULT: u64 = 0x5_DEEC_E66D;
const ADD: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// Seed tokens tried (the first ones in issue order).
const SEEDS: usize = 3;
/// Steps allowed between two single-output tokens.
pub const MAX_JUMP: u64 = 8;

fn step(s: u64) -> u64 {
    s.wrapping_mul(MULT).wrapping_add(ADD) & MASK
}

fn output(s: u64) -> u32 {
    (s >> 16) as u32
}

/// The multiplier and addend of `d` steps at once.
fn jump(d: u64) -> (u64, u64) {
    (0..d).fold((1u64, 0u64), |(m, a), _| {
        (
            m.wrapping_mul(MULT) & MASK,
            a.wrapping_mul(MULT).wrapping_add(ADD) & MASK,
        )
    })
}

/// States that output `o0` and, `d` steps later, `o1`; each returned as the later state.
fn candidates(o0: u32, o1: u32, d: u64) -> Vec<u64> {
    let (m, a) = jump(d);
    let base = u64::from(o0) << 16;
    (0..1u64 << 16)
        .map(|low| (base | low).wrapping_mul(m).wrapping_add(a) & MASK)
        .filter(|&s| output(s) == o1)
        .collect()
}

fn bounds(words: &Words) -> Bounds {
    let w = words.width;
    Bounds {
        slack: 1024 * w,
        limit: (words.len() * 64 + 4096) * w,
        enough: usize::MAX,
    }
}

pub fn predict(words: &Words) -> Option<Prediction> {
    let n = words.len();
    if n < 3 {
        return None;
    }
    let index = Index::new(words);
    let w = words.width;
    let found = |state: u64, known: &[usize]| {
        let mut s = state;
        count_found(words, &index, known, &bounds(words), || {
            s = step(s);
            output(s)
        })
    };
    let prediction = |seed_token, recovered_from, predicted| Prediction {
        generator: "java.util.Random",
        format: words.format,
        recovered_from,
        predicted,
        seed_token,
        outputs_only: None,
    };
    if w >= 2 {
        for j in 0..n.min(ORDERED_PREFIX).min(SEEDS) {
            let t = words.token(j);
            for s1 in candidates(t[0], t[1], 1) {
                let mut s = s1;
                let rest_ok = t[2..].iter().all(|&o| {
                    s = step(s);
                    output(s) == o
                });
                if !rest_ok {
                    continue;
                }
                let predicted = found(s, &[j]);
                if predicted >= 1 {
                    return Some(prediction(j, 1, predicted));
                }
            }
        }
        return None;
    }
    for j in 0..n.min(ORDERED_PREFIX).min(SEEDS + 1) - 1 {
        let (o0, o1) = (words.token(j)[0], words.token(j + 1)[0]);
        for d in 1..=MAX_JUMP {
            for s in candidates(o0, o1, d) {
                // One-output tokens collide by chance far more easily: three matches are proof.
                let predicted = found(s, &[j, j + 1]);
                if predicted >= 3 {
                    return Some(prediction(j, 2, predicted));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_is_repeated_steps() {
        let s: u64 = 0x1234_5678_9abc;
        let (m, a) = jump(3);
        assert_eq!(
            s.wrapping_mul(m).wrapping_add(a) & MASK,
            step(step(step(s)))
        );
    }

    #[test]
    fn recovers_the_state_from_two_outputs() {
        // new Random(42): scrambled seed, then nextInt() = -1170105035, 234785527.
        let s0 = step((42 ^ MULT) & MASK);
        assert_eq!(output(s0) as i32, -1_170_105_035);
        let s1 = step(s0);
        assert_eq!(output(s1), 234_785_527);
        assert!(candidates(output(s0), output(s1), 1).contains(&s1));
    }
}
