//! Checks that need the whole suite: personas, flows, variables and captured labels that do not exist,
//! and flows that run each other in a cycle.

use super::diagnostic::Diagnostic;
use super::load::{Inputs, Suite};
use super::profile::Profile;
use super::step::{Action, Step};
use super::suggest::did_you_mean;
use super::vars;
use std::collections::HashSet;

pub fn suite(suite: &Suite, inputs: &Inputs, out: &mut Vec<Diagnostic>) {
    let p = &*suite.profile;
    let known = Known::new(p, inputs, &suite.scenarios);
    for (name, persona) in &p.personas {
        if let Some(other) = &persona.same_account_as
            && !p.personas.contains_key(other)
        {
            out.push(unknown_persona(&p.file, persona.pos, other, p));
        }
        let fields = [&persona.username, &persona.password];
        for (field, pos) in fields.into_iter().zip(persona.field_pos) {
            for (var, _) in vars::references(field) {
                if !known.has(&var, false) {
                    out.push(undefined_var(
                        &p.file,
                        pos,
                        &var,
                        &format!("persona `{name}`{}", known.suggest(&var, false)),
                    ));
                }
            }
        }
    }
    if let Some(url) = &p.base_url {
        for (var, _) in vars::references(url) {
            if !known.has(&var, false) {
                out.push(undefined_var(
                    &p.file,
                    Default::default(),
                    &var,
                    &format!("`base_url`{}", known.suggest(&var, false)),
                ));
            }
        }
    }
    // One cycle is reported once, at the first of its flows (a → b → a, not again as b → a → b).
    let mut cycles_seen: HashSet<Vec<String>> = HashSet::new();
    let parallel_flows: HashSet<&str> = p
        .flows
        .values()
        .flat_map(|f| f.steps.iter())
        .chain(suite.scenarios.iter().flat_map(|s| s.steps.iter()))
        .filter_map(|s| match &s.action {
            Action::Parallel(a) => Some(a.run.as_str()),
            _ => None,
        })
        .collect();
    for flow in p.flows.values() {
        let restricted = if flow.name == "logged_in" {
            Some("the `logged_in` oracle")
        } else if parallel_flows.contains(flow.name.as_str()) {
            Some("a flow run by `parallel`")
        } else {
            None
        };
        if let Some(what) = restricted {
            for s in &flow.steps {
                if !crate::engine::browser_step::is_browser_only(&s.action) {
                    out.push(
                        Diagnostic::new(&s.origin.file, Some(s.origin.pos), format!(
                            "{what} may only use browser steps, not `{}`",
                            s.action.keyword()
                        ))
                        .hint("browser steps: open, click, fill, select, submit, wait_for, see, not_see, cookie and storage steps, eval, back, refresh"),
                    );
                } else if s.persona.is_some() {
                    out.push(
                        Diagnostic::new(&s.origin.file, Some(s.origin.pos), format!(
                            "{what} runs in the browser of the persona it is run for; `as:` cannot switch browsers here"
                        ))
                        .hint("remove `as:` from this step"),
                    );
                }
            }
        }
        steps(&flow.steps, p, &known, out);
        let mut path = vec![flow.name.as_str()];
        if let Some(cycle) = find_cycle(p, &flow.steps, &mut path).filter(|c| {
            let mut members = c.clone();
            members.sort();
            members.dedup();
            cycles_seen.insert(members)
        }) {
            // Reported at the cycle's first flow: `flow` may only lead into a cycle it is not part of.
            let at = p.flows.get(&cycle[0]).unwrap_or(flow);
            out.push(
                Diagnostic::new(
                    &p.file,
                    Some(at.origin.pos),
                    format!("flows run each other in a cycle: {}", cycle.join(" → ")),
                )
                .underline(at.name.len())
                .hint("a flow may run other flows, but never itself, directly or indirectly"),
            );
        }
    }
    for s in &suite.scenarios {
        for (i, name) in s.personas.iter().enumerate() {
            if !p.personas.contains_key(name) {
                let pos = s.persona_pos.get(i).copied().unwrap_or(s.origin.pos);
                out.push(unknown_persona(&s.file, pos, name, p).underline(name.chars().count()));
            }
        }
        steps(&s.steps, p, &known, out);
        // Labels captured inside profile flows are known to every scenario that runs them.
        let mut captured: HashSet<String> = p
            .flows
            .values()
            .flat_map(|f| f.steps.iter())
            .filter_map(|s| match &s.action {
                Action::Capture(c) => Some(c.label.clone()),
                _ => None,
            })
            .collect();
        for step in &s.steps {
            labels(step, &mut captured, out);
        }
    }
}

/// Every name a `${...}` may refer to before run time.
struct Known<'a> {
    inputs: &'a Inputs,
    profile: &'a Profile,
    saved: HashSet<String>,
}

impl<'a> Known<'a> {
    fn new(profile: &'a Profile, inputs: &'a Inputs, scenarios: &[super::Scenario]) -> Self {
        // Flows may use what their callers set: the built-in suite's variables, and any name a scenario
        // of this suite sets or saves.
        let mut saved: HashSet<String> = vars::SUITE_VARS.iter().map(|v| v.to_string()).collect();
        let scenario_steps = scenarios.iter().flat_map(|s| s.steps.iter());
        for s in scenario_steps {
            for n in saved_names(&s.action) {
                saved.insert(n.to_string());
            }
        }
        for flow in profile.flows.values() {
            for s in &flow.steps {
                for n in saved_names(&s.action) {
                    saved.insert(n.to_string());
                }
            }
        }
        Known {
            inputs,
            profile,
            saved,
        }
    }

    /// ", did you mean `NAME`?" over the names known before run time (not the environment's).
    fn suggest(&self, name: &str, in_step: bool) -> String {
        let persona: &[&str] = if in_step { &vars::PERSONA_FIELDS } else { &[] };
        let saved = self.saved.iter().filter(|_| in_step);
        let names = (self.inputs.vars.keys())
            .chain(self.inputs.secrets.keys())
            .chain(self.profile.vars.keys())
            .chain(saved)
            .map(String::as_str)
            .chain(persona.iter().copied());
        did_you_mean(name, names)
    }

    fn has(&self, name: &str, in_step: bool) -> bool {
        (in_step && (vars::PERSONA_FIELDS.contains(&name) || self.saved.contains(name)))
            || self.inputs.vars.contains_key(name)
            || self.inputs.secrets.contains_key(name)
            || self.profile.vars.contains_key(name)
            || std::env::var_os(name).is_some()
    }
}

fn saved_names(a: &Action) -> Vec<&str> {
    match a {
        Action::SetVar(m) => m.keys().map(String::as_str).collect(),
        other => saved_name(other).into_iter().collect(),
    }
}

fn saved_name(a: &Action) -> Option<&str> {
    match a {
        Action::GetCookie(x) => Some(&x.save_as),
        Action::GetStorage(x) => Some(&x.save_as),
        Action::Eval(x) => x.save_as.as_deref(),
        _ => None,
    }
}

fn steps(list: &[Step], p: &Profile, known: &Known, out: &mut Vec<Diagnostic>) {
    let mut saved_here: HashSet<String> = HashSet::new();
    for step in list {
        for persona in personas_of(step) {
            if !p.personas.contains_key(persona) {
                out.push(unknown_persona(
                    &step.origin.file,
                    step.origin.pos,
                    persona,
                    p,
                ));
            }
        }
        if let Action::Run(flow) | Action::Parallel(super::step::ParallelArgs { run: flow, .. }) =
            &step.action
            && !p.flows.contains_key(flow)
        {
            let hint = did_you_mean(flow, p.flows.keys().map(String::as_str));
            out.push(
                Diagnostic::new(
                    &step.origin.file,
                    Some(step.origin.pos),
                    format!("unknown flow `{flow}`{hint}"),
                )
                .hint(format!(
                    "flows defined in {}: {}",
                    p.file,
                    p.flows.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
            );
        }
        let json = serde_json::to_value(&step.action).unwrap_or_default();
        let mut texts = Vec::new();
        strings(&json, &mut texts);
        for text in texts {
            for (var, _) in vars::references(&text) {
                if !known.has(&var, true) && !saved_here.contains(&var) {
                    out.push(undefined_var(
                        &step.origin.file,
                        step.origin.pos,
                        &var,
                        &format!("this step{}", known.suggest(&var, true)),
                    ));
                }
            }
        }
        for n in saved_names(&step.action) {
            saved_here.insert(n.to_string());
        }
    }
}

fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// The personas a step names (beside the one performing it).
pub fn personas_of(step: &Step) -> Vec<&str> {
    let mut v: Vec<&str> = step.persona.iter().map(String::as_str).collect();
    match &step.action {
        Action::Steal(a) => v.extend([a.from.as_str(), a.to.as_str()]),
        Action::Plant(a) => {
            v.push(&a.into);
            v.extend(a.from.as_deref());
        }
        Action::Capture(a) => v.extend(a.from.as_deref()),
        Action::Replay(a) => v.extend(a.into.as_deref()),
        Action::Fresh(Some(p)) | Action::Forget(Some(p)) => v.push(p),
        Action::Parallel(a) => v.extend(a.personas.iter().map(String::as_str)),
        Action::Check(super::step::Check::NotActingAs(p)) => v.push(p),
        _ => {}
    }
    v
}

fn labels(step: &Step, captured: &mut HashSet<String>, out: &mut Vec<Diagnostic>) {
    let used = match &step.action {
        Action::Capture(c) => {
            captured.insert(c.label.clone());
            None
        }
        Action::Replay(r) => Some(&r.token),
        Action::Check(super::step::Check::TokenChanged(t)) => Some(&t.since),
        _ => None,
    };
    if let Some(label) = used
        && !captured.contains(label)
    {
        let hint = did_you_mean(label, captured.iter().map(String::as_str));
        out.push(
            Diagnostic::new(
                &step.origin.file,
                Some(step.origin.pos),
                format!("no token was captured as `{label}` before this step{hint}"),
            )
            .hint(format!("add `- capture: {label}` earlier in the scenario")),
        );
    }
}

fn find_cycle<'a>(
    p: &'a Profile,
    steps: &'a [Step],
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    for step in steps {
        let callee = match &step.action {
            Action::Run(f) => f.as_str(),
            Action::Parallel(a) => a.run.as_str(),
            _ => continue,
        };
        if let Some(start) = path.iter().position(|f| *f == callee) {
            let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            cycle.push(callee.to_string());
            return Some(cycle);
        }
        if let Some(flow) = p.flows.get(callee) {
            path.push(callee);
            if let Some(c) = find_cycle(p, &flow.steps, path) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

fn unknown_persona(
    file: &std::sync::Arc<str>,
    pos: super::node::Pos,
    name: &str,
    p: &Profile,
) -> Diagnostic {
    let hint = did_you_mean(name, p.personas.keys().map(String::as_str));
    Diagnostic::new(file, Some(pos), format!("unknown persona `{name}`{hint}")).hint(format!(
        "personas defined in {}: {}",
        p.file,
        p.personas.keys().cloned().collect::<Vec<_>>().join(", ")
    ))
}

fn undefined_var(
    file: &std::sync::Arc<str>,
    pos: super::node::Pos,
    var: &str,
    place: &str,
) -> Diagnostic {
    let pos = (pos.line > 0).then_some(pos);
    Diagnostic::new(file, pos, format!("undefined variable `${{{var}}}` in {place}")).hint(format!(
        "define it with --var {var}=..., --secret {var}=... (for passwords), the environment, or the profile's `vars:`"
    ))
}
