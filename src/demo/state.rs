//! Everything one running Ticketbooth shares between requests.

use std::sync::{Arc, Mutex, MutexGuard};

use super::accounts::{Users, accounts};
use super::checkout::Checkouts;
use super::config::DemoConfig;
use super::csrf::CsrfKey;
use super::login_guard::LoginGuard;
use super::outbox::Outbox;
use super::sessions::Sessions;

#[derive(Debug)]
pub struct Store {
    pub users: Users,
    pub sessions: Sessions,
    pub checkouts: Checkouts,
    pub outbox: Outbox,
    pub login_guard: LoginGuard,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<DemoConfig>,
    /// Base URL of the third-party analytics origin that checkout pages load from.
    pub analytics_url: Arc<str>,
    /// Signs the session-bound CSRF nonces (`session-bound-csrf` shape); new for every start.
    pub csrf: CsrfKey,
    store: Arc<Mutex<Store>>,
}

impl AppState {
    pub fn new(config: DemoConfig, analytics_url: String) -> Self {
        let users = Users::seeded(&accounts(&config.shapes));
        let sessions = Sessions::new(config.session_ids);
        AppState {
            config: Arc::new(config),
            analytics_url: analytics_url.into(),
            csrf: CsrfKey::random(),
            store: Arc::new(Mutex::new(Store {
                users,
                sessions,
                checkouts: Checkouts::default(),
                outbox: Outbox::default(),
                login_guard: LoginGuard::default(),
            })),
        }
    }

    /// One lock for the whole store: handlers never await while holding it, and a demo needs
    /// consistency (session + user + checkout changes together) far more than throughput.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
