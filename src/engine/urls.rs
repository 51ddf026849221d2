//! A step's URL: its target under the base URL, carrying the persona's URL token on the app's
//! own origin.

use super::context::FlowCtx;
use super::step_error::{InputError, StepResult};
use super::token;

impl FlowCtx {
    pub fn url_of(&self, persona: &str, target: &str) -> StepResult<String> {
        let base = url::Url::parse(&self.base_url).map_err(|error| InputError::BadUrl {
            url: self.base_url.clone(),
            base: true,
            error,
        })?;
        let mut url =
            super::url_join::resolve(&base, target).map_err(|error| InputError::BadUrl {
                url: target.to_string(),
                base: false,
                error,
            })?;
        if let Some((param, value)) = self.personas.get(persona).and_then(|p| p.url_token.clone())
            && token::same_origin(url.as_str(), &self.base_url)
        {
            url.query_pairs_mut().append_pair(&param, &value);
        }
        Ok(url.to_string())
    }
}
