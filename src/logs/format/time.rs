//! Timestamps without a date library per line: `$time_local` (`10/Oct/2000:13:55:36 -0700`),
//! `$time_iso8601` (`2000-10-10T13:55:36+00:00`, fractions and `Z` accepted) and `$msec`.

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() {
        return None;
    }
    let mut n = 0i64;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(n)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn month(b: &[u8]) -> Option<i64> {
    const NAMES: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    NAMES.iter().position(|n| n[..] == *b).map(|i| i as i64 + 1)
}

fn offset(b: &[u8]) -> Option<i64> {
    // `+0200`, `+02:00`, `Z`
    if b == b"Z" || b.is_empty() {
        return Some(0);
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = match &b[1..] {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60))
}

/// `10/Oct/2000:13:55:36 -0700` to Unix seconds.
pub fn parse_local(b: &[u8]) -> Option<i64> {
    if b.len() < 20 || b[2] != b'/' || b[6] != b'/' || b[11] != b':' {
        return None;
    }
    let d = digits(&b[0..2])?;
    let m = month(&b[3..6])?;
    let y = digits(&b[7..11])?;
    let hh = digits(&b[12..14])?;
    let mm = digits(&b[15..17])?;
    let ss = digits(&b[18..20])?;
    let off = if b.len() > 21 { offset(&b[21..])? } else { 0 };
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss - off)
}

/// `2000-10-10T13:55:36+00:00` (or a space for `T`, fractions, `Z`) to Unix seconds.
pub fn parse_iso(b: &[u8]) -> Option<i64> {
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    let hh = digits(&b[11..13])?;
    let mm = digits(&b[14..16])?;
    let ss = digits(&b[17..19])?;
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[1 + n..];
    }
    let off = offset(rest)?;
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss - off)
}

/// `$msec`: `1702384516.123`.
pub fn parse_epoch(b: &[u8]) -> Option<i64> {
    let whole = b.split(|c| *c == b'.').next()?;
    digits(whole)
}

/// Any of the three, for JSON logs whose time field may be either.
pub fn parse_any(b: &[u8]) -> Option<i64> {
    parse_iso(b)
        .or_else(|| parse_local(b))
        .or_else(|| parse_epoch(b))
}

/// Unix seconds as `2000-10-10T20:55:36Z`, for evidence.
pub fn format_utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_iso_and_epoch_agree() {
        let a = parse_local(b"10/Oct/2000:13:55:36 -0700").unwrap();
        let b = parse_iso(b"2000-10-10T20:55:36+00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, 971_211_336);
        assert_eq!(parse_iso(b"2000-10-10T20:55:36.123Z"), Some(a));
        assert_eq!(parse_epoch(b"971211336.250"), Some(a));
        assert_eq!(format_utc(a), "2000-10-10T20:55:36Z");
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(parse_local(b"yesterday"), None);
        assert_eq!(parse_local(b"10/Foo/2000:13:55:36 -0700"), None);
        assert_eq!(parse_iso(b"2000-10-10"), None);
    }
}
