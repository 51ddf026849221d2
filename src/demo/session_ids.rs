//! The session-id families Ticketbooth can issue (`--session-ids`). `csprng` is Ticketbooth's own; each
//! other family is how some real framework or hand-rolled app makes its ids, so token-predictability is
//! proved on each in real Chromium. The exact formats are what the token analysis is written against
//! (docs/suite.md), so they are part of the contract and change only with it.

use std::fmt;
use std::str::FromStr;

use super::switches::{self, Switch};

/// Where Ticketbooth's session ids come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SessionIds {
    /// 32 bytes from the OS CSPRNG, as 64 lowercase hex characters.
    #[default]
    Csprng,
    /// 24 characters of `[a-z0-9]` from the CSPRNG (about 124 bits).
    Base36Short,
    /// `base64url(json).base64url(4-byte unix seconds).base64url(HMAC-SHA1)`: a readable payload.
    SignedCookie,
    /// RFC 4122 version-1 UUIDs: the issue time, a clock sequence and a node fixed per server.
    Uuid1,
    /// java.util.Random: two consecutive `nextLong()`s in hex.
    Lcg,
    /// MT19937: eight consecutive 32-bit outputs in hex.
    Mt,
    /// MD5 of a decimal counter that starts at `COUNTER_START`.
    CounterHash,
}

/// The first value of the `counter-hash` family's counter: inside the range of small integers that the
/// token analysis's hash search tries (src/analysis/hashsearch.rs, 0..=1 000 000), with room for
/// 900 000 ids per server.
pub const COUNTER_START: u64 = 100_000;

impl SessionIds {
    pub const ALL: [SessionIds; 7] = [
        SessionIds::Csprng,
        SessionIds::Base36Short,
        SessionIds::SignedCookie,
        SessionIds::Uuid1,
        SessionIds::Lcg,
        SessionIds::Mt,
        SessionIds::CounterHash,
    ];

    /// The kebab-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            SessionIds::Csprng => "csprng",
            SessionIds::Base36Short => "base36-short",
            SessionIds::SignedCookie => "signed-cookie",
            SessionIds::Uuid1 => "uuid1",
            SessionIds::Lcg => "lcg",
            SessionIds::Mt => "mt",
            SessionIds::CounterHash => "counter-hash",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SessionIds::Csprng => "32 bytes from the OS CSPRNG as 64 hex characters (the default)",
            SessionIds::Base36Short => "24 characters of [a-z0-9] from the CSPRNG (about 124 bits)",
            SessionIds::SignedCookie => {
                "base64url(json).base64url(unix seconds).base64url(HMAC-SHA1): the payload names the user"
            }
            SessionIds::Uuid1 => "RFC 4122 version-1 UUIDs (time-based, node fixed per server)",
            SessionIds::Lcg => "java.util.Random: two nextLong() as 32 hex characters",
            SessionIds::Mt => "MT19937: eight 32-bit outputs as 64 hex characters",
            SessionIds::CounterHash => "MD5 of a decimal counter starting at 100000",
        }
    }

    /// The verdict token-predictability must give this family with the default policy (128 bits).
    pub fn secure(self) -> bool {
        self == SessionIds::Csprng
    }
}

impl Switch for SessionIds {
    const KIND: &'static str = "session-id family";

    fn all() -> &'static [Self] {
        &SessionIds::ALL
    }

    fn name(self) -> &'static str {
        SessionIds::name(self)
    }

    fn description(self) -> &'static str {
        SessionIds::description(self)
    }
}

impl fmt::Display for SessionIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SessionIds {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        switches::parse_one(text)
    }
}

/// One line per family, name padded, for `usher demo serve --list-session-ids`.
pub fn list_session_ids() -> String {
    switches::list::<SessionIds>()
}
