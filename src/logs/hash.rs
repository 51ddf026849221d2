//! A fast non-cryptographic hash for table keys (session ids, accounts, networks). Session ids are
//! kept as 64-bit keys, never as text; the report's fingerprints are SHA-256 (`crate::redact`).

use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's multiply-rotate over 8-byte words: fast on short keys, and the keys here are already
/// well-mixed 64-bit values or short byte strings.
pub fn of(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    // A final avalanche so keys that differ in one byte spread over the table.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
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
