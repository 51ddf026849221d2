//! Ticketbooth, the bundled demo ticketing app: secure by default, with one switch per flaw of the
//! catalogue (`Flaw`), so every built-in scenario has a target that fails for exactly one reason.
//!
//! Shape switches (`Shape`) make it take the shapes of real apps (mounted under a path, a CSRF nonce
//! bound to the session, no session before login, ...) without being any less secure.
//!
//! The app server answers for any Host: `blog.*` gets the sibling blog (cookie-scope tests), anything
//! else the ticketing site. A second server is the third-party analytics origin that checkout pages
//! embed and that records the Referer of every hit.

mod access_log;
mod accounts;
mod analytics;
mod blog;
mod checkout;
mod config;
mod cookies;
mod csrf;
mod escape;
mod events;
mod flaws;
mod form;
mod html;
mod id_generator;
mod java_random;
mod jwt;
mod login_guard;
mod markup;
mod outbox;
mod pages;
mod random_id;
mod routes;
mod server;
mod session_ids;
mod session_layer;
mod sessions;
mod shapes;
mod state;
mod switches;
mod visit;

pub use access_log::AccessLog;
pub use accounts::{ACCOUNTS, DemoAccount, MALICE};
pub use analytics::Hit;
pub use config::DemoConfig;
pub use cookies::{HOST_COOKIE, PLAIN_COOKIE, SECURE_COOKIE, SESSION_COOKIE_NAMES};
pub use flaws::{Flaw, FlawSet, list_flaws};
pub use jwt::Jwks;
pub use jwt::{
    ACCESS_COOKIE, DEFAULT_ACCESS_TTL, JwtConfig, JwtFlaw, JwtFlawSet, KID, LONG_EXPIRY,
    REFRESH_COOKIE, TokenStorage, WEAK_SECRET, list_jwt_flaws,
};
pub use login_guard::{LOCKOUT_FAILURES, LoginStats, THROTTLE_LIMIT};
pub use markup::Markup;
pub use server::{RunningDemo, serve_forever, start};
pub use session_ids::{COUNTER_START, SessionIds, list_session_ids};
pub use sessions::plausible_token;
pub use shapes::{MOUNT, Shape, ShapeSet, list_shapes};
pub use visit::{SID_PARAM, TOKEN_HEADER};
