//! Verifying access tokens. The secure app hands the token to jsonwebtoken with exactly RS256 and
//! `exp` required. The verification flaws need a verifier that accepts what jsonwebtoken rightly
//! refuses, so they get a hand-written one over hmac/sha2/rsa that trusts the header the way
//! vulnerable libraries did; each flaw opens exactly one door in it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, Validation, decode};
use rsa::signature::Verifier;
use sha2::Sha256;

use super::claims::Claims;
use super::flaws::{JwtFlaw, JwtFlawSet};
use super::issue::now_secs;
use super::keys::{Keys, WEAK_SECRET};

/// Why a token was refused: a word for the 401 body, for people (usher judges by status and identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    Algorithm,
    Signature,
    Expired,
    Revoked,
    UnknownUser,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Missing => "missing",
            Refusal::Malformed => "malformed",
            Refusal::Algorithm => "algorithm",
            Refusal::Signature => "signature",
            Refusal::Expired => "expired",
            Refusal::Revoked => "revoked",
            Refusal::UnknownUser => "unknown_user",
        }
    }
}

const VERIFICATION_FLAWS: [JwtFlaw; 4] = [
    JwtFlaw::AlgNone,
    JwtFlaw::SignatureUnchecked,
    JwtFlaw::WeakSecret,
    JwtFlaw::KeyConfusion,
];

/// The claims of a token whose signature and lifetime hold (revocation and the account are the
/// caller's: they need the store).
pub fn verify(token: &str, flaws: JwtFlawSet, keys: &Keys) -> Result<Claims, Refusal> {
    let claims = if VERIFICATION_FLAWS.iter().any(|f| flaws.contains(*f)) {
        flawed(token, flaws, keys)?
    } else {
        secure(token, flaws, keys)?
    };
    if claims.jti.is_none() {
        return Err(Refusal::Malformed);
    }
    Ok(claims)
}

fn secure(token: &str, flaws: JwtFlawSet, keys: &Keys) -> Result<Claims, Refusal> {
    use jsonwebtoken::errors::ErrorKind;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    if flaws.contains(JwtFlaw::NoExpiry) {
        // The app issues tokens without `exp`, so it must take them.
        validation.set_required_spec_claims::<&str>(&[]);
    } else {
        validation.set_required_spec_claims(&["exp", "sub"]);
    }
    decode::<Claims>(token, &keys.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => Refusal::Expired,
            ErrorKind::InvalidSignature => Refusal::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Refusal::Algorithm,
            _ => Refusal::Malformed,
        })
}

fn b64(part: &str) -> Result<Vec<u8>, Refusal> {
    // Some forgers pad; the flawed verifier is as lenient as the libraries it imitates.
    URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| Refusal::Malformed)
}

fn flawed(token: &str, flaws: JwtFlawSet, keys: &Keys) -> Result<Claims, Refusal> {
    let parts: Vec<&str> = token.split('.').collect();
    let (header, payload, signature) = match parts[..] {
        [h, p] => (h, p, ""),
        [h, p, s] => (h, p, s),
        _ => return Err(Refusal::Malformed),
    };
    let header: serde_json::Value =
        serde_json::from_slice(&b64(header)?).map_err(|_| Refusal::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(|a| a.as_str())
        .ok_or(Refusal::Malformed)?;
    let signing_input = &token[..parts[0].len() + 1 + parts[1].len()];
    let signature = b64(signature)?;
    let hmac_ok = |secret: &[u8]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&signature).is_ok()
    };
    // `jwt-signature-unchecked` checks the header's alg against what the app issues and then never
    // looks at the signature (the verify call whose result nobody reads); `alg: none` is refused there,
    // so that switch and `jwt-alg-none` stay one flaw each.
    let issued_alg = if flaws.contains(JwtFlaw::WeakSecret) {
        "HS256"
    } else {
        "RS256"
    };
    let signed = if flaws.contains(JwtFlaw::SignatureUnchecked) && alg == issued_alg {
        true
    } else if alg.eq_ignore_ascii_case("none") {
        if !flaws.contains(JwtFlaw::AlgNone) {
            return Err(Refusal::Algorithm);
        }
        signature.is_empty()
    } else if alg == "HS256" {
        if !flaws.contains(JwtFlaw::WeakSecret) && !flaws.contains(JwtFlaw::KeyConfusion) {
            return Err(Refusal::Algorithm);
        }
        (flaws.contains(JwtFlaw::WeakSecret) && hmac_ok(WEAK_SECRET.as_bytes()))
            || (flaws.contains(JwtFlaw::KeyConfusion) && hmac_ok(keys.public_pem.as_bytes()))
    } else if alg == "RS256" {
        rsa::pkcs1v15::Signature::try_from(signature.as_slice())
            .is_ok_and(|s| keys.verifying.verify(signing_input.as_bytes(), &s).is_ok())
    } else {
        return Err(Refusal::Algorithm);
    };
    if !signed {
        return Err(Refusal::Signature);
    }
    let claims: Claims = serde_json::from_slice(&b64(payload)?).map_err(|_| Refusal::Malformed)?;
    match claims.exp {
        Some(exp) if now_secs() > exp => Err(Refusal::Expired),
        None if !flaws.contains(JwtFlaw::NoExpiry) => Err(Refusal::Malformed),
        _ => Ok(claims),
    }
}
