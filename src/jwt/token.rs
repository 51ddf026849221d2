//! A compact JWS read into its parts, keeping the segments as received (a forgery that leaves a part
//! unchanged must leave its bytes unchanged: servers that re-encode would otherwise see another token).

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

/// Why a value is not a JWT; its `Display` is the reason a scenario is SKIPPED with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAJwt {
    #[error("the token is not a JWT: it has {0} dot-separated parts, a JWS has 3")]
    Parts(usize),
    #[error("the token is not a JWT: its {0} is not base64url")]
    Base64(&'static str),
    #[error("the token is not a JWT: its {0} is not a JSON object")]
    Json(&'static str),
    #[error("the token is not a JWT: its header has no `alg`")]
    NoAlg,
}

/// A parsed JWT. The token itself is never shown: `Debug` prints its fingerprint.
#[derive(Clone, PartialEq)]
pub struct Jwt {
    raw: String,
    header_b64: String,
    claims_b64: String,
    signature_b64: String,
    /// The decoded header, in its original key order.
    pub header: Map<String, Value>,
    /// The decoded claims (payload), in their original key order.
    pub claims: Map<String, Value>,
    /// The decoded signature bytes (empty for `alg: none` tokens).
    pub signature: Vec<u8>,
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field(
                "token",
                &crate::redact::fingerprint(crate::redact::Kind::Token, &self.raw),
            )
            .field("alg", &self.alg())
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .field("signature_len", &self.signature.len())
            .finish()
    }
}

/// Decodes base64url with or without padding (some issuers pad; RFC 7515 says not to).
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    if s.ends_with('=') {
        URL_SAFE.decode(s).ok()
    } else {
        URL_SAFE_NO_PAD.decode(s).ok()
    }
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The base64url of a JSON object, compact (what jwt_tool and most libraries emit).
pub(crate) fn b64_json(map: &Map<String, Value>) -> String {
    b64(&serde_json::to_vec(map).expect("a JSON map serialises"))
}

fn json_object(bytes: &[u8], part: &'static str) -> Result<Map<String, Value>, NotAJwt> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(NotAJwt::Json(part)),
    }
}

impl Jwt {
    /// Reads `header.claims.signature` (the signature part may be empty, as in `alg: none` tokens; a
    /// leading `Bearer ` and surrounding whitespace are tolerated).
    pub fn parse(token: &str) -> Result<Jwt, NotAJwt> {
        let token = token.trim();
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token)
            .trim();
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err(NotAJwt::Parts(parts.len()));
        }
        let header_bytes = b64_decode(parts[0]).ok_or(NotAJwt::Base64("header"))?;
        let claims_bytes = b64_decode(parts[1]).ok_or(NotAJwt::Base64("payload"))?;
        let signature = b64_decode(parts[2]).ok_or(NotAJwt::Base64("signature"))?;
        let header = json_object(&header_bytes, "header")?;
        let claims = json_object(&claims_bytes, "payload")?;
        if !header.get("alg").is_some_and(Value::is_string) {
            return Err(NotAJwt::NoAlg);
        }
        Ok(Jwt {
            raw: token.to_string(),
            header_b64: parts[0].to_string(),
            claims_b64: parts[1].to_string(),
            signature_b64: parts[2].to_string(),
            header,
            claims,
            signature,
        })
    }

    /// The token as received (trimmed). Callers must redact it before showing anything.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// `header.claims` as received: the bytes the signature covers.
    pub fn signing_input(&self) -> String {
        format!("{}.{}", self.header_b64, self.claims_b64)
    }

    pub fn header_b64(&self) -> &str {
        &self.header_b64
    }

    pub fn claims_b64(&self) -> &str {
        &self.claims_b64
    }

    pub fn signature_b64(&self) -> &str {
        &self.signature_b64
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// A string claim (`sub`, `email` …), for the caller's identity checks.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HS: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn parses_parts_and_keeps_the_signing_input() {
        let jwt = Jwt::parse(&format!(" Bearer {HS} ")).unwrap();
        assert_eq!(jwt.alg(), "HS256");
        assert_eq!(jwt.typ(), Some("JWT"));
        assert_eq!(jwt.claim_str("sub"), Some("1234567890"));
        assert_eq!(jwt.signature.len(), 32);
        assert_eq!(
            format!("{}.{}", jwt.signing_input(), jwt.signature_b64()),
            HS
        );
        assert!(!format!("{jwt:?}").contains(jwt.signature_b64()));
    }

    #[test]
    fn padding_is_tolerated() {
        let (h, rest) = HS.split_once('.').unwrap();
        let (c, s) = rest.split_once('.').unwrap();
        let pad = "=".repeat((4 - c.len() % 4) % 4);
        let jwt = Jwt::parse(&format!("{h}.{c}{pad}.{s}")).unwrap();
        assert_eq!(jwt.claim_str("name"), Some("John Doe"));
    }

    #[test]
    fn non_jwts_say_why() {
        for (token, why) in [
            ("3f9a1c0b7e", "1 dot-separated parts"),
            ("a.b", "2 dot-separated parts"),
            ("!!.e30.", "header is not base64url"),
            ("e30.e30.", "no `alg`"),
            ("WzFd.e30.", "header is not a JSON object"),
        ] {
            let err = Jwt::parse(token).unwrap_err().to_string();
            assert!(err.starts_with("the token is not a JWT"), "{err}");
            assert!(err.contains(why), "{token}: {err}");
        }
    }
}
