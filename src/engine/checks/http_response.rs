//! `http_status` and `header`: judge the last plain-HTTP replay, or the persona's last page response.

use super::Outcome;
use crate::driver::NetEvent;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::step::HeaderArgs;

pub fn status(ctx: &FlowCtx, want: u16) -> Outcome {
    let Some(r) = &ctx.last_http else {
        return Outcome::error("no HTTP replay ran before this check").with(
            "hint",
            "add `replay: {token: LABEL, http: {path: /account}}` first",
        );
    };
    let o = if r.status == want {
        Outcome::pass(format!("{} answered {}", r.url, r.status))
    } else {
        Outcome::fail(format!("{} answered {}, expected {want}", r.url, r.status))
    };
    o.measure(Measure::Status, r.status)
}

/// The headers to judge: the last HTTP replay if any, else the persona's last document response.
fn last_headers(ctx: &FlowCtx, persona: &str) -> Option<(String, Vec<(String, String)>)> {
    if let Some(r) = &ctx.last_http {
        return Some((r.url.clone(), r.headers.clone()));
    }
    let p = ctx.personas.get(persona)?;
    let last_doc = p.history.last()?;
    p.net.iter().rev().find_map(|e| match e {
        NetEvent::Response { url, headers, .. } if url == last_doc => {
            Some((url.clone(), headers.clone()))
        }
        _ => None,
    })
}

pub fn header(ctx: &FlowCtx, persona: &str, a: &HeaderArgs) -> Outcome {
    let Some((url, headers)) = last_headers(ctx, persona) else {
        return Outcome::error("no response was observed to judge headers on");
    };
    let name = a.name.to_ascii_lowercase();
    let values: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(&name))
        .map(|(_, v)| v.as_str())
        .collect();
    let shown = if values.is_empty() {
        "(absent)".to_string()
    } else {
        values.join(", ")
    };
    let ok = if a.absent == Some(true) {
        values.is_empty()
    } else if let Some(eq) = &a.equals {
        values.iter().any(|v| v == eq)
    } else if let Some(c) = &a.contains {
        values
            .iter()
            .any(|v| v.to_ascii_lowercase().contains(&c.to_ascii_lowercase()))
    } else {
        !values.is_empty()
    };
    let o = if ok {
        Outcome::pass(format!("{}: {shown}", a.name))
    } else {
        Outcome::fail(format!("{} on {url} is {shown}", a.name))
    };
    o.with("response", url).with(a.name.clone(), shown)
}
