//! The console: one line per finished flow (verdict, time, why), then a summary. The only listener
//! to the engine's events; the summary is printed by the caller once the run has returned
//! (`finish`, then `summary_line`).

use crate::record::{FlowRecord, RunSummary, Verdict};
use std::io::IsTerminal;

pub struct Console {
    color: bool,
    /// Shown on a terminal only; CI logs get plain lines.
    bar: Option<indicatif::ProgressBar>,
}

impl Console {
    pub fn new() -> Self {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Console { color, bar: None }
    }

    pub fn plain() -> Self {
        Console {
            color: false,
            bar: None,
        }
    }

    /// A console with a progress bar over `flows` flows when stdout is a terminal.
    pub fn with_progress(flows: usize) -> Self {
        let mut c = Console::new();
        if std::io::stdout().is_terminal() && flows > 0 {
            let bar = indicatif::ProgressBar::new(flows as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed}] {pos}/{len} flows {wide_msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            c.bar = Some(bar);
        }
        c
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(b) => b.println(text),
            None => crate::outln!("{text}"),
        }
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

    /// What got worse since the baseline, a line each; shared by `run --baseline` and `diff`.
    pub fn baseline_lines(
        &self,
        baseline: &str,
        c: &crate::report::baseline::Comparison,
    ) -> String {
        let n = c.regressions.len();
        let mut out = format!(
            "\nagainst baseline {baseline}: {} compared, {}\n",
            count(c.compared, "flow"),
            match n {
                0 => "no regressions".to_string(),
                _ => count(n, "regression"),
            }
        );
        let label = if self.color {
            "\x1b[31;1mREGRESSION\x1b[0m"
        } else {
            "REGRESSION"
        };
        for r in &c.regressions {
            let at = match (&r.check, &r.persona) {
                (Some(check), Some(p)) => format!(" [{check} ({p})]"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{label} {} › {}{at}: {}\n",
                r.suite, r.flow, r.message
            ));
        }
        if c.compared == 0 && !c.removed.is_empty() {
            out.push_str(
                "        the baseline shares no flow with this run: is it the right file?\n",
            );
        }
        for (list, where_) in [(&c.added, "this run"), (&c.removed, "the baseline")] {
            if !list.is_empty() {
                out.push_str(&format!(
                    "        only in {where_}, not compared: {}\n",
                    list.join(", ")
                ));
            }
        }
        out
    }

    /// A flow started: the progress bar says which.
    pub fn flow_started(&self, name: &str) {
        if let Some(b) = &self.bar {
            b.set_message(format!("running {name}"));
        }
    }

    /// A flow finished: its line, and the progress bar moves on.
    pub fn flow_finished(&self, r: &FlowRecord) {
        self.line(&self.flow_line(r));
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// Removes the progress bar (before the summary is printed).
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}
