//! Login protection, as real apps have it: the `throttled-login` shape (a server-wide rate limit on
//! login posts) and the `lockout` shape (an account locked after consecutive failures). A sampler that
//! replays the login must back off from both and never lock an account, so the guard also counts what
//! it did, for tests to read (`RunningDemo::login_stats`).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::accounts::{UserId, Users};

/// More login posts than this within `THROTTLE_WINDOW` (the whole server) are answered 429.
pub const THROTTLE_LIMIT: usize = 20;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(1);
/// What the 429 answer's Retry-After says, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;
/// Consecutive failed logins of one account that lock it (`lockout` shape).
pub const LOCKOUT_FAILURES: u32 = 5;

/// What the guard has seen since the server started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginStats {
    /// Consecutive failed logins per account (by email), accounts with none left out. Counted with or
    /// without the `lockout` shape.
    pub failures: BTreeMap<String, u32>,
    /// Accounts locked right now.
    pub locked: Vec<String>,
    /// How many times an account was locked, expired locks included: 0 proves no account ever was.
    pub lockouts: u64,
    /// Login posts answered 429 (`throttled-login`).
    pub throttled: u64,
    /// Login posts answered 423 because the account was locked.
    pub refused_locked: u64,
    /// Successful logins.
    pub logins: u64,
}

/// What to do with one login post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Open,
    Throttled,
    Locked,
}

#[derive(Debug, Default)]
pub struct LoginGuard {
    /// The latest login posts, at most `THROTTLE_LIMIT + 1`: enough to tell whether the limit is passed.
    recent: VecDeque<Instant>,
    failures: HashMap<UserId, u32>,
    locked_until: HashMap<UserId, Instant>,
    lockouts: u64,
    throttled: u64,
    refused_locked: u64,
    logins: u64,
}

impl LoginGuard {
    /// Counts a login post against the server-wide rate; false when it is over the limit. Refused
    /// posts count too: a client that keeps hammering stays refused until it waits.
    pub fn admit(&mut self, now: Instant) -> bool {
        self.recent.push_back(now);
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= THROTTLE_WINDOW)
        {
            self.recent.pop_front();
        }
        if self.recent.len() > THROTTLE_LIMIT + 1 {
            self.recent.pop_front();
        }
        let admitted = self.recent.len() <= THROTTLE_LIMIT;
        if !admitted {
            self.throttled += 1;
        }
        admitted
    }

    /// Whether `user` is locked now; a lock that ran out is lifted with its failure count.
    pub fn is_locked(&mut self, user: UserId, now: Instant) -> bool {
        match self.locked_until.get(&user) {
            Some(until) if now < *until => {
                self.refused_locked += 1;
                true
            }
            Some(_) => {
                self.locked_until.remove(&user);
                self.failures.remove(&user);
                false
            }
            None => false,
        }
    }

    /// Counts a failed login of `user`; with `lock_for`, the failure that reaches `LOCKOUT_FAILURES`
    /// locks the account and true is returned.
    pub fn failed(&mut self, user: UserId, now: Instant, lock_for: Option<Duration>) -> bool {
        let count = self.failures.entry(user).or_insert(0);
        *count += 1;
        let Some(period) = lock_for.filter(|_| *count >= LOCKOUT_FAILURES) else {
            return false;
        };
        self.locked_until.insert(user, now + period);
        self.lockouts += 1;
        self.refused_locked += 1;
        true
    }

    pub fn succeeded(&mut self, user: UserId) {
        self.failures.remove(&user);
        self.logins += 1;
    }

    pub fn stats(&self, users: &Users, now: Instant) -> LoginStats {
        let email = |id: &UserId| {
            users
                .get(*id)
                .map_or_else(|| format!("user {id}"), |u| u.email.clone())
        };
        let mut locked: Vec<String> = self
            .locked_until
            .iter()
            .filter(|(_, until)| now < **until)
            .map(|(id, _)| email(id))
            .collect();
        locked.sort();
        LoginStats {
            failures: self
                .failures
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(id, n)| (email(id), *n))
                .collect(),
            locked,
            lockouts: self.lockouts,
            throttled: self.throttled,
            refused_locked: self.refused_locked,
            logins: self.logins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twenty_first_post_in_a_second_is_refused_and_the_next_second_is_open() {
        let mut g = LoginGuard::default();
        let start = Instant::now();
        for i in 0..THROTTLE_LIMIT {
            assert!(g.admit(start + Duration::from_millis(i as u64)), "post {i}");
        }
        assert!(!g.admit(start + Duration::from_millis(100)));
        assert!(g.admit(start + Duration::from_millis(1200)));
    }

    #[test]
    fn five_failures_lock_and_the_lock_runs_out() {
        let mut g = LoginGuard::default();
        let now = Instant::now();
        let period = Some(Duration::from_secs(60));
        for _ in 1..LOCKOUT_FAILURES {
            assert!(!g.failed(1, now, period));
        }
        assert!(g.failed(1, now, period));
        assert!(g.is_locked(1, now + Duration::from_secs(59)));
        assert!(!g.is_locked(1, now + Duration::from_secs(60)));
        assert!(!g.failed(1, now, period), "the count starts again");
    }
}
