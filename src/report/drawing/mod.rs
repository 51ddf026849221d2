//! Pictures for the HTML report: the session swimlane of each flow, the run at a glance, and the
//! measured values (the idle-timeout bracket, the concurrent-session probes, the token sample's
//! per-position entropy).
//!
//! These build geometry, not markup: the template draws the SVG from plain numbers and strings, so
//! tera escapes every text and the report's redaction reaches it like any other view field. Coordinates
//! are rounded to a tenth of a unit, which keeps the report small and the same from run to run.

mod charts;
mod overview;
mod swimlane;

pub use charts::{Chart, chart};
pub use overview::{Overview, overview};
pub use swimlane::{Swimlane, swimlane};

use serde::Serialize;
use std::time::Duration;

/// Width of every drawing in SVG user units; the SVG scales to the page, so this only sets proportions.
pub const WIDTH: f64 = 760.0;

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Maps `0..=span` seconds onto `left..=right`.
#[derive(Clone, Copy)]
struct Scale {
    span: f64,
    left: f64,
    right: f64,
}

impl Scale {
    fn new(span: f64, left: f64, right: f64) -> Self {
        Scale {
            span: span.max(1e-3),
            left,
            right,
        }
    }

    fn x(&self, t: f64) -> f64 {
        r1(self.left + (t.clamp(0.0, self.span) / self.span) * (self.right - self.left))
    }

    /// Axis marks at a round step (1, 2 or 5 times a power of ten seconds), about five of them.
    fn ticks(&self) -> Vec<Tick> {
        let raw = self.span / 5.0;
        let pow = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * pow)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * pow);
        let mut out = Vec::new();
        let mut t = 0.0;
        while t <= self.span + step * 1e-6 {
            out.push(Tick {
                x: self.x(t),
                label: seconds(t),
            });
            t += step;
        }
        out
    }
}

#[derive(Debug, Serialize)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// `0.5 s`, `12 s`, `2 min 30 s`: what an axis or a tooltip says of a time.
fn seconds(t: f64) -> String {
    if t >= 120.0 {
        let d = Duration::from_secs(t.round() as u64);
        humantime::format_duration(d)
            .to_string()
            .replace('h', " h")
            .replace('m', " min")
            .replace('s', " s")
    } else if t >= 10.0 || t == t.trunc() {
        format!("{t:.0} s")
    } else {
        format!("{t:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_span() {
        let s = Scale::new(7.3, 0.0, 100.0);
        let t = s.ticks();
        let labels: Vec<&str> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0 s", "2 s", "4 s", "6 s"]);
        assert_eq!(t[0].x, 0.0);
        assert!(t.last().unwrap().x <= 100.0);
    }

    #[test]
    fn times_read_as_people_say_them() {
        assert_eq!(seconds(0.3), "0.3 s");
        assert_eq!(seconds(3.0), "3 s");
        assert_eq!(seconds(42.4), "42 s");
        assert_eq!(seconds(150.0), "2 min 30 s");
    }
}
