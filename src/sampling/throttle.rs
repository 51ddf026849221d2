//! Backing off when the app pushes back: a 429 is waited out as its Retry-After says (bounded), and
//! the logins after it are spaced further apart, so a rate limit is met rather than hammered. The
//! waits are bounded in number and in total; past that the sampler gives up with the reason.

use std::time::Duration;
use tokio::time::Instant;

/// How long the sampler waits on an app that answers 429 before it gives up.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The longest single wait honoured from a Retry-After (a missing or unreadable one waits 1 s); a
    /// longer one ends the sampling.
    pub max_wait: Duration,
    /// Time spent waiting on 429 answers in all, at most.
    pub max_total: Duration,
    /// 429 answers in a row (no token sampled between them), at most.
    pub max_in_a_row: usize,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            max_wait: Duration::from_secs(30),
            max_total: Duration::from_secs(120),
            max_in_a_row: 5,
        }
    }
}

/// The spacing between logins never grows past this: one a second meets any login rate limit meant
/// for people.
const MAX_GAP: Duration = Duration::from_secs(1);
const FIRST_GAP: Duration = Duration::from_millis(10);

/// The sampler's pace and what throttling has cost so far.
#[derive(Debug)]
pub(super) struct Throttle {
    cfg: Backoff,
    /// 429 answers seen.
    pub answers: usize,
    in_a_row: usize,
    /// Time spent waiting out 429 answers.
    pub waited: Duration,
    resume_at: Option<Instant>,
    /// Least time between two logins, zero until the app first throttles.
    gap: Duration,
    last_start: Option<Instant>,
}

impl Throttle {
    pub fn new(cfg: Backoff) -> Self {
        Throttle {
            cfg,
            answers: 0,
            in_a_row: 0,
            waited: Duration::ZERO,
            resume_at: None,
            gap: Duration::ZERO,
            last_start: None,
        }
    }

    /// A 429: when to resume, or why to give up.
    pub fn throttled(&mut self, retry_after: Option<&str>) -> Result<(), String> {
        self.answers += 1;
        self.in_a_row += 1;
        let wait = retry_after
            .and_then(parse_retry_after)
            .unwrap_or(Duration::from_secs(1));
        if wait > self.cfg.max_wait {
            // Retrying sooner than asked would only be refused again.
            return Err(format!(
                "it answered 429 Too Many Requests asking to wait {}, more than the {} usher waits",
                secs(wait),
                secs(self.cfg.max_wait)
            ));
        }
        if self.in_a_row > self.cfg.max_in_a_row {
            return Err(format!(
                "it answered 429 Too Many Requests {} times in a row, after waiting {} in all",
                self.in_a_row,
                secs(self.waited)
            ));
        }
        if self.waited + wait > self.cfg.max_total {
            return Err(format!(
                "it kept answering 429 Too Many Requests ({} times) and waiting again would pass \
                 the bound of {} in all",
                self.answers,
                secs(self.cfg.max_total)
            ));
        }
        let until = Instant::now() + wait;
        self.resume_at = Some(self.resume_at.map_or(until, |r| r.max(until)));
        self.gap = (self.gap * 2).clamp(FIRST_GAP, MAX_GAP);
        Ok(())
    }

    /// A token was sampled: the app is answering again.
    pub fn sampled(&mut self) {
        self.in_a_row = 0;
    }

    /// Waits until the next login may start.
    pub async fn pace(&mut self) {
        let now = Instant::now();
        if let Some(r) = self.resume_at.take()
            && r > now
        {
            tokio::time::sleep_until(r).await;
            self.waited += r - now;
        }
        if let Some(last) = self.last_start {
            let next = last + self.gap;
            if next > Instant::now() {
                tokio::time::sleep_until(next).await;
            }
        }
        self.last_start = Some(Instant::now());
    }
}

/// Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let at = time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()?;
    let left = at - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO),
            "a date in the past: no wait"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn throttling_is_bounded_in_a_row_and_in_total() {
        let mut t = Throttle::new(Backoff {
            max_wait: Duration::from_secs(30),
            max_total: Duration::from_secs(100),
            max_in_a_row: 2,
        });
        assert!(t.throttled(Some("1")).is_ok());
        assert!(t.throttled(Some("1")).is_ok());
        let why = t.throttled(Some("1")).unwrap_err();
        assert!(why.contains("3 times in a row"), "{why}");
        t.sampled();
        assert!(t.throttled(Some("1")).is_ok());

        let mut t = Throttle::new(Backoff {
            max_wait: Duration::from_secs(30),
            max_total: Duration::from_secs(10),
            max_in_a_row: 5,
        });
        t.waited = Duration::from_secs(9);
        assert!(
            t.throttled(Some("2"))
                .unwrap_err()
                .contains("bound of 10.0 s")
        );
        assert!(
            t.throttled(Some("60"))
                .unwrap_err()
                .contains("asking to wait 60.0 s")
        );
    }

    #[test]
    fn each_throttle_spaces_logins_further_up_to_a_second() {
        let mut t = Throttle::new(Backoff::default());
        t.throttled(None).unwrap();
        assert_eq!(t.gap, FIRST_GAP);
        t.sampled();
        t.throttled(None).unwrap();
        assert_eq!(t.gap, FIRST_GAP * 2);
        for _ in 0..20 {
            t.sampled();
            t.throttled(Some("0")).unwrap();
        }
        assert_eq!(t.gap, MAX_GAP);
    }
}
