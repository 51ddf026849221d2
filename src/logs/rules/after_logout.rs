//! A session answered 2xx for its user after that session's own logout request: logout cleared the
//! cookie but the server kept the session.

use super::{incident, span};
use crate::logs::outcome::Found;
use crate::logs::session::{Session, Use, flag};

pub const ID: &str = "used-after-logout";
pub const TITLE: &str = "session accepted after its own logout";

/// `/logout`, `/signout`, `/sign-out`, `/log-out`, `/logoff`, also under a prefix (`/api/auth/logout`).
pub fn is_logout(path: &[u8]) -> bool {
    let last = path
        .rsplit(|c| *c == b'/')
        .find(|s| !s.is_empty())
        .unwrap_or(b"");
    [
        &b"logout"[..],
        b"signout",
        b"sign-out",
        b"log-out",
        b"logoff",
        b"sign_out",
        b"log_out",
    ]
    .iter()
    .any(|n| last.eq_ignore_ascii_case(n))
}

/// Called for every use of a session (the logout itself need not be accepted).
pub fn on_use(s: &mut Session, u: &Use, found: &mut Found) -> bool {
    if is_logout(u.path) {
        if s.logout_line == 0 && u.status < 400 {
            s.logout_line = u.line;
            s.logout_time = u.time;
        }
        return false;
    }
    if s.logout_line > 0 && u.accepted && (200..300).contains(&u.status) && !s.raised(flag::LOGOUT)
    {
        found.add(incident(
            s,
            u,
            &[(s.logout_line, s.logout_time)],
            None,
            format!(
                "answered {} {} after this session's logout",
                u.status,
                span(u.time - s.logout_time)
            ),
        ));
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn logout_paths() {
        assert!(super::is_logout(b"/logout"));
        assert!(super::is_logout(b"/app/api/auth/Sign-Out/"));
        assert!(!super::is_logout(b"/logout-help/faq"));
        assert!(!super::is_logout(b"/login"));
    }
}
