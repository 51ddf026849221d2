//! A fast non-cryptographic hash for table keys (session ids, accounts, networks). Session ids are
//! kept as 64-bit keys, never as text; the report's fingerprints are SHA-256 (`crate::redact`).

use foldhash::fast::FixedState;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// foldhash (a well-kept crate, already in the tree through hashbrown) with a fixed seed: the same
/// keys, hence the same table order and the same reports, on every run.
const STATE: FixedState = FixedState::with_seed(0x7573_6865_725f_6c67);

pub fn of(bytes: &[u8]) -> u64 {
    STATE.hash_one(bytes)
}

/// A hasher for maps keyed by values of `of` (already mixed): passes the u64 through.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = of(bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type KeyMap<V> = std::collections::HashMap<u64, V, BuildHasherDefault<KeyHasher>>;
pub type KeySet = std::collections::HashSet<u64, BuildHasherDefault<KeyHasher>>;
