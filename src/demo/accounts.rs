//! Accounts: the public demo personas and the user store behind login, signup and password changes.

use std::collections::HashMap;

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::shapes::{Shape, ShapeSet};

/// A seeded demo account. The passwords are public demo data, printed by `usher demo serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "alice@ticketbooth.test",
        password: "alice-demo-password",
        role: "victim",
    },
    DemoAccount {
        email: "bob@ticketbooth.test",
        password: "bob-demo-password",
        role: "spare victim",
    },
    DemoAccount {
        email: "mallory@ticketbooth.test",
        password: "mallory-demo-password",
        role: "attacker",
    },
    DemoAccount {
        email: "carol@ticketbooth.test",
        password: "carol-demo-password",
        role: "bystander",
    },
    // Pools of four victims (alice, bob, dave, erin) and four attackers (mallory, trudy, oscar, eve)
    // let scenarios/ticketbooth-pool run four flows of the built-in suite at once.
    DemoAccount {
        email: "dave@ticketbooth.test",
        password: "dave-demo-password",
        role: "pooled victim",
    },
    DemoAccount {
        email: "erin@ticketbooth.test",
        password: "erin-demo-password",
        role: "pooled victim",
    },
    DemoAccount {
        email: "trudy@ticketbooth.test",
        password: "trudy-demo-password",
        role: "pooled attacker",
    },
    DemoAccount {
        email: "oscar@ticketbooth.test",
        password: "oscar-demo-password",
        role: "pooled attacker",
    },
    DemoAccount {
        email: "eve@ticketbooth.test",
        password: "eve-demo-password",
        role: "pooled attacker",
    },
];

/// The attacker of the `prefix-usernames` shape: `alice@ticketbooth.test` is a substring of its name,
/// as `demo` is of `demo2` on real apps.
pub const MALICE: DemoAccount = DemoAccount {
    email: "malice@ticketbooth.test",
    password: "malice-demo-password",
    role: "attacker",
};

const MALLORY: &str = "mallory@ticketbooth.test";

/// The seeded accounts of a Ticketbooth with these shapes: `ACCOUNTS`, with malice instead of mallory
/// under `prefix-usernames`.
pub fn accounts(shapes: &ShapeSet) -> Vec<DemoAccount> {
    ACCOUNTS
        .iter()
        .map(|a| {
            if a.email == MALLORY && shapes.contains(Shape::PrefixUsernames) {
                MALICE
            } else {
                *a
            }
        })
        .collect()
}

/// Every account carries the same demo card so the pay step always has something to charge.
pub const DEMO_CARD_LAST4: &str = "4242";

pub fn masked_card(last4: &str) -> String {
    format!("•••• {last4}")
}

pub const MIN_PASSWORD_LEN: usize = 8;

pub type UserId = u64;

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub card_last4: String,
    salt: [u8; 16],
    password_hash: [u8; 32],
}

impl User {
    fn new(id: UserId, email: &str, password: &str) -> Self {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        User {
            id,
            email: email.to_string(),
            card_last4: DEMO_CARD_LAST4.to_string(),
            salt,
            password_hash: hash_password(&salt, password),
        }
    }

    /// The stored hash, hex: what the `jwt-sensitive-claims` token leaks in its payload.
    pub fn password_hash_hex(&self) -> String {
        hex::encode(self.password_hash)
    }

    fn password_matches(&self, password: &str) -> bool {
        // Compared whole rather than short-circuiting, so timing says nothing about the prefix.
        let candidate = hash_password(&self.salt, password);
        candidate
            .iter()
            .zip(self.password_hash.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }

    fn set_password(&mut self, password: &str) {
        rand::rng().fill_bytes(&mut self.salt);
        self.password_hash = hash_password(&self.salt, password);
    }
}

// A salted SHA-256 is not a password KDF; it is enough for a demo whose passwords are public anyway,
// and keeps the demo free of a slow hash that would stretch every login in the test matrix.
fn hash_password(salt: &[u8], password: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(password.as_bytes());
    hasher.finalize().into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupError {
    InvalidEmail,
    ShortPassword,
    Taken,
}

impl SignupError {
    pub fn message(&self) -> String {
        match self {
            SignupError::InvalidEmail => "Enter an email address like name@example.test.".into(),
            SignupError::ShortPassword => {
                format!("Choose a password of at least {MIN_PASSWORD_LEN} characters.")
            }
            SignupError::Taken => "An account with this email already exists.".into(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Users {
    by_id: HashMap<UserId, User>,
    next_id: UserId,
}

impl Users {
    pub fn seeded(accounts: &[DemoAccount]) -> Self {
        let mut users = Users::default();
        for account in accounts {
            users
                .create(account.email, account.password)
                .expect("demo accounts are valid and distinct");
        }
        users
    }

    pub fn create(&mut self, email: &str, password: &str) -> Result<UserId, SignupError> {
        let email = email.trim();
        if email.len() > 254
            || !email.contains('@')
            || email.starts_with('@')
            || email.ends_with('@')
        {
            return Err(SignupError::InvalidEmail);
        }
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(SignupError::ShortPassword);
        }
        if self.find_by_email(email).is_some() {
            return Err(SignupError::Taken);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.by_id.insert(id, User::new(id, email, password));
        Ok(id)
    }

    pub fn get(&self, id: UserId) -> Option<&User> {
        self.by_id.get(&id)
    }

    pub fn find_by_email(&self, email: &str) -> Option<&User> {
        let email = email.trim();
        self.by_id
            .values()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn authenticate(&self, email: &str, password: &str) -> Option<UserId> {
        self.find_by_email(email)
            .filter(|u| u.password_matches(password))
            .map(|u| u.id)
    }

    pub fn check_password(&self, id: UserId, password: &str) -> bool {
        self.get(id).is_some_and(|u| u.password_matches(password))
    }

    pub fn set_password(&mut self, id: UserId, password: &str) -> Result<(), SignupError> {
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(SignupError::ShortPassword);
        }
        if let Some(user) = self.by_id.get_mut(&id) {
            user.set_password(password);
        }
        Ok(())
    }
}
