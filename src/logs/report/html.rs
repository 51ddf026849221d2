//! index.html of `usher logs`: one self-contained page (inline CSS and SVG, no script, no network).
//! Log text is hostile by assumption (user agents, account names): tera auto-escapes every value, and
//! a Content-Security-Policy allows only the page's own style.

use super::svg;
use crate::logs::outcome::Outcome;
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

const TEMPLATE: &str = include_str!("logs.html");
const STYLE: &str = include_str!("logs.css");

/// Everything the template shows, as ready text: the template only loops and escapes.
#[derive(Serialize)]
struct View {
    files: String,
    format: String,
    version: &'static str,
    read: String,
    malformed: String,
    rules: Vec<RuleView>,
    plots: Vec<Plot>,
    distributions: Vec<DistView>,
    policy: String,
}

#[derive(Serialize)]
struct RuleView {
    id: &'static str,
    title: &'static str,
    verdict: &'static str,
    summary: String,
    heading: String,
    incidents: Vec<IncidentView>,
    more: String,
}

#[derive(Serialize)]
struct IncidentView {
    who: String,
    lines: String,
    times: String,
    what: String,
}

#[derive(Serialize)]
struct Plot {
    name: String,
    svg: String,
}

#[derive(Serialize)]
struct DistView {
    name: String,
    count: u64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

pub fn html(o: &Outcome) -> String {
    let i = &o.input;
    let view = View {
        files: i.files.join(", "),
        format: o.format.clone(),
        version: env!("CARGO_PKG_VERSION"),
        read: format!(
            "{} lines ({} bytes) read in {} s: {} parsed, {} malformed; {} sessions, {} accounts{}.",
            i.lines,
            i.bytes,
            i.seconds,
            i.parsed,
            i.malformed,
            i.sessions,
            i.accounts,
            match (&i.first_time, &i.last_time) {
                (Some(a), Some(b)) => format!("; from {a} to {b}"),
                _ => String::new(),
            }
        ),
        malformed: i
            .malformed_lines
            .iter()
            .map(|m| format!("line {} ({})", m.line, m.reason))
            .collect::<Vec<_>>()
            .join(", "),
        rules: o
            .rules
            .iter()
            .map(|r| RuleView {
                id: r.id,
                title: r.title,
                verdict: r.verdict.label(),
                summary: r.summary.clone(),
                heading: format!(
                    "{}: {}",
                    r.id,
                    crate::logs::outcome::plural(r.count, "incident")
                ),
                incidents: r
                    .incidents
                    .iter()
                    .map(|x| IncidentView {
                        who: [x.session.clone(), x.account.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" "),
                        lines: x
                            .lines
                            .iter()
                            .map(u64::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        times: x.times.join(" … "),
                        what: x.message.clone(),
                    })
                    .collect(),
                more: if r.count as usize > r.incidents.len() {
                    format!("The first {} of {} are shown.", r.incidents.len(), r.count)
                } else {
                    String::new()
                },
            })
            .collect(),
        plots: o
            .distributions
            .iter()
            .map(|d| Plot {
                name: d.name.to_string(),
                svg: svg::bars(d),
            })
            .chain(o.series.iter().map(|s| Plot {
                name: s.name.to_string(),
                svg: svg::line(s),
            }))
            .collect(),
        distributions: o
            .distributions
            .iter()
            .map(|d| DistView {
                name: format!("{} ({})", d.name, d.unit),
                count: d.count,
                p50: d.p50,
                p90: d.p90,
                p99: d.p99,
                max: d.max,
            })
            .collect(),
        policy: o.policy.line(),
    };
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    let mut ctx = tera::Context::from_serialize(&view).expect("the view is a map");
    ctx.insert("style", STYLE);
    ctx.insert(
        "csp",
        &format!("default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'"),
    );
    let mut tera = tera::Tera::new();
    tera.add_raw_template("logs.html", TEMPLATE)
        .expect("logs.html parses");
    tera.render("logs.html", &ctx).expect("logs.html renders")
}
