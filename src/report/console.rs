//! The console: one line per finished flow (verdict, time, why), then a summary.

use crate::engine::events::{Event, FlowRecord, RunSummary, Verdict};
use std::io::IsTerminal;

pub struct Console {
    color: bool,
}

impl Console {
    pub fn new() -> Self {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Console { color }
    }

    pub fn plain() -> Self {
        Console { color: false }
    }

    fn paint(&self, v: Verdict) -> String {
        let label = format!("{:<7}", v.label());
        if !self.color {
            return label;
        }
        let code = match v {
            Verdict::Pass => "32",
            Verdict::Fail => "31;1",
            Verdict::Error => "33;1",
            Verdict::Skipped => "36",
        };
        format!("\x1b[{code}m{label}\x1b[0m")
    }

    pub fn flow_line(&self, r: &FlowRecord) -> String {
        let mut line = format!(
            "{} {} › {} ({:.1}s)",
            self.paint(r.verdict),
            r.suite,
            r.name,
            r.duration.as_secs_f64()
        );
        if r.verdict != Verdict::Pass {
            line.push_str(&format!("\n        {}", r.summary));
        }
        line
    }

    pub fn summary_line(&self, s: &RunSummary) -> String {
        let mut out = format!(
            "\n{} flows: {} passed, {} failed, {} errors, {} skipped in {:.1}s",
            s.total(),
            s.passed,
            s.failed,
            s.errors,
            s.skipped,
            s.duration.as_secs_f64()
        );
        if s.interrupted {
            out.push_str(" (interrupted: unfinished flows are ERROR)");
        }
        out
    }

    pub fn on_event(&self, e: &Event) {
        match e {
            Event::FlowFinished(r) => println!("{}", self.flow_line(r)),
            Event::RunFinished(s) => println!("{}", self.summary_line(s)),
            _ => {}
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}
