//! `${NAME}` expansion in a step's text: saved values, persona fields, inputs, profile vars,
//! the environment; secrets among them are registered for redaction.

use super::context::FlowCtx;
use super::step_error::{InputError, StepResult};
use crate::redact::Kind;
use crate::scenario::vars;

impl FlowCtx {
    /// Looks up `${NAME}` for a step performed by `persona`.
    pub fn lookup(&self, persona: &str, name: &str) -> Option<String> {
        if let Some(v) = self.saved.get(name) {
            return Some(v.clone());
        }
        if name == vars::RANDOM {
            return Some(format!("{:032x}", rand::random::<u128>()));
        }
        if let Some(field) = name.strip_prefix("persona.") {
            let real = self.aliases.get(persona).map_or(persona, String::as_str);
            let account = self.profile.account_of(real, &self.leased)?;
            return match field {
                "name" => Some(persona.to_string()),
                "username" => self.expand(&account.username, persona).ok(),
                "password" => self.expand(&account.password, persona).ok(),
                _ => None,
            };
        }
        let inputs = &self.run.inputs;
        inputs
            .vars
            .get(name)
            .or_else(|| inputs.secrets.get(name))
            .or_else(|| self.profile.vars.get(name))
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }

    /// Substitutes variables; values of persona passwords and secrets are registered for redaction.
    pub fn expand(&self, text: &str, persona: &str) -> StepResult<String> {
        let out = vars::substitute(text, |n| {
            let v = self.lookup(persona, n)?;
            if n == "persona.password" || self.run.inputs.secrets.contains_key(n) || looks_secret(n)
            {
                self.run.redactor.register(Kind::Secret, &v);
            }
            Some(v)
        });
        out.map_err(|name| InputError::UndefinedVariable(name).into())
    }
}

/// Variables whose names say they hold a secret are redacted even when they come from the environment.
pub(super) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "PRIVATE",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
}
