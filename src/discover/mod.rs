//! `usher discover`: from a URL and two accounts to a proved profile, in a real browser. It finds the
//! login form, the session token (through `token: auto`), a logged-in oracle and the element showing
//! who is logged in, the logout control, the password-change form (never submitted) and the pages to
//! browse; every piece is proved with negative controls (a wrong password, an anonymous visitor, the
//! other account, a crawl that must stay logged in) before a profile is written.

pub mod explore;
mod login;
pub mod page;
pub mod site;
pub mod write;

use crate::driver::DriverError;

/// One account to discover with: its role in the profile (`victim`, `attacker`), its username, its
/// password and the variable the profile names it by.
#[derive(Clone)]
pub struct Account {
    pub role: String,
    pub username: String,
    pub password: String,
    pub var: String,
}

/// Why discovery wrote no profile.
#[derive(Debug)]
pub enum Failure {
    /// The target could not be reached (exit 3).
    Unreachable(String),
    /// A piece could not be found, or a negative control failed: (the control, what was seen).
    Control(String, String),
    /// The browser failed (exit 3).
    Driver(DriverError),
}

impl From<DriverError> for Failure {
    fn from(e: DriverError) -> Self {
        Failure::Driver(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreachable(w) => write!(f, "the target cannot be reached: {w}"),
            Failure::Control(c, w) => write!(f, "control `{c}` failed: {w}"),
            Failure::Driver(e) => write!(f, "the browser failed: {e}"),
        }
    }
}

pub fn fail(control: &str, why: String) -> Failure {
    Failure::Control(control.to_string(), why)
}
