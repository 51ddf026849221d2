//! The run at a glance: every flow that ran as a bar on the run's time axis (a Gantt chart), coloured
//! by verdict, so parallel jobs and the longest flow show; flows that regressed since the baseline are
//! marked.

use super::{Scale, Tick, WIDTH, r1, seconds};
use crate::record::{FlowRecord, RunSummary};
use serde::Serialize;

const TOP: f64 = 22.0;
const ROW: f64 = 16.0;
const BAR: f64 = 11.0;
const LEFT: f64 = 8.0;
const RIGHT: f64 = WIDTH - 8.0;

#[derive(Debug, Serialize)]
pub struct Overview {
    pub width: f64,
    pub height: f64,
    pub summary: String,
    pub ticks: Vec<Tick>,
    pub axis_y: f64,
    pub grid_bottom: f64,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub text_x: f64,
    pub text_y: f64,
    /// `start` or `end`: a bar in the right part of the axis is labelled on its left.
    pub anchor: &'static str,
    pub class: &'static str,
    pub regressed: bool,
    pub label: String,
    pub title: String,
    pub href: String,
}

/// `None` when no flow ran (all were skipped before starting, or the run was empty).
pub fn overview(summary: &RunSummary, flows: &[FlowRecord]) -> Option<Overview> {
    let mut ran: Vec<(usize, &FlowRecord, f64)> = flows
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f, f.started?.as_secs_f64())))
        .collect();
    if ran.is_empty() {
        return None;
    }
    ran.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let end = ran
        .iter()
        .map(|(_, f, s)| s + f.duration.as_secs_f64())
        .fold(summary.duration.as_secs_f64(), f64::max);
    let scale = Scale::new(end, LEFT, RIGHT);
    let longest = ran
        .iter()
        .max_by(|a, b| a.1.duration.cmp(&b.1.duration))
        .map(|(_, f, _)| f);
    let bars: Vec<Bar> = ran
        .iter()
        .enumerate()
        .map(|(row, (i, f, start))| {
            let x = scale.x(*start);
            let w = r1((scale.x(start + f.duration.as_secs_f64()) - x).max(1.0));
            let y = r1(TOP + row as f64 * ROW);
            let regressed = summary
                .regressions
                .iter()
                .any(|r| r.suite == f.suite && r.flow == f.name);
            let leftwards = x + w > WIDTH * 0.6 && x > WIDTH * 0.3;
            Bar {
                x,
                y,
                w,
                h: BAR,
                text_x: r1(if leftwards { x - 4.0 } else { x + w + 4.0 }),
                text_y: r1(y + BAR - 2.0),
                anchor: if leftwards { "end" } else { "start" },
                class: super::super::html_view::class(f.verdict),
                regressed,
                label: format!(
                    "{}{} · {}",
                    if regressed { "↓ " } else { "" },
                    f.name,
                    seconds(f.duration.as_secs_f64())
                ),
                title: format!(
                    "{} ({}): {} from {} for {}",
                    f.name,
                    f.suite,
                    f.verdict.label(),
                    seconds(*start),
                    seconds(f.duration.as_secs_f64())
                ),
                href: format!("#flow-{i}"),
            }
        })
        .collect();
    let grid_bottom = r1(TOP + bars.len() as f64 * ROW);
    let summary = format!(
        "{} flows over {}; the longest, {}, took {}.",
        bars.len(),
        seconds(end),
        longest.map_or("", |f| f.name.as_str()),
        longest.map_or_else(String::new, |f| seconds(f.duration.as_secs_f64())),
    );
    Some(Overview {
        width: WIDTH,
        height: r1(grid_bottom + 6.0),
        summary,
        ticks: scale.ticks(),
        axis_y: TOP - 8.0,
        grid_bottom,
        bars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Regression, RegressionKind, Verdict};
    use std::time::Duration;

    fn flow(name: &str, verdict: Verdict, started: Option<u64>, ms: u64) -> FlowRecord {
        FlowRecord {
            suite: "app".into(),
            name: name.into(),
            file: String::new(),
            target: String::new(),
            policy: crate::scenario::Policy::default(),
            description: None,
            tags: vec![],
            personas: vec![],
            verdict,
            summary: String::new(),
            duration: Duration::from_millis(ms),
            steps: vec![],
            checks: vec![],
            error: None,
            artifacts: vec![],
            timeline: vec![],
            accounts: Default::default(),
            started: started.map(Duration::from_millis),
        }
    }

    #[test]
    fn flows_sit_on_the_run_axis_in_start_order_with_regressions_marked() {
        let flows = [
            flow("late", Verdict::Pass, Some(4000), 1000),
            flow("early", Verdict::Fail, Some(0), 3000),
            flow("never", Verdict::Skipped, None, 0),
        ];
        let summary = RunSummary {
            duration: Duration::from_secs(5),
            regressions: vec![Regression {
                suite: "app".into(),
                flow: "early".into(),
                kind: RegressionKind::NowFails,
                check: None,
                persona: None,
                before: "PASS".into(),
                after: "FAIL".into(),
                message: String::new(),
            }],
            ..Default::default()
        };
        let o = overview(&summary, &flows).unwrap();
        let names: Vec<&str> = o.bars.iter().map(|b| b.href.as_str()).collect();
        assert_eq!(
            names,
            ["#flow-1", "#flow-0"],
            "start order; a flow that never ran has no bar"
        );
        assert!(o.bars[0].regressed && o.bars[0].label.starts_with("↓ early"));
        assert!(!o.bars[1].regressed);
        assert_eq!((o.bars[0].class, o.bars[1].class), ("fail", "pass"));
        assert!(o.bars[0].x < o.bars[1].x && o.bars[0].w > o.bars[1].w);
        assert!(
            o.summary.contains("the longest, early, took 3 s"),
            "{}",
            o.summary
        );
        assert!(overview(&summary, &flows[2..]).is_none());
    }
}
