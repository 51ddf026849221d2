//! Impossible travel (with `--geoip FILE`): one session used from two places farther apart than anyone
//! could travel in the time between, e.g. Paris and Sydney ten minutes apart. A stolen id at work
//! while its owner is still at it, told by real distance rather than by address blocks.

use super::{incident, span};
use crate::logs::geo::{Place, distance_km};
use crate::logs::outcome::Found;
use crate::logs::session::{Session, Use, flag};

pub const ID: &str = "impossible-travel";
pub const TITLE: &str = "one session used from places too far apart for the time between";

/// `place`: where this use came from (None: the database does not know the address).
pub fn on_accepted(
    s: &mut Session,
    u: &Use,
    place: Option<Place>,
    max_kmh: f64,
    min_km: f64,
    found: &mut Found,
) {
    let Some(here) = place else {
        return;
    };
    if let Some((there, time, line)) = s.place {
        let km = distance_km(there, here);
        // Seconds-granular logs: a jump within one second is taken as one second.
        let hours = (u.time - time).max(1) as f64 / 3600.0;
        let kmh = km / hours;
        if km > min_km && kmh > max_kmh && !s.raised(flag::TRAVEL) {
            found.add(incident(
                s,
                u,
                &[(line, time)],
                None,
                format!(
                    "used {:.0} km apart within {} ({:.0} km/h; at most {:.0} km/h possible)",
                    km,
                    span(u.time - time),
                    kmh,
                    max_kmh
                ),
            ));
        }
    }
    s.place = Some((here, u.time, u.line));
}
