//! Session-bound CSRF nonces (the `session-bound-csrf` shape): a form's nonce is an HMAC of the session
//! id the page was served to, so a post only passes with the session it was rendered for. That is what
//! makes a planted cookie fail with a form fetched before the planting, as on many real apps.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The form field that carries the nonce.
pub const CSRF_FIELD: &str = "csrf";

#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        CsrfKey(key)
    }

    fn mac(&self, session: Option<&str>) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(session.unwrap_or("").as_bytes());
        mac
    }

    /// The nonce for a visitor holding `session` (None: no session, which has a nonce of its own).
    pub fn nonce(&self, session: Option<&str>) -> String {
        hex::encode(self.mac(session).finalize().into_bytes())
    }

    /// Constant-time comparison of a posted nonce with the one `session` should carry.
    pub fn verify(&self, session: Option<&str>, posted: &str) -> bool {
        hex::decode(posted.trim()).is_ok_and(|bytes| self.mac(session).verify_slice(&bytes).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_passes_only_with_its_own_session() {
        let key = CsrfKey::random();
        let a = key.nonce(Some("session-a-0123456789"));
        assert!(key.verify(Some("session-a-0123456789"), &a));
        assert!(!key.verify(Some("session-b-0123456789"), &a));
        assert!(!key.verify(None, &a));
        assert!(key.verify(None, &key.nonce(None)));
        assert!(!key.verify(None, "zz"));
        assert!(!CsrfKey::random().verify(Some("session-a-0123456789"), &a));
    }
}
