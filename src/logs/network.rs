//! Client addresses as networks: IPv4 /16 and /24, IPv6 /32 and /48, and their truncated display
//! for `--redact-ips`.

use std::net::IpAddr;

fn parse(addr: &[u8]) -> Option<IpAddr> {
    // `$http_x_forwarded_for` may list several: the client is the first.
    let first = addr.split(|c| *c == b',').next()?.trim_ascii();
    std::str::from_utf8(first).ok()?.parse().ok()
}

/// The wide network (`a.b/16`, IPv6 /32) two addresses of one user seldom leave within minutes.
pub fn wide(addr: &[u8]) -> Option<u64> {
    Some(match parse(addr)? {
        IpAddr::V4(v) => {
            let o = v.octets();
            (4 << 56) | u64::from(o[0]) << 8 | u64::from(o[1])
        }
        IpAddr::V6(v) => {
            (6 << 56) | u64::from(u32::from_be_bytes(v.octets()[..4].try_into().ok()?))
        }
    })
}

/// The narrow network (`a.b.c/24`, IPv6 /48) one machine or office logs in from.
pub fn narrow(addr: &[u8]) -> Option<u64> {
    Some(match parse(addr)? {
        IpAddr::V4(v) => {
            let o = v.octets();
            (4 << 56) | u64::from(o[0]) << 16 | u64::from(o[1]) << 8 | u64::from(o[2])
        }
        IpAddr::V6(v) => {
            let o = v.octets();
            (6 << 56)
                | u64::from(u16::from_be_bytes([o[0], o[1]])) << 32
                | u64::from(u16::from_be_bytes([o[2], o[3]])) << 16
                | u64::from(u16::from_be_bytes([o[4], o[5]]))
        }
    })
}

/// An address for a report: as written, or cut to its /24 (IPv6 /48) with `--redact-ips`.
pub fn show(addr: &[u8], redact: bool) -> String {
    let text = String::from_utf8_lossy(addr).into_owned();
    if !redact {
        return text;
    }
    match parse(addr) {
        Some(IpAddr::V4(v)) => {
            let o = v.octets();
            format!("{}.{}.{}.0/24", o[0], o[1], o[2])
        }
        Some(IpAddr::V6(v)) => {
            let s = v.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
        None => "(address)".into(),
    }
}

/// The /16 (IPv6 /32) of an address, for evidence: never more precise than the rule needs.
pub fn show_wide(addr: &[u8]) -> String {
    match parse(addr) {
        Some(IpAddr::V4(v)) => {
            let o = v.octets();
            format!("{}.{}.0.0/16", o[0], o[1])
        }
        Some(IpAddr::V6(v)) => {
            let s = v.segments();
            format!("{:x}:{:x}::/32", s[0], s[1])
        }
        None => "(address)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_redaction() {
        assert_eq!(wide(b"10.1.2.3"), wide(b"10.1.200.9"));
        assert_ne!(wide(b"10.1.2.3"), wide(b"10.2.2.3"));
        assert_ne!(narrow(b"10.1.2.3"), narrow(b"10.1.3.3"));
        assert_eq!(show(b"10.1.2.3", true), "10.1.2.0/24");
        assert_eq!(show(b"2001:db8:1:2::5", true), "2001:db8:1::/48");
        assert_eq!(show(b"10.1.2.3", false), "10.1.2.3");
        assert_eq!(wide(b"garbage"), None);
        assert_eq!(wide(b"203.0.113.9, 10.0.0.1"), wide(b"203.0.113.1"));
    }
}
