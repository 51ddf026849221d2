//! The access tokens' denylist: a self-contained token stays valid until its `exp` unless the server
//! remembers to refuse it. Every access token belongs to the refresh family (the login) it was issued
//! in, so logout refuses all of that login's access tokens, not only the one the page held last (an
//! attacker's copy is usually an older one), and a password change all of the account's.

use std::collections::{HashMap, HashSet};

use super::refresh::FamilyId;
use crate::demo::accounts::UserId;

#[derive(Debug, Default)]
pub struct Denylist {
    /// Every jti issued: its account and its family.
    issued: HashMap<String, (UserId, FamilyId)>,
    revoked: HashSet<String>,
}

impl Denylist {
    pub fn issued(&mut self, user: UserId, family: FamilyId, jti: &str) {
        self.issued.insert(jti.to_string(), (user, family));
    }

    pub fn family_of(&self, jti: &str) -> Option<FamilyId> {
        self.issued.get(jti).map(|(_, family)| *family)
    }

    fn revoke_where(&mut self, mut which: impl FnMut(UserId, FamilyId) -> bool) {
        let matching = self
            .issued
            .iter()
            .filter(|(_, (user, family))| which(*user, *family))
            .map(|(jti, _)| jti.clone());
        self.revoked.extend(matching.collect::<Vec<_>>());
    }

    pub fn revoke_family(&mut self, family: FamilyId) {
        self.revoke_where(|_, f| f == family);
    }

    pub fn revoke_all_of(&mut self, user: UserId) {
        self.revoke_where(|u, _| u == user);
    }

    pub fn is_revoked(&self, jti: &str) -> bool {
        self.revoked.contains(jti)
    }
}
