//! The built-in scenarios, embedded in the binary (the files under `src/suite/scenarios/` are the source).

/// One built-in scenario: its name and its YAML text, as `usher generate` writes it.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinScenario {
    pub name: &'static str,
    pub text: &'static str,
}

impl BuiltinScenario {
    /// The scenario's tags, read from its `tags:` line (for `--only`/`--skip`).
    pub fn tags(&self) -> Vec<&'static str> {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix("tags: ["))
            .map(|rest| {
                rest.trim_end_matches(']')
                    .split(',')
                    .map(str::trim)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether it judges a bearer token through the profile's token API (`requires: [token_api]`):
    /// the JWT scenarios, which the cookie app's demo rows leave out.
    pub fn needs_token_api(&self) -> bool {
        self.text
            .lines()
            .any(|l| l.starts_with("requires: [") && l.contains("token_api"))
    }

    fn matches(&self, pattern: &str) -> bool {
        self.name == pattern || self.tags().contains(&pattern)
    }
}

/// In the catalogue's order.
pub const BUILTIN: &[BuiltinScenario] = &[
    BuiltinScenario {
        name: "fixation-token-rotates",
        text: include_str!("scenarios/fixation-token-rotates.yaml"),
    },
    BuiltinScenario {
        name: "fixation-planted-valid-id",
        text: include_str!("scenarios/fixation-planted-valid-id.yaml"),
    },
    BuiltinScenario {
        name: "fixation-planted-chosen-id",
        text: include_str!("scenarios/fixation-planted-chosen-id.yaml"),
    },
    BuiltinScenario {
        name: "logout-invalidates-token",
        text: include_str!("scenarios/logout-invalidates-token.yaml"),
    },
    BuiltinScenario {
        name: "logout-back-button",
        text: include_str!("scenarios/logout-back-button.yaml"),
    },
    BuiltinScenario {
        name: "password-change-ends-sessions",
        text: include_str!("scenarios/password-change-ends-sessions.yaml"),
    },
    BuiltinScenario {
        name: "password-reset-ends-sessions",
        text: include_str!("scenarios/password-reset-ends-sessions.yaml"),
    },
    BuiltinScenario {
        name: "idle-timeout",
        text: include_str!("scenarios/idle-timeout.yaml"),
    },
    BuiltinScenario {
        name: "absolute-timeout",
        text: include_str!("scenarios/absolute-timeout.yaml"),
    },
    BuiltinScenario {
        name: "checkout-step-timer",
        text: include_str!("scenarios/checkout-step-timer.yaml"),
    },
    BuiltinScenario {
        name: "concurrent-sessions",
        text: include_str!("scenarios/concurrent-sessions.yaml"),
    },
    BuiltinScenario {
        name: "token-not-in-url",
        text: include_str!("scenarios/token-not-in-url.yaml"),
    },
    BuiltinScenario {
        name: "token-not-in-referer",
        text: include_str!("scenarios/token-not-in-referer.yaml"),
    },
    BuiltinScenario {
        name: "cookie-attributes",
        text: include_str!("scenarios/cookie-attributes.yaml"),
    },
    BuiltinScenario {
        name: "token-not-in-client-storage",
        text: include_str!("scenarios/token-not-in-client-storage.yaml"),
    },
    BuiltinScenario {
        name: "token-predictability",
        text: include_str!("scenarios/token-predictability.yaml"),
    },
    BuiltinScenario {
        name: "client-binding",
        text: include_str!("scenarios/client-binding.yaml"),
    },
    BuiltinScenario {
        name: "authenticated-pages-not-cacheable",
        text: include_str!("scenarios/authenticated-pages-not-cacheable.yaml"),
    },
    BuiltinScenario {
        name: "jwt-signature-verified",
        text: include_str!("scenarios/jwt-signature-verified.yaml"),
    },
    BuiltinScenario {
        name: "jwt-alg-none",
        text: include_str!("scenarios/jwt-alg-none.yaml"),
    },
    BuiltinScenario {
        name: "jwt-weak-secret",
        text: include_str!("scenarios/jwt-weak-secret.yaml"),
    },
    BuiltinScenario {
        name: "jwt-key-confusion",
        text: include_str!("scenarios/jwt-key-confusion.yaml"),
    },
    BuiltinScenario {
        name: "jwt-header-keys",
        text: include_str!("scenarios/jwt-header-keys.yaml"),
    },
    BuiltinScenario {
        name: "jwt-lifetime",
        text: include_str!("scenarios/jwt-lifetime.yaml"),
    },
    BuiltinScenario {
        name: "jwt-logout-revokes",
        text: include_str!("scenarios/jwt-logout-revokes.yaml"),
    },
    BuiltinScenario {
        name: "jwt-password-change-revokes",
        text: include_str!("scenarios/jwt-password-change-revokes.yaml"),
    },
    BuiltinScenario {
        name: "jwt-refresh-rotates",
        text: include_str!("scenarios/jwt-refresh-rotates.yaml"),
    },
    BuiltinScenario {
        name: "jwt-refresh-reuse-detected",
        text: include_str!("scenarios/jwt-refresh-reuse-detected.yaml"),
    },
    BuiltinScenario {
        name: "jwt-payload-hygiene",
        text: include_str!("scenarios/jwt-payload-hygiene.yaml"),
    },
];

/// The scenarios `--only` and `--skip` leave (each a name or a tag); unknown words are an error that
/// lists the valid names.
pub fn select(only: &[String], skip: &[String]) -> Result<Vec<BuiltinScenario>, String> {
    for word in only.iter().chain(skip) {
        if !BUILTIN.iter().any(|b| b.matches(word)) {
            let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
            let hint = crate::scenario::suggest::did_you_mean(word, names.iter().copied());
            return Err(format!(
                "no built-in scenario or tag `{word}`{hint}; scenarios: {}",
                names.join(", ")
            ));
        }
    }
    Ok(BUILTIN
        .iter()
        .filter(|b| only.is_empty() || only.iter().any(|w| b.matches(w)))
        .filter(|b| !skip.iter().any(|w| b.matches(w)))
        .copied()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_match_their_files() {
        for b in BUILTIN {
            assert!(
                b.text.contains(&format!("scenario: {}\n", b.name)),
                "{}",
                b.name
            );
        }
        let mut names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
        names.dedup();
        assert_eq!(names.len(), BUILTIN.len());
    }

    #[test]
    fn only_and_skip_by_name_or_tag() {
        let fixation = select(&["fixation".into()], &[]).unwrap();
        assert_eq!(fixation.len(), 3);
        let jwt = select(&["jwt".into()], &[]).unwrap();
        assert!(jwt.len() >= 10 && jwt.iter().all(|b| b.needs_token_api()));
        assert_eq!(
            BUILTIN.iter().filter(|b| b.needs_token_api()).count(),
            jwt.len()
        );
        let rest = select(&[], &["fixation".into(), "idle-timeout".into()]).unwrap();
        assert_eq!(rest.len(), BUILTIN.len() - 4);
        assert!(
            select(&["fixaton".into()], &[])
                .unwrap_err()
                .contains("did you mean")
        );
    }
}
