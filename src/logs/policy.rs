//! The policy the log is judged against: the suite's policy (`idle_timeout`, `absolute_timeout`,
//! `max_sessions`, presets; same defaults and meaning as `usher run --policy`), plus the keys only
//! log analysis has.

use crate::duration::{format_duration, parse_duration};
use crate::scenario::policy::{Policy, Preset};
use schemars::JsonSchema;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogPolicy {
    /// The suite's policy; logs use its idle and absolute timeouts and its session cap.
    #[serde(skip)]
    #[schemars(skip)]
    pub base: Policy,
    /// A session seen from more agents (browser family + platform) than this is flagged.
    pub max_agents: usize,
    /// Uses of one session from different /16 networks within this window are flagged.
    #[serde(with = "secs")]
    #[schemars(with = "f64")]
    pub network_window: Duration,
    /// Logins for this many accounts (or sessions) from one /24 within `login_burst_window` are a burst.
    pub login_burst: usize,
    #[serde(with = "secs")]
    #[schemars(with = "f64")]
    pub login_burst_window: Duration,
    /// Slack for clocks and second-granular timestamps before an idle gap or lifetime counts.
    #[serde(with = "secs")]
    #[schemars(with = "f64")]
    pub slack: Duration,
    /// With `--geoip`: two uses of one session farther apart than this speed allows (km/h) …
    pub travel_speed: f64,
    /// … and farther apart than this (km: city-level GeoIP places an address within tens of km).
    pub travel_min_km: f64,
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

impl Default for LogPolicy {
    fn default() -> Self {
        LogPolicy {
            base: Policy::preset(Preset::Seed),
            max_agents: 1,
            network_window: Duration::from_secs(3600),
            login_burst: 20,
            login_burst_window: Duration::from_secs(60),
            slack: Duration::from_secs(1),
            // An airliner's cruising speed: faster than that, no one travelled.
            travel_speed: 1000.0,
            travel_min_km: 200.0,
        }
    }
}

pub const LOG_KEYS: [&str; 7] = [
    "max_agents",
    "network_window",
    "login_burst",
    "login_burst_window",
    "slack",
    "travel_speed",
    "travel_min_km",
];

impl LogPolicy {
    /// `key=value`, as `--policy` gives it.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), String> {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--policy {pair}: write KEY=VALUE"))?;
        let (key, value) = (key.trim(), value.trim());
        let dur = |v: &str| parse_duration(v).map_err(|e| format!("--policy {key}: {e}"));
        let num = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("--policy {key}: `{v}` is not a whole number"))
        };
        match key {
            "max_agents" => self.max_agents = num(value)?.max(1),
            "network_window" => self.network_window = dur(value)?,
            "login_burst" => self.login_burst = num(value)?.max(2),
            "login_burst_window" => self.login_burst_window = dur(value)?,
            "slack" => self.slack = dur(value)?,
            "travel_speed" | "travel_min_km" => {
                let v = value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .ok_or_else(|| format!("--policy {key}: `{value}` is not a positive number"))?;
                if key == "travel_speed" {
                    self.travel_speed = v;
                } else {
                    self.travel_min_km = v;
                }
            }
            _ => self.base.set(key, value).map_err(|e| {
                format!(
                    "--policy {pair}: {e} (log analysis also takes: {})",
                    LOG_KEYS.join(", ")
                )
            })?,
        }
        Ok(())
    }

    pub fn idle_limit(&self) -> i64 {
        (self.base.idle_timeout + self.slack).as_secs() as i64
    }

    pub fn lifetime_limit(&self) -> i64 {
        (self.base.absolute_timeout + self.slack).as_secs() as i64
    }

    /// One line for reports.
    pub fn line(&self) -> String {
        format!(
            "idle_timeout={} absolute_timeout={} max_sessions={} max_agents={} network_window={} login_burst={} login_burst_window={}",
            format_duration(self.base.idle_timeout),
            format_duration(self.base.absolute_timeout),
            self.base.max_sessions,
            self.max_agents,
            format_duration(self.network_window),
            self.login_burst,
            format_duration(self.login_burst_window),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_keys_and_log_keys() {
        let mut p = LogPolicy::default();
        assert_eq!(p.base.idle_timeout, Duration::from_secs(900));
        p.set_pair("idle_timeout=8s").unwrap();
        p.set_pair("max_agents=2").unwrap();
        assert_eq!(p.max_agents, 2);
        assert!(p.set_pair("nope=1").is_err());
        assert!(p.set_pair("idle_timeout").is_err());
        p.set_pair("preset=asvs-l1").unwrap();
        assert_eq!(p.base.idle_timeout, Duration::from_secs(1800));
    }
}
