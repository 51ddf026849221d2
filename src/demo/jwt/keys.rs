//! The token app's keys. The RSA pair is a DEMO KEY embedded in the source (`demo_key.pem`, public in
//! this repository, never to be used elsewhere): generating 2048-bit keys takes seconds in a debug
//! build, and every test starts Ticketbooth. Its public half is what the JWKS publishes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1v15::VerifyingKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

/// The demo key pair (PKCS#8 PEM). Public demo data: a token signed with it proves nothing.
const DEMO_KEY_PEM: &str = include_str!("demo_key.pem");

/// The `kid` of the demo key, in token headers and the JWKS.
pub const KID: &str = "tb-demo-1";

/// jwt.io's example secret, left in place by the `jwt-weak-secret` app as real apps do.
pub const WEAK_SECRET: &str = "your-256-bit-secret";

pub struct Keys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// For the hand-written verifier of the flawed modes.
    pub verifying: VerifyingKey<Sha256>,
    /// The public key as SPKI PEM (LF, trailing newline): the HMAC secret `jwt-key-confusion` takes.
    pub public_pem: String,
    /// `/.well-known/jwks.json`.
    pub jwks: serde_json::Value,
}

impl Keys {
    pub fn demo() -> Keys {
        let private = RsaPrivateKey::from_pkcs8_pem(DEMO_KEY_PEM).expect("the demo key parses");
        let public = RsaPublicKey::from(&private);
        let public_pem = public
            .to_public_key_pem(LineEnding::LF)
            .expect("an RSA public key encodes");
        let n = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
        Keys {
            encoding: EncodingKey::from_rsa_pem(DEMO_KEY_PEM.as_bytes()).expect("the demo key"),
            decoding: DecodingKey::from_rsa_components(&n, &e).expect("the demo key's public half"),
            verifying: VerifyingKey::<Sha256>::new(public),
            public_pem,
            jwks: serde_json::json!({"keys": [{
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID, "n": n, "e": e,
            }]}),
        }
    }
}
