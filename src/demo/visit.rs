//! Who a request is (`Visit`, resolved once per request by session_layer.rs) and what a handler did
//! to its session (`SessionChange`, which the same middleware turns into Set-Cookie).

use axum::response::{IntoResponse, Response};

use super::accounts::UserId;

/// The query parameter that carries the token under the token-in-url flaw.
pub const SID_PARAM: &str = "sid";
/// The header that carries the token under the token-in-storage flaw.
pub const TOKEN_HEADER: &str = "x-session-token";

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
}

/// The resolved session of one request, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Visit {
    /// None only where no anonymous session is started (the JSON API).
    pub session_id: Option<String>,
    pub user: Option<CurrentUser>,
    /// The first token the client offered, live or not; the fixation flaw adopts it at login.
    pub presented: Option<String>,
    pub user_agent: String,
    /// Set when links must carry the token (token-in-url flaw, logged in).
    pub(super) link_token: Option<String>,
    /// The path the site is mounted under ("" at the root).
    pub(super) mount: &'static str,
    pub(super) issued: bool,
}

impl Visit {
    /// A local link, carrying `?sid=` only under the token-in-url flaw.
    pub fn href(&self, path: &str) -> String {
        with_token(&self.url(path), self.link_token.as_deref())
    }

    /// A site path as the browser sees it (under the mount), never carrying the token.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.mount)
    }

    pub fn is_logged_in(&self) -> bool {
        self.user.is_some()
    }

    /// The same visit after its session moved to `id` (password change), for rendering links.
    pub fn with_session(&self, id: &str) -> Visit {
        let mut moved = self.clone();
        moved.session_id = Some(id.to_string());
        if moved.link_token.is_some() {
            moved.link_token = Some(id.to_string());
        }
        moved
    }
}

pub fn with_token(path: &str, token: Option<&str>) -> String {
    match token {
        Some(t) => {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}{SID_PARAM}={t}")
        }
        None => path.to_string(),
    }
}

/// What a handler did to the session; the middleware turns it into Set-Cookie.
#[derive(Debug, Clone)]
pub enum SessionChange {
    /// A user logged in (or changed password) and now holds this id.
    Authenticated(String),
    /// Logged out: the browser's cookie is cleared.
    Ended,
}

/// Attaches a session change to a response.
pub fn with_change(change: SessionChange, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(change);
    response
}
