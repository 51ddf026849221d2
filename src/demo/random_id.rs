//! Unguessable ids for what the server hands out besides sessions (checkouts, orders, reset tokens).

use rand::RngCore;

/// `bytes` random bytes, hex-encoded.
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}
