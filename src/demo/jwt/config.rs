//! How the token app runs: its flaws, where the page keeps the access token, the token's lifetime.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::flaws::{JwtFlaw, JwtFlawSet};

/// The access token's lifetime by default: short, as ASVS V9 asks of self-contained tokens.
pub const DEFAULT_ACCESS_TTL: Duration = Duration::from_secs(5 * 60);

/// What `jwt-long-expiry` gives a token.
pub const LONG_EXPIRY: Duration = Duration::from_secs(30 * 24 * 60 * 60);

#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub flaws: JwtFlawSet,
    pub storage: TokenStorage,
    /// How long an access token lives (`exp − iat`), unless a lifetime flaw says otherwise.
    pub access_ttl: Duration,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            flaws: JwtFlawSet::none(),
            storage: TokenStorage::Memory,
            access_ttl: DEFAULT_ACCESS_TTL,
        }
    }
}

/// Where the page keeps the access token (`--token-storage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStorage {
    /// A script variable only; every page load gets one from the HttpOnly refresh cookie. The
    /// secure default: no script injected later can read a stored token.
    Memory,
    Local,
    Session,
    /// An HttpOnly cookie `tb_access` the API takes as well as the header.
    Cookie,
}

impl TokenStorage {
    pub const ALL: [TokenStorage; 4] = [
        TokenStorage::Memory,
        TokenStorage::Local,
        TokenStorage::Session,
        TokenStorage::Cookie,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TokenStorage::Memory => "memory",
            TokenStorage::Local => "local",
            TokenStorage::Session => "session",
            TokenStorage::Cookie => "cookie",
        }
    }
}

impl fmt::Display for TokenStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TokenStorage {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        TokenStorage::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!("unknown token storage `{text}` (valid: memory, local, session, cookie)")
            })
    }
}

impl JwtConfig {
    /// The lifetime tokens get (`exp − iat`); none under `jwt-no-expiry`.
    pub fn token_lifetime(&self) -> Option<Duration> {
        if self.flaws.contains(JwtFlaw::NoExpiry) {
            None
        } else if self.flaws.contains(JwtFlaw::LongExpiry) {
            Some(LONG_EXPIRY)
        } else {
            Some(self.access_ttl)
        }
    }

    /// The banner's lines for the token app: what `usher demo serve --auth jwt` runs.
    pub fn describe(&self) -> String {
        let mut out = String::from(
            "Auth: jwt (single-page app over a JSON API; identity at /api/me, keys at /.well-known/jwks.json)\n",
        );
        if self.flaws.is_empty() {
            out.push_str("Flaws on: none (secure by default)\n");
        } else {
            out.push_str("Flaws on:\n");
            for flaw in self.flaws.iter() {
                out.push_str(&format!("  {:26} {}\n", flaw.name(), flaw.description()));
            }
        }
        let ttl = match self.token_lifetime() {
            Some(d) => crate::duration::format_duration(d),
            None => "none".into(),
        };
        out.push_str(&format!(
            "Access token: kept in {}, lifetime {ttl}\n",
            self.storage
        ));
        out
    }
}
