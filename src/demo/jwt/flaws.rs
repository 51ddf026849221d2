//! The flaw switches of `--auth jwt`: one protection of the token app each (issue 17), so a JWT
//! scenario that fails under a switch points at one cause. A catalogue of its own beside `Flaw`: the
//! cookie app's switches mean nothing here and these nothing there, and `--flaws all` takes the
//! catalogue of the app that runs.

use std::fmt;

use crate::demo::switches::{self, Switch, SwitchSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JwtFlaw {
    AlgNone,
    SignatureUnchecked,
    WeakSecret,
    KeyConfusion,
    NoExpiry,
    LongExpiry,
    NoRevocation,
    RefreshNotRotated,
    RefreshReuseUndetected,
    SensitiveClaims,
}

impl JwtFlaw {
    pub const ALL: [JwtFlaw; 10] = [
        JwtFlaw::AlgNone,
        JwtFlaw::SignatureUnchecked,
        JwtFlaw::WeakSecret,
        JwtFlaw::KeyConfusion,
        JwtFlaw::NoExpiry,
        JwtFlaw::LongExpiry,
        JwtFlaw::NoRevocation,
        JwtFlaw::RefreshNotRotated,
        JwtFlaw::RefreshReuseUndetected,
        JwtFlaw::SensitiveClaims,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JwtFlaw::AlgNone => "jwt-alg-none",
            JwtFlaw::SignatureUnchecked => "jwt-signature-unchecked",
            JwtFlaw::WeakSecret => "jwt-weak-secret",
            JwtFlaw::KeyConfusion => "jwt-key-confusion",
            JwtFlaw::NoExpiry => "jwt-no-expiry",
            JwtFlaw::LongExpiry => "jwt-long-expiry",
            JwtFlaw::NoRevocation => "jwt-no-revocation",
            JwtFlaw::RefreshNotRotated => "refresh-not-rotated",
            JwtFlaw::RefreshReuseUndetected => "refresh-reuse-undetected",
            JwtFlaw::SensitiveClaims => "jwt-sensitive-claims",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            JwtFlaw::AlgNone => "accepts `alg: none` tokens (any case, signature empty or absent)",
            JwtFlaw::SignatureUnchecked => {
                "checks the header's alg, then takes the claims without verifying the signature"
            }
            JwtFlaw::WeakSecret => {
                "signs and verifies HS256 with jwt.io's example secret `your-256-bit-secret`"
            }
            JwtFlaw::KeyConfusion => {
                "trusts the header's alg: HS256 verified with the RSA public key (from the JWKS) as secret"
            }
            JwtFlaw::NoExpiry => "access tokens carry no `exp` and live forever",
            JwtFlaw::LongExpiry => "access tokens expire 30 days after issue",
            JwtFlaw::NoRevocation => "logout and password change revoke no access or refresh token",
            JwtFlaw::RefreshNotRotated => {
                "refresh answers with the same refresh token, which stays valid"
            }
            JwtFlaw::RefreshReuseUndetected => {
                "a used-up refresh token still works and revokes nothing (no reuse detection)"
            }
            JwtFlaw::SensitiveClaims => {
                "the token's readable payload carries the password hash and the phone number"
            }
        }
    }
}

impl Switch for JwtFlaw {
    const KIND: &'static str = "flaw";

    fn all() -> &'static [Self] {
        &JwtFlaw::ALL
    }

    fn name(self) -> &'static str {
        JwtFlaw::name(self)
    }

    fn description(self) -> &'static str {
        JwtFlaw::description(self)
    }
}

impl fmt::Display for JwtFlaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const _: () = assert!(JwtFlaw::ALL.len() <= u32::BITS as usize);

/// The switched-on JWT flaws; the empty set is the secure token app.
pub type JwtFlawSet = SwitchSet<JwtFlaw>;

/// One line per JWT flaw, name padded, for `usher demo serve --list-flaws`.
pub fn list_jwt_flaws() -> String {
    switches::list::<JwtFlaw>()
}
