//! The login and logout a sampler replays, as plain data. Field values hold the password: never
//! printed, and `Debug` shows field names only.

use super::proof::SessionProof;
use url::Url;

/// One login, learned from a browser.
#[derive(Clone)]
pub struct LoginRecipe {
    /// The login page, fetched again per sample for fresh hidden inputs (CSRF nonces).
    pub page: Url,
    /// GET or POST.
    pub method: reqwest::Method,
    pub action: Url,
    pub enctype: String,
    /// Every field the browser's submit sends, in order, the secrets included.
    pub fields: Vec<(String, String)>,
    /// The names of the hidden inputs among them, refreshed from each sample's login page.
    pub hidden: Vec<String>,
    /// The browser's User-Agent: apps that bind sessions to it must see the same one.
    pub user_agent: String,
    /// The session token's cookie names (alternatives: apps rename the cookie with its attributes).
    pub token_cookies: Vec<String>,
    /// How a sample's session is proven authenticated.
    pub proof: SessionProof,
    /// How a sample is logged out, if it can be over HTTP.
    pub logout: Option<LogoutRecipe>,
}

impl std::fmt::Debug for LoginRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("LoginRecipe")
            .field("page", &self.page.path())
            .field("method", &self.method)
            .field("action", &self.action.path())
            .field("fields", &names)
            .field("hidden", &self.hidden)
            .field("token_cookies", &self.token_cookies)
            .field("proof", &self.proof)
            .field("logout", &self.logout)
            .finish()
    }
}

impl LoginRecipe {
    /// What a sample sends, for the report: paths and field names, never values.
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        let hidden = if self.hidden.is_empty() {
            String::new()
        } else {
            format!(" (fresh {} per sample)", self.hidden.join(", "))
        };
        format!(
            "GET {} then {} {} with fields {}{hidden}",
            self.page.path(),
            self.method,
            self.action.path(),
            names.join(", ")
        )
    }
}

/// One logout, learned from the profile's `logout` flow in a browser.
#[derive(Clone)]
pub enum LogoutRecipe {
    /// A link (or a URL the flow opens): GET it.
    Get { url: Url },
    /// A form (a logout button): its hidden inputs (nonces bound to the session) come fresh from the
    /// sample's own page holding it.
    Form {
        page: Url,
        method: reqwest::Method,
        action: Url,
        enctype: String,
        fields: Vec<(String, String)>,
        hidden: Vec<String>,
    },
}

impl std::fmt::Debug for LogoutRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl LogoutRecipe {
    pub fn describe(&self) -> String {
        match self {
            LogoutRecipe::Get { url } => format!("GET {}", url.path()),
            LogoutRecipe::Form {
                page,
                method,
                action,
                ..
            } => format!("{method} {} (the form on {})", action.path(), page.path()),
        }
    }
}
