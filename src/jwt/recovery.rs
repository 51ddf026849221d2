//! The server's RSA public key from two RS256/384/512 tokens, for key confusion when no JWKS is
//! published (the method of rsa_sign2n, which jwt_tool's `sig2n` mode relies on).
//!
//! A PKCS#1 v1.5 signature is `s = m^d mod n`, `m` being the padded digest of the signing input, so `n`
//! divides both `s1^e − m1` and `s2^e − m2`, and their gcd is `n` times a small cofactor. The exponent
//! is not in the tokens: e = 3 is tried first (cheap), then 65537 (nearly every key). For a 2048-bit
//! key and e = 65537 each `s^e` has about 134 million bits, so the gcd is only bounded in time with a
//! subquadratic (half-gcd) algorithm: `malachite` has one in pure Rust (num-bigint's quadratic gcd took
//! 390 s for a 32-bit modulus). Measured in docs/PERFORMANCE.md ("JWT key recovery"): tens of
//! seconds of one core for a 2048-bit key, so callers run it off the async runtime and bound its time.
//!
//! A candidate is accepted only when the RSA verifier (the `rsa` crate, not this arithmetic) verifies
//! both tokens' signatures with it: two tokens of different keys, or a PSS or forged signature, give
//! none, never a wrong key.

use malachite_base::num::arithmetic::traits::{CheckedSub as _, Gcd as _, Pow as _};
use malachite_base::num::conversion::traits::PowerOf2Digits;
use malachite_base::num::logic::traits::SignificantBits as _;
use malachite_nz::natural::Natural;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::{BigUint, RsaPublicKey};
use sha2::Digest as _;

use super::token::Jwt;

/// The public exponents tried, cheapest first.
pub const EXPONENTS: [u64; 2] = [3, 65_537];

/// Primes below this are divided out of the gcd (the cofactor beside `n`); `n`'s own prime factors
/// are hundreds of bits long.
const SMALL_PRIME_BOUND: u64 = 1 << 16;

/// Why no key came out of two tokens; its `Display` is the reason a scenario is SKIPPED with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotRecovered {
    #[error(
        "the tokens are signed with {0}, not RS256/RS384/RS512 (PKCS#1 v1.5, the only deterministic RSA signature a key can be recovered from)"
    )]
    NotPkcs1(String),
    #[error("the two tokens use different algorithms ({0} and {1})")]
    DifferentAlgs(String, String),
    #[error("the two signatures differ in length ({0} and {1} bytes): not one key")]
    DifferentLengths(usize, usize),
    #[error("the two tokens sign the same input, so they give one equation, not two")]
    SameInput,
    #[error(
        "no RSA key with e = 3 or 65537 verifies both tokens (signed with different keys, or not by RSA)"
    )]
    NoCommonKey,
}

/// The PKCS#1 v1.5 scheme and the digest of `input` for a token's `alg`.
fn scheme_and_digest(alg: &str, input: &[u8]) -> Option<(Pkcs1v15Sign, Vec<u8>)> {
    Some(match alg {
        "RS256" => (
            Pkcs1v15Sign::new::<sha2::Sha256>(),
            sha2::Sha256::digest(input).to_vec(),
        ),
        "RS384" => (
            Pkcs1v15Sign::new::<sha2::Sha384>(),
            sha2::Sha384::digest(input).to_vec(),
        ),
        "RS512" => (
            Pkcs1v15Sign::new::<sha2::Sha512>(),
            sha2::Sha512::digest(input).to_vec(),
        ),
        _ => return None,
    })
}

fn natural(bytes: &[u8]) -> Natural {
    Natural::from_power_of_2_digits_desc(8, bytes.iter().copied())
        .expect("bytes are base-256 digits")
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) of a digest for a `k`-byte modulus, as a number; None when the
/// modulus is too short for it.
fn encoded(scheme: &Pkcs1v15Sign, digest: &[u8], k: usize) -> Option<Natural> {
    let t_len = scheme.prefix.len() + digest.len();
    if k < t_len + 11 {
        return None;
    }
    let mut em = vec![0xff_u8; k];
    em[0] = 0;
    em[1] = 1;
    em[k - t_len - 1] = 0;
    em[k - t_len..k - digest.len()].copy_from_slice(&scheme.prefix);
    em[k - digest.len()..].copy_from_slice(digest);
    Some(natural(&em))
}

fn small_primes() -> Vec<u64> {
    let bound = SMALL_PRIME_BOUND as usize;
    let mut composite = vec![false; bound];
    let mut primes = Vec::new();
    for i in 2..bound {
        if !composite[i] {
            primes.push(i as u64);
            for j in (i * i..bound).step_by(i) {
                composite[j] = true;
            }
        }
    }
    primes
}

/// One signed message: its padded digest `m` and signature `s`.
struct Signed<'a> {
    jwt: &'a Jwt,
    digest: Vec<u8>,
    m: Natural,
    s: Natural,
}

fn signed<'a>(
    jwt: &'a Jwt,
    alg: &str,
    k: usize,
) -> Result<(Pkcs1v15Sign, Signed<'a>), NotRecovered> {
    let (scheme, digest) = scheme_and_digest(alg, jwt.signing_input().as_bytes())
        .ok_or_else(|| NotRecovered::NotPkcs1(alg.to_string()))?;
    let m = encoded(&scheme, &digest, k).ok_or(NotRecovered::NoCommonKey)?;
    let s = natural(&jwt.signature);
    Ok((scheme, Signed { jwt, digest, m, s }))
}

/// The server's RSA public key from two tokens it signed with one key, or None (see [`recover`]).
pub fn recover_public_key(a: &Jwt, b: &Jwt) -> Option<RsaPublicKey> {
    recover(a, b).ok()
}

/// The server's RSA public key from two RS256/384/512 tokens it signed with one key: for e = 3, then
/// 65537, `n` is `gcd(s1^e − m1, s2^e − m2)` with its small factors divided out, kept only when the
/// `rsa` crate's verifier accepts both signatures with `(n, e)`. CPU-bound (tens of seconds for a
/// 2048-bit key with e = 65537): call it from a blocking thread.
pub fn recover(a: &Jwt, b: &Jwt) -> Result<RsaPublicKey, NotRecovered> {
    let alg = a.alg().to_string();
    if scheme_and_digest(&alg, b"").is_none() {
        return Err(NotRecovered::NotPkcs1(alg));
    }
    if b.alg() != alg {
        return Err(NotRecovered::DifferentAlgs(alg, b.alg().to_string()));
    }
    let k = a.signature.len();
    if b.signature.len() != k {
        return Err(NotRecovered::DifferentLengths(k, b.signature.len()));
    }
    if a.signing_input() == b.signing_input() {
        return Err(NotRecovered::SameInput);
    }
    let (scheme, one) = signed(a, &alg, k)?;
    let (_, two) = signed(b, &alg, k)?;
    let primes = small_primes();
    for e in EXPONENTS {
        let (Some(x), Some(y)) = (
            (&one.s).pow(e).checked_sub(&one.m),
            (&two.s).pow(e).checked_sub(&two.m),
        ) else {
            continue;
        };
        let mut g = x.gcd(y);
        for &p in &primes {
            let p = Natural::from(p);
            while g != 0u32 && &g % &p == 0u32 {
                g /= &p;
            }
        }
        // A k-byte signature comes from a modulus of 8k − 7 to 8k bits.
        let bits = g.significant_bits();
        if bits + 8 <= 8 * k as u64 || bits > 8 * k as u64 {
            continue;
        }
        let n = BigUint::from_bytes_be(&PowerOf2Digits::<u8>::to_power_of_2_digits_desc(&g, 8));
        let Ok(key) = RsaPublicKey::new(n, BigUint::from(e)) else {
            continue;
        };
        let verifies = |t: &Signed| {
            key.verify(scheme.clone(), &t.digest, &t.jwt.signature)
                .is_ok()
        };
        if verifies(&one) && verifies(&two) {
            return Ok(key);
        }
    }
    Err(NotRecovered::NoCommonKey)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::token::b64;
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    use rsa::traits::PublicKeyParts as _;

    // Throwaway 512-bit test keys made for these tests (openssl genpkey), public here: the smallest
    // that carries an RS256 signature, so the e = 65537 gcd takes seconds, not a minute.
    const KEY_A: &str = "-----BEGIN PRIVATE KEY-----
MIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEAr0NWfXIe3kJMn4P/
qQD1lj60U5RnFAp2gB3S0VKje+M6mXMkM4gKk4ojsc1islrQDqWcAvFNjmNVu042
Bc7X9QIDAQABAkAhblHQKfWTZcgh4VbiEOnHl/xjuPoUi45hD89H2GCQ380nxXAV
fhGJqPdQJRDexaz/UEbkPaM5CwBEDh+set7dAiEA46mYM+b1mUykQ9XLIgWb2E0X
2OvaMU/o/3TcWKRCL6sCIQDFFAx/0Bn3uRMxkNhvfdwc/Gcn+frMu62RSuvr3gv2
3wIhAJZgmqmF4CpPZp1sJY4meEeKvLrLJ0e1SekbLsTaUuGbAiEAsEWgcGm38ETP
kBPYItDWIe74bV9AHgL32e7DWbK/zM0CIQCmtPyPKX7euuekETu2DLOy57RQ0iLn
M25b8NKa41xIyQ==
-----END PRIVATE KEY-----";
    const KEY_B: &str = "-----BEGIN PRIVATE KEY-----
MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAqNk376vXXhV0aiiK
dMp1dPJFgEhqJIUow3BY9f39BYlciRv1WvGjxvS3ye0vdTV6BrG+P4ph9diCs2cJ
Jll2owIDAQABAkA2SiGCHm6RAbT8rSxXgQFjKMLQDHiUZXxF2sm/znqcXJhquJx7
fonT6Mv5GbGAe6qPpOMayQavl3nxV+fcqfaBAiEA16WtUr+Q8yFJdPiW2WKXr0kq
5lqm9a48gb/hozB+xf8CIQDIcbTp5RvQfvSLTIGN7k0vGRZDZA+HlTCW6Ae3Wb53
XQIgOcLExA9Pse/Ojygur5d67ZZ5iS3q3o+G4XIV6/IHYt0CIAz3zkyTlgkXLZsV
iAw2rqetZ9NUVezfqhUZTeZ+1+PBAiEAjF3E2x1FV2hNWFuc3TBhkkMLMizours1
9M9ewkHnUcQ=
-----END PRIVATE KEY-----";
    /// e = 3.
    const KEY_E3: &str = "-----BEGIN PRIVATE KEY-----
MIIBUgIBADANBgkqhkiG9w0BAQEFAASCATwwggE4AgEAAkEAuyvTfMtlxLRVffl7
Y4ZN6UlU6YPolndZIYQ1hx3lFB2V/wcWdwog2l4cMQie5VlRqoXTjLn9MStIxh4d
N4w89QIBAwJAfMfiUzJD2Hg4/qZSQlmJRjDjRlfwZE+QwQLOWhPuDWfqtiQmcM8M
MB0RlZN0mSsyI0NPkZqHb8g7dCm/7D9HawIhAOBoJlYnh1MRkEsUb/eQB1a96NMR
ysDpYrkOWcyVRo9dAiEA1YWqhqZMO4CiNrw7eG+RL7e4CSCHcSAcNomFsL/mwnkC
IQCVmsQ5b6+MtmAyDZ/6YATkfps3YTHV8Ox7XuaIY4RfkwIhAI5ZHFnEMtJVwXnS
0lBKYMp6erDAWktqvXmxA8sqmdb7Ah8JanCfAL4ClExXWzpCwF4Bsawk+4553abG
dUX8p8Lo
-----END PRIVATE KEY-----";

    fn token(key: &str, alg: &str, sub: &str) -> Jwt {
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(key).unwrap();
        let header = b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
        let claims = b64(format!(r#"{{"sub":"{sub}","iat":1700000000}}"#).as_bytes());
        let input = format!("{header}.{claims}");
        let signature = match alg {
            "RS256" => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private)
                .sign(input.as_bytes())
                .to_vec(),
            _ => unreachable!(),
        };
        Jwt::parse(&format!("{input}.{}", b64(&signature))).unwrap()
    }

    fn public(key: &str) -> RsaPublicKey {
        rsa::RsaPrivateKey::from_pkcs8_pem(key)
            .unwrap()
            .to_public_key()
    }

    #[test]
    fn two_tokens_of_one_key_give_its_public_key() {
        let got = recover_public_key(
            &token(KEY_A, "RS256", "alice"),
            &token(KEY_A, "RS256", "mallory"),
        )
        .expect("recovered");
        assert_eq!(got, public(KEY_A));
        assert_eq!(got.e(), &BigUint::from(65_537_u32));
    }

    /// A token of `alg` whose signature is 64 arbitrary bytes.
    fn unsigned(alg: &str) -> Jwt {
        let header = b64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes());
        Jwt::parse(&format!("{header}.{}.{}", b64(b"{}"), b64(&[7; 64]))).unwrap()
    }

    #[test]
    fn an_e3_key_is_recovered_too() {
        let got = recover(
            &token(KEY_E3, "RS256", "alice"),
            &token(KEY_E3, "RS256", "mallory"),
        );
        assert_eq!(got, Ok(public(KEY_E3)));
    }

    /// The figure of docs/PERFORMANCE.md ("JWT key recovery"): benches/jwt-key-recovery.sh runs it in
    /// release, beside the same arithmetic in GMP (gmpy2).
    #[test]
    #[ignore = "a benchmark: tens of seconds of one core"]
    fn bench_recovers_the_2048_bit_demo_key() {
        let key = include_str!("../demo/jwt/demo_key.pem");
        let (a, b) = (token(key, "RS256", "alice"), token(key, "RS256", "mallory"));
        let started = std::time::Instant::now();
        let got = recover_public_key(&a, &b).expect("recovered");
        println!(
            "recovered RSA-{} e = {} in {:.2} s",
            got.n().bits(),
            got.e(),
            started.elapsed().as_secs_f64()
        );
        assert_eq!(got, public(key));
    }

    #[test]
    fn tokens_of_different_keys_give_none() {
        let a = token(KEY_A, "RS256", "alice");
        assert_eq!(
            recover(&a, &token(KEY_B, "RS256", "mallory")),
            Err(NotRecovered::NoCommonKey)
        );
        assert_eq!(recover(&a, &a), Err(NotRecovered::SameInput));
        assert!(matches!(
            recover(&a, &unsigned("HS256")),
            Err(NotRecovered::DifferentAlgs(..))
        ));
        assert!(matches!(
            recover(&unsigned("PS256"), &token(KEY_A, "RS256", "x")),
            Err(NotRecovered::NotPkcs1(_))
        ));
    }
}
