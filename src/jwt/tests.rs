//! Each forgery family against two verifiers built from `jsonwebtoken`: one with that family's flaw
//! (it must accept the forgery, as the victim's account or the impersonated one), and a correct one
//! (the right alg and key: it must refuse every forgery, and accept the genuine token, or the refusals
//! would prove nothing).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jsonwebtoken::{Algorithm, DecodingKey, Validation, crypto, jwk::Jwk, jwk::JwkSet};
use serde_json::{Map, Value, json};

use super::token::{b64, b64_decode};
use super::*;

/// One key pair for the server and one for usher, per test process (generation is the slow part).
fn keys() -> &'static (Arc<AttackerKey>, Arc<AttackerKey>) {
    static KEYS: OnceLock<(Arc<AttackerKey>, Arc<AttackerKey>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            Arc::new(AttackerKey::generate().unwrap()),
            Arc::new(AttackerKey::generate().unwrap()),
        )
    })
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims() -> Value {
    json!({"sub": "alice", "email": "alice@example.com", "iat": now(), "exp": now() + 300,
           "jti": "j-1"})
}

/// The server's genuine RS256 token for alice.
fn victim_rs256() -> Jwt {
    let (server, _) = keys();
    let header = b64(json!({"alg": "RS256", "typ": "JWT", "kid": server.kid()})
        .to_string()
        .as_bytes());
    let input = format!("{header}.{}", b64(claims().to_string().as_bytes()));
    let sig = server.sign_rs256(input.as_bytes());
    Jwt::parse(&format!("{input}.{}", b64(&sig))).unwrap()
}

fn victim_hs256(secret: &str) -> Jwt {
    let header = jsonwebtoken::Header::new(Algorithm::HS256);
    let token = jsonwebtoken::encode(
        &header,
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    Jwt::parse(&token).unwrap()
}

fn bob() -> Map<String, Value> {
    json!({"sub": "bob", "email": "bob@example.com"})
        .as_object()
        .unwrap()
        .clone()
}

fn inputs(change: bool) -> ForgeInputs {
    let (server, usher) = keys();
    ForgeInputs {
        claim_change: change.then(bob),
        cracked_secret: None,
        published_keys: Some(server.jwks()),
        attacker_key: Some(usher.clone()),
        jku_url: Some("http://127.0.0.1:9/jwks.json".into()),
        x5u_url: Some("http://127.0.0.1:9/cert.pem".into()),
    }
}

fn server_key() -> DecodingKey {
    let jwk: Jwk = serde_json::from_value(keys().0.jwk()).unwrap();
    DecodingKey::from_jwk(&jwk).unwrap()
}

/// The correct verifier: RS256 only, the server's key, `exp` checked. Returns the `sub` it accepts.
fn correct(token: &str) -> Option<String> {
    let data =
        jsonwebtoken::decode::<Value>(token, &server_key(), &Validation::new(Algorithm::RS256))
            .ok()?;
    data.claims["sub"].as_str().map(str::to_string)
}

fn parts(token: &str) -> (Map<String, Value>, Map<String, Value>, Option<&str>, String) {
    let mut it = token.splitn(3, '.');
    let h = it.next().unwrap();
    let c = it.next().unwrap();
    let sig = it.next();
    let obj = |s: &str| {
        serde_json::from_slice::<Value>(&b64_decode(s).unwrap())
            .unwrap()
            .as_object()
            .unwrap()
            .clone()
    };
    (obj(h), obj(c), sig, format!("{h}.{c}"))
}

fn sub_of(claims: &Map<String, Value>) -> String {
    claims["sub"].as_str().unwrap().to_string()
}

/// A flawed verifier's verdict on a forgery: the `sub` it accepts, if any.
fn flawed(family: Family, token: &str) -> Option<String> {
    let (header, claims, sig, input) = parts(token);
    let alg = header["alg"].as_str().unwrap();
    let hs = |key: &[u8]| {
        let alg: Algorithm = alg.parse().ok()?;
        crypto::verify(sig?, input.as_bytes(), &DecodingKey::from_secret(key), alg)
            .ok()?
            .then(|| sub_of(&claims))
    };
    let rs = |key: &DecodingKey| {
        crypto::verify(sig?, input.as_bytes(), key, Algorithm::RS256)
            .ok()?
            .then(|| sub_of(&claims))
    };
    match family {
        // Looks "none" up case-insensitively and then skips the signature.
        Family::AlgNone => alg.eq_ignore_ascii_case("none").then(|| sub_of(&claims)),
        // Decodes the claims and never looks at the signature part.
        Family::TamperedClaims | Family::EmptySignature => Some(sub_of(&claims)),
        // Trusts the header's alg and hands the RSA key's PEM text to HMAC.
        Family::KeyConfusion => key_confusion_secrets(&keys().0.jwks())
            .unwrap()
            .iter()
            .find_map(|k| hs(&k.secret)),
        // Trusts the key the token brings.
        Family::EmbeddedJwk => {
            let jwk: Jwk = serde_json::from_value(header["jwk"].clone()).ok()?;
            rs(&DecodingKey::from_jwk(&jwk).ok()?)
        }
        // Fetches the key set the header names (the "network" is the caller serving usher's JWKS).
        Family::Jku => {
            let served: HashMap<&str, String> =
                HashMap::from([("http://127.0.0.1:9/jwks.json", keys().1.jwks())]);
            let set: JwkSet = serde_json::from_str(served.get(header["jku"].as_str()?)?).ok()?;
            let jwk = set.find(header["kid"].as_str()?)?;
            rs(&DecodingKey::from_jwk(jwk).ok()?)
        }
        Family::X5u => {
            let served: HashMap<&str, &str> =
                HashMap::from([("http://127.0.0.1:9/cert.pem", keys().1.certificate_pem())]);
            let cert = served.get(header["x5u"].as_str()?)?;
            rs(&DecodingKey::from_rsa_pem(cert.as_bytes()).ok()?)
        }
        // Reads the key from the file the kid names (a tiny file system), or from a SQL query.
        Family::GuessableKid => {
            let kid = header["kid"].as_str()?;
            let key: Vec<u8> = if let Some(rest) = kid.split("SELECT '").nth(1) {
                rest.split('\'').next()?.as_bytes().to_vec()
            } else if kid.is_empty() || kid == "0" {
                Vec::new()
            } else {
                let path = kid.trim_start_matches("../").trim_start_matches('/');
                let files = HashMap::from([
                    ("dev/null", &b""[..]),
                    ("proc/sys/kernel/randomize_va_space", &b"2\n"[..]),
                ]);
                files.get(path)?.to_vec()
            };
            hs(&key)
        }
        // Java's CVE-2022-21449: r = s = 0 passes.
        Family::PsychicSignature => {
            let sig = b64_decode(sig?)?;
            let zero = sig.iter().all(|&b| b == 0)
                || sig == [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00];
            (alg.starts_with("ES") && zero).then(|| sub_of(&claims))
        }
        Family::WeakSecret => hs(b"your-256-bit-secret"),
    }
}

#[test]
fn every_family_fools_its_flawed_verifier_and_none_the_correct_one() {
    let genuine = victim_rs256();
    assert_eq!(correct(genuine.as_str()).as_deref(), Some("alice"));
    for (change, who) in [(false, "alice"), (true, "bob")] {
        let all = forgeries(&genuine, &inputs(change));
        let mut families: Vec<Family> = all.iter().map(|f| f.family).collect();
        families.dedup();
        assert_eq!(
            families,
            Family::ALL
                .into_iter()
                .filter(|f| *f != Family::WeakSecret)
                .collect::<Vec<_>>()
        );
        for f in &all {
            assert_eq!(correct(&f.token), None, "the correct verifier took {f:?}");
            assert_eq!(f.impersonates, change);
            assert_eq!(
                flawed(f.family, &f.token).as_deref(),
                Some(who),
                "the flawed verifier refused {f:?}"
            );
            assert!(!format!("{f:?}").contains(&f.token));
        }
        let count = |family| all.iter().filter(|f| f.family == family).count();
        assert_eq!(count(Family::AlgNone), 48);
        assert_eq!(count(Family::KeyConfusion), 8);
        assert_eq!(count(Family::EmptySignature), 4);
        assert_eq!(count(Family::PsychicSignature), 2);
    }
}

#[test]
fn alg_none_has_every_spelling_with_and_without_the_signature() {
    let genuine = victim_rs256();
    let none: Vec<Forgery> = forgeries(&genuine, &ForgeInputs::default())
        .into_iter()
        .filter(|f| f.family == Family::AlgNone)
        .collect();
    let spellings: std::collections::BTreeSet<String> = none
        .iter()
        .map(|f| parts(&f.token).0["alg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(spellings.len(), 16);
    assert!(spellings.contains("nOnE") && spellings.contains("NONE"));
    let shapes: Vec<Option<&str>> = none.iter().take(3).map(|f| parts(&f.token).2).collect();
    assert_eq!(
        shapes,
        [Some(""), None, Some(genuine.signature_b64())],
        "trailing dot, no signature part, original signature"
    );
    // Without a claim change the victim's payload is kept byte for byte.
    assert!(
        none.iter()
            .all(|f| f.token.split('.').nth(1) == Some(genuine.claims_b64()))
    );
    // And the rest of the header too (kid, typ), in its order.
    let (header, ..) = parts(&none[0].token);
    assert_eq!(header.keys().collect::<Vec<_>>(), ["alg", "typ", "kid"]);
}

#[test]
fn a_cracked_weak_secret_resigns_and_a_strong_one_is_not_found() {
    let weak = victim_hs256("your-256-bit-secret");
    let secret =
        crack_hs256(&weak, weak_secrets()).expect("jwt.io's example secret is in the list");
    let all = forgeries(
        &weak,
        &ForgeInputs {
            claim_change: Some(bob()),
            cracked_secret: Some(secret.clone()),
            ..ForgeInputs::default()
        },
    );
    let resigned: Vec<&Forgery> = all
        .iter()
        .filter(|f| f.family == Family::WeakSecret)
        .collect();
    assert_eq!(resigned.len(), 1);
    assert!(
        !resigned[0].label.contains(&secret),
        "{}",
        resigned[0].label
    );
    assert_eq!(
        flawed(Family::WeakSecret, &resigned[0].token).as_deref(),
        Some("bob")
    );

    // A server with a strong secret: nothing is cracked and nothing forged gets in.
    let strong_secret = "v8#Kq2!mZp7$Lw4@Xr8^Tn1&Hy6*Bc3%Fe5";
    let strong = victim_hs256(strong_secret);
    assert_eq!(crack_hs256(&strong, weak_secrets()), None);
    let verifier = |t: &str| {
        jsonwebtoken::decode::<Value>(
            t,
            &DecodingKey::from_secret(strong_secret.as_bytes()),
            &Validation::new(Algorithm::HS256),
        )
        .is_ok()
    };
    assert!(verifier(strong.as_str()));
    for f in forgeries(&strong, &inputs(true)) {
        assert!(!verifier(&f.token), "{f:?}");
    }
}

#[test]
fn psychic_signatures_fail_a_real_ecdsa_verifier() {
    // The P-256 base point: a valid public key (private key 1), so the refusal is ECDSA's, not a
    // key parse error.
    let gx =
        hex::decode("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296").unwrap();
    let gy =
        hex::decode("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5").unwrap();
    let key = DecodingKey::from_ec_components(&b64(&gx), &b64(&gy)).unwrap();
    let genuine = victim_rs256();
    for f in forgeries(&genuine, &ForgeInputs::default())
        .iter()
        .filter(|f| f.family == Family::PsychicSignature)
    {
        let res = jsonwebtoken::decode::<Value>(&f.token, &key, &Validation::new(Algorithm::ES256));
        assert!(res.is_err(), "{f:?}");
    }
}

#[test]
fn the_control_token_has_a_broken_signature_only() {
    let genuine = victim_rs256();
    let control = corrupted_signature(&genuine);
    assert_eq!(correct(&control), None);
    let parsed = Jwt::parse(&control).unwrap();
    assert_eq!(parsed.signing_input(), genuine.signing_input());
    assert_ne!(parsed.signature, genuine.signature);
}
