//! MT19937: 624 consecutive 32-bit outputs are, once untempered, the generator's whole state
//! ([`rand_mt::Mt::recover`]). The state is taken from a run of tokens in issue order (78 tokens of 8
//! outputs); a run broken by ids drawn unseen in between gives a wrong state, whose output then
//! matches nothing, so successive start tokens are tried. Each try first runs the generator a
//! short way ([`LOOK_IDS`] ids) and only a hit is followed to the end. Without such a run, the
//! recurrence still predicts single outputs across the gaps ([`predict_through_gaps`]).

use super::walk::{Bounds, Index, count_found};
use super::{ORDERED_PREFIX, Prediction, Words};
use rand_mt::Mt;

/// Outputs in the state.
pub const STATE_WORDS: usize = 624;
/// Start tokens tried.
const STARTS: usize = 64;
/// Ids looked through after a recovered state before the start is given up.
const LOOK_IDS: usize = 64;

pub fn predict(words: &Words) -> Option<Prediction> {
    let (w, n) = (words.width, words.len());
    let span = STATE_WORDS.div_ceil(w);
    let ordered = n.min(ORDERED_PREFIX);
    if ordered <= span {
        return None;
    }
    let index = Index::new(words);
    // One-output tokens collide by chance far more easily: three matches are proof.
    let needed = if w >= 2 { 1 } else { 3 };
    for j in 0..(ordered - span).min(STARTS) {
        let from = j * w;
        let Ok(mut mt) = Mt::recover(words.words[from..from + STATE_WORDS].iter().copied()) else {
            continue;
        };
        // The state may end inside a token: the rest of it is the generator's next output.
        let tail = &words.words[from + STATE_WORDS..from + span * w];
        if tail.iter().any(|&o| mt.next_u32() != o) {
            continue;
        }
        let known: Vec<usize> = (j..j + span).collect();
        let mut probe = mt.clone();
        let look = Bounds {
            slack: LOOK_IDS * w,
            limit: LOOK_IDS * w,
            enough: needed,
        };
        if count_found(words, &index, &known, &look, || probe.next_u32()) < needed {
            continue;
        }
        let all = Bounds {
            slack: 1024 * w,
            limit: (n * 64 + 4096) * w,
            enough: usize::MAX,
        };
        let predicted = count_found(words, &index, &known, &all, || mt.next_u32());
        return Some(Prediction {
            generator: "Mersenne Twister (MT19937)",
            format: words.format,
            recovered_from: span,
            predicted,
            seed_token: j,
            outputs_only: None,
        });
    }
    predict_through_gaps(words)
}

const UPPER: u32 = 0x8000_0000;
const MATRIX_A: u32 = 0x9908_b0df;

fn undo_right(y: u32, shift: u32) -> u32 {
    (0..32 / shift).fold(y, |x, _| y ^ (x >> shift))
}

fn undo_left(y: u32, shift: u32, mask: u32) -> u32 {
    (0..32 / shift).fold(y, |x, _| y ^ ((x << shift) & mask))
}

/// MT19937's output tempering.
pub fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
}

pub fn untemper(y: u32) -> u32 {
    let y = undo_right(y, 18);
    let y = undo_left(y, 15, 0xefc6_0000);
    let y = undo_left(y, 7, 0x9d2c_5680);
    undo_right(y, 11)
}

/// The state recurrence, x[k+624] = x[k+397] ^ twist(x[k], x[k+1]) (untempered words).
fn twist(a: u32, b: u32) -> u32 {
    let y = (a & UPPER) | (b & !UPPER);
    (y >> 1) ^ if y & 1 == 1 { MATRIX_A } else { 0 }
}

/// When no run of tokens in issue order holds 624 consecutive outputs — the app drew other ids (say
/// an anonymous session per login page) between the sampled ones — the recurrence still links three
/// outputs 397 and 624 apart. For each token A in issue order, each token B up to 51 tokens after
/// it, and each pair of neighbouring outputs of A, the output 624 after is computed and looked for
/// among the tokens in issue order (where A and B are too). Ids are whole tokens, so the word of B
/// and of the predicted token C follow from the word of A. A chance match of one 32-bit output
/// happens among tens of thousands of tries; two outputs of one (A, B, C) triple do not, so only
/// those count.
pub fn predict_through_gaps(words: &Words) -> Option<Prediction> {
    let (w, n) = (words.width, words.len());
    let ordered = n.min(ORDERED_PREFIX);
    if w < 2 || ordered < 3 {
        return None;
    }
    let prefix = &words.words[..ordered * w];
    let untempered: Vec<u32> = prefix.iter().map(|&x| untemper(x)).collect();
    // The prefix's outputs with their places, sorted, behind a 64 Ki-bit filter on their top 16 bits
    // that turns almost every miss away before the search.
    let mut at: Vec<u64> = prefix
        .iter()
        .enumerate()
        .map(|(p, &x)| (u64::from(x) << 32) | p as u64)
        .collect();
    at.sort_unstable();
    let mut filter = vec![0u64; 1 << 10];
    for &x in prefix {
        filter[(x >> 22) as usize] |= 1 << ((x >> 16) & 63);
    }
    let place = |x: u32| -> Option<usize> {
        if filter[(x >> 22) as usize] & (1 << ((x >> 16) & 63)) == 0 {
            return None;
        }
        let i = at.partition_point(|&e| (e >> 32) < u64::from(x));
        at.get(i)
            .filter(|&&e| (e >> 32) == u64::from(x))
            .map(|&e| (e & 0xffff_ffff) as usize)
    };
    let reach = 397 / w + 2;
    let mut triples: std::collections::HashMap<(usize, usize, usize), usize> =
        std::collections::HashMap::new();
    for a in 0..ordered {
        let ua = &untempered[a * w..(a + 1) * w];
        for b in a + 1..(a + reach).min(ordered) {
            let ub = &untempered[b * w..(b + 1) * w];
            for i in 0..w - 1 {
                let x = ub[(i + 397) % w] ^ twist(ua[i], ua[i + 1]);
                if let Some(p) = place(temper(x))
                    && p % w == (i + 624) % w
                    && p / w != a
                    && p / w != b
                {
                    *triples.entry((a, b, p / w)).or_default() += 1;
                }
            }
        }
    }
    let proved: Vec<(usize, usize, usize)> = triples
        .into_iter()
        .filter(|&(_, hits)| hits >= 2)
        .map(|((a, _, c), hits)| (a, c, hits))
        .collect();
    let seed = proved.iter().map(|&(a, _, _)| a).min()?;
    let predicted: std::collections::BTreeSet<usize> = proved.iter().map(|&(_, c, _)| c).collect();
    Some(Prediction {
        generator: "Mersenne Twister (MT19937)",
        format: words.format,
        recovered_from: 2,
        predicted: predicted.len(),
        seed_token: seed,
        outputs_only: Some(proved.iter().map(|&(_, _, h)| h).sum()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untemper_inverts_temper_and_the_recurrence_holds() {
        let mut g = Mt::new(7);
        let out: Vec<u32> = (0..700).map(|_| g.next_u32()).collect();
        for &y in &out {
            assert_eq!(temper(untemper(y)), y);
        }
        let x: Vec<u32> = out.iter().map(|&y| untemper(y)).collect();
        for k in 0..70 {
            assert_eq!(x[k + 624], x[k + 397] ^ twist(x[k], x[k + 1]));
        }
    }
}
