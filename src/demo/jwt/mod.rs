//! Ticketbooth as a single-page app over a JSON API (`usher demo serve --auth jwt`, issue 17): JWT
//! access tokens and rotated refresh tokens, secure by default (RS256 with `exp`, refresh rotation
//! with reuse detection, logout and password change revoking both), with one switch per JWT flaw
//! (`JwtFlaw`). The contract usher's JWT scenarios rely on is docs/demo-jwt.md.

mod api;
mod claims;
mod config;
mod flaws;
mod issue;
mod keys;
mod refresh;
mod revocation;
mod routes;
mod spa;
mod state;
mod verify;

pub use api::{ACCESS_COOKIE, REFRESH_COOKIE};
pub use config::{DEFAULT_ACCESS_TTL, Jwks, JwtConfig, LONG_EXPIRY, TokenStorage};
pub use flaws::{JwtFlaw, JwtFlawSet, list_jwt_flaws};
pub use keys::{KID, WEAK_SECRET};
pub use routes::app;
