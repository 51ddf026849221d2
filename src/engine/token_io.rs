//! Reading a persona's session token out of its browser and writing one into it.

use super::context::FlowCtx;
use super::step_error::StepResult;
use super::token::{self, Placement, Token, TokenPart};
use crate::redact::Kind;
use crate::scenario::TokenLocation;

impl FlowCtx {
    /// The persona's current token, registered for redaction.
    pub async fn read_token(&mut self, persona: &str) -> StepResult<Token> {
        let session = self.session(persona).await?;
        // URL and header tokens are read out of the traffic so far (requests not drained yet count).
        if matches!(
            self.profile.token,
            TokenLocation::UrlParam(_) | TokenLocation::Header(_)
        ) {
            self.observe(persona).await;
        }
        let p = &self.personas[persona];
        let t = token::read(&*session, &self.profile.token, &p.history, &p.net).await?;
        for v in t.values() {
            self.run.redactor.register(Kind::Token, v);
            self.tokens_seen.insert(v.to_string());
        }
        Ok(t)
    }

    pub(super) async fn put_token(&mut self, persona: &str, t: &Token) -> StepResult<()> {
        let session = self.session(persona).await?;
        // The cookie's scope comes from the Set-Cookie headers seen so far.
        if matches!(self.profile.token, TokenLocation::Cookie(_)) {
            self.observe_all().await;
        }
        let base = self.base_url.clone();
        // The app scopes its cookie the same for every visitor: the newest Set-Cookie any persona saw.
        let app_cookie = match &self.profile.token {
            TokenLocation::Cookie(names) => {
                let mine = self.personas.get(persona).map(|p| p.net.as_slice());
                let others = self.personas.values().map(|p| p.net.as_slice());
                mine.into_iter()
                    .chain(others)
                    .find_map(|net| token::app_cookie(net, names))
            }
            _ => None,
        };
        let place = Placement {
            base_url: &base,
            scope: &self.profile.cookie_scope,
            app_cookie,
        };
        let url_token = token::write(&*session, &self.profile.token, t, &place).await?;
        if url_token.is_some() {
            self.persona_mut(persona).url_token = url_token;
        }
        Ok(())
    }

    pub fn fingerprints(&self, t: &Token) -> String {
        let fps: Vec<String> = t
            .values()
            .map(|v| crate::redact::fingerprint(Kind::Token, v))
            .collect();
        fps.join("+")
    }
}

/// A chosen id, shaped like the profile's token (first cookie name, storage key, ...).
pub(super) fn chosen_token(location: &TokenLocation, value: String) -> Token {
    let name = match location {
        TokenLocation::Cookie(names) => names.first().cloned().unwrap_or_default(),
        TokenLocation::LocalStorage(k)
        | TokenLocation::SessionStorage(k)
        | TokenLocation::UrlParam(k)
        | TokenLocation::Header(k)
        | TokenLocation::AppFile { key: k, .. } => k.clone(),
        TokenLocation::Auto => String::new(),
    };
    Token {
        parts: vec![TokenPart {
            name,
            value,
            cookie: None,
        }],
    }
}
