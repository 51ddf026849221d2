//! The one pass over the log: each line parsed, its session looked up, the rules fed. Sessions idle
//! beyond the policy leave the live table for a small tombstone, and tombstones older than the
//! absolute lifetime are dropped, so memory follows the sessions alive, not the size of the log.

use super::batch::{Batch, MALFORMED_SHOWN, Req};
use super::distributions::{DURATION_EDGES, Histogram, REQUEST_EDGES, Sampler};
use super::format::time::format_utc;
use super::format::{Carries, Format};
use super::hash::KeyMap;
use super::outcome::{Found, InputStats, Malformed, Outcome, RuleResult};
use super::policy::LogPolicy;
use super::rules::{
    after_logout, agents, concurrent, idle_gap, lifetime, login_burst, networks, token_in_url,
    travel,
};
use super::session::{Session, Tomb, Use, bytes_per_session, bytes_per_tombstone};
use super::session_id::{Place, Sources};

/// Sweeps and the live-sessions series run once per minute of log time.
const SWEEP_EVERY: i64 = 60;
/// Tombstones, accounts, login windows and pending URL values are swept every half hour.
const LONG_SWEEP_EVERY: i64 = 1800;
/// Session flag: the id was seen as a cookie (for the by-value URL rule).
const COOKIE_SEEN: u8 = 128;

#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// The `--format` as given, for reports.
    pub format_name: String,
    pub sources: Sources,
    pub policy: LogPolicy,
    pub redact_ips: bool,
    /// Threads that parse (0: one per core).
    pub workers: usize,
    /// `--geoip`: places of addresses, for the impossible-travel rule.
    pub geoip: Option<std::sync::Arc<super::geo::GeoDb>>,
}

#[derive(Default)]
struct Findings {
    url: Found,
    agents: Found,
    networks: Found,
    idle: Found,
    lifetime: Found,
    travel: Found,
    logout: Found,
    concurrent: Found,
    burst: Found,
}

pub struct Analyzer<'o> {
    o: &'o Options,
    carries: Carries,
    live: KeyMap<Session>,
    tombs: KeyMap<Tomb>,
    accounts: concurrent::Accounts,
    bursts: login_burst::Bursts,
    url: token_in_url::TokenInUrl,
    found: Findings,
    accepted: u64,
    /// Accepted uses whose address the GeoIP database placed.
    located: u64,
    logouts: u64,
    durations: Histogram,
    requests: Histogram,
    live_series: Sampler,
    clock: i64,
    next_sweep: i64,
    next_long_sweep: i64,
    idle_limit: i64,
    lifetime_limit: i64,
    retention: i64,
    pub stats: InputStats,
}

impl<'o> Analyzer<'o> {
    pub fn new(o: &'o Options) -> Self {
        let p = &o.policy;
        let idle_limit = p.idle_limit();
        let lifetime_limit = p.lifetime_limit();
        Analyzer {
            o,
            carries: o.format.carries(),
            live: KeyMap::default(),
            tombs: KeyMap::default(),
            accounts: concurrent::Accounts::default(),
            bursts: login_burst::Bursts::default(),
            url: token_in_url::TokenInUrl::default(),
            found: Findings::default(),
            accepted: 0,
            located: 0,
            logouts: 0,
            durations: Histogram::new("session duration", "s", DURATION_EDGES),
            requests: Histogram::new("requests per session", "requests", REQUEST_EDGES),
            live_series: Sampler::new("live sessions"),
            clock: i64::MIN,
            next_sweep: i64::MIN,
            next_long_sweep: i64::MIN,
            idle_limit,
            lifetime_limit,
            // A session that comes back within its lifetime after going idle is still recognised.
            retention: lifetime_limit.max(idle_limit) + idle_limit,
            stats: InputStats::default(),
        }
    }

    /// The next batch in input order; its lines are numbered on from the last batch's.
    pub fn batch(&mut self, b: &Batch) {
        let base = self.stats.lines;
        let p = &b.parsed;
        self.stats.lines += p.lines;
        self.stats.malformed += p.malformed;
        for (idx, reason) in &p.malformed_lines {
            if self.stats.malformed_lines.len() >= MALFORMED_SHOWN {
                break;
            }
            self.stats.malformed_lines.push(Malformed {
                line: base + u64::from(*idx),
                reason,
            });
        }
        for r in &p.reqs {
            self.judge(base + u64::from(r.line), r, b);
        }
    }

    fn judge(&mut self, no: u64, r: &Req, b: &Batch) {
        let o = self.o;
        let p = &o.policy;
        let t = r.time;
        self.stats.parsed += 1;
        if self.stats.first_time.is_none() {
            self.stats.first_time = Some(format_utc(t));
        }
        if t > self.clock {
            self.clock = t;
            if t >= self.next_sweep {
                if self.next_sweep != i64::MIN {
                    self.sweep(t);
                }
                self.next_sweep = t - t.rem_euclid(SWEEP_EVERY) + SWEEP_EVERY;
            }
        }
        if r.has_target {
            let live = &self.live;
            let tombs = &self.tombs;
            let params = b.parsed.params[r.params.0 as usize..r.params.1 as usize]
                .iter()
                .map(|q| (b.bytes(q.name), b.bytes(q.value), q.by_name, q.hash));
            self.url.on_request(
                params,
                no,
                t,
                |h| {
                    live.get(&h)
                        .map(|s| s.flags & COOKIE_SEEN != 0)
                        .unwrap_or(false)
                        || tombs.get(&h).is_some_and(|s| s.flags & COOKIE_SEEN != 0)
                },
                &mut self.found.url,
            );
        }
        let value = b.bytes(r.session);
        let user = b.bytes(r.user);
        let addr = b.bytes(r.addr);
        let client = login_burst::client(r.addr_hash, r.agent_hash);
        if r.login {
            self.bursts.on_login(
                addr,
                user,
                client,
                t,
                no,
                p.login_burst,
                p.login_burst_window.as_secs() as i64,
                &mut self.found.burst,
            );
        } else if !user.is_empty() && self.bursts.waiting() {
            self.bursts.on_user(
                client,
                user,
                t,
                p.login_burst,
                p.login_burst_window.as_secs() as i64,
                &mut self.found.burst,
            );
        }
        let Some(place) = r.place else {
            return;
        };
        self.stats.with_session += 1;
        let h = r.session_hash;
        let s = match self.live.get_mut(&h) {
            Some(s) => s,
            None => {
                let s = match self.tombs.remove(&h) {
                    Some(tomb) => tomb.revive(t),
                    None => {
                        self.stats.sessions += 1;
                        Session::new(value, t)
                    }
                };
                self.live.entry(h).or_insert(s)
            }
        };
        s.requests += 1;
        s.last = s.last.max(t);
        if place == Place::Cookie && s.flags & COOKIE_SEEN == 0 {
            s.flags |= COOKIE_SEEN;
            self.url
                .on_cookie_session(value, h, no, t, &mut self.found.url);
        }
        let accepted = r.accepted;
        let u = Use {
            line: no,
            time: t,
            addr,
            user,
            agent: b.bytes(r.agent),
            method: b.bytes(r.method),
            path: b.bytes(r.path),
            status: r.status,
            accepted,
            agent_hash: r.agent_hash,
            addr_hash: r.addr_hash,
        };
        if r.logout {
            self.logouts += 1;
        }
        after_logout::on_use(s, &u, &mut self.found.logout);
        if !accepted {
            return;
        }
        self.accepted += 1;
        self.located += u64::from(r.place_of_addr.is_some());
        idle_gap::on_accepted(
            s,
            &u,
            self.idle_limit,
            p.base.idle_timeout.as_secs() as i64,
            &mut self.found.idle,
        );
        lifetime::on_accepted(
            s,
            &u,
            self.lifetime_limit,
            p.base.absolute_timeout.as_secs() as i64,
            &mut self.found.lifetime,
        );
        if self.carries.agent {
            agents::on_accepted(s, &u, p.max_agents, &mut self.found.agents);
        }
        if self.carries.addr {
            networks::on_accepted(
                s,
                &u,
                p.network_window.as_secs() as i64,
                o.redact_ips,
                &mut self.found.networks,
            );
        }
        if o.geoip.is_some() {
            travel::on_accepted(
                s,
                &u,
                r.place_of_addr,
                p.travel_speed,
                p.travel_min_km,
                &mut self.found.travel,
            );
        }
        // A page and its assets arrive within a second: the account's view changes once a second.
        let account_due = s.account == 0 || t != s.last_ok;
        if s.first_ok_line == 0 {
            s.first_ok = t;
            s.first_ok_line = no;
        }
        if t >= s.last_ok {
            s.last_ok = t;
            s.last_ok_line = no;
        }
        if account_due && !user.is_empty() {
            s.account = self.accounts.on_accepted(
                user,
                h,
                s.fp,
                t,
                no,
                p.base.max_sessions,
                self.idle_limit,
                &mut self.found.concurrent,
            );
        }
    }

    fn sweep(&mut self, now: i64) {
        let idle = self.idle_limit;
        let tombs = &mut self.tombs;
        let durations = &mut self.durations;
        let requests = &mut self.requests;
        self.live.retain(|h, s| {
            if now - s.last <= idle {
                return true;
            }
            durations.add(s.duration() as f64);
            requests.add(f64::from(s.requests));
            tombs.insert(*h, s.tomb());
            false
        });
        // The long-lived tables are swept less often: a tombstone or an idle account kept a few
        // minutes longer costs little, and visiting them every minute was most of the run's time.
        if now >= self.next_long_sweep {
            self.next_long_sweep = now + LONG_SWEEP_EVERY;
            let keep = self.retention;
            self.tombs.retain(|_, t| now - t.last <= keep);
            self.accounts.sweep(now, idle);
            self.bursts
                .sweep(now, self.o.policy.login_burst_window.as_secs() as i64);
            self.url.sweep(now, keep);
        }
        let held = (self.live.len() + self.tombs.len()) as u64;
        self.stats.peak_sessions = self.stats.peak_sessions.max(held);
        self.stats.peak_live = self.stats.peak_live.max(self.live.len() as u64);
        self.live_series.add(now, self.live.len() as u64);
    }

    pub fn finish(mut self) -> Outcome {
        let held = (self.live.len() + self.tombs.len()) as u64;
        self.stats.peak_sessions = self.stats.peak_sessions.max(held);
        for s in self.live.values() {
            self.durations.add(s.duration() as f64);
            self.requests.add(f64::from(s.requests));
        }
        if self.clock != i64::MIN {
            self.live_series.add(self.clock, self.live.len() as u64);
            self.stats.last_time = Some(format_utc(self.clock));
        }
        self.stats.accounts = self.accounts.seen;
        self.stats.bytes_per_session = bytes_per_session();
        self.stats.bytes_per_tombstone = bytes_per_tombstone();
        let rules = self.rules();
        Outcome {
            format: self.o.format_name.clone(),
            policy: self.o.policy.clone(),
            input: self.stats.clone(),
            rules,
            distributions: vec![self.durations.finish(), self.requests.finish()],
            series: vec![self.live_series.finish()],
        }
    }

    fn rules(&mut self) -> Vec<RuleResult> {
        let f = std::mem::take(&mut self.found);
        let c = self.carries;
        let no_session = "no session id found in the log (cookies, query parameters or headers named sid, session, token, jsessionid, phpsessid, …; name yours with --session)";
        let not_accepted = if self.stats.sessions == 0 {
            no_session
        } else if c.user {
            "no session was seen accepted: no request with a session id also names a user"
        } else {
            "no session was seen accepted (every request with a session id was refused)"
        };
        let when = |carried: bool| if carried { self.accepted } else { 0 };
        let cap = self.o.policy.base.max_sessions;
        vec![
            f.url.result(
                token_in_url::ID,
                token_in_url::TITLE,
                self.url.urls,
                "requests",
                "no request URL in the log",
            ),
            f.agents.result(
                agents::ID,
                agents::TITLE,
                when(c.agent),
                "accepted uses",
                if c.agent {
                    not_accepted
                } else {
                    "the format has no user agent ($http_user_agent)"
                },
            ),
            f.networks.result(
                networks::ID,
                networks::TITLE,
                when(c.addr),
                "accepted uses",
                if c.addr {
                    not_accepted
                } else {
                    "the format has no client address ($remote_addr)"
                },
            ),
            f.travel.result(
                travel::ID,
                travel::TITLE,
                if self.o.geoip.is_some() && c.addr {
                    self.located
                } else {
                    0
                },
                "accepted uses located",
                if self.o.geoip.is_none() {
                    "no GeoIP database given (--geoip FILE)"
                } else if !c.addr {
                    "the format has no client address ($remote_addr)"
                } else if self.accepted == 0 {
                    not_accepted
                } else {
                    "no accepted use from an address the GeoIP database knows"
                },
            ),
            f.idle.result(
                idle_gap::ID,
                idle_gap::TITLE,
                self.accepted,
                "accepted uses",
                not_accepted,
            ),
            f.lifetime.result(
                lifetime::ID,
                lifetime::TITLE,
                self.accepted,
                "accepted uses",
                not_accepted,
            ),
            f.logout.result(
                after_logout::ID,
                after_logout::TITLE,
                self.logouts,
                "logouts",
                "no logout request (…/logout, …/signout) with a session id in the log",
            ),
            f.concurrent.result(
                concurrent::ID,
                concurrent::TITLE,
                if cap > 0 { self.accounts.seen } else { 0 },
                "accounts",
                if cap == 0 {
                    "the policy sets no cap (max_sessions=0)"
                } else if c.user {
                    "no account seen with an accepted session"
                } else {
                    "no line names a user ($remote_user, or a user field)"
                },
            ),
            f.burst.result(
                login_burst::ID,
                login_burst::TITLE,
                self.bursts.logins,
                "logins",
                "no login request (POST …/login, …/signin, …/session) in the log",
            ),
        ]
    }
}
