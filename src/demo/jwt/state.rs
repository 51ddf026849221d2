//! What the token app shares between requests: the demo app's state (accounts, login guard), its own
//! configuration and keys, and the server's memory of tokens (denylist, refresh families).

use std::sync::{Arc, Mutex, MutexGuard};

use super::config::JwtConfig;
use super::flaws::JwtFlaw;
use super::keys::Keys;
use super::refresh::{Families, Rules};
use super::revocation::Denylist;
use crate::demo::state::AppState;

#[derive(Debug, Default)]
pub struct Tokens {
    pub denylist: Denylist,
    pub families: Families,
}

#[derive(Clone)]
pub struct JwtApp {
    pub app: AppState,
    pub config: Arc<JwtConfig>,
    pub keys: Arc<Keys>,
    tokens: Arc<Mutex<Tokens>>,
}

impl JwtApp {
    pub fn new(app: AppState, config: JwtConfig) -> Self {
        JwtApp {
            app,
            config: Arc::new(config),
            keys: Arc::new(Keys::demo()),
            tokens: Arc::default(),
        }
    }

    pub fn has(&self, flaw: JwtFlaw) -> bool {
        self.config.flaws.contains(flaw)
    }

    /// Never held across an await, nor together with the app's store lock taken after it.
    pub fn tokens(&self) -> MutexGuard<'_, Tokens> {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn refresh_rules(&self) -> Rules {
        Rules {
            lifetime: self.app.config.absolute_timeout,
            rotate: !self.has(JwtFlaw::RefreshNotRotated),
            detect_reuse: !self.has(JwtFlaw::RefreshReuseUndetected),
        }
    }
}
