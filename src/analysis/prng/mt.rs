//! MT19937: 624 consecutive 32-bit outputs are, once untempered, the generator's whole state
//! ([`rand_mt::Mt::recover`]). The state is taken from a run of tokens in issue order (78 tokens of 8
//! outputs); a run broken by ids drawn unseen in between gives a wrong state, whose output then
//! matches nothing, so successive start tokens are tried. Each try first runs the generator a
//! short way ([`LOOK_IDS`] ids) and only a hit is followed to the end.

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
        });
    }
    None
}
