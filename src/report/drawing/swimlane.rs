//! One flow's session swimlane: a lane per persona over the flow's time, coloured by what the lane's
//! session was (none, not logged in, logged in as itself, acting as another persona), the token moves
//! between lanes as arrows, idle periods shaded, and the checks that failed marked where they were
//! judged. Each mark links to its step or check below the drawing.
//!
//! The oracle says only "logged in", not as whom, so whose session a lane acts as is worked out from
//! token fingerprints, and only where the records leave one answer: a browser that ran its own login
//! since it last received a token is logged in as itself; a token read from a logged-in browser, or
//! held by a browser while it logged in, belongs to that persona; a lane found logged in with a token
//! that belongs to exactly one other persona acts as that persona. A token that two personas logged
//! in with (a planted authenticated id: did the app keep it or rotate it?) belongs to neither, and
//! such a lane says only "logged in": the drawing never claims more than the checks found.

use super::{Scale, Tick, WIDTH, r1, seconds};
use crate::record::{FlowRecord, Mark, Verdict};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Room on the left for persona names.
const GUTTER: f64 = 104.0;
const RIGHT: f64 = WIDTH - 8.0;
/// Room above the first lane for the time axis.
const TOP: f64 = 22.0;
const LANE: f64 = 20.0;
/// Between lanes: room for fingerprints and failure labels.
const GAP: f64 = 30.0;
/// Failure labels are cut here; the full line is the mark's tooltip and the check below.
const LABEL_CHARS: usize = 48;

#[derive(Debug, Serialize)]
pub struct Swimlane {
    pub width: f64,
    pub height: f64,
    /// One sentence for screen readers: what the drawing shows.
    pub summary: String,
    pub ticks: Vec<Tick>,
    pub axis_y: f64,
    pub lanes: Vec<LaneDraw>,
    pub idle: Vec<Span>,
    pub arrows: Vec<Arrow>,
    pub points: Vec<Point>,
    pub failures: Vec<FailMark>,
}

#[derive(Debug, Serialize)]
pub struct LaneDraw {
    pub persona: String,
    pub y: f64,
    pub text_y: f64,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Serialize)]
pub struct Segment {
    pub x: f64,
    pub w: f64,
    pub class: &'static str,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Span {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Arrow {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub class: &'static str,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub label_y: f64,
    pub title: String,
    pub href: String,
}

#[derive(Debug, Serialize)]
pub struct FailMark {
    pub x: f64,
    pub y1: f64,
    pub y2: f64,
    pub label_x: f64,
    pub label_y: f64,
    /// `start` or `end`: labels near the right edge read leftwards.
    pub anchor: &'static str,
    pub class: &'static str,
    pub label: String,
    pub title: String,
    pub href: String,
}

/// What a lane's session is between two marks.
#[derive(Debug, Clone, PartialEq)]
enum State {
    None,
    Anonymous,
    Itself,
    As(String),
    /// Logged in, as whom the records do not say.
    LoggedIn,
    /// Holds an id whose standing has not been asked yet.
    Holds(Option<String>),
}

impl State {
    fn class(&self) -> &'static str {
        match self {
            State::None => "s-none",
            State::Anonymous => "s-anon",
            State::Itself => "s-self",
            State::As(_) => "s-other",
            State::LoggedIn => "s-in",
            State::Holds(_) => "s-held",
        }
    }

    fn words(&self) -> String {
        match self {
            State::None => "no session".into(),
            State::Anonymous => "not logged in".into(),
            State::Itself => "logged in as itself".into(),
            State::As(p) => format!("acting as {p}"),
            State::LoggedIn => "logged in".into(),
            State::Holds(Some(p)) => format!("holds an id {p} was logged in with, not yet judged"),
            State::Holds(None) => "holds an id, not yet judged".into(),
        }
    }
}

struct Lane {
    persona: String,
    changes: Vec<(f64, State)>,
    held: Option<String>,
    /// This browser ran its own login after it last received a token.
    own_login: bool,
}

impl Lane {
    fn set(&mut self, at: f64, s: State) {
        if self.changes.last().map(|(_, last)| last) != Some(&s) {
            self.changes.push((at, s));
        }
    }

    fn state(&self) -> &State {
        &self.changes.last().expect("a lane starts with a state").1
    }
}

/// fingerprint → the personas it was seen logged in as
type Owners = HashMap<String, BTreeSet<String>>;

fn owner(owners: &Owners, token: &str) -> Option<String> {
    match owners.get(token) {
        Some(set) if set.len() == 1 => set.iter().next().cloned(),
        _ => None,
    }
}

pub fn swimlane(index: usize, f: &FlowRecord) -> Option<Swimlane> {
    if f.timeline.is_empty() {
        return None;
    }
    let end = f
        .timeline
        .iter()
        .map(|e| e.at.as_secs_f64())
        .chain(f.steps.iter().map(|s| (s.at + s.duration).as_secs_f64()))
        .fold(f.duration.as_secs_f64(), f64::max);
    let scale = Scale::new(end, GUTTER, RIGHT);
    let step_href = |persona: &str, at: f64| {
        f.steps
            .iter()
            .filter(|s| s.at.as_secs_f64() <= at + 1e-3)
            .max_by_key(|s| (s.persona == persona, s.at))
            .map(|s| format!("#flow-{index}-step-{}", s.index))
            .unwrap_or_else(|| format!("#flow-{index}"))
    };

    let mut lanes: Vec<Lane> = Vec::new();
    let mut owners: Owners = HashMap::new();
    // capture label or fingerprint → (lane, time) where the token was taken
    let mut taken: HashMap<String, (usize, f64)> = HashMap::new();
    let mut moves: Vec<(usize, usize, f64, f64, &'static str, String)> = Vec::new();
    let mut points: Vec<(usize, f64, String, String)> = Vec::new();
    let mut idle_marks: Vec<(usize, f64, f64)> = Vec::new();
    // fingerprint → the lane that last received it, and when
    let mut last_held: HashMap<String, (usize, f64)> = HashMap::new();

    for e in &f.timeline {
        let at = e.at.as_secs_f64();
        let i = match lanes.iter().position(|l| l.persona == e.persona) {
            Some(i) => i,
            None => {
                lanes.push(Lane {
                    persona: e.persona.clone(),
                    changes: vec![(at, State::None)],
                    held: None,
                    own_login: false,
                });
                lanes.len() - 1
            }
        };
        let Some(mark) = &e.mark else { continue };

        match mark {
            Mark::NoSession => {
                let l = &mut lanes[i];
                l.held = None;
                l.own_login = false;
                l.set(at, State::None);
            }
            Mark::Ran { flow } if flow == "login" => {
                let l = &mut lanes[i];
                if let Some(t) = &l.held {
                    owners
                        .entry(t.clone())
                        .or_default()
                        .insert(l.persona.clone());
                }
                l.own_login = true;
                l.set(at, State::Itself);
            }
            Mark::Ran { flow } if flow == "logout" => lanes[i].set(at, State::Anonymous),
            Mark::Ran { .. } => {}
            Mark::Oracle { logged_in: false } => lanes[i].set(at, State::Anonymous),
            Mark::Oracle { logged_in: true } => {
                let l = &mut lanes[i];
                let whose = if l.own_login {
                    Some(l.persona.clone())
                } else {
                    l.held.as_deref().and_then(|t| owner(&owners, t))
                };
                let s = match whose {
                    Some(p) if p == l.persona => State::Itself,
                    Some(p) => State::As(p),
                    None => State::LoggedIn,
                };
                l.set(at, s);
            }
            Mark::Captured { token, label } => {
                let l = &mut lanes[i];
                if *l.state() == State::Itself {
                    owners
                        .entry(token.clone())
                        .or_default()
                        .insert(l.persona.clone());
                } else if *l.state() == State::None {
                    // A token to capture before any login: the app gave this browser a session.
                    l.set(at, State::Anonymous);
                }
                l.held = Some(token.clone());
                taken.insert(label.clone(), (i, at));
                taken.insert(token.clone(), (i, at));
                points.push((i, at, token.clone(), e.state.clone()));
            }
            Mark::Stole { from, token } => {
                if let Some(s) = lanes.iter().position(|l| &l.persona == from) {
                    if *lanes[s].state() == State::Itself {
                        owners
                            .entry(token.clone())
                            .or_default()
                            .insert(from.clone());
                    }
                    moves.push((s, i, at, at, "steal", e.state.clone()));
                }
                receive(&mut lanes[i], at, token, &owners);
                points.push((i, at, token.clone(), e.state.clone()));
            }
            Mark::Planted { token, from } => {
                // Another persona's token comes from where it was read; a chosen id, from the
                // browser that held the same id before (the victim that logged in with it).
                let source = match from {
                    Some(p) => taken
                        .get(token)
                        .copied()
                        .or_else(|| Some((lanes.iter().position(|l| &l.persona == p)?, at))),
                    None => last_held.get(token).copied().filter(|(s, _)| *s != i),
                };
                if let Some((s, t0)) = source {
                    moves.push((s, i, t0, at, "plant", e.state.clone()));
                }
                receive(&mut lanes[i], at, token, &owners);
                points.push((i, at, token.clone(), e.state.clone()));
            }
            Mark::Replayed { token, label } => {
                let source = taken.get(label).or_else(|| taken.get(token)).copied();
                if let Some((s, t0)) = source {
                    moves.push((s, i, t0, at, "replay", e.state.clone()));
                }
                receive(&mut lanes[i], at, token, &owners);
                points.push((i, at, token.clone(), e.state.clone()));
            }
            Mark::Idle { seconds } => idle_marks.push((i, at, *seconds)),
        }
        if let Mark::Planted { token, .. }
        | Mark::Stole { token, .. }
        | Mark::Replayed { token, .. } = mark
        {
            last_held.insert(token.clone(), (i, at));
        }
    }

    let lane_y = |i: usize| r1(TOP + GAP + i as f64 * (LANE + GAP));
    let drawn: Vec<LaneDraw> = lanes
        .iter()
        .enumerate()
        .map(|(i, l)| LaneDraw {
            persona: l.persona.clone(),
            y: lane_y(i),
            text_y: r1(lane_y(i) + LANE * 0.7),
            segments: l
                .changes
                .iter()
                .enumerate()
                .map(|(k, (from, s))| {
                    let to = l.changes.get(k + 1).map_or(end, |(t, _)| *t);
                    let x = scale.x(*from);
                    Segment {
                        x,
                        w: r1((scale.x(to) - x).max(0.5)),
                        class: s.class(),
                        title: format!("{}, {}–{}", s.words(), seconds(*from), seconds(to)),
                    }
                })
                .collect(),
        })
        .collect();
    let lane_of = |persona: &str| lanes.iter().position(|l| l.persona == persona);

    // Idle periods: `idle` steps, and the waits of the checks that measure timeouts.
    let idle_steps = (f.steps.iter())
        .filter(|s| s.keyword == "idle")
        .filter_map(|s| {
            let i = lane_of(&s.persona)?;
            Some((i, s.at.as_secs_f64(), s.duration.as_secs_f64()))
        });
    let idle = idle_marks
        .into_iter()
        .chain(idle_steps)
        .map(|(i, at, length)| {
            let x = scale.x(at);
            Span {
                x,
                y: lane_y(i),
                w: r1((scale.x(at + length) - x).max(0.5)),
                label: format!("idle {}", seconds(length)),
            }
        })
        .collect();

    let arrows = moves
        .iter()
        .map(|(s, d, t0, t1, class, title)| {
            let (ys, yd) = (lane_y(*s), lane_y(*d));
            let down = yd >= ys;
            Arrow {
                x1: scale.x(*t0),
                y1: if down { ys + LANE } else { ys },
                x2: scale.x(*t1),
                y2: if down { yd } else { yd + LANE },
                class,
                title: title.clone(),
            }
        })
        .collect::<Vec<_>>();

    let points = points
        .iter()
        .map(|(i, at, token, title)| Point {
            x: scale.x(*at),
            y: r1(lane_y(*i) + LANE / 2.0),
            label: token.clone(),
            label_y: r1(lane_y(*i) - 4.0),
            title: title.clone(),
            href: step_href(&lanes[*i].persona, *at),
        })
        .collect::<Vec<_>>();

    let mut failures = Vec::new();
    for (j, c) in f.checks.iter().enumerate() {
        if !matches!(c.verdict, Verdict::Fail | Verdict::Error) {
            continue;
        }
        let at = (f.steps.iter())
            .filter(|s| s.origin == c.origin)
            .map(|s| (s.at + s.duration).as_secs_f64())
            .next_back()
            .unwrap_or(end);
        failures.push(fail_mark(
            &scale,
            at,
            lane_of(&c.persona).map(lane_y),
            (lane_y(0), lane_y(lanes.len().saturating_sub(1))),
            c.verdict,
            format!("{} {}", c.verdict.label(), c.check),
            format!("{} ({}): {}", c.check, c.persona, c.message),
            format!("#flow-{index}-check-{j}"),
        ));
    }
    if let Some(e) = &f.error
        && let Some(s) = f.steps.iter().rev().find(|s| s.error.is_some())
    {
        failures.push(fail_mark(
            &scale,
            (s.at + s.duration).as_secs_f64(),
            lane_of(&s.persona).map(lane_y),
            (lane_y(0), lane_y(lanes.len().saturating_sub(1))),
            Verdict::Error,
            "ERROR".into(),
            e.clone(),
            format!("#flow-{index}-step-{}", s.index),
        ));
    }

    let summary = format!(
        "Session timeline of {}: {} over {}; {} token move{}; {} failed or unjudged check{}.",
        f.name,
        lanes
            .iter()
            .map(|l| l.persona.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        seconds(end),
        arrows.len(),
        if arrows.len() == 1 { "" } else { "s" },
        failures.len(),
        if failures.len() == 1 { "" } else { "s" },
    );
    Some(Swimlane {
        width: WIDTH,
        height: r1(lane_y(lanes.len()) + 4.0),
        summary,
        ticks: scale.ticks(),
        axis_y: TOP - 8.0,
        lanes: drawn,
        idle,
        arrows,
        points,
        failures,
    })
}

/// A token put into a lane's browser: until the oracle answers, the lane only holds it.
fn receive(l: &mut Lane, at: f64, token: &str, owners: &Owners) {
    l.held = Some(token.to_string());
    l.own_login = false;
    l.set(at, State::Holds(owner(owners, token)));
}

#[allow(clippy::too_many_arguments)]
fn fail_mark(
    scale: &Scale,
    at: f64,
    lane: Option<f64>,
    (first, last): (f64, f64),
    verdict: Verdict,
    label: String,
    title: String,
    href: String,
) -> FailMark {
    let x = scale.x(at);
    let (y1, y2) = match lane {
        Some(y) => (y - 6.0, y + LANE + 6.0),
        None => (first - 6.0, last + LANE + 6.0),
    };
    let leftwards = x > WIDTH * 0.6;
    let label = if label.chars().count() > LABEL_CHARS {
        format!("{}…", label.chars().take(LABEL_CHARS).collect::<String>())
    } else {
        label
    };
    FailMark {
        x,
        y1: r1(y1),
        y2: r1(y2),
        label_x: r1(if leftwards { x - 4.0 } else { x + 4.0 }),
        label_y: r1(y2 + 10.0),
        anchor: if leftwards { "end" } else { "start" },
        class: if verdict == Verdict::Fail {
            "fail"
        } else {
            "error"
        },
        label,
        title,
        href,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TimelineEntry;
    use std::time::Duration;

    fn flow(marks: &[(u64, &str, Mark)]) -> FlowRecord {
        FlowRecord {
            suite: "app".into(),
            name: "f".into(),
            file: "f.yaml".into(),
            target: String::new(),
            policy: crate::scenario::Policy::default(),
            description: None,
            tags: vec![],
            personas: vec![],
            verdict: Verdict::Pass,
            summary: String::new(),
            duration: Duration::from_secs(10),
            steps: vec![],
            checks: vec![],
            error: None,
            artifacts: vec![],
            timeline: marks
                .iter()
                .map(|(ms, p, m)| TimelineEntry {
                    at: Duration::from_millis(*ms),
                    persona: p.to_string(),
                    state: String::new(),
                    mark: Some(m.clone()),
                })
                .collect(),
            accounts: Default::default(),
            started: None,
        }
    }

    fn login() -> Mark {
        Mark::Ran {
            flow: "login".into(),
        }
    }

    fn states(d: &Swimlane, persona: &str) -> Vec<&'static str> {
        let lane = d.lanes.iter().find(|l| l.persona == persona).unwrap();
        lane.segments.iter().map(|s| s.class).collect()
    }

    #[test]
    fn a_stolen_session_found_logged_in_acts_as_its_owner() {
        let d = swimlane(
            0,
            &flow(&[
                (0, "victim", Mark::NoSession),
                (100, "victim", login()),
                (200, "attacker", Mark::NoSession),
                (
                    300,
                    "attacker",
                    Mark::Stole {
                        from: "victim".into(),
                        token: "tok:aaaaaa".into(),
                    },
                ),
                (400, "attacker", Mark::Oracle { logged_in: true }),
            ]),
        )
        .unwrap();
        assert_eq!(states(&d, "victim"), ["s-none", "s-self"]);
        assert_eq!(states(&d, "attacker"), ["s-none", "s-held", "s-other"]);
        assert_eq!(d.arrows.len(), 1);
        assert_eq!(d.arrows[0].class, "steal");
        assert!(
            d.arrows[0].y1 < d.arrows[0].y2,
            "from the victim's lane down"
        );
    }

    #[test]
    fn an_id_two_personas_logged_in_with_belongs_to_neither() {
        // The attacker's authenticated id, planted into the victim's browser before its login: the
        // app may have kept it (rebound to the victim) or rotated it. The drawing cannot know.
        let d = swimlane(
            0,
            &flow(&[
                (0, "attacker", Mark::NoSession),
                (100, "attacker", login()),
                (
                    200,
                    "attacker",
                    Mark::Captured {
                        token: "tok:bbbbbb".into(),
                        label: "mine".into(),
                    },
                ),
                (300, "victim", Mark::NoSession),
                (
                    400,
                    "victim",
                    Mark::Planted {
                        token: "tok:bbbbbb".into(),
                        from: Some("attacker".into()),
                    },
                ),
                (500, "victim", login()),
                (600, "attacker", Mark::NoSession),
                (
                    700,
                    "attacker",
                    Mark::Replayed {
                        token: "tok:bbbbbb".into(),
                        label: "mine".into(),
                    },
                ),
                (800, "attacker", Mark::Oracle { logged_in: true }),
            ]),
        )
        .unwrap();
        assert_eq!(states(&d, "victim"), ["s-none", "s-held", "s-self"]);
        let attacker = states(&d, "attacker");
        assert_eq!(attacker.last(), Some(&"s-in"), "{attacker:?}");
        assert!(!attacker.contains(&"s-other"), "{attacker:?}");
        let kinds: Vec<&str> = d.arrows.iter().map(|a| a.class).collect();
        assert_eq!(kinds, ["plant", "replay"]);
    }

    #[test]
    fn a_chosen_id_is_drawn_from_the_browser_that_held_it_before() {
        let d = swimlane(
            0,
            &flow(&[
                (0, "attacker", Mark::NoSession),
                (100, "victim", Mark::NoSession),
                (
                    200,
                    "victim",
                    Mark::Planted {
                        token: "tok:cccccc".into(),
                        from: None,
                    },
                ),
                (300, "victim", login()),
                (
                    400,
                    "attacker",
                    Mark::Planted {
                        token: "tok:cccccc".into(),
                        from: None,
                    },
                ),
                (500, "attacker", Mark::Oracle { logged_in: false }),
                (600, "attacker", Mark::Idle { seconds: 2.0 }),
            ]),
        )
        .unwrap();
        assert_eq!(
            d.arrows.len(),
            1,
            "the first plant comes from nowhere drawn"
        );
        assert!(
            d.arrows[0].y1 > d.arrows[0].y2,
            "from the victim's lane up to the attacker's"
        );
        assert!(
            d.arrows[0].x1 < d.arrows[0].x2,
            "from when the victim received it"
        );
        assert_eq!(states(&d, "attacker"), ["s-none", "s-held", "s-anon"]);
        assert_eq!(d.idle.len(), 1);
        assert_eq!(d.idle[0].label, "idle 2 s");
    }

    #[test]
    fn a_flow_without_a_timeline_has_no_drawing() {
        assert!(swimlane(0, &flow(&[])).is_none());
    }
}
