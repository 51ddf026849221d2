//! Measured values as pictures, beside their text: the idle-timeout bracket and the absolute lifetime
//! on a time axis against the policy's line, the concurrent-session probes in login order, and the
//! token sample's entropy per character position.

use super::{Scale, Tick, WIDTH, r1, seconds};
use crate::engine::events::CheckOutcome;
use serde::Serialize;
use serde_json::Value;

const LEFT: f64 = 8.0;
const RIGHT: f64 = WIDTH - 8.0;

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Where the session ended, on a time axis, against the policy's limit.
    Timeline {
        width: f64,
        height: f64,
        summary: String,
        ticks: Vec<Tick>,
        /// The interval the end lies in: observed alive up to `x1`, gone by `x2`.
        x1: f64,
        x2: f64,
        /// No end was observed: the bar runs off the axis.
        open: bool,
        policy_x: f64,
        policy_label: String,
        class: &'static str,
    },
    /// One circle per login in login order; filled: still logged in at the end.
    Probes {
        width: f64,
        height: f64,
        summary: String,
        probes: Vec<Probe>,
        cap_x: f64,
        cap_label: String,
    },
    /// Per character position, the Shannon entropy observed against the most the alphabet allows.
    Positions {
        width: f64,
        height: f64,
        summary: String,
        bars: Vec<PositionBar>,
        max_y: f64,
        base_y: f64,
        max_label: String,
    },
}

#[derive(Debug, Serialize)]
pub struct Probe {
    pub cx: f64,
    pub alive: bool,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct PositionBar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub class: &'static str,
    pub title: String,
}

/// The picture for a check's measured values, if it has one.
pub fn chart(c: &CheckOutcome) -> Option<Chart> {
    let m = &c.measured;
    let num = |k: &str| m.get(k).and_then(Value::as_f64);
    let policy = num("policy_s");
    if m.contains_key("idle_timeout_upper_s") {
        let lower = num("idle_timeout_lower_s").unwrap_or(0.0);
        return Some(timeline(
            lower,
            num("idle_timeout_upper_s"),
            policy?,
            "idle timeout",
        ));
    }
    if m.contains_key("ended_after_s") {
        let ended = num("ended_after_s");
        return Some(timeline(
            ended.unwrap_or(0.0),
            ended,
            policy?,
            "absolute lifetime",
        ));
    }
    if let Some(alive) = m.get("logins_alive").and_then(Value::as_array) {
        return probes(alive, m.get("policy_cap").and_then(Value::as_u64)?);
    }
    m.get("analysis").and_then(positions)
}

fn timeline(lower: f64, upper: Option<f64>, policy: f64, what: &str) -> Chart {
    let far = upper.unwrap_or(lower).max(policy).max(1.0) * 1.15;
    let scale = Scale::new(far, LEFT, RIGHT);
    let (summary, class) = match upper {
        Some(u) if u > lower => (
            format!(
                "The {what} ended between {} and {}; the policy allows {}.",
                seconds(lower),
                seconds(u),
                seconds(policy)
            ),
            if u <= policy { "pass" } else { "fail" },
        ),
        Some(u) => (
            format!(
                "The {what} ended after {}; the policy allows {}.",
                seconds(u),
                seconds(policy)
            ),
            if u <= policy { "pass" } else { "fail" },
        ),
        None => (
            format!(
                "The session was still alive after {}; the policy allows {}.",
                seconds(lower),
                seconds(policy)
            ),
            if lower > policy { "fail" } else { "error" },
        ),
    };
    let x1 = scale.x(lower);
    Chart::Timeline {
        width: super::WIDTH,
        height: 46.0,
        summary,
        ticks: scale.ticks(),
        x1,
        x2: upper.map_or(RIGHT, |u| scale.x(u).max(x1 + 2.0)),
        open: upper.is_none(),
        policy_x: scale.x(policy),
        policy_label: format!("policy {}", seconds(policy)),
        class,
    }
}

fn probes(alive: &[Value], cap: u64) -> Option<Chart> {
    let alive: Vec<bool> = alive.iter().map(|v| v.as_bool()).collect::<Option<_>>()?;
    if alive.is_empty() {
        return None;
    }
    let step = 28.0;
    let cx = |i: usize| r1(LEFT + 14.0 + i as f64 * step);
    let n = alive.iter().filter(|a| **a).count();
    Some(Chart::Probes {
        width: r1((cx(alive.len()) + 60.0).min(WIDTH)),
        height: 40.0,
        summary: format!(
            "{} logins of one account in order: {n} still logged in at the end (policy cap {cap}).",
            alive.len()
        ),
        probes: alive
            .iter()
            .enumerate()
            .map(|(i, a)| Probe {
                cx: cx(i),
                alive: *a,
                title: format!(
                    "login {}: {}",
                    i + 1,
                    if *a { "still logged in" } else { "logged out" }
                ),
            })
            .collect(),
        cap_x: r1(cx(cap as usize) - step / 2.0),
        cap_label: format!("cap {cap}"),
    })
}

fn positions(analysis: &Value) -> Option<Chart> {
    let cl = analysis.get("char_level")?;
    let alphabet = cl.get("alphabet_size")?.as_f64()?;
    let per = cl.get("per_position")?.as_array()?;
    if per.is_empty() || alphabet < 2.0 {
        return None;
    }
    let most = alphabet.log2();
    let (top, base) = (14.0, 64.0);
    let w = ((RIGHT - LEFT) / per.len() as f64).min(24.0);
    let bars: Vec<PositionBar> = per
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let bits = p.get("shannon_bits")?.as_f64()?;
            let uniform = p.get("uniform").and_then(Value::as_bool).unwrap_or(true);
            let h = r1((bits / most).clamp(0.0, 1.0) * (base - top));
            Some(PositionBar {
                x: r1(LEFT + i as f64 * w),
                y: r1(base - h),
                w: r1((w - 1.0).max(0.5)),
                h,
                class: if uniform { "pass" } else { "fail" },
                title: format!(
                    "position {}: {bits:.2} of {most:.2} bits{}",
                    i + 1,
                    if uniform { "" } else { ", not uniform" }
                ),
            })
        })
        .collect();
    let skewed = bars.iter().filter(|b| b.class == "fail").count();
    Some(Chart::Positions {
        width: super::WIDTH,
        height: base + 14.0,
        summary: format!(
            "Entropy per character position over {} positions (at most {most:.2} bits each); {skewed} not uniform.",
            bars.len()
        ),
        bars,
        max_y: top,
        base_y: base,
        max_label: format!("{most:.2} bits"),
    })
}
