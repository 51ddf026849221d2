//! One session used from distant networks (different /16s, IPv6 /32s) within a window: a stolen id
//! used from somewhere else while its owner is still at it.

use super::{incident, span};
use crate::logs::network::wide;
use crate::logs::outcome::Found;
use crate::logs::session::{NETWORKS, Net, Session, Use, flag};

pub const ID: &str = "distant-networks";
pub const TITLE: &str = "one session used from distant networks within a window";

pub fn on_accepted(s: &mut Session, u: &Use, window: i64, redact_ips: bool, found: &mut Found) {
    let seen = u.addr_hash;
    let key = if seen == s.last_addr {
        s.last_net
    } else {
        let Some(key) = wide(u.addr) else {
            return;
        };
        s.last_addr = seen;
        s.last_net = key;
        key
    };
    let n = s.n_nets as usize;
    if let Some(net) = s.nets[..n].iter_mut().find(|x| x.key == key) {
        net.last = u.time;
        net.line = u.line;
        return;
    }
    let recent = s.nets[..n]
        .iter()
        .filter(|x| u.time - x.last <= window)
        .max_by_key(|x| x.last)
        .copied();
    if let Some(other) = recent
        && !s.raised(flag::NETWORKS)
    {
        found.add(incident(
            s,
            u,
            &[(other.line, other.last)],
            None,
            format!(
                "used from {} and, {} later, from {} (another /16 network, within {})",
                show_key(other.key),
                span(u.time - other.last),
                crate::logs::network::show(u.addr, redact_ips),
                span(window)
            ),
        ));
    }
    let entry = Net {
        key,
        last: u.time,
        line: u.line,
    };
    if n < NETWORKS {
        s.nets[n] = entry;
        s.n_nets += 1;
    } else if let Some(oldest) = s.nets.iter_mut().min_by_key(|x| x.last) {
        *oldest = entry;
    }
}

/// A network key back as `a.b.0.0/16` (or the IPv6 /32).
fn show_key(key: u64) -> String {
    if key >> 56 == 4 {
        format!("{}.{}.0.0/16", (key >> 8) & 0xff, key & 0xff)
    } else {
        let w = key as u32;
        format!("{:x}:{:x}::/32", w >> 16, w & 0xffff)
    }
}
