//! Draining the browsers' network logs into their personas: navigations and the tokens set.

use super::context::FlowCtx;
use super::token;
use crate::driver::{NetEvent, Session};
use crate::redact::Kind;
use crate::scenario::TokenLocation;
use crate::scenario::step::Check;
use std::sync::Arc;

impl FlowCtx {
    /// Drains every open session's network log into its persona, noting navigations and tokens set.
    /// The sessions are read at once: each read is a round trip to the driver.
    pub async fn observe_all(&mut self) {
        let sessions: Vec<(String, Arc<dyn Session>)> = self
            .personas
            .iter()
            .filter_map(|(n, p)| p.session.clone().map(|s| (n.clone(), s)))
            .collect();
        let drained = futures::future::join_all(
            sessions
                .iter()
                .map(|(name, s)| async move { (name, s.drain_network().await) }),
        )
        .await;
        for (name, events) in drained {
            if let Ok(events) = events {
                self.absorb(name, events);
            }
        }
    }

    /// Before a check: the traffic so far, unless the check only asks the oracle (which judges
    /// the page, not the network log).
    pub async fn observe_for(&mut self, check: &Check) {
        if !matches!(check, Check::LoggedIn | Check::LoggedOut) {
            self.observe_all().await;
        }
    }

    /// Drains one persona's network log.
    pub async fn observe(&mut self, name: &str) {
        let Some(session) = self.personas.get(name).and_then(|p| p.session.clone()) else {
            return;
        };
        if let Ok(events) = session.drain_network().await {
            self.absorb(name, events);
        }
    }

    fn absorb(&mut self, name: &str, events: Vec<NetEvent>) {
        if let TokenLocation::Cookie(names) = &self.profile.token {
            for v in token::set_cookie_values(&events, names) {
                self.run.redactor.register(Kind::Token, &v);
                self.tokens_seen.insert(v);
            }
        }
        // A bearer token a single-page app keeps in memory is seen only on the requests that carry it:
        // every value sent to the target, with its scheme and bare (storage and URLs hold it bare).
        if let TokenLocation::Header(name) = &self.profile.token {
            for v in token::request_header_values(&events, name, &self.base_url) {
                self.run.redactor.register(Kind::Token, &v);
                let bare = token::bare_credential(&v).to_string();
                if bare.len() != v.len() && !bare.is_empty() {
                    self.run.redactor.register(Kind::Token, &bare);
                    self.tokens_seen.insert(bare);
                }
                self.tokens_seen.insert(v);
            }
        }
        let p = self.persona_mut(name);
        for e in &events {
            if let NetEvent::Request {
                url,
                is_navigation: true,
                ..
            } = e
            {
                p.history.push(url.clone());
            }
        }
        p.net.extend(events);
    }
}
