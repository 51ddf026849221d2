//! Inline SVG plots: a bar chart per distribution, a line for live sessions over time. Everything
//! drawn is numbers and our own labels; no network, no script.

use crate::logs::format::time::format_utc;
use crate::logs::outcome::{Distribution, Series};

const W: f64 = 560.0;
const H: f64 = 200.0;
const PAD: f64 = 36.0;

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

pub fn bars(d: &Distribution) -> String {
    let n = d.buckets.len().max(1) as f64;
    let top = d.buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let slot = (W - 2.0 * PAD) / n;
    let mut out = format!(
        r#"<svg class="plot" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}">"#,
        esc(d.name)
    );
    out.push_str(&format!(
        r#"<line x1="{PAD}" y1="{y}" x2="{x2}" y2="{y}" class="axis"/>"#,
        y = H - PAD,
        x2 = W - PAD
    ));
    for (i, (label, count)) in d.buckets.iter().enumerate() {
        let h = (*count as f64 / top) * (H - 2.0 * PAD);
        let x = PAD + i as f64 * slot + slot * 0.1;
        let y = H - PAD - h;
        out.push_str(&format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" class="bar"><title>{}: {count}</title></rect>"#,
            slot * 0.8,
            esc(label)
        ));
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" class="label">{}</text><text x="{:.1}" y="{:.1}" class="count">{count}</text>"#,
            x + slot * 0.4,
            H - PAD + 14.0,
            esc(label),
            x + slot * 0.4,
            (y - 3.0).max(10.0)
        ));
    }
    out.push_str("</svg>");
    out
}

pub fn line(s: &Series) -> String {
    let mut out = format!(
        r#"<svg class="plot" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}">"#,
        esc(s.name)
    );
    out.push_str(&format!(
        r#"<line x1="{PAD}" y1="{y}" x2="{x2}" y2="{y}" class="axis"/><line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{y}" class="axis"/>"#,
        y = H - PAD,
        x2 = W - PAD
    ));
    if let (Some(first), Some(last)) = (s.points.first(), s.points.last()) {
        let span = (last.0 - first.0).max(1) as f64;
        let top = s.points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|(t, v)| {
                let x = PAD + (*t - first.0) as f64 / span * (W - 2.0 * PAD);
                let y = H - PAD - *v as f64 / top * (H - 2.0 * PAD);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        out.push_str(&format!(
            r#"<polyline points="{}" class="series"/>"#,
            pts.join(" ")
        ));
        out.push_str(&format!(
            r#"<text x="{PAD}" y="{:.1}" class="label start">{}</text><text x="{:.1}" y="{:.1}" class="label end">{}</text><text x="{:.1}" y="{:.1}" class="count">max {}</text>"#,
            H - PAD + 14.0,
            format_utc(first.0),
            W - PAD,
            H - PAD + 14.0,
            format_utc(last.0),
            PAD + 4.0,
            PAD - 4.0,
            top as u64
        ));
    }
    out.push_str("</svg>");
    out
}
