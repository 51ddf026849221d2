//! The rules, one file each. Session rules judge only accepted uses (the server took the session), so a
//! secure server refusing a replayed, idle or logged-out id raises nothing: what is flagged is what
//! the server let through.

pub mod after_logout;
pub mod agents;
pub mod concurrent;
pub mod idle_gap;
pub mod lifetime;
pub mod login_burst;
pub mod networks;
pub mod token_in_url;
pub mod travel;

use super::format::time::format_utc;
use super::outcome::Incident;
use super::session::{Session, Use};

/// An incident about one session at one use, with the earlier lines that make the case.
pub fn incident(
    s: &Session,
    u: &Use,
    earlier: &[(u64, i64)],
    account: Option<String>,
    message: String,
) -> Incident {
    let mut lines: Vec<u64> = earlier.iter().map(|(l, _)| *l).collect();
    let mut times: Vec<String> = earlier.iter().map(|(_, t)| format_utc(*t)).collect();
    lines.push(u.line);
    times.push(format_utc(u.time));
    Incident {
        session: Some(s.fingerprint()),
        account,
        lines,
        times,
        message,
    }
}

/// `1h 2m 3s` for a number of seconds.
pub fn span(secs: i64) -> String {
    crate::duration::format_duration(std::time::Duration::from_secs(secs.max(0) as u64))
}
