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
//! Measured with `num-bigint` 0.4 + `num-integer` (the big-integer crates already in the tree), release
//! build, on the 2-core development machine (shared, so slower than alone): for a **32-bit** modulus
//! (each `s^e` about 1.8 million bits) the two powers took 0.5 s and the gcd 390 s; its gcd is
//! quadratic, so a 2048-bit key (70 times the bits) would take thousands of times longer — days. The
//! pure-Rust crate with a half-gcd (`malachite`) is a large build for one attack, and `rug` builds GMP
//! from C source. So usher runs key confusion only when the server publishes its key (a JWKS document
//! or a PEM), and a scenario with neither says so instead of guessing.
