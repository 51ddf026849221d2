//! What an access token says. The identity is `sub` (the account id); `email` and `name` are for the
//! page, and the two sensitive claims exist only under `jwt-sensitive-claims`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// "Alice" for alice@ticketbooth.test: the display name the API and the page show.
pub fn display_name(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    let mut chars = local.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A fictitious phone number per account (555-01xx is reserved for fiction): the personal data the
/// `jwt-sensitive-claims` token leaks.
pub fn demo_phone(user: u64) -> String {
    format!("+1-202-555-01{:02}", user % 100)
}
