//! What the HTML template shows, built from the run's records: display strings, verdict classes,
//! per-persona timelines, tag links, and the artifacts read back from the report directory.
//! Everything here is plain data; escaping is the template's job, redaction [`super::html`]'s.

use super::drawing::{self, Chart, Overview, Swimlane};
use crate::record::{CheckOutcome, FlowRecord, RunInfo, RunSummary, StepRecord, Verdict};
use base64::Engine as _;
use serde::Serialize;
use std::path::{Component, Path};
use std::time::Duration;

/// The WSTG has no stable per-test anchors across versions; its session chapter index lists them all.
const WSTG_SESSION: &str = "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/06-Session_Management_Testing/";
const ASVS: &str = "https://github.com/OWASP/ASVS";
/// A screenshot larger than this is linked by path only, so one odd page cannot bloat the report.
const MAX_IMAGE_BYTES: u64 = 8 * 1024 * 1024;
/// Page sources from hostile targets can be huge; the start is what a reader needs.
const MAX_SOURCE_CHARS: usize = 64 * 1024;

#[derive(Serialize)]
pub struct View {
    pub headline: String,
    pub run: RunView,
    pub counts: Vec<Count>,
    pub total: usize,
    pub tags: Vec<String>,
    pub flows: Vec<FlowView>,
    /// The run at a glance: flows on its time axis.
    pub overview: Option<Overview>,
    /// What got worse since `--baseline`; empty without one.
    pub regressions: Vec<RegressionView>,
}

#[derive(Serialize)]
pub struct RegressionView {
    pub flow_id: Option<String>,
    pub suite: String,
    pub flow: String,
    pub kind: String,
    pub check: Option<String>,
    pub before: String,
    pub after: String,
    pub message: String,
}

#[derive(Serialize)]
pub struct RunView {
    pub started_at: String,
    pub targets: Vec<String>,
    pub browser: String,
    pub jobs: usize,
    pub duration: String,
    pub interrupted: bool,
    pub baseline: Option<String>,
}

#[derive(Serialize)]
pub struct Count {
    pub verdict: &'static str,
    pub class: &'static str,
    pub n: usize,
}

#[derive(Serialize)]
pub struct FlowView {
    pub id: String,
    pub suite: String,
    pub name: String,
    pub file: String,
    pub target: String,
    /// The policy the flow was judged against, flattened (`cookie.secure: true`).
    pub policy: Vec<Pair>,
    pub regressed: bool,
    pub description: Option<String>,
    pub verdict: &'static str,
    pub class: &'static str,
    pub open: bool,
    pub summary: String,
    pub duration: String,
    pub tags: Vec<Tag>,
    /// Space-separated, for the tag filter.
    pub tag_list: String,
    pub personas: String,
    pub error: Option<String>,
    pub timeline: Vec<Lane>,
    pub swimlane: Option<Swimlane>,
    pub steps: Vec<StepView>,
    pub checks: Vec<CheckView>,
    pub screenshots: Vec<Shot>,
    pub sources: Vec<Source>,
    /// Artifacts shown by path only (unreadable, too large, or of another kind).
    pub other_artifacts: Vec<String>,
}

#[derive(Serialize)]
pub struct Tag {
    pub name: String,
    pub href: Option<&'static str>,
    pub title: String,
}

/// One persona's session states in order, e.g. victim: logged out → logged in → logged out.
#[derive(Serialize)]
pub struct Lane {
    pub persona: String,
    pub states: Vec<State>,
}

#[derive(Serialize)]
pub struct State {
    pub at: String,
    pub text: String,
    pub class: &'static str,
}

#[derive(Serialize)]
pub struct StepView {
    pub id: String,
    pub index: usize,
    pub persona: String,
    pub label: String,
    pub origin: String,
    pub duration: String,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct CheckView {
    pub id: String,
    pub check: String,
    pub persona: String,
    pub verdict: &'static str,
    pub class: &'static str,
    pub message: String,
    pub origin: String,
    pub evidence: Vec<Pair>,
    pub measured: Vec<Pair>,
    pub chart: Option<Chart>,
}

#[derive(Serialize)]
pub struct Pair {
    pub label: String,
    pub value: String,
}

/// A screenshot; `src` (its data: URI) is filled in after redaction, which must not touch image bytes.
#[derive(Serialize)]
pub struct Shot {
    pub path: String,
    pub src: String,
}

#[derive(Serialize)]
pub struct Source {
    pub path: String,
    pub text: String,
    pub truncated: bool,
}

/// Where a screenshot's data URI goes: flow index, shot index, URI.
pub type Image = (usize, usize, String);

pub fn build(
    run: &RunInfo,
    summary: &RunSummary,
    flows: &[FlowRecord],
    report_dir: &Path,
) -> (View, Vec<Image>) {
    let counts: Vec<Count> = [
        (Verdict::Fail, summary.failed),
        (Verdict::Error, summary.errors),
        (Verdict::Skipped, summary.skipped),
        (Verdict::Pass, summary.passed),
    ]
    .into_iter()
    .map(|(v, n)| Count {
        verdict: v.label(),
        class: class(v),
        n,
    })
    .collect();
    let mut tags: Vec<String> = flows.iter().flat_map(|f| f.tags.clone()).collect();
    tags.sort();
    tags.dedup();
    let mut images = Vec::new();
    let views: Vec<FlowView> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let (mut view, shots) = flow(i, f, report_dir);
            view.regressed = summary
                .regressions
                .iter()
                .any(|r| r.suite == f.suite && r.flow == f.name);
            images.extend(shots.into_iter().map(|(j, uri)| (i, j, uri)));
            view
        })
        .collect();
    let regressions = summary
        .regressions
        .iter()
        .map(|r| RegressionView {
            flow_id: views
                .iter()
                .find(|v| v.suite == r.suite && v.name == r.flow)
                .map(|v| v.id.clone()),
            suite: r.suite.clone(),
            flow: r.flow.clone(),
            kind: serde_json::to_value(r.kind)
                .ok()
                .and_then(|k| k.as_str().map(|k| k.replace('_', " ")))
                .unwrap_or_default(),
            check: r.check.clone(),
            before: r.before.clone(),
            after: r.after.clone(),
            message: r.message.clone(),
        })
        .collect();
    let view = View {
        headline: headline(summary),
        run: RunView {
            started_at: run.started_at.clone(),
            targets: run.targets.clone(),
            browser: run.browser.clone(),
            jobs: run.jobs,
            duration: secs(summary.duration, 1),
            interrupted: summary.interrupted,
            baseline: summary.baseline.clone(),
        },
        counts,
        total: summary.total(),
        tags,
        flows: views,
        overview: drawing::overview(summary, flows),
        regressions,
    };
    (view, images)
}

fn headline(s: &RunSummary) -> String {
    let parts: Vec<String> = [
        (s.failed, "failed"),
        (s.errors, if s.errors == 1 { "error" } else { "errors" }),
        (s.skipped, "skipped"),
        (s.passed, "passed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "no flows".into()
    } else {
        parts.join(", ")
    }
}

pub fn class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Error => "error",
        Verdict::Skipped => "skipped",
    }
}

fn secs(d: Duration, places: usize) -> String {
    format!("{:.*} s", places, d.as_secs_f64())
}

fn flow(i: usize, f: &FlowRecord, report_dir: &Path) -> (FlowView, Vec<(usize, String)>) {
    let mut screenshots = Vec::new();
    let mut uris = Vec::new();
    let mut sources = Vec::new();
    let mut other_artifacts = Vec::new();
    for a in &f.artifacts {
        if let Some(uri) = a
            .ends_with(".png")
            .then(|| png_data_uri(report_dir, a))
            .flatten()
        {
            uris.push((screenshots.len(), uri));
            screenshots.push(Shot {
                path: a.clone(),
                src: String::new(),
            });
        } else if let Some(source) = a
            .ends_with(".html")
            .then(|| page_source(report_dir, a))
            .flatten()
        {
            sources.push(source);
        } else {
            other_artifacts.push(a.clone());
        }
    }
    let view = FlowView {
        id: format!("flow-{i}"),
        suite: f.suite.clone(),
        name: f.name.clone(),
        file: f.file.clone(),
        target: f.target.clone(),
        policy: serde_json::to_value(&f.policy)
            .map(|v| flatten("", &v))
            .unwrap_or_default(),
        regressed: false,
        description: f.description.as_deref().map(str::trim).map(String::from),
        verdict: f.verdict.label(),
        class: class(f.verdict),
        open: f.verdict != Verdict::Pass,
        summary: f.summary.clone(),
        duration: secs(f.duration, 2),
        tags: f.tags.iter().map(|t| tag(t)).collect(),
        tag_list: f.tags.join(" "),
        personas: f.personas.join(", "),
        error: f.error.clone(),
        timeline: lanes(f),
        swimlane: drawing::swimlane(i, f),
        steps: f.steps.iter().map(|s| step(i, s)).collect(),
        checks: (f.checks.iter().enumerate())
            .map(|(j, c)| check(format!("flow-{i}-check-{j}"), c))
            .collect(),
        screenshots,
        sources,
        other_artifacts,
    };
    (view, uris)
}

/// `{"cookie": {"secure": true}}` as `cookie.secure: true`; durations (seconds, under `*timeout`) as
/// `15m`.
fn flatten(prefix: &str, v: &serde_json::Value) -> Vec<Pair> {
    use serde_json::Value as J;
    match v {
        J::Object(m) => m
            .iter()
            .flat_map(|(k, x)| {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x)
            })
            .collect(),
        J::Number(n) if prefix.ends_with("timeout") => vec![Pair {
            label: prefix.into(),
            value: n
                .as_f64()
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .map(|d| humantime::format_duration(d).to_string())
                .unwrap_or_else(|| n.to_string()),
        }],
        J::String(s) => vec![Pair {
            label: prefix.into(),
            value: s.clone(),
        }],
        other => vec![Pair {
            label: prefix.into(),
            value: other.to_string(),
        }],
    }
}

fn tag(t: &str) -> Tag {
    let lower = t.to_ascii_lowercase();
    let (href, title) = if let Some(n) = lower.strip_prefix("wstg-sess-") {
        (
            Some(WSTG_SESSION),
            format!("OWASP WSTG-SESS-{n} (Session Management Testing)"),
        )
    } else if let Some(n) = lower.strip_prefix("asvs-") {
        (Some(ASVS), format!("OWASP ASVS 5.0 requirement {n}"))
    } else {
        (None, String::new())
    };
    Tag {
        name: t.to_string(),
        href,
        title,
    }
}

/// Personas in the order they first appear, each with its states in time order.
fn lanes(f: &FlowRecord) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    for e in &f.timeline {
        let state = State {
            at: secs(e.at, 1),
            text: e.state.clone(),
            class: state_class(&e.state),
        };
        match lanes.iter_mut().find(|l| l.persona == e.persona) {
            Some(l) => l.states.push(state),
            None => lanes.push(Lane {
                persona: e.persona.clone(),
                states: vec![state],
            }),
        }
    }
    lanes
}

/// Colours the states a reader scans for: signed in, signed out, and adversary moves.
fn state_class(state: &str) -> &'static str {
    if state.contains("logged in") {
        "in"
    } else if state.contains("logged out") {
        "out"
    } else if ["holds", "planted", "replays", "captured"]
        .iter()
        .any(|w| state.contains(w))
    {
        "token"
    } else {
        "plain"
    }
}

fn step(flow: usize, s: &StepRecord) -> StepView {
    StepView {
        id: format!("flow-{flow}-step-{}", s.index),
        index: s.index + 1,
        persona: s.persona.clone(),
        label: s.label.clone(),
        origin: s.origin.clone(),
        duration: secs(s.duration, 3),
        error: s.error.clone(),
    }
}

fn check(id: String, c: &CheckOutcome) -> CheckView {
    CheckView {
        id,
        chart: drawing::chart(c),
        check: c.check.clone(),
        persona: c.persona.clone(),
        verdict: c.verdict.label(),
        class: class(c.verdict),
        message: c.message.clone(),
        origin: c.origin.clone(),
        evidence: c
            .evidence
            .iter()
            .map(|e| Pair {
                label: e.label.clone(),
                value: e.value.clone(),
            })
            .collect(),
        measured: c
            .measured
            .iter()
            .map(|(k, v)| Pair {
                label: k.clone(),
                value: match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "not observed".into(),
                    other => other.to_string(),
                },
            })
            .collect(),
    }
}

/// The artifact's file, when `rel` stays inside the report directory (records are data, not trusted
/// paths).
fn artifact_file(report_dir: &Path, rel: &str) -> Option<std::path::PathBuf> {
    let p = Path::new(rel);
    p.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| report_dir.join(p))
}

fn png_data_uri(report_dir: &Path, rel: &str) -> Option<String> {
    let path = artifact_file(report_dir, rel)?;
    if std::fs::metadata(&path).ok()?.len() > MAX_IMAGE_BYTES {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    // The data URI claims image/png; only say so of a PNG.
    bytes.starts_with(b"\x89PNG\r\n\x1a\n").then(|| {
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        )
    })
}

fn page_source(report_dir: &Path, rel: &str) -> Option<Source> {
    let bytes = std::fs::read(artifact_file(report_dir, rel)?).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let truncated = text.chars().count() > MAX_SOURCE_CHARS;
    Some(Source {
        path: rel.to_string(),
        text: text.chars().take(MAX_SOURCE_CHARS).collect(),
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_stay_inside_the_report_dir() {
        let d = Path::new("/r");
        assert!(artifact_file(d, "artifacts/a/b.png").is_some());
        for bad in ["../x.png", "/etc/passwd", "a/../../x.png", "./a.png"] {
            assert!(artifact_file(d, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tags_link_to_their_standards() {
        assert_eq!(tag("wstg-sess-03").href, Some(WSTG_SESSION));
        assert!(tag("wstg-sess-03").title.contains("WSTG-SESS-03"));
        assert_eq!(tag("asvs-7.2.4").href, Some(ASVS));
        assert_eq!(tag("fixation").href, None);
    }

    #[test]
    fn policy_reads_as_flat_pairs_with_durations() {
        let pairs = flatten(
            "",
            &serde_json::to_value(crate::scenario::Policy::default()).unwrap(),
        );
        let get = |k: &str| {
            pairs
                .iter()
                .find(|p| p.label == k)
                .map(|p| p.value.as_str())
        };
        assert_eq!(get("idle_timeout"), Some("15m"));
        assert_eq!(get("cookie.http_only"), Some("true"));
        assert_eq!(get("preset"), Some("seed"));
    }

    #[test]
    fn headline_names_only_what_happened() {
        let s = RunSummary {
            passed: 3,
            failed: 1,
            ..Default::default()
        };
        assert_eq!(headline(&s), "1 failed, 3 passed");
        assert_eq!(headline(&RunSummary::default()), "no flows");
    }
}
