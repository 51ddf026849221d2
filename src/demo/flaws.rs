//! The flaw switches. Each one turns exactly one protection of Ticketbooth into the catalogue's flaw,
//! so a scenario that fails under a switch points at one cause and nothing else.

use std::fmt;
use std::str::FromStr;

use super::switches::{self, Switch};

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

    fn bit(self) -> u32 {
        1 << (self as u32)
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FlawSet(u32);

impl FlawSet {
    pub fn none() -> Self {
        FlawSet(0)
    }

    pub fn all() -> Self {
        Flaw::ALL.into_iter().collect()
    }

    pub fn only(flaw: Flaw) -> Self {
        FlawSet(flaw.bit())
    }

    pub fn contains(&self, flaw: Flaw) -> bool {
        self.0 & flaw.bit() != 0
    }

    pub fn insert(&mut self, flaw: Flaw) {
        self.0 |= flaw.bit();
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// In catalogue order, so printed lists are stable.
    pub fn iter(&self) -> impl Iterator<Item = Flaw> + use<> {
        let set = *self;
        Flaw::ALL.into_iter().filter(move |f| set.contains(*f))
    }
}

impl FromIterator<Flaw> for FlawSet {
    fn from_iter<I: IntoIterator<Item = Flaw>>(iter: I) -> Self {
        let mut set = FlawSet::none();
        for flaw in iter {
            set.insert(flaw);
        }
        set
    }
}

impl fmt::Display for FlawSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(Flaw::name).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for FlawSet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(switches::parse_list::<Flaw>(text)?.into_iter().collect())
    }
}

/// One line per flaw, name padded, for `usher demo serve --list-flaws`.
pub fn list_flaws() -> String {
    switches::list::<Flaw>()
}
