//! The wall clock tokens are judged against: a field is a time field when it reads as a Unix time
//! near the moment the sample was taken. With the sampler's window (its first and last login, in
//! Unix milliseconds) "near" is within a day of it (server clocks drift and some write local time);
//! without one (`usher analyze` on a file of unknown age) it is within ten years of now, which a
//! random 32-bit field still meets only about one time in seven, so a whole sample of them almost never.

use serde::Serialize;

const DAY_S: u64 = 86_400;

/// Now in Unix milliseconds, the unit of a sampling window (0 on a clock set before 1970).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
const TEN_YEARS_S: u64 = 10 * 366 * DAY_S;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// Earliest Unix second that counts as near.
    pub from_s: u64,
    /// Latest Unix second that counts as near.
    pub to_s: u64,
    /// How "near" reads in a finding.
    pub near_what: &'static str,
}

impl Clock {
    /// Within ten years of `now_s`.
    pub fn recent(now_s: u64) -> Self {
        Self {
            from_s: now_s.saturating_sub(TEN_YEARS_S),
            to_s: now_s + TEN_YEARS_S,
            near_what: "within ±10 years of now",
        }
    }

    /// Within a day of the sampling window (Unix milliseconds).
    pub fn window(start_ms: u64, end_ms: u64) -> Self {
        let (a, b) = (start_ms.min(end_ms) / 1000, start_ms.max(end_ms) / 1000);
        Self {
            from_s: a.saturating_sub(DAY_S),
            to_s: b + DAY_S,
            near_what: "within a day of when the sample was taken",
        }
    }

    pub fn near(&self, s: u64) -> bool {
        (self.from_s..=self.to_s).contains(&s)
    }
}

/// A big-endian time found at the same byte offset of every decoded value.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeAt {
    pub what: String,
    pub near: usize,
    pub spread_s: u64,
}

/// Looks for a 4-byte (seconds), 6-byte (milliseconds) or 8-byte (seconds, milliseconds,
/// microseconds) big-endian Unix time at any one offset of every value in `decoded`, near `clock`
/// in at least 95 % of them and not the same in all (a constant is no issue time). Stops reading a
/// layout at the first tokens that rule it out, so random data costs a few reads per layout.
pub fn scan(decoded: &[Vec<u8>], clock: &Clock) -> Option<TimeAt> {
    let n = decoded.len();
    let len = decoded.iter().map(Vec::len).min()?;
    let allowed_misses = n - (n * 95).div_ceil(100);
    const LAYOUTS: [(usize, u64, &str); 5] = [
        (4, 1, "Unix seconds"),
        (6, 1000, "Unix milliseconds"),
        (8, 1, "Unix seconds"),
        (8, 1000, "Unix milliseconds"),
        (8, 1_000_000, "Unix microseconds"),
    ];
    for (size, per_s, unit) in LAYOUTS {
        for at in 0..=len.saturating_sub(size) {
            if len < size {
                break;
            }
            let (mut misses, mut lo, mut hi) = (0usize, u64::MAX, 0u64);
            for b in decoded {
                let s = b[at..at + size]
                    .iter()
                    .fold(0u64, |a, &x| (a << 8) | u64::from(x))
                    / per_s;
                if clock.near(s) {
                    lo = lo.min(s);
                    hi = hi.max(s);
                } else {
                    misses += 1;
                    if misses > allowed_misses {
                        break;
                    }
                }
            }
            if misses <= allowed_misses && hi > lo {
                return Some(TimeAt {
                    what: format!("bytes {at}..{} of {len}, {unit}", at + size),
                    near: n - misses,
                    spread_s: hi - lo,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_time_inside_random_bytes() {
        let now = 1_767_225_600u64;
        let rows: Vec<Vec<u8>> = (0..40u64)
            .map(|i| {
                let mut b = vec![0xa5u8 ^ i as u8; 5];
                b.extend_from_slice(&(now + i).to_be_bytes()[4..]);
                b.extend_from_slice(&[7, 1, 9]);
                b
            })
            .collect();
        let t = scan(&rows, &Clock::window((now - 60) * 1000, now * 1000)).unwrap();
        assert_eq!(t.what, "bytes 5..9 of 12, Unix seconds");
        assert_eq!((t.near, t.spread_s), (40, 39));
        // Far from the window: nothing.
        assert!(scan(&rows, &Clock::window(0, 1000)).is_none());
        // The same value in every token is no issue time.
        let constant: Vec<Vec<u8>> = (0..40).map(|_| now.to_be_bytes().to_vec()).collect();
        assert!(scan(&constant, &Clock::recent(now)).is_none());
    }
}
