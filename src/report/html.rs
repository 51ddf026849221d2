//! `index.html`: the report for people, one self-contained file (CSS, JS and screenshots inline; no
//! network, so it works offline and as a CI artifact).
//!
//! Pages under test are hostile by assumption, and their titles, cookies and errors end up in
//! records. Three walls keep that text inert: every record string is redacted and has its control
//! characters made visible here, before rendering (so a secret containing `&` cannot hide behind
//! escaping, and image bytes are never rewritten by redaction); tera auto-escapes every value of
//! `report.html`; and a Content-Security-Policy allows only our own script and style, by hash.

use super::html_view::{self, View};
use crate::record::{FlowRecord, RunInfo, RunSummary};
use crate::redact::Redactor;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::Path;

const TEMPLATE: &str = include_str!("templates/report.html");
const STYLE: &str = include_str!("templates/report.css");
const SCRIPT: &str = include_str!("templates/report.js");

/// Renders the report. Screenshot paths in `flows` are relative to `report_dir`.
pub fn html_report(
    run: &RunInfo,
    summary: &RunSummary,
    flows: &[FlowRecord],
    report_dir: &Path,
    redactor: &Redactor,
) -> String {
    let (view, images) = html_view::build(run, summary, flows, report_dir);
    let mut data = clean(&view, redactor);
    for (flow, shot, uri) in images {
        data["flows"][flow]["screenshots"][shot]["src"] = uri.into();
    }
    data["style"] = STYLE.into();
    data["script"] = SCRIPT.into();
    data["csp"] = csp().into();
    data["version"] = env!("CARGO_PKG_VERSION").into();
    let context = tera::Context::from_serialize(&data).expect("the view is a map");
    let mut tera = tera::Tera::new();
    tera.add_raw_template("report.html", TEMPLATE)
        .expect("report.html parses");
    tera.render("report.html", &context)
        .expect("report.html renders its view")
}

/// View fields whose values the report makes up itself (verdict names, CSS classes, anchors, links):
/// a short secret that happens to equal `pass` must not rename a class or break the filter.
const OURS: &[&str] = &[
    "verdict", "class", "id", "flow_id", "href", "anchor", "kind",
];

/// The view as JSON with every string from the records redacted and its control characters made
/// visible. Keys are the template's field names and stay as they are.
fn clean(view: &View, redactor: &Redactor) -> serde_json::Value {
    let raw = serde_json::to_value(view).expect("the view serializes");
    clean_value(raw, redactor)
}

fn clean_value(v: serde_json::Value, redactor: &Redactor) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::String(s) => J::String(show_controls(&redactor.redact(&s))),
        J::Array(a) => J::Array(a.into_iter().map(|x| clean_value(x, redactor)).collect()),
        // The drawings' coordinates: `104`, not `104.0`, in every attribute of every drawing.
        J::Number(n)
            if n.is_f64()
                && n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) =>
        {
            J::from(n.as_f64().unwrap_or_default() as i64)
        }
        J::Object(m) => J::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = if OURS.contains(&k.as_str()) {
                        x
                    } else {
                        clean_value(x, redactor)
                    };
                    (k, x)
                })
                .collect(),
        ),
        other => other,
    }
}

/// NUL, ESC and friends are invalid or invisible in HTML; the Control Pictures block shows them
/// (ESC as ␛), so evidence of an ANSI escape in a cookie reads as what it was.
pub fn show_controls(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('�').to_string(),
            '\u{7f}' => "␡".into(),
            '\u{80}'..='\u{9f}' => format!("\\u{{{:x}}}", c as u32),
            _ => c.to_string(),
        })
        .collect()
}

/// Only our own style and script, by hash; images only as data: URIs; nothing fetched, no forms.
fn csp() -> String {
    format!(
        "default-src 'none'; img-src data:; style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'",
        sha256_source(STYLE),
        sha256_source(SCRIPT)
    )
}

fn sha256_source(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{CheckOutcome, Evidence, StepRecord, TimelineEntry, Verdict};
    use std::time::Duration;

    fn run() -> RunInfo {
        RunInfo {
            targets: vec!["http://127.0.0.1:1".into()],
            browser: "chrome".into(),
            jobs: 1,
            flows: 1,
            started_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn flow(text: &str, verdict: Verdict) -> FlowRecord {
        FlowRecord {
            suite: "app".into(),
            name: format!("flow {text}"),
            file: "f.yaml".into(),
            target: "http://127.0.0.1:1".into(),
            policy: crate::scenario::Policy::default(),
            description: Some(text.into()),
            tags: vec!["wstg-sess-06".into(), text.into()],
            personas: vec!["victim".into()],
            verdict,
            summary: text.into(),
            duration: Duration::from_millis(1500),
            steps: vec![StepRecord {
                index: 0,
                keyword: "open".into(),
                label: format!("open {text}"),
                persona: "victim".into(),
                origin: "f.yaml:3:5".into(),
                at: Duration::ZERO,
                duration: Duration::from_millis(120),
                error: None,
            }],
            checks: vec![CheckOutcome {
                check: "logged_out".into(),
                persona: "victim".into(),
                verdict,
                message: text.into(),
                evidence: vec![Evidence::new("cookie", text)],
                measured: [("seen".to_string(), serde_json::json!(text))]
                    .into_iter()
                    .collect(),
                origin: "f.yaml:9:5".into(),
            }],
            error: None,
            artifacts: vec![],
            timeline: vec![TimelineEntry {
                at: Duration::from_millis(300),
                persona: "victim".into(),
                state: "oracle: logged in".into(),
                mark: Some(crate::record::Mark::Captured {
                    token: text.into(),
                    label: text.into(),
                }),
            }],
            accounts: Default::default(),
            started: None,
        }
    }

    fn render(flows: &[FlowRecord], redactor: &Redactor) -> String {
        let mut summary = RunSummary::default();
        for f in flows {
            summary.count(f.verdict);
        }
        html_report(&run(), &summary, flows, Path::new("/nonexistent"), redactor)
    }

    #[test]
    fn values_are_escaped_and_only_our_script_runs() {
        let hostile = "<script>alert(1)</script>\"'&]]>";
        let html = render(&[flow(hostile, Verdict::Fail)], &Redactor::new());
        assert_eq!(html.matches("<script").count(), 1, "only our own script");
        assert!(!html.contains("alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;]]&gt;"));
    }

    #[test]
    fn secrets_are_fingerprinted_even_where_escaping_would_hide_them() {
        let r = Redactor::new();
        let fp = r.register(crate::redact::Kind::Secret, "p&ss<word>");
        let html = render(&[flow("pw p&ss<word> here", Verdict::Pass)], &r);
        assert!(!html.contains("p&amp;ss&lt;word&gt;"));
        assert!(html.contains(&fp));
    }

    #[test]
    fn a_secret_named_like_a_field_or_verdict_breaks_nothing() {
        let r = Redactor::new();
        for s in ["name", "pass", "PASS", "flows"] {
            r.register(crate::redact::Kind::Secret, s);
        }
        let html = render(&[flow("x", Verdict::Pass)], &r);
        assert!(html.contains(r#"<tr class="pass" data-verdict="PASS""#));
        assert!(html.contains("flow x"));
    }

    #[test]
    fn regressions_are_listed_and_their_flows_marked() {
        use crate::record::{Regression, RegressionKind};
        let f = flow("x", Verdict::Fail);
        let mut summary = RunSummary::default();
        summary.count(f.verdict);
        summary.baseline = Some("old/results.json".into());
        summary.regressions = vec![Regression {
            suite: f.suite.clone(),
            flow: f.name.clone(),
            kind: RegressionKind::NowFails,
            check: None,
            persona: None,
            before: "PASS".into(),
            after: "FAIL".into(),
            message: "passed in the baseline, fails now".into(),
        }];
        let html = html_report(
            &run(),
            &summary,
            &[f],
            Path::new("/nonexistent"),
            &Redactor::new(),
        );
        assert!(html.contains("<dt>baseline</dt><dd>old/results.json</dd>"));
        assert!(html.contains(
            r##"<span class="badge regressed">now fails</span> <a href="#flow-0">flow x</a>"##
        ));
        assert!(html.contains(
            r#"<span class="badge fail">FAIL</span> <span class="badge regressed">regressed</span>"#
        ));
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(show_controls("a\u{0}b\u{1b}[31mc\td"), "a␀b␛[31mc\td");
        assert_eq!(show_controls("\u{85}"), "\\u{85}");
    }

    #[test]
    fn the_policy_names_the_exact_script_and_style() {
        let html = render(&[flow("x", Verdict::Pass)], &Redactor::new());
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
        assert!(html.contains(&sha256_source(SCRIPT)));
        assert!(html.contains(&sha256_source(STYLE)));
    }
}
