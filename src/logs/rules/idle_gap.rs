//! A session accepted after being idle longer than the policy's idle timeout: the server does not
//! expire idle sessions (or its timeout is longer than the policy's).

use super::{incident, span};
use crate::logs::outcome::Found;
use crate::logs::session::{Session, Use, flag};

pub const ID: &str = "idle-gap";
pub const TITLE: &str = "session accepted after an idle gap longer than the idle timeout";

/// Called before the use updates `last_ok`.
pub fn on_accepted(s: &mut Session, u: &Use, limit: i64, policy_idle: i64, found: &mut Found) {
    if s.last_ok_line == 0 {
        return;
    }
    let gap = u.time - s.last_ok;
    if gap > limit && !s.raised(flag::IDLE) {
        found.add(incident(
            s,
            u,
            &[(s.last_ok_line, s.last_ok)],
            None,
            format!(
                "accepted after {} idle (idle timeout {})",
                span(gap),
                span(policy_idle)
            ),
        ));
    }
}
