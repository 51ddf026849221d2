//! Recovering the server's RSA public key from two RS256 tokens, for key confusion when no JWKS is
//! published — **not implemented**, and why.
//!
//! The method (rsa_sign2n, jwt_tool's `-X s` relies on it): for PKCS#1 v1.5 signatures `s = m^d mod n`,
//! so `n` divides both `s1^e − m1` and `s2^e − m2` (with `m` the padded digest and `e` = 65537), and
//! `gcd(s1^e − m1, s2^e − m2)` is `n` times a small cofactor. For a 2048-bit key each `s^e` has about
//! 2048 × 65537 ≈ 134 million bits (16 MiB), and the gcd of two such numbers is only bounded in time
//! with a subquadratic (half-gcd) algorithm: rsa_sign2n gets it from GMP through gmpy2 and still
//! takes tens of seconds.
//!
//! Measured with `num-bigint` 0.4 (the big-integer crate already in the tree, release build, see the
//! session-7 report of issue 17): its `gcd` is quadratic, and already for a 128-bit modulus (an
//! 8-million-bit `s^e`) it took longer than the measurement's bound; scaled by (2048/128)² = 256 a
//! 2048-bit key would take hours. The pure-Rust crates with half-gcd (`malachite`) are large to build
//! for one attack, and `rug` builds GMP from C source. So usher runs key confusion only when the
//! server publishes its key (a JWKS document or a PEM), and a scenario with neither says so instead of
//! guessing.
