//! The server-side session store. Every timer and limit is enforced here, on the server, because a
//! client-side expiry is only a suggestion to the attacker's browser.

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::accounts::UserId;
use super::config::DemoConfig;
use super::flaws::Flaw;
use super::id_generator::{IdGenerator, Owner};
use super::session_ids::SessionIds;

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub user: Option<UserId>,
    /// The User-Agent the session was issued to; a token replayed from another client is not honoured.
    pub user_agent: String,
    pub created: Instant,
    /// When the user logged in; the absolute lifetime counts from here (or from `created` if anonymous).
    pub authenticated_at: Option<Instant>,
    pub last_seen: Instant,
}

impl Session {
    fn lifetime_start(&self) -> Instant {
        self.authenticated_at.unwrap_or(self.created)
    }

    fn expired(&self, now: Instant, config: &DemoConfig) -> bool {
        let idle = !config.flaws.contains(Flaw::NoIdleTimeout)
            && now.duration_since(self.last_seen) > config.idle_timeout;
        let absolute = !config.flaws.contains(Flaw::NoAbsoluteTimeout)
            && now.duration_since(self.lifetime_start()) > config.absolute_timeout;
        idle || absolute
    }
}

#[derive(Debug, Clone)]
pub enum Lookup {
    Live(Session),
    /// Valid, but presented by another client: treated as anonymous, left intact for its owner.
    OtherClient,
    Missing,
}

#[derive(Debug)]
pub struct Sessions {
    map: HashMap<String, Session>,
    /// The `predictable-ids` flaw's counter, which overrides the id family.
    counter: u128,
    ids: IdGenerator,
    issued_since_purge: usize,
}

/// Whether a client-presented id is even worth looking at; anything else is ignored outright. Every
/// id family passes: signed cookies have `.` between their parts and carry the user's email in their
/// payload (up to 254 bytes, so up to about 410 characters).
pub fn plausible_token(token: &str) -> bool {
    (16..=512).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl Sessions {
    pub fn new(family: SessionIds) -> Self {
        let start_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        Sessions {
            map: HashMap::new(),
            counter: start_ms,
            ids: IdGenerator::new(family),
            issued_since_purge: 0,
        }
    }

    fn issue_id(&mut self, config: &DemoConfig, owner: Option<Owner<'_>>) -> String {
        if config.flaws.contains(Flaw::PredictableIds) {
            self.counter = self.counter.wrapping_add(1);
            return format!("{:032x}", self.counter);
        }
        // A signed cookie is a pure function of its payload and second: a user's second login in one
        // second gets the same id, which the store then treats as the same session (as such apps do).
        let same_session_ok = owner.is_some() && self.ids.family() == SessionIds::SignedCookie;
        loop {
            let id = self.ids.issue(owner);
            if same_session_ok || !self.map.contains_key(&id) {
                return id;
            }
        }
    }

    /// Finds a live session for `id` and counts this request as activity.
    pub fn lookup(
        &mut self,
        id: &str,
        user_agent: &str,
        now: Instant,
        config: &DemoConfig,
    ) -> Lookup {
        let Some(session) = self.map.get_mut(id) else {
            return Lookup::Missing;
        };
        if session.expired(now, config) {
            self.map.remove(id);
            return Lookup::Missing;
        }
        if !config.flaws.contains(Flaw::NoClientBinding) && session.user_agent != user_agent {
            return Lookup::OtherClient;
        }
        session.last_seen = now;
        Lookup::Live(session.clone())
    }

    pub fn get(&self, id: &str) -> Option<&Session> {
        self.map.get(id)
    }

    pub fn start_anonymous(
        &mut self,
        user_agent: &str,
        now: Instant,
        config: &DemoConfig,
    ) -> String {
        let id = self.issue_id(config, None);
        self.insert(id.clone(), None, user_agent, now, config);
        id
    }

    /// Only reachable under the fixation flaw: the client chose the id and the server takes it.
    pub fn adopt(&mut self, id: &str, user_agent: &str, now: Instant, config: &DemoConfig) {
        self.insert(id.to_string(), None, user_agent, now, config);
    }

    fn insert(
        &mut self,
        id: String,
        user: Option<UserId>,
        user_agent: &str,
        now: Instant,
        config: &DemoConfig,
    ) {
        self.issued_since_purge += 1;
        if self.issued_since_purge >= 256 {
            self.purge_expired(now, config);
        }
        self.map.insert(
            id.clone(),
            Session {
                id,
                user,
                user_agent: user_agent.to_string(),
                created: now,
                authenticated_at: user.map(|_| now),
                last_seen: now,
            },
        );
    }

    /// Logs `user` in. Normally the pre-login session is destroyed and a fresh id issued; `keep`
    /// (the fixation flaw) re-binds the presented id instead, whoever it belonged to.
    pub fn log_in(
        &mut self,
        previous: Option<&str>,
        keep: Option<&str>,
        owner: Owner<'_>,
        user_agent: &str,
        now: Instant,
        config: &DemoConfig,
    ) -> String {
        let user = owner.id;
        let id = match keep {
            Some(kept) => kept.to_string(),
            None => {
                if let Some(old) = previous {
                    self.map.remove(old);
                }
                self.issue_id(config, Some(owner))
            }
        };
        self.map.remove(&id);
        self.insert(id.clone(), Some(user), user_agent, now, config);
        self.enforce_cap(user, &id, config);
        id
    }

    /// Evicts the user's oldest sessions beyond the cap; the session just created always survives.
    fn enforce_cap(&mut self, user: UserId, newest: &str, config: &DemoConfig) {
        if config.flaws.contains(Flaw::UnlimitedSessions) {
            return;
        }
        let mut others: Vec<(Instant, String)> = self
            .map
            .values()
            .filter(|s| s.user == Some(user) && s.id != newest)
            .map(|s| (s.lifetime_start(), s.id.clone()))
            .collect();
        let allowed_others = config.max_sessions.max(1) - 1;
        if others.len() <= allowed_others {
            return;
        }
        others.sort();
        let excess = others.len() - allowed_others;
        for (_, id) in others.into_iter().take(excess) {
            self.map.remove(&id);
        }
    }

    /// Moves a session of `owner` to a fresh id, keeping its user and lifetime; the old id stops
    /// working (unless the family issues the same id again, as a signed cookie does within a second).
    pub fn rotate(&mut self, id: &str, owner: Owner<'_>, config: &DemoConfig) -> Option<String> {
        let mut session = self.map.remove(id)?;
        let new_id = self.issue_id(config, Some(owner));
        session.id = new_id.clone();
        self.map.insert(new_id.clone(), session);
        Some(new_id)
    }

    pub fn end(&mut self, id: &str) {
        self.map.remove(id);
    }

    pub fn end_all_of_user_except(&mut self, user: UserId, keep: Option<&str>) {
        self.map
            .retain(|id, s| s.user != Some(user) || Some(id.as_str()) == keep);
    }

    pub fn count_for_user(&self, user: UserId) -> usize {
        self.map.values().filter(|s| s.user == Some(user)).count()
    }

    fn purge_expired(&mut self, now: Instant, config: &DemoConfig) {
        self.issued_since_purge = 0;
        self.map.retain(|_, s| !s.expired(now, config));
    }
}
