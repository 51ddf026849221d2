//! Password-reset tokens and the demo "outbox" that stands in for email, so scenarios can follow a
//! reset link without a mail server.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::accounts::UserId;
use super::random_id::random_id;

/// Long enough for a scenario, short enough that a leaked link goes stale.
pub const RESET_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub to: String,
    pub token: String,
    pub sent: time::OffsetDateTime,
}

#[derive(Debug, Clone)]
struct ResetToken {
    user: UserId,
    issued: Instant,
}

#[derive(Debug, Default)]
pub struct Outbox {
    messages: Vec<OutboxMessage>,
    tokens: HashMap<String, ResetToken>,
}

impl Outbox {
    pub fn send_reset(&mut self, user: UserId, email: &str, now: Instant) -> String {
        let token = random_id(32);
        self.tokens
            .insert(token.clone(), ResetToken { user, issued: now });
        self.messages.push(OutboxMessage {
            to: email.to_string(),
            token: token.clone(),
            sent: time::OffsetDateTime::now_utc(),
        });
        token
    }

    /// Newest first, optionally only those sent to `email`.
    pub fn messages(&self, email: Option<&str>) -> Vec<OutboxMessage> {
        self.messages
            .iter()
            .rev()
            .filter(|m| email.is_none_or(|e| m.to.eq_ignore_ascii_case(e.trim())))
            .cloned()
            .collect()
    }

    pub fn peek(&self, token: &str, now: Instant) -> Option<UserId> {
        self.tokens
            .get(token)
            .filter(|t| now.duration_since(t.issued) <= RESET_TOKEN_LIFETIME)
            .map(|t| t.user)
    }

    /// Single use: the token is gone whether or not the caller goes on to succeed.
    pub fn redeem(&mut self, token: &str, now: Instant) -> Option<UserId> {
        let user = self.peek(token, now);
        self.tokens.remove(token);
        user
    }
}
