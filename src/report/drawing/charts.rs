//! Measured values as pictures, beside their text: the idle-timeout bracket and the absolute lifetime
//! on a time axis against the policy's line, the concurrent-session probes in login order, and the
//! token sample's entropy per character position.

use super::{Scale, Tick, WIDTH, r1, seconds};
use crate::record::CheckOutcome;
use crate::record::measured::Measure;
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
    let num = |k: Measure| m.get(k.key()).and_then(Value::as_f64);
    let policy = num(Measure::PolicyS);
    if m.contains_key(Measure::IdleTimeoutUpperS.key()) {
        let lower = num(Measure::IdleTimeoutLowerS).unwrap_or(0.0);
        return Some(timeline(
            lower,
            num(Measure::IdleTimeoutUpperS),
            policy?,
            "idle timeout",
        ));
    }
    if m.contains_key(Measure::EndedAfterS.key()) {
        let ended = num(Measure::EndedAfterS);
        let alive = ended.or_else(|| num(Measure::AliveAfterS)).unwrap_or(0.0);
        return Some(timeline(alive, ended, policy?, "absolute lifetime"));
    }
    if let Some(alive) = m.get(Measure::LoginsAlive.key()).and_then(Value::as_array) {
        return probes(
            alive,
            m.get(Measure::PolicyCap.key()).and_then(Value::as_u64)?,
        );
    }
    m.get(Measure::Analysis.key()).and_then(positions)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Verdict;

    fn outcome(measured: Value) -> CheckOutcome {
        CheckOutcome {
            check: "c".into(),
            persona: "victim".into(),
            verdict: Verdict::Pass,
            message: String::new(),
            evidence: vec![],
            measured: serde_json::from_value(measured).unwrap(),
            origin: String::new(),
        }
    }

    #[test]
    fn a_session_that_outlived_the_wait_runs_off_the_axis() {
        let Some(Chart::Timeline {
            open, class, x2, ..
        }) = chart(&outcome(serde_json::json!({
            "ended_after_s": null, "alive_after_s": 12.0, "policy_s": 10.0
        })))
        else {
            panic!("a timeline")
        };
        assert!(open);
        assert_eq!(class, "fail");
        assert_eq!(x2, RIGHT);
        // Without the time it was seen alive, nothing is known against the policy: not a PASS colour.
        let Some(Chart::Timeline { class, .. }) = chart(&outcome(
            serde_json::json!({"ended_after_s": null, "policy_s": 10.0}),
        )) else {
            panic!("a timeline")
        };
        assert_eq!(class, "error");
    }

    #[test]
    fn an_idle_timeout_inside_the_policy_is_drawn_left_of_its_line() {
        let Some(Chart::Timeline {
            x1,
            x2,
            policy_x,
            class,
            ..
        }) = chart(&outcome(serde_json::json!({
            "idle_timeout_lower_s": 4.0, "idle_timeout_upper_s": 6.0, "policy_s": 8.0
        })))
        else {
            panic!("a timeline")
        };
        assert!(x1 < x2 && x2 <= policy_x, "{x1} {x2} {policy_x}");
        assert_eq!(class, "pass");
    }

    #[test]
    fn positions_that_are_not_uniform_stand_out() {
        let analysis = serde_json::json!({"char_level": {"alphabet_size": 16, "per_position": [
            {"shannon_bits": 4.0, "uniform": true},
            {"shannon_bits": 1.0, "uniform": false},
        ]}});
        let Some(Chart::Positions { bars, summary, .. }) =
            chart(&outcome(serde_json::json!({ "analysis": analysis })))
        else {
            panic!("positions")
        };
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].class, "pass");
        assert_eq!(bars[1].class, "fail");
        assert!(bars[0].h > bars[1].h * 3.9);
        assert!(summary.contains("1 not uniform"), "{summary}");
    }

    #[test]
    fn checks_without_measured_values_have_no_chart() {
        assert!(chart(&outcome(serde_json::json!({"logged_in": true}))).is_none());
    }
}
