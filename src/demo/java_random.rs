//! `java.util.Random`, bit for bit: the 48-bit linear congruential generator behind many hand-rolled
//! session ids. It is the flaw the `lcg` session-id family models, so it is written out here exactly as
//! the JDK does it (seed scrambling, `next(bits)`, `nextLong`) rather than taken from a crate.

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const ADDEND: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;

#[derive(Debug, Clone)]
pub struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    /// `new Random(seed)`: the seed is XORed with the multiplier ("scrambled") before use.
    pub fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed as u64 ^ MULTIPLIER) & MASK,
        }
    }

    /// `next(bits)`: the top `bits` of the new 48-bit state, as a Java int.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        (self.seed >> (48 - bits)) as i32
    }

    /// `nextLong()`: `((long) next(32) << 32) + next(32)`, the second int sign-extended.
    pub fn next_long(&mut self) -> i64 {
        let high = i64::from(self.next(32)) << 32;
        high.wrapping_add(i64::from(self.next(32)))
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    /// Printed by a JDK: `new Random(42)`: nextInt, nextLong, nextLong; and `new Random(-7)`'s two
    /// nextLong in the `lcg` id format.
    #[test]
    fn matches_the_jdk() {
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next(32), -1_170_105_035, "nextInt()");
        assert_eq!(r.next_long(), 1_008_396_158_678_580_193);
        assert_eq!(r.next_long(), 884_324_181_205_335_268);
        let mut s = JavaRandom::new(-7);
        let id = format!("{:016x}{:016x}", s.next_long(), s.next_long());
        assert_eq!(id, "44e52a8be6c88b83ac559a2bf222edf7");
    }
}
