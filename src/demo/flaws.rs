//! The flaw switches. Each one turns exactly one protection of Ticketbooth into the catalogue's flaw,
//! so a scenario that fails under a switch points at one cause and nothing else.

use std::fmt;

use super::switches::{self, Switch, SwitchSet};

/// One deliberately breakable protection of Ticketbooth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flaw {
    Fixation,
    NoLogoutInvalidation,
    NoResetInvalidation,
    NoIdleTimeout,
    NoAbsoluteTimeout,
    NoCheckoutTimeout,
    UnlimitedSessions,
    TokenInUrl,
    RefererLeak,
    WeakCookieFlags,
    LooseCookieScope,
    TokenInStorage,
    PredictableIds,
    NoClientBinding,
    CacheablePages,
    FixationAuthenticatedOnly,
}

impl Flaw {
    pub const ALL: [Flaw; 16] = [
        Flaw::Fixation,
        Flaw::NoLogoutInvalidation,
        Flaw::NoResetInvalidation,
        Flaw::NoIdleTimeout,
        Flaw::NoAbsoluteTimeout,
        Flaw::NoCheckoutTimeout,
        Flaw::UnlimitedSessions,
        Flaw::TokenInUrl,
        Flaw::RefererLeak,
        Flaw::WeakCookieFlags,
        Flaw::LooseCookieScope,
        Flaw::TokenInStorage,
        Flaw::PredictableIds,
        Flaw::NoClientBinding,
        Flaw::CacheablePages,
        Flaw::FixationAuthenticatedOnly,
    ];

    /// The kebab-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Flaw::Fixation => "fixation",
            Flaw::NoLogoutInvalidation => "no-logout-invalidation",
            Flaw::NoResetInvalidation => "no-reset-invalidation",
            Flaw::NoIdleTimeout => "no-idle-timeout",
            Flaw::NoAbsoluteTimeout => "no-absolute-timeout",
            Flaw::NoCheckoutTimeout => "no-checkout-timeout",
            Flaw::UnlimitedSessions => "unlimited-sessions",
            Flaw::TokenInUrl => "token-in-url",
            Flaw::RefererLeak => "referer-leak",
            Flaw::WeakCookieFlags => "weak-cookie-flags",
            Flaw::LooseCookieScope => "loose-cookie-scope",
            Flaw::TokenInStorage => "token-in-storage",
            Flaw::PredictableIds => "predictable-ids",
            Flaw::NoClientBinding => "no-client-binding",
            Flaw::CacheablePages => "cacheable-pages",
            Flaw::FixationAuthenticatedOnly => "fixation-authenticated-only",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Flaw::Fixation => {
                "login keeps the session id the browser presented, even one the server never issued"
            }
            Flaw::NoLogoutInvalidation => {
                "logout clears the cookie but the server keeps the session valid"
            }
            Flaw::NoResetInvalidation => {
                "password change or reset leaves the user's other sessions valid"
            }
            Flaw::NoIdleTimeout => "sessions never expire from inactivity",
            Flaw::NoAbsoluteTimeout => "sessions in use live forever (no absolute lifetime)",
            Flaw::NoCheckoutTimeout => "an abandoned checkout step never expires",
            Flaw::UnlimitedSessions => "no cap on concurrent sessions per user",
            Flaw::TokenInUrl => "the session token rides in URLs (?sid=...) and is accepted there",
            Flaw::RefererLeak => {
                "Referrer-Policy: unsafe-url sends full checkout URLs to the analytics origin"
            }
            Flaw::WeakCookieFlags => "session cookie without HttpOnly, Secure and SameSite",
            Flaw::LooseCookieScope => {
                "session cookie scoped to the parent domain, so the blog sibling receives it"
            }
            Flaw::TokenInStorage => {
                "token copied to localStorage and accepted from the X-Session-Token header"
            }
            Flaw::PredictableIds => "session ids come from a sequential counter",
            Flaw::NoClientBinding => "a session keeps working from a different User-Agent",
            Flaw::CacheablePages => "authenticated pages are cacheable (private, max-age=3600)",
            Flaw::FixationAuthenticatedOnly => {
                "login keeps a live authenticated id the browser presented (anyone's) and rebinds it"
            }
        }
    }

    pub fn from_name(name: &str) -> Option<Flaw> {
        switches::from_name(name)
    }
}

impl Switch for Flaw {
    const KIND: &'static str = "flaw";

    fn all() -> &'static [Self] {
        &Flaw::ALL
    }

    fn name(self) -> &'static str {
        Flaw::name(self)
    }

    fn description(self) -> &'static str {
        Flaw::description(self)
    }
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// One bit per flaw.
const _: () = assert!(Flaw::ALL.len() <= u32::BITS as usize);

/// A set of switched-on flaws; the empty set is the secure app.
pub type FlawSet = SwitchSet<Flaw>;

/// One line per flaw, name padded, for `usher demo serve --list-flaws`.
pub fn list_flaws() -> String {
    switches::list::<Flaw>()
}
