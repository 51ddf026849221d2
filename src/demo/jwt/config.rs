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
    /// Whether the public key is published at `/.well-known/jwks.json` (`--jwks`).
    pub jwks: Jwks,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            flaws: JwtFlawSet::none(),
            storage: TokenStorage::Memory,
            access_ttl: DEFAULT_ACCESS_TTL,
            jwks: Jwks::Published,
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

/// Whether the token app publishes its public key (`--jwks`): many APIs that sign RS256 tokens publish
/// no JWKS, and key confusion must then start from a key derived from two issued tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Jwks {
    /// At `/.well-known/jwks.json` (the default).
    #[default]
    Published,
    /// Nowhere: `/.well-known/jwks.json` answers 404.
    None,
}

impl Jwks {
    pub fn name(self) -> &'static str {
        match self {
            Jwks::Published => "published",
            Jwks::None => "none",
        }
    }
}

impl FromStr for Jwks {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        [Jwks::Published, Jwks::None]
            .into_iter()
            .find(|j| j.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("unknown JWKS publication `{text}` (valid: published, none)"))
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
        let mut out = format!(
            "Auth: jwt (single-page app over a JSON API; identity at /api/me, {})\n",
            match self.jwks {
                Jwks::Published => "keys at /.well-known/jwks.json",
                Jwks::None => "no JWKS published",
            }
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
