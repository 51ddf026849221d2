//! The access tokens' denylist: a self-contained token stays valid until its `exp` unless the server
//! remembers to refuse it, so logout and password change put `jti`s here.

use std::collections::{HashMap, HashSet};

use crate::demo::accounts::UserId;

#[derive(Debug, Default)]
pub struct Denylist {
    /// Every jti issued, by account: what a password change revokes.
    issued: HashMap<UserId, Vec<String>>,
    revoked: HashSet<String>,
}

impl Denylist {
    pub fn issued(&mut self, user: UserId, jti: &str) {
        self.issued.entry(user).or_default().push(jti.to_string());
    }

    pub fn revoke(&mut self, jti: &str) {
        self.revoked.insert(jti.to_string());
    }

    pub fn revoke_all_of(&mut self, user: UserId) {
        for jti in self.issued.remove(&user).unwrap_or_default() {
            self.revoked.insert(jti);
        }
    }

    pub fn is_revoked(&self, jti: &str) -> bool {
        self.revoked.contains(jti)
    }
}
