//! Refresh-token families: a login starts one, each refresh uses its token up and hands out the next,
//! and a used-up token presented again means it was stolen, so the whole family dies (reuse detection,
//! as OAuth 2.0 Security BCP 4.14 asks). The two refresh flaws break exactly these two rules.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::demo::accounts::UserId;

pub type FamilyId = u64;

#[derive(Debug)]
struct Family {
    user: UserId,
    started: Instant,
    revoked: bool,
}

#[derive(Debug)]
struct Token {
    family: FamilyId,
    used: bool,
}

#[derive(Debug, Default)]
pub struct Families {
    families: HashMap<FamilyId, Family>,
    tokens: HashMap<String, Token>,
    next: FamilyId,
}

/// How the refresh rules are bent (the refresh flaws).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub lifetime: Duration,
    /// `refresh-not-rotated`: the presented token is handed back and stays valid.
    pub rotate: bool,
    /// `refresh-reuse-undetected`: a used-up token is served like a fresh one.
    pub detect_reuse: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    /// A used-up token came back; its family is revoked now.
    Reused,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Families {
    /// A new family for a login; its first token.
    pub fn start(&mut self, user: UserId, now: Instant) -> (FamilyId, String) {
        self.next += 1;
        let family = self.next;
        self.families.insert(
            family,
            Family {
                user,
                started: now,
                revoked: false,
            },
        );
        (family, self.mint(family))
    }

    fn mint(&mut self, family: FamilyId) -> String {
        let token = random_token();
        self.tokens.insert(
            token.clone(),
            Token {
                family,
                used: false,
            },
        );
        token
    }

    /// Uses `token` up: the account and the token to hand out next.
    pub fn refresh(
        &mut self,
        token: &str,
        now: Instant,
        rules: Rules,
    ) -> Result<(UserId, FamilyId, String), Refused> {
        let entry = self.tokens.get_mut(token).ok_or(Refused::Unknown)?;
        let id = entry.family;
        let family = self.families.get_mut(&id).ok_or(Refused::Unknown)?;
        if family.revoked {
            return Err(Refused::Revoked);
        }
        if now.duration_since(family.started) >= rules.lifetime {
            return Err(Refused::Expired);
        }
        if entry.used && rules.detect_reuse {
            family.revoked = true;
            return Err(Refused::Reused);
        }
        let user = family.user;
        if !rules.rotate {
            return Ok((user, id, token.to_string()));
        }
        entry.used = true;
        Ok((user, id, self.mint(id)))
    }

    /// The family `token` belongs to, whatever state the token is in.
    pub fn family_of(&self, token: &str) -> Option<FamilyId> {
        self.tokens.get(token).map(|t| t.family)
    }

    /// The account's live families beyond the newest `keep`, oldest first (to end at a new login).
    pub fn oldest_beyond(
        &self,
        user: UserId,
        keep: usize,
        now: Instant,
        lifetime: Duration,
    ) -> Vec<FamilyId> {
        let mut live: Vec<(FamilyId, Instant)> = self
            .families
            .iter()
            .filter(|(_, f)| {
                f.user == user && !f.revoked && now.duration_since(f.started) < lifetime
            })
            .map(|(id, f)| (*id, f.started))
            .collect();
        live.sort_by_key(|(id, started)| (*started, *id));
        let beyond = live.len().saturating_sub(keep);
        live.into_iter().take(beyond).map(|(id, _)| id).collect()
    }

    /// Logout: the whole family.
    pub fn revoke(&mut self, family: FamilyId) {
        if let Some(family) = self.families.get_mut(&family) {
            family.revoked = true;
        }
    }

    /// Password change: every family of the account.
    pub fn revoke_all_of(&mut self, user: UserId) {
        for family in self.families.values_mut().filter(|f| f.user == user) {
            family.revoked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURE: Rules = Rules {
        lifetime: Duration::from_secs(3600),
        rotate: true,
        detect_reuse: true,
    };

    #[test]
    fn reuse_of_a_used_token_revokes_its_newer_sibling() {
        let mut f = Families::default();
        let now = Instant::now();
        let (family, first) = f.start(7, now);
        let (user, same, second) = f.refresh(&first, now, SECURE).unwrap();
        assert_eq!(same, family);
        assert_eq!(user, 7);
        assert_ne!(first, second);
        assert_eq!(f.refresh(&first, now, SECURE), Err(Refused::Reused));
        assert_eq!(f.refresh(&second, now, SECURE), Err(Refused::Revoked));
    }

    #[test]
    fn a_login_beyond_the_cap_ends_the_oldest_live_family() {
        let mut f = Families::default();
        let now = Instant::now();
        let (a, _) = f.start(1, now);
        let (b, _) = f.start(1, now);
        let (_, _) = f.start(2, now);
        assert_eq!(
            f.oldest_beyond(1, 2, now, SECURE.lifetime),
            Vec::<FamilyId>::new()
        );
        assert_eq!(f.oldest_beyond(1, 1, now, SECURE.lifetime), vec![a]);
        f.revoke(a);
        assert_eq!(f.oldest_beyond(1, 0, now, SECURE.lifetime), vec![b]);
    }

    #[test]
    fn a_family_dies_at_its_lifetime() {
        let mut f = Families::default();
        let now = Instant::now();
        let (_, first) = f.start(1, now);
        let later = now + SECURE.lifetime;
        assert_eq!(f.refresh(&first, later, SECURE), Err(Refused::Expired));
    }
}
