//! What a token says about itself: its lifetime, the claims that should not be readable, and a
//! description safe to print (names always, values only when they are not secret-like).

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::token::Jwt;
use crate::redact::{Kind, fingerprint};

/// `iat`, `nbf` and `exp` as times. A claim present but not a NumericDate is `None` and named in
/// `malformed`, so "no `exp`" and "an `exp` no verifier can read" stay apart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lifetime {
    pub iat: Option<OffsetDateTime>,
    pub nbf: Option<OffsetDateTime>,
    pub exp: Option<OffsetDateTime>,
    pub malformed: Vec<&'static str>,
}

impl Lifetime {
    /// `exp − iat`, when both are there and `exp` is later.
    pub fn length(&self) -> Option<std::time::Duration> {
        let d = self.exp? - self.iat?;
        d.try_into().ok()
    }

    /// Whether the token is past its `exp` at `now` (false without `exp`).
    pub fn expired_at(&self, now: OffsetDateTime) -> bool {
        self.exp.is_some_and(|exp| now >= exp)
    }
}

fn numeric_date(v: &Value) -> Option<OffsetDateTime> {
    let secs = v.as_f64()?;
    if !secs.is_finite() {
        return None;
    }
    OffsetDateTime::from_unix_timestamp_nanos((secs * 1e9) as i128).ok()
}

/// The token's `iat`, `nbf` and `exp`.
pub fn lifetime(jwt: &Jwt) -> Lifetime {
    let mut out = Lifetime::default();
    for (name, slot) in [
        ("iat", &mut out.iat),
        ("nbf", &mut out.nbf),
        ("exp", &mut out.exp),
    ] {
        if let Some(v) = jwt.claims.get(name) {
            *slot = numeric_date(v);
        }
    }
    for name in ["iat", "nbf", "exp"] {
        if jwt
            .claims
            .get(name)
            .is_some_and(|v| numeric_date(v).is_none())
        {
            out.malformed.push(name);
        }
    }
    out
}

/// A claim that should not be readable by whoever holds the token. `name` is the claim's path
/// (`user.phone` for nested objects); the value appears only as `fingerprint`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SensitiveClaim {
    pub name: String,
    pub why: String,
    pub fingerprint: String,
}

/// Claims whose values identify the token or the user by design; hex or digit rules would
/// misread them.
const ID_CLAIMS: &[&str] = &[
    "jti", "sub", "sid", "nonce", "kid", "at_hash", "c_hash", "s_hash", "azp", "aud", "iss", "oid",
    "tid",
];

fn is_id_like(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    ID_CLAIMS.contains(&last.as_str())
        || last == "id"
        || last.ends_with("_id")
        || last.ends_with("id") && last.len() > 2 && !last.ends_with("pid")
}

/// Why a claim's name says it is secret or personal.
fn name_reason(name: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    if ["at_hash", "c_hash", "s_hash"].contains(&last.as_str()) {
        return None;
    }
    let n: String = last.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["password", "passwd", "pwd", "passphrase"]) || n == "pass" {
        return Some("the name says password");
    }
    if has(&["hash", "salt"]) {
        return Some("the name says password hash or salt");
    }
    if has(&[
        "secret",
        "privatekey",
        "apikey",
        "accesskey",
        "otp",
        "mfaseed",
    ]) || n == "pin"
    {
        return Some("the name says secret");
    }
    if has(&[
        "ssn",
        "socialsecurity",
        "nationalid",
        "taxid",
        "passport",
        "nationalinsurance",
    ]) {
        return Some("the name says national id");
    }
    if has(&["card", "ccnum", "cvv", "cvc", "iban", "accountnumber"]) || n == "pan" {
        return Some("the name says payment data");
    }
    if has(&["phone", "mobile", "telephone", "msisdn"]) || n == "tel" {
        return Some("the name says phone number");
    }
    if !n.contains("email")
        && (has(&["address", "street", "postcode", "postalcode", "zipcode"]) || n == "zip")
    {
        return Some("the name says postal address");
    }
    if has(&["birth", "dob"]) {
        return Some("the name says date of birth");
    }
    None
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                (d * 2) % 9 + u32::from(d == 9) * 9
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Why a claim's value looks secret or personal, whatever its name.
fn value_reason(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim();
    for (prefix, why) in [
        ("$2a$", "the value is a bcrypt hash"),
        ("$2b$", "the value is a bcrypt hash"),
        ("$2y$", "the value is a bcrypt hash"),
        ("$2x$", "the value is a bcrypt hash"),
        ("$argon2", "the value is an Argon2 hash"),
        ("$scrypt$", "the value is a scrypt hash"),
        ("$7$", "the value is a scrypt hash"),
        ("$pbkdf2", "the value is a PBKDF2 hash"),
        ("pbkdf2_sha", "the value is a PBKDF2 hash"),
        ("$1$", "the value is an MD5-crypt hash"),
        ("$5$", "the value is a SHA-crypt hash"),
        ("$6$", "the value is a SHA-crypt hash"),
        ("{SSHA", "the value is an LDAP password hash"),
        ("{SHA", "the value is an LDAP password hash"),
        ("-----BEGIN", "the value is a PEM key or certificate"),
    ] {
        if v.starts_with(prefix) {
            return Some(why);
        }
    }
    if is_id_like(name) {
        return None;
    }
    if [32, 40, 64, 128].contains(&v.len()) && v.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some("the value is a hex digest (MD5/SHA), as a password hash is");
    }
    let digits: Vec<u32> = v.chars().filter_map(|c| c.to_digit(10)).collect();
    let only_digits_and_seps = v
        .chars()
        .all(|c| c.is_ascii_digit() || " -().+/".contains(c));
    if !only_digits_and_seps || digits.is_empty() {
        return None;
    }
    let bytes = v.as_bytes();
    if v.len() == 11 && bytes[3] == b'-' && bytes[6] == b'-' && digits.len() == 9 {
        return Some("the value is shaped like a US social security number");
    }
    if (13..=19).contains(&digits.len()) && !v.starts_with('+') && luhn(&digits) {
        return Some("the value is a payment card number (Luhn-valid)");
    }
    let separated = v.chars().any(|c| " -().".contains(c));
    if (8..=15).contains(&digits.len()) && (v.starts_with('+') || separated) {
        return Some("the value is shaped like a phone number");
    }
    None
}

fn walk(prefix: &str, map: &Map<String, Value>, out: &mut Vec<SensitiveClaim>) {
    for (key, value) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Value::Object(inner) = value {
            walk(&name, inner, out);
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null | Value::Bool(_) => continue,
            other => other.to_string(),
        };
        let mut why: Vec<&str> = Vec::new();
        if let Some(w) = name_reason(&name) {
            why.push(w);
        }
        if let Value::Array(items) = value {
            for item in items {
                if let Some(w) = item.as_str().and_then(|s| value_reason(&name, s)) {
                    why.push(w);
                }
            }
        } else if let Some(w) = value_reason(&name, &text) {
            why.push(w);
        }
        why.dedup();
        if !why.is_empty() {
            out.push(SensitiveClaim {
                fingerprint: fingerprint(Kind::Secret, &text),
                why: why.join("; "),
                name,
            });
        }
    }
}

/// The claims (nested objects included) whose names or values look secret or personal: passwords and
/// their hashes, secrets and keys, card numbers, phone numbers, postal addresses, national ids, dates
/// of birth. `email` and `name` are not reported: they are the identity a token carries by design.
pub fn sensitive_claims(jwt: &Jwt) -> Vec<SensitiveClaim> {
    let mut out = Vec::new();
    walk("", &jwt.claims, &mut out);
    out
}

/// A token for showing: the header and claim names, each value shown or fingerprinted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Description {
    pub header: Vec<(String, String)>,
    pub claims: Vec<(String, String)>,
}

impl std::fmt::Display for Description {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(
            f,
            "header {{{}}} claims {{{}}}",
            join(&self.header),
            join(&self.claims)
        )
    }
}

/// Looks like a token, id or key rather than a word: long, no spaces, letters and digits mixed.
fn token_like(s: &str) -> bool {
    if s.len() > 64 {
        return true;
    }
    if s.len() < 16 || s.contains(char::is_whitespace) || s.contains('@') || s.starts_with("http") {
        return false;
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let letters = s.chars().filter(char::is_ascii_alphabetic).count();
    digits >= 4 && letters >= 4
}

fn shown(value: &Value, sensitive: Option<&str>) -> String {
    match value {
        Value::String(s) => {
            if let Some(why) = sensitive {
                format!("{} ({why})", fingerprint(Kind::Secret, s))
            } else if token_like(s) || super::token::Jwt::parse(s).is_ok() {
                fingerprint(Kind::Token, s)
            } else {
                format!("{s:?}")
            }
        }
        Value::Object(m) => format!("{{{}}}", m.keys().cloned().collect::<Vec<_>>().join(", ")),
        Value::Array(items) if sensitive.is_none() && items.iter().all(|i| !i.is_object()) => {
            let parts: Vec<String> = items.iter().map(|i| shown(i, None)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Array(items) => format!("[{} items]", items.len()),
        other if sensitive.is_some() => fingerprint(Kind::Secret, &other.to_string()),
        other => other.to_string(),
    }
}

/// The header and claims with names always shown and values shown only when they are neither
/// sensitive (see [`sensitive_claims`]) nor token-like; those appear as fingerprints. Never contains
/// the token.
pub fn describe(jwt: &Jwt) -> Description {
    let sensitive = sensitive_claims(jwt);
    let why_of = |name: &str| {
        sensitive
            .iter()
            .find(|s| s.name == name || s.name.starts_with(&format!("{name}.")))
            .map(|s| s.why.as_str())
    };
    let header = jwt
        .header
        .iter()
        .map(|(k, v)| {
            let v = match (k.as_str(), v) {
                ("jwk", Value::Object(m)) => format!(
                    "{{kty={}}}",
                    m.get("kty").and_then(Value::as_str).unwrap_or("?")
                ),
                _ => shown(v, None),
            };
            (k.clone(), v)
        })
        .collect();
    let claims = jwt
        .claims
        .iter()
        .map(|(k, v)| (k.clone(), shown(v, why_of(k))))
        .collect();
    Description { header, claims }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::token::b64;

    fn jwt_with(claims: &str) -> Jwt {
        let h = b64(br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
        Jwt::parse(&format!("{h}.{}.c2ln", b64(claims.as_bytes()))).unwrap()
    }

    #[test]
    fn lifetime_reads_numeric_dates_and_names_malformed_ones() {
        let jwt = jwt_with(r#"{"iat":1700000000,"exp":1700000300.5,"nbf":"soon"}"#);
        let l = lifetime(&jwt);
        assert_eq!(l.iat.unwrap().unix_timestamp(), 1_700_000_000);
        assert_eq!(l.length(), Some(std::time::Duration::from_millis(300_500)));
        assert_eq!(l.nbf, None);
        assert_eq!(l.malformed, vec!["nbf"]);
        assert!(l.expired_at(OffsetDateTime::from_unix_timestamp(1_700_000_301).unwrap()));
        assert!(!lifetime(&jwt_with(r#"{"sub":"a"}"#)).expired_at(OffsetDateTime::now_utc()));
    }

    #[test]
    fn sensitive_claims_by_name_and_value_never_with_the_value() {
        let jwt = jwt_with(
            r#"{"sub":"4111111111111111","jti":"5f4dcc3b5aa765d61d8327deb882cf99",
                "email":"alice@example.com","name":"Alice","iat":1700000000,
                "pwd_hash":"$2b$12$abcdefghijklmnopqrstuuJ3k1", "phone":"+44 20 7946 0958",
                "profile":{"home":"12 High Street","tel":"020 7946 0958"},
                "card":"4111 1111 1111 1111","x":"123-45-6789","h":"5f4dcc3b5aa765d61d8327deb882cf99"}"#,
        );
        let found = sensitive_claims(&jwt);
        let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["pwd_hash", "phone", "profile.tel", "card", "x", "h"],
            "{found:?}"
        );
        assert!(found[0].why.contains("bcrypt"), "{found:?}");
        let shown = format!("{found:?} {}", describe(&jwt));
        for secret in ["$2b$12$", "7946", "4111", "123-45", "5f4dcc3b"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert!(shown.contains("alice@example.com"), "{shown}");
        assert!(shown.contains("kid=\"k1\""), "{shown}");
    }

    #[test]
    fn describe_fingerprints_token_like_values() {
        let jwt = jwt_with(r#"{"jti":"b1946ac9-2492-4d1e-8b4b-29c1d7e0a11f","role":"user","n":3}"#);
        let d = describe(&jwt).to_string();
        assert!(d.contains("jti=tok:"), "{d}");
        assert!(d.contains("role=\"user\""), "{d}");
        assert!(d.contains("n=3"), "{d}");
        assert!(!d.contains("b1946ac9"), "{d}");
    }
}
