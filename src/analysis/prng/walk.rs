//! Running a recovered generator on and finding its output among the sampled tokens, in whatever
//! order they were sampled.

use super::Words;
use std::collections::HashMap;

/// Sampled tokens by their first 64 bits (32 for one-word tokens).
pub struct Index {
    by_key: HashMap<u64, usize>,
}

fn key(w: &[u32]) -> u64 {
    match w {
        [a, b, ..] => (u64::from(*a) << 32) | u64::from(*b),
        [a] => u64::from(*a),
        [] => 0,
    }
}

impl Index {
    pub fn new(words: &Words) -> Self {
        let mut by_key = HashMap::with_capacity(words.len());
        for i in 0..words.len() {
            by_key.entry(key(words.token(i))).or_insert(i);
        }
        Self { by_key }
    }

    /// Distinct token values in the sample.
    pub fn distinct(&self) -> usize {
        self.by_key.len()
    }

    /// The sampled token equal to `window`, if any.
    fn find(&self, words: &Words, window: &[u32]) -> Option<usize> {
        let &i = self.by_key.get(&key(window))?;
        (words.token(i) == window).then_some(i)
    }
}

/// How far a walk goes.
pub struct Bounds {
    /// Stop after this many outputs without a new match.
    pub slack: usize,
    /// Stop after this many outputs in all.
    pub limit: usize,
    /// Stop as soon as this many tokens were found.
    pub enough: usize,
}

/// Feeds the generator's next outputs (`next`) through a window of one token's width and counts the
/// distinct sampled tokens it equals, other than those in `known` (the tokens the state came from).
pub fn count_found(
    words: &Words,
    index: &Index,
    known: &[usize],
    bounds: &Bounds,
    mut next: impl FnMut() -> u32,
) -> usize {
    let w = words.width;
    let mut found = vec![false; words.len()];
    let mut remaining = index.distinct();
    for &k in known {
        if let Some(i) = index.find(words, words.token(k))
            && !found[i]
        {
            found[i] = true;
            remaining -= 1;
        }
    }
    let mut ring = vec![0u32; w];
    let mut window = vec![0u32; w];
    let (mut count, mut last_hit) = (0usize, 0usize);
    for pos in 0..bounds.limit {
        if remaining == 0 || count >= bounds.enough || pos - last_hit > bounds.slack {
            break;
        }
        ring[pos % w] = next();
        if pos + 1 < w {
            continue;
        }
        for (k, slot) in window.iter_mut().enumerate() {
            *slot = ring[(pos + 1 + k) % w];
        }
        if let Some(i) = index.find(words, &window)
            && !found[i]
        {
            found[i] = true;
            remaining -= 1;
            count += 1;
            last_hit = pos;
        }
    }
    count
}
