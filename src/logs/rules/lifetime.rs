//! A session still accepted longer after its first use than the policy's absolute lifetime.

use super::{incident, span};
use crate::logs::outcome::Found;
use crate::logs::session::{Session, Use, flag};

pub const ID: &str = "lifetime";
pub const TITLE: &str = "session accepted beyond the absolute lifetime";

pub fn on_accepted(s: &mut Session, u: &Use, limit: i64, policy_lifetime: i64, found: &mut Found) {
    if s.first_ok_line == 0 {
        return;
    }
    let age = u.time - s.first_ok;
    if age > limit && !s.raised(flag::LIFETIME) {
        found.add(incident(
            s,
            u,
            &[(s.first_ok_line, s.first_ok)],
            None,
            format!(
                "accepted {} after its first use (absolute lifetime {})",
                span(age),
                span(policy_lifetime)
            ),
        ));
    }
}
