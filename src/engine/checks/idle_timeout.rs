//! `idle_timeout_at_most`: measures, rather than waits once. Probes log in together and stay idle for
//! staggered durations in parallel (no request reaches the target meanwhile); each is then asked the
//! oracle. The longest wait still logged in and the shortest wait logged out bracket the real timeout,
//! which is judged against the policy. Wall time is the longest wait, not the sum.
//!
//! A **control** session logs in with them and is kept busy (the oracle every fifth of the limit):
//! an app with an absolute lifetime shorter than the longest wait ends every session, busy or idle, and
//! without the control those deaths would read as an idle timeout. A probe found logged out counts
//! as idle-ended only while the control still lives.

use super::Outcome;
use super::probes::{fmt, log_in_named, margin};
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::Policy;
use std::time::Duration;
use tokio::time::Instant;

/// The idle probes' waits, and whether a busy control session runs beside them. Probes and control
/// must fit the policy's session cap (0: none), or they would evict one another.
pub fn plan(policy: &Policy) -> (Vec<Duration>, bool) {
    let limit = policy.idle_timeout;
    let m = margin(limit);
    let mut waits = vec![
        limit.saturating_sub(m).max(Duration::from_millis(500)),
        limit + m,
    ];
    let cap = policy.max_sessions as usize;
    if cap == 0 || cap >= 4 {
        waits.insert(0, limit / 2);
    }
    (waits, cap == 0 || cap >= 3)
}

/// The check's whole wait: its longest idle probe.
pub fn longest_wait(policy: &Policy) -> Duration {
    plan(policy).0.into_iter().max().unwrap_or_default()
}

/// One idle probe's answer. `control_alive`: whether the control was still logged in when asked right
/// after it (`None`: no control ran).
#[derive(Debug, Clone, Copy)]
pub struct ProbeAnswer {
    pub wait: Duration,
    pub logged_in: bool,
    pub control_alive: Option<bool>,
}

/// The control's life: logged in at least `alive_for` after all logins finished; if it ended, logged
/// out at most `dead_by` after the logins began.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlLife {
    pub alive_for: Duration,
    pub dead_by: Option<Duration>,
    pub touches: usize,
}

struct Control {
    name: String,
    life: ControlLife,
    next_touch: Instant,
}

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let limit = ctx.profile.policy.idle_timeout;
    let (waits, with_control) = plan(&ctx.profile.policy);
    // Often enough that the control's end is timed well, not only that it never idles.
    let every = (limit / 5).clamp(Duration::from_millis(500), Duration::from_secs(60));
    let mut names: Vec<String> = (1..=waits.len())
        .map(|i| format!("{persona}-idle{i}"))
        .collect();
    if with_control {
        names.push(format!("{persona}-busy"));
    }
    // Browsers first: the control's lifetime is bounded from when the logins began, not the browsers.
    for name in &names {
        ctx.aliases.insert(name.clone(), persona.to_string());
        if let Err(e) = ctx.session(name).await {
            return Outcome::from_step_error("idle_timeout_at_most", e);
        }
    }
    let logins_began = Instant::now();
    if let Err(e) = log_in_named(ctx, persona, &names).await {
        return Outcome::from_step_error("idle_timeout_at_most", e);
    }
    let logged_in_by = Instant::now();
    let mut control = with_control.then(|| Control {
        name: names.pop().expect("the control was named"),
        life: ControlLife::default(),
        next_touch: Instant::now(),
    });
    // Each probe's idle time starts at its own last request: touch them one by one and wait from there
    // (parallel logins finish at different moments).
    let mut deadlines = Vec::new();
    for (probe, wait) in names.iter().zip(&waits) {
        match ctx.oracle(probe).await {
            Ok(a) if a.logged_in => {
                ctx.mark_as(
                    probe,
                    format!("left idle for {}", humantime::format_duration(*wait)),
                    crate::record::Mark::Idle {
                        seconds: wait.as_secs_f64(),
                    },
                );
                deadlines.push((Instant::now() + *wait, probe.clone(), *wait))
            }
            Ok(_) => {
                return Outcome::error(format!("{probe} was logged out right after logging in"));
            }
            Err(e) => return Outcome::from_step_error("idle_timeout_at_most", e),
        }
    }
    if let Some(c) = &mut control {
        if let Err(e) = touch(ctx, c, every, logins_began, logged_in_by).await {
            return Outcome::from_step_error("idle_timeout_at_most", e);
        }
        if c.life.dead_by.is_some() {
            return Outcome::error(format!("{} was logged out right after logging in", c.name));
        }
    }
    deadlines.sort_by_key(|d| d.0);
    let mut answers: Vec<ProbeAnswer> = Vec::new();
    for (deadline, probe, wait) in &deadlines {
        // Sleep to the deadline, keeping the control busy on the way.
        loop {
            let next = match &control {
                Some(c) if c.life.dead_by.is_none() => c.next_touch.min(*deadline),
                _ => *deadline,
            };
            if let Err(e) = ctx.sleep_until(next).await {
                return Outcome::from_step_error("idle_timeout_at_most", e);
            }
            if Instant::now() >= *deadline {
                break;
            }
            if let Some(c) = &mut control
                && let Err(e) = touch(ctx, c, every, logins_began, logged_in_by).await
            {
                return Outcome::from_step_error("idle_timeout_at_most", e);
            }
        }
        // Only this probe touches the target now; the others keep waiting untouched.
        let logged_in = match ctx.oracle(probe).await {
            Ok(a) => a.logged_in,
            Err(e) => return Outcome::from_step_error("idle_timeout_at_most", e),
        };
        // Asked right after: this probe's death is an idle timeout only if the control outlived it.
        let control_alive = match &mut control {
            Some(c) if c.life.dead_by.is_none() => {
                if let Err(e) = touch(ctx, c, every, logins_began, logged_in_by).await {
                    return Outcome::from_step_error("idle_timeout_at_most", e);
                }
                Some(c.life.dead_by.is_none())
            }
            Some(_) => Some(false),
            None => None,
        };
        answers.push(ProbeAnswer {
            wait: *wait,
            logged_in,
            control_alive,
        });
    }
    judge(limit, &answers, control.map(|c| c.life), every)
}

/// Asks the control the oracle (activity that keeps it from idling) and notes whether it lives.
async fn touch(
    ctx: &mut FlowCtx,
    c: &mut Control,
    every: Duration,
    logins_began: Instant,
    logged_in_by: Instant,
) -> crate::engine::step_error::StepResult<()> {
    let a = ctx.oracle(&c.name).await?;
    c.life.touches += 1;
    if a.logged_in {
        c.life.alive_for = logged_in_by.elapsed();
        c.next_touch = Instant::now() + every;
    } else {
        c.life.dead_by = Some(logins_began.elapsed());
    }
    Ok(())
}

/// The verdict from the probes' answers and the control's life. An alive probe is always evidence (a
/// session did survive that idle time); a dead one only while the control lived.
pub fn judge(
    limit: Duration,
    answers: &[ProbeAnswer],
    control: Option<ControlLife>,
    every: Duration,
) -> Outcome {
    let lower = answers.iter().filter(|a| a.logged_in).map(|a| a.wait).max();
    let upper = answers
        .iter()
        .filter(|a| !a.logged_in && a.control_alive != Some(false))
        .map(|a| a.wait)
        .min();
    if let (Some(l), Some(u)) = (lower, upper)
        && l > u
    {
        return Outcome::error(format!(
            "inconsistent answers: logged in after {} but logged out after {}; something else ends sessions",
            fmt(l),
            fmt(u)
        ));
    }
    let ended = control.and_then(|c| c.dead_by.map(|d| (c.alive_for, d)));
    let lifetime = ended.map(|(a, d)| {
        format!(
            "a control session kept busy (the oracle every {}) ended too, after between {} and {}: \
             an absolute lifetime (or something else ending sessions), not an idle timeout",
            fmt(every),
            fmt(a),
            fmt(d)
        )
    });
    let o = match (lower, upper, ended) {
        (Some(l), _, _) if l > limit => Outcome::fail(format!(
            "{}: still logged in after {} idle, policy allows {}",
            bracket(lower, upper),
            fmt(l),
            fmt(limit)
        )),
        (_, Some(_), _) | (_, _, None) => {
            let also = lifetime
                .as_deref()
                .map(|t| format!("; {t}"))
                .unwrap_or_default();
            Outcome::pass(format!(
                "{}; policy allows {}{also}",
                bracket(lower, upper),
                fmt(limit)
            ))
        }
        // Every idle death came after the control's: no idle timeout was measured.
        (_, None, Some((_, dead_by))) if dead_by <= limit => Outcome::pass(format!(
            "no idle timeout measured: {}; no session lives longer than {}, so none stays idle longer \
             than the {} the policy allows",
            lifetime.as_deref().unwrap_or_default(),
            fmt(dead_by),
            fmt(limit)
        )),
        (_, None, Some(_)) => Outcome::error(format!(
            "no idle timeout measured: {}, so the idle probes' ends say nothing about an idle timeout{}; \
             sessions may live longer than the {} idle the policy allows, so it cannot be judged: run it \
             with a shorter --policy idle_timeout, or against a configuration whose lifetime is longer \
             than the idle timeout plus a tenth",
            lifetime.as_deref().unwrap_or_default(),
            lower
                .map(|l| format!(" (still logged in after {} idle)", fmt(l)))
                .unwrap_or_default(),
            fmt(limit)
        )),
    };
    let mut o = o
        .measure(Measure::IdleTimeoutLowerS, lower.map(|d| d.as_secs_f64()))
        .measure(Measure::IdleTimeoutUpperS, upper.map(|d| d.as_secs_f64()))
        .measure(Measure::PolicyS, limit.as_secs_f64())
        .measure(
            Measure::ControlEndedAfterS,
            ended.map(|(_, d)| d.as_secs_f64()),
        );
    for a in answers {
        let what = match (a.logged_in, a.control_alive) {
            (true, _) => "logged in",
            (false, Some(false)) => "logged out, after the control had ended (not counted)",
            (false, _) => "logged out",
        };
        o = o.with(format!("after {} idle", fmt(a.wait)), what);
    }
    match control {
        Some(c) => o.with(
            "control session",
            match c.dead_by {
                Some(d) => format!("kept busy, ended after between {} and {}", fmt(c.alive_for), fmt(d)),
                None => format!(
                    "kept busy, still logged in after {} ({} oracle visits)",
                    fmt(c.alive_for),
                    c.touches
                ),
            },
        ),
        None => o.with(
            "control session",
            "none (the policy's max_sessions leaves no room): an absolute lifetime shorter than the \
             waits would look like an idle timeout",
        ),
    }
}

fn bracket(lower: Option<Duration>, upper: Option<Duration>) -> String {
    match (lower, upper) {
        (Some(l), Some(u)) => format!("idle timeout between {} and {}", fmt(l), fmt(u)),
        (Some(l), None) => format!("idle timeout longer than {}", fmt(l)),
        (None, Some(u)) => format!("idle timeout at most {}", fmt(u)),
        (None, None) => "no idle probe answered".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Verdict;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn answer(wait: u64, logged_in: bool, control_alive: Option<bool>) -> ProbeAnswer {
        ProbeAnswer {
            wait: s(wait),
            logged_in,
            control_alive,
        }
    }

    /// Issue 12's case: an absolute lifetime of 20 s, no idle timeout, probes of 15, 27 and 33 s.
    /// Before the control this read "idle timeout between 15s and 27s".
    #[test]
    fn a_lifetime_is_not_reported_as_an_idle_timeout() {
        let answers = [
            answer(15, true, Some(true)),
            answer(27, false, Some(false)),
            answer(33, false, Some(false)),
        ];
        let life = ControlLife {
            alive_for: s(18),
            dead_by: Some(s(22)),
            touches: 6,
        };
        let o = judge(s(30), &answers, Some(life), s(10));
        assert!(!o.message.contains("idle timeout between"), "{}", o.message);
        assert!(
            o.message.contains("no idle timeout measured"),
            "{}",
            o.message
        );
        assert!(o.message.contains("absolute lifetime"), "{}", o.message);
        // Nothing can idle longer than it lives (22 s), below the 30 s allowed.
        assert_eq!(o.verdict, Verdict::Pass);
        assert_eq!(o.measured["idle_timeout_upper_s"], serde_json::Value::Null);
    }

    #[test]
    fn a_lifetime_longer_than_the_limit_leaves_the_idle_timeout_unjudged() {
        let answers = [answer(9, true, Some(true)), answer(11, false, Some(false))];
        let life = ControlLife {
            alive_for: s(10),
            dead_by: Some(s(12)),
            touches: 4,
        };
        let o = judge(s(10), &answers, Some(life), s(3));
        assert_eq!(o.verdict, Verdict::Error, "{}", o.message);
        assert!(
            o.message.contains("no idle timeout measured"),
            "{}",
            o.message
        );
    }

    #[test]
    fn an_idle_session_alive_past_the_limit_fails_whatever_the_control() {
        let answers = [answer(7, true, Some(true)), answer(9, true, Some(false))];
        let life = ControlLife {
            alive_for: s(8),
            dead_by: Some(s(10)),
            touches: 4,
        };
        assert_eq!(
            judge(s(8), &answers, Some(life), s(2)).verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn deaths_while_the_control_lives_measure_the_idle_timeout() {
        let answers = [answer(7, true, Some(true)), answer(9, false, Some(true))];
        let life = ControlLife {
            alive_for: s(10),
            dead_by: None,
            touches: 5,
        };
        let o = judge(s(8), &answers, Some(life), s(2));
        assert_eq!(o.verdict, Verdict::Pass);
        assert!(
            o.message.starts_with("idle timeout between 7s and 9s"),
            "{}",
            o.message
        );
    }

    #[test]
    fn the_cap_leaves_room_for_the_control() {
        let mut p = Policy {
            idle_timeout: s(10),
            max_sessions: 3,
            ..Policy::default()
        };
        assert_eq!(plan(&p), (vec![s(9), s(11)], true));
        p.max_sessions = 0;
        assert_eq!(plan(&p), (vec![s(5), s(9), s(11)], true));
        p.max_sessions = 2;
        assert_eq!(plan(&p), (vec![s(9), s(11)], false));
        assert_eq!(longest_wait(&p), s(11));
    }
}
