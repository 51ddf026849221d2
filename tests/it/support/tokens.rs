//! Session tokens of known make, for the tests of `usher analyze`.

use rand::RngCore;

/// The text form of a UUID's 16 bytes: 8-4-4-4-12 hex digits.
pub fn uuid_string(b: [u8; 16]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A random (version 4) UUID: 122 bits from `rng`.
pub fn uuid_v4(rng: &mut impl RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = b[6] & 0x0f | 0x40;
    b[8] = b[8] & 0x3f | 0x80;
    uuid_string(b)
}
