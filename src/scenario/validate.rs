//! Checks that need the whole suite: personas, flows, variables and captured labels that do not exist,
//! and flows that run each other in a cycle.

use super::diagnostic::Diagnostic;
use super::profile::Profile;
use super::project::{Inputs, Suite};
use super::step::{Action, Step, all_steps};
use super::suggest::did_you_mean;
use super::vars;
use std::collections::HashSet;

pub fn suite(
    suite: &Suite,
    inputs: &Inputs,
    out: &mut Vec<Diagnostic>,
    notes: &mut Vec<Diagnostic>,
) {
    let p = &*suite.profile;
    let known = Known::new(p, inputs, &suite.scenarios);
    for (name, persona) in &p.personas {
        if let Some(other) = &persona.same_account_as
            && !p.personas.contains_key(other)
        {
            out.push(unknown_persona(&p.file, persona.pos, other, p));
        }
        let fields = persona
            .accounts
            .iter()
            .flat_map(|a| [&a.username, &a.password].into_iter().zip(a.field_pos));
        for (field, pos) in fields {
            for (var, _) in vars::references(field) {
                let near_miss = known.suggest(&var, false);
                if !known.has(&var, false) && inputs.secrets_later && near_miss.is_empty() {
                    notes.push(unset_secret(&p.file, pos, &var, name));
                } else if !known.has(&var, false) {
                    out.push(undefined_var(
                        &p.file,
                        pos,
                        &var,
                        &format!("persona `{name}`{}", near_miss),
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
    // Flows already searched, so that each is searched once: flows running each other twice form a DAG
    // with exponentially many paths, and a cycle through thousands of flows must not be walked once per
    // flow.
    let mut searched: HashSet<&str> = HashSet::new();
    let parallel_flows: HashSet<&str> = p
        .flows
        .values()
        .flat_map(|f| f.steps.iter())
        .chain(suite.scenarios.iter().flat_map(|s| all_steps(&s.steps)))
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
                if !s.action.is_browser_only() {
                    out.push(
                        Diagnostic::new(&s.origin.file, Some(s.origin.pos), format!(
                            "{what} may only use browser steps, not `{}`",
                            s.action.keyword()
                        ))
                        .hint("browser steps: open, click, fill, select, submit, wait_for, see, not_see, cookie and storage steps, eval, back, refresh, context"),
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
        for s in flow
            .steps
            .iter()
            .filter(|s| matches!(s.action, Action::Variants(_)))
        {
            out.push(
                Diagnostic::new(
                    &s.origin.file,
                    Some(s.origin.pos),
                    "`variants` is a scenario step; a profile flow cannot hold it",
                )
                .hint("move the variants into the scenario that runs this flow"),
            );
        }
        steps(&flow.steps, p, &known, out);
        let found = (!searched.contains(flow.name.as_str()))
            .then(|| find_cycle(p, &flow.name, &flow.steps, &mut searched))
            .flatten();
        if let Some(cycle) = found.filter(|c| {
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
    // Only the oracle reads `otherwise`: anywhere else it would be silently ignored.
    let elsewhere = (p.flows.values())
        .filter(|f| f.name != "logged_in")
        .flat_map(|f| all_steps(&f.steps))
        .chain(suite.scenarios.iter().flat_map(|s| all_steps(&s.steps)));
    for step in elsewhere {
        if let Action::See(e) = &step.action
            && e.otherwise.is_some()
        {
            out.push(
                Diagnostic::new(
                    &step.origin.file,
                    Some(step.origin.pos),
                    "`otherwise` only means something in the `logged_in` oracle's `see`",
                )
                .hint("remove `otherwise` here; a `see` elsewhere is an assertion, not a question"),
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
        for step in all_steps(&s.steps) {
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
        let scenario_steps = scenarios.iter().flat_map(|s| all_steps(&s.steps));
        for s in scenario_steps {
            for n in s.action.saved_names() {
                saved.insert(n.to_string());
            }
        }
        for flow in profile.flows.values() {
            for s in &flow.steps {
                for n in s.action.saved_names() {
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
        (in_step
            && (vars::PERSONA_FIELDS.contains(&name)
                || name == vars::RANDOM
                || self.saved.contains(name)))
            || self.inputs.vars.contains_key(name)
            || self.inputs.secrets.contains_key(name)
            || self.profile.vars.contains_key(name)
            || std::env::var_os(name).is_some()
    }
}

fn steps(list: &[Step], p: &Profile, known: &Known, out: &mut Vec<Diagnostic>) {
    let mut saved_here: HashSet<String> = HashSet::new();
    for step in all_steps(list) {
        for persona in step.personas_of() {
            if !p.personas.contains_key(persona) {
                out.push(unknown_persona(
                    &step.origin.file,
                    step.origin.pos,
                    persona,
                    p,
                ));
            }
        }
        let called = match &step.action {
            Action::Parallel(a) => Some(a.run.as_str()),
            a => a.flow_run(),
        };
        if let Action::RunPart(part) = &step.action
            && let Some(flow) = p.flows.get(&part.flow)
            && let Err(why) = super::step::flow_part(&flow.steps, part)
        {
            out.push(
                Diagnostic::new(&step.origin.file, Some(step.origin.pos), why).hint(
                    "`until: submit` and `from: submit` split a flow at the click that sends its filled form",
                ),
            );
        }
        if let Some(flow) = called
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
        for n in step.action.saved_names() {
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

/// The first cycle reachable from the flow `root`, depth first, as the flows along it.
///
/// `searched` holds the flows earlier searches entered; they are not entered again. Each of them either
/// leads to no cycle (its search ended without one) or was on the path to a cycle already found, so a
/// suite with a cycle still gets its diagnostic while each flow is searched once. Iterative, with an
/// explicit stack: a chain of thousands of flows must not overflow the thread's stack.
fn find_cycle<'a>(
    p: &'a Profile,
    root: &'a str,
    steps: &'a [Step],
    searched: &mut HashSet<&'a str>,
) -> Option<Vec<String>> {
    // The path being explored: each flow with its steps and the index of its next step to look at.
    let mut path: Vec<(&'a str, &'a [Step], usize)> = vec![(root, steps, 0)];
    // Where each flow on the path sits in it.
    let mut on_path: std::collections::HashMap<&'a str, usize> = [(root, 0)].into();
    while let Some(top) = path.last_mut() {
        let (name, steps, i) = *top;
        let Some(step) = steps.get(i) else {
            path.pop();
            on_path.remove(name);
            searched.insert(name);
            continue;
        };
        top.2 += 1;
        let callee = match &step.action {
            Action::Parallel(a) => a.run.as_str(),
            Action::Browse => "browse",
            a => match a.flow_run() {
                Some(f) => f,
                None => continue,
            },
        };
        if let Some(&start) = on_path.get(callee) {
            let mut cycle: Vec<String> = path[start..].iter().map(|f| f.0.to_string()).collect();
            cycle.push(callee.to_string());
            searched.extend(path.iter().map(|f| f.0));
            return Some(cycle);
        }
        if searched.contains(callee) {
            continue;
        }
        if let Some((name, flow)) = p.flows.get_key_value(callee) {
            on_path.insert(name, path.len());
            path.push((name, &flow.steps, 0));
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

/// A secret a lint job need not hold; a one-letter-off name of a given one stays an error (a typo).
fn unset_secret(
    file: &std::sync::Arc<str>,
    pos: super::node::Pos,
    var: &str,
    persona: &str,
) -> Diagnostic {
    let pos = (pos.line > 0).then_some(pos);
    Diagnostic::new(
        file,
        pos,
        format!("`${{{var}}}` (persona `{persona}`) is not set; `usher run` will need it"),
    )
    .hint(format!(
        "give it at run time: --secret {var}=... or the environment variable {var}"
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::convert::Ctx;
    use std::sync::Arc;

    fn check(profile: &str) -> Vec<Diagnostic> {
        let root = crate::scenario::node::parse(profile).expect("YAML");
        let mut ctx = Ctx::new(Arc::from("app.yaml"));
        let p = crate::scenario::profile::from_node(&mut ctx, &root, ".".into());
        let p = p.unwrap_or_else(|| panic!("profile: {:?}", ctx.diags));
        let s = Suite {
            profile: Arc::new(p),
            scenarios: Vec::new(),
            skipped: Vec::new(),
        };
        let mut out = Vec::new();
        suite(&s, &Inputs::default(), &mut out, &mut Vec::new());
        out
    }

    #[test]
    fn a_flow_split_at_its_submit_must_have_one_and_variants_stay_in_scenarios() {
        let base = "app: x\ntoken: auto\nflows:\n  login:\n    - open: /login\n    - fill: {field: '#p', value: v}\n    - click: '#go'\n  logged_in:\n    - see: '#a'\n";
        let ok = check(&format!(
            "{base}  relogin:\n    - run: {{flow: login, until: submit}}\n    - run: {{flow: login, from: submit}}\n"
        ));
        assert!(ok.is_empty(), "{ok:?}");
        let out = check(&format!(
            "{base}  odd:\n    - run: {{flow: logged_in, until: submit}}\n    - run: {{flow: nope, from: submit}}\n"
        ));
        let msgs: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("flow `logged_in` has no submit")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("unknown flow `nope`")),
            "{msgs:?}"
        );
        let out = check(&format!(
            "{base}  tries:\n    - variants: {{a: [check: logged_in]}}\n"
        ));
        assert!(
            out.iter()
                .any(|d| d.message.contains("`variants` is a scenario step")),
            "{out:?}"
        );
    }

    #[test]
    fn otherwise_is_only_the_oracles() {
        let login = "app: x\ntoken: auto\nflows:\n  login:\n    - open: /login\n";
        let ok = check(&format!(
            "{login}  logged_in:\n    - see: {{element: '#a', otherwise: '#go'}}\n"
        ));
        assert!(ok.is_empty(), "{ok:?}");
        let out = check(&format!(
            "{login}    - see: {{element: '#a', otherwise: '#go'}}\n  logged_in:\n    - see: '#a'\n"
        ));
        assert!(
            out.iter().any(|d| d
                .message
                .contains("`otherwise` only means something in the `logged_in` oracle's `see`")),
            "{out:?}"
        );
    }

    /// Found with the `load_scenario` fuzz target (docs/fuzzing.md; a hand-written input, libFuzzer:
    /// timeout): flows that each run the next one twice made the cycle search walk every path, 2^40 of
    /// them here, and `usher validate` never returned.
    #[test]
    fn fuzz_regression_flows_running_each_other_twice() {
        let n = 40;
        let mut text = String::from("app: x\ntoken: auto\nflows:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  f{i}:\n    - run: f{}\n    - run: f{}\n",
                i + 1,
                i + 1
            ));
        }
        text.push_str(&format!("  f{n}:\n    - {}\n", "back"));
        let tail = "  login:\n    - run: f0\n  logged_in:\n    - see: '#a'\n";
        let start = std::time::Instant::now();
        let out = check(&format!("{text}{tail}"));
        assert!(out.is_empty(), "{out:?}");
        // A cycle behind the same diamonds is still found, once.
        let looped = text.replace(
            &format!("  f{n}:\n    - back\n"),
            &format!("  f{n}:\n    - run: f{}\n", n - 1),
        );
        let out = check(&format!("{looped}{tail}"));
        let cycles: Vec<_> = out.iter().filter(|d| d.message.contains("cycle")).collect();
        assert_eq!(cycles.len(), 1, "{out:?}");
        assert!(
            cycles[0]
                .message
                .ends_with(&format!("f{} → f{n} → f{}", n - 1, n - 1)),
            "{}",
            cycles[0].message
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    /// Found with the same target: a chain of flows each running the next recursed once per flow and
    /// overflowed the stack (40 000 such flows fit in a file usher reads), and a cycle through all of them
    /// was walked again from each of its flows (quadratic).
    #[test]
    fn fuzz_regression_long_chain_of_flows() {
        let n = 20_000;
        let mut text = String::from("app: x\ntoken: auto\nflows:\n  login: [run: f0]\n");
        text.push_str("  logged_in: [see: '#a']\n");
        for i in 0..n {
            text.push_str(&format!("  f{i}: [run: f{}]\n", i + 1));
        }
        let out = check(&format!("{text}  f{n}: [back]\n"));
        assert!(out.is_empty(), "{out:?}");
        let out = check(&format!("{text}  f{n}: [run: f0]\n"));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(
            out[0]
                .message
                .starts_with("flows run each other in a cycle: f0 → f1 → ")
        );
    }
}
