//! The policy: the expected behaviour the checks judge against, with presets and per-profile overrides.
//!
//! Sources: `seed` takes the flaw catalogue's numbers (shared/reference: 15 min idle, 8 h absolute, 10 min
//! checkout step, 3 sessions, HttpOnly+Secure+SameSite=Strict, host-only). The `asvs-*` presets are usher's
//! reading of OWASP ASVS 5.0 V7 (session management) and V3.3 (cookies); ASVS leaves timeouts to a risk
//! analysis, so the numbers below are documented defaults that a profile overrides.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    #[default]
    Seed,
    AsvsL1,
    AsvsL2,
    AsvsL3,
}

impl Preset {
    pub const NAMES: [&'static str; 4] = ["seed", "asvs-l1", "asvs-l2", "asvs-l3"];
}

/// What to expect when a user logs in once more than `max_sessions` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AtCap {
    EvictOldest,
    DenyNew,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

impl SameSite {
    /// Strict is stronger than Lax, which is stronger than None.
    pub fn rank(self) -> u8 {
        match self {
            SameSite::Strict => 2,
            SameSite::Lax => 1,
            SameSite::None => 0,
        }
    }

    pub fn parse(text: &str) -> Option<SameSite> {
        match text.to_ascii_lowercase().as_str() {
            "strict" => Some(SameSite::Strict),
            "lax" => Some(SameSite::Lax),
            "none" => Some(SameSite::None),
            _ => None,
        }
    }
}

/// The session cookie the policy expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CookiePolicy {
    pub http_only: bool,
    pub secure: bool,
    /// The weakest SameSite value accepted.
    pub same_site: SameSite,
    pub host_only: bool,
    /// Whether a persistent (Expires/Max-Age) session cookie is acceptable.
    pub allow_persistent: bool,
    /// Require the `__Host-` name prefix.
    pub host_prefix: bool,
}

/// The judged numbers, resolved from a preset plus overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Policy {
    pub preset: Preset,
    /// Longest idle time a session may survive (seconds when serialized).
    #[serde(with = "crate::scenario::policy::secs")]
    #[schemars(with = "f64")]
    pub idle_timeout: Duration,
    /// Longest lifetime of a session however busy (seconds when serialized).
    #[serde(with = "crate::scenario::policy::secs")]
    #[schemars(with = "f64")]
    pub absolute_timeout: Duration,
    /// Longest pause within one checkout step (seconds when serialized).
    #[serde(with = "crate::scenario::policy::secs")]
    #[schemars(with = "f64")]
    pub checkout_timeout: Duration,
    /// 0 means the policy sets no cap.
    pub max_sessions: u32,
    pub at_cap: AtCap,
    pub cookie: CookiePolicy,
    pub min_entropy_bits: u32,
    /// How many tokens the predictability check samples from fresh logins.
    pub token_samples: u32,
    /// Judge client binding (true) or only report it (false, the default).
    pub enforce_client_binding: bool,
}

impl Policy {
    pub fn preset(preset: Preset) -> Policy {
        let strict_cookie = CookiePolicy {
            http_only: true,
            secure: true,
            same_site: SameSite::Strict,
            host_only: true,
            allow_persistent: false,
            host_prefix: false,
        };
        let base = Policy {
            preset,
            idle_timeout: Duration::from_secs(15 * 60),
            absolute_timeout: Duration::from_secs(8 * 3600),
            checkout_timeout: Duration::from_secs(10 * 60),
            max_sessions: 3,
            at_cap: AtCap::EvictOldest,
            cookie: strict_cookie.clone(),
            min_entropy_bits: 128,
            token_samples: 1000,
            enforce_client_binding: false,
        };
        match preset {
            Preset::Seed => base,
            Preset::AsvsL1 => Policy {
                idle_timeout: Duration::from_secs(30 * 60),
                absolute_timeout: Duration::from_secs(12 * 3600),
                max_sessions: 0,
                cookie: CookiePolicy {
                    same_site: SameSite::Lax,
                    host_only: false,
                    ..strict_cookie
                },
                min_entropy_bits: 64,
                ..base
            },
            Preset::AsvsL2 => Policy {
                absolute_timeout: Duration::from_secs(12 * 3600),
                max_sessions: 0,
                cookie: CookiePolicy {
                    same_site: SameSite::Lax,
                    ..strict_cookie
                },
                ..base
            },
            Preset::AsvsL3 => Policy {
                idle_timeout: Duration::from_secs(5 * 60),
                absolute_timeout: Duration::from_secs(4 * 3600),
                cookie: CookiePolicy {
                    host_prefix: true,
                    ..strict_cookie
                },
                enforce_client_binding: true,
                ..base
            },
        }
    }
}

impl Policy {
    /// The keys `--policy KEY=VALUE` accepts.
    pub const KEYS: [&'static str; 15] = [
        "preset",
        "idle_timeout",
        "absolute_timeout",
        "checkout_timeout",
        "max_sessions",
        "at_cap",
        "min_entropy_bits",
        "token_samples",
        "enforce_client_binding",
        "cookie.http_only",
        "cookie.secure",
        "cookie.same_site",
        "cookie.host_only",
        "cookie.allow_persistent",
        "cookie.host_prefix",
    ];

    /// Overrides one value (`--policy idle_timeout=5m`). `preset` resets to the preset first.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let dur = |v: &str| crate::duration::parse_duration(v);
        let num = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| format!("`{v}` is not a whole number"))
        };
        let flag = |v: &str| match v {
            "true" | "yes" | "on" => Ok(true),
            "false" | "no" | "off" => Ok(false),
            _ => Err(format!("`{v}` is not true or false")),
        };
        match key {
            "preset" => {
                let p = match value {
                    "seed" => Preset::Seed,
                    "asvs-l1" => Preset::AsvsL1,
                    "asvs-l2" => Preset::AsvsL2,
                    "asvs-l3" => Preset::AsvsL3,
                    other => {
                        return Err(format!(
                            "unknown preset `{other}`; valid: {}",
                            Preset::NAMES.join(", ")
                        ));
                    }
                };
                *self = Policy::preset(p);
            }
            "idle_timeout" => self.idle_timeout = dur(value)?,
            "absolute_timeout" => self.absolute_timeout = dur(value)?,
            "checkout_timeout" => self.checkout_timeout = dur(value)?,
            "max_sessions" => self.max_sessions = num(value)?,
            "at_cap" => {
                self.at_cap = match value {
                    "evict-oldest" => AtCap::EvictOldest,
                    "deny-new" => AtCap::DenyNew,
                    other => {
                        return Err(format!(
                            "unknown at_cap `{other}`; valid: evict-oldest, deny-new"
                        ));
                    }
                }
            }
            "min_entropy_bits" => self.min_entropy_bits = num(value)?,
            "token_samples" => self.token_samples = num(value)?.clamp(20, 20_000),
            "enforce_client_binding" => self.enforce_client_binding = flag(value)?,
            "cookie.http_only" => self.cookie.http_only = flag(value)?,
            "cookie.secure" => self.cookie.secure = flag(value)?,
            "cookie.host_only" => self.cookie.host_only = flag(value)?,
            "cookie.allow_persistent" => self.cookie.allow_persistent = flag(value)?,
            "cookie.host_prefix" => self.cookie.host_prefix = flag(value)?,
            "cookie.same_site" => {
                self.cookie.same_site = SameSite::parse(value).ok_or_else(|| {
                    format!("unknown SameSite `{value}`; valid: Strict, Lax, None")
                })?
            }
            other => {
                let hint = crate::scenario::suggest::did_you_mean(other, Self::KEYS);
                return Err(format!(
                    "unknown policy key `{other}`{hint}; valid: {}",
                    Self::KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::preset(Preset::Seed)
    }
}

/// The `policy:` block of a profile: a preset and any value overridden.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// seed (the catalogue's numbers, the default), asvs-l1, asvs-l2 or asvs-l3.
    pub preset: Option<Preset>,
    /// e.g. `15m`.
    pub idle_timeout: Option<String>,
    /// e.g. `8h`.
    pub absolute_timeout: Option<String>,
    /// e.g. `10m`.
    pub checkout_timeout: Option<String>,
    /// 0 = no cap expected.
    pub max_sessions: Option<u32>,
    pub at_cap: Option<AtCap>,
    pub min_entropy_bits: Option<u32>,
    /// Tokens sampled by the predictability check (default 1 000, up to 20 000).
    pub token_samples: Option<u32>,
    pub enforce_client_binding: Option<bool>,
    pub cookie: Option<CookiePolicyDoc>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CookiePolicyDoc {
    pub http_only: Option<bool>,
    pub secure: Option<bool>,
    pub same_site: Option<SameSite>,
    pub host_only: Option<bool>,
    pub allow_persistent: Option<bool>,
    pub host_prefix: Option<bool>,
}

impl PolicyDoc {
    /// Applies the overrides to the preset; a bad duration names its field.
    pub fn resolve(&self) -> Result<Policy, (String, String)> {
        let mut p = Policy::preset(self.preset.unwrap_or_default());
        let dur = |field: &str, v: &Option<String>, slot: &mut Duration| {
            if let Some(text) = v {
                *slot =
                    crate::duration::parse_duration(text).map_err(|e| (field.to_string(), e))?;
            }
            Ok::<(), (String, String)>(())
        };
        dur("idle_timeout", &self.idle_timeout, &mut p.idle_timeout)?;
        dur(
            "absolute_timeout",
            &self.absolute_timeout,
            &mut p.absolute_timeout,
        )?;
        dur(
            "checkout_timeout",
            &self.checkout_timeout,
            &mut p.checkout_timeout,
        )?;
        if let Some(n) = self.max_sessions {
            p.max_sessions = n;
        }
        if let Some(a) = self.at_cap {
            p.at_cap = a;
        }
        if let Some(b) = self.min_entropy_bits {
            p.min_entropy_bits = b;
        }
        if let Some(n) = self.token_samples {
            p.token_samples = n.clamp(20, 20_000);
        }
        if let Some(b) = self.enforce_client_binding {
            p.enforce_client_binding = b;
        }
        if let Some(c) = &self.cookie {
            let k = &mut p.cookie;
            k.http_only = c.http_only.unwrap_or(k.http_only);
            k.secure = c.secure.unwrap_or(k.secure);
            k.same_site = c.same_site.unwrap_or(k.same_site);
            k.host_only = c.host_only.unwrap_or(k.host_only);
            k.allow_persistent = c.allow_persistent.unwrap_or(k.allow_persistent);
            k.host_prefix = c.host_prefix.unwrap_or(k.host_prefix);
        }
        Ok(p)
    }
}

pub(crate) mod secs {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_catalogue_numbers() {
        let p = Policy::default();
        assert_eq!(p.idle_timeout, Duration::from_secs(900));
        assert_eq!(p.absolute_timeout, Duration::from_secs(28_800));
        assert_eq!(p.checkout_timeout, Duration::from_secs(600));
        assert_eq!(p.max_sessions, 3);
        assert_eq!(p.cookie.same_site, SameSite::Strict);
    }

    #[test]
    fn overrides_apply_and_bad_durations_name_the_field() {
        let doc = PolicyDoc {
            idle_timeout: Some("3s".into()),
            ..Default::default()
        };
        assert_eq!(doc.resolve().unwrap().idle_timeout, Duration::from_secs(3));
        let bad = PolicyDoc {
            checkout_timeout: Some("ten".into()),
            ..Default::default()
        };
        assert_eq!(bad.resolve().unwrap_err().0, "checkout_timeout");
    }
}
