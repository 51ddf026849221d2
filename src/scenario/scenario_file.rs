//! A scenario file: one regression flow (one JUnit testcase), steps across personas ending in checks.

use super::convert::{self, Ctx};
use super::node::{Node, Pos};
use super::step::{Action, Origin, Step};
use super::suggest::did_you_mean;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub file: Arc<str>,
    pub name: String,
    pub description: Option<String>,
    /// Standards covered, e.g. `wstg-sess-06`, `asvs-7.4.1`.
    pub tags: Vec<String>,
    /// Personas used, in order; the first is the default performer of a step.
    pub personas: Vec<String>,
    /// Where each of `personas` was written, for diagnostics.
    #[serde(skip)]
    pub persona_pos: Vec<Pos>,
    /// The profile this scenario runs against (default: `app.yaml` beside it).
    #[serde(skip)]
    pub profile: Option<PathBuf>,
    /// Where `profile:` was written, for diagnostics.
    #[serde(skip)]
    pub profile_pos: Option<Pos>,
    pub steps: Vec<Step>,
    /// Preconditions beyond the flows it runs (`requires:`); unmet ones make it SKIPPED.
    pub requires: Vec<super::requirement::Requirement>,
    pub origin: Origin,
}

pub const SCENARIO_KEYS: &[&str] = &[
    "scenario",
    "description",
    "tags",
    "personas",
    "profile",
    "requires",
    "steps",
];

pub fn from_node(ctx: &mut Ctx, root: &Node, dir: &std::path::Path) -> Option<Scenario> {
    let Some(entries) = root.as_map() else {
        let hint = "start with `scenario: <name>` and `steps:`";
        if matches!(root.value, super::node::Value::Null) {
            // Nothing to point at: the whole file is the problem.
            ctx.diags.push(
                super::diagnostic::Diagnostic::new(
                    &ctx.file,
                    None,
                    "the file is empty (or only comments); a scenario needs a name and steps",
                )
                .hint(hint),
            );
        } else {
            ctx.error(
                root.pos,
                1,
                format!("a scenario must be a mapping, found {}", root.kind()),
                Some(hint.into()),
            );
        }
        return None;
    };
    let before = ctx.diags.len();
    let mut s = Scenario {
        file: ctx.file.clone(),
        name: String::new(),
        description: None,
        tags: Vec::new(),
        personas: Vec::new(),
        persona_pos: Vec::new(),
        profile: None,
        profile_pos: None,
        steps: Vec::new(),
        requires: Vec::new(),
        origin: ctx.origin(root.pos),
    };
    let mut saw_steps = false;
    for (key, value) in entries {
        match key.name.as_str() {
            "scenario" => s.name = ctx.typed(value, "`scenario`").unwrap_or_default(),
            "description" => s.description = ctx.typed(value, "`description`"),
            "tags" => s.tags = ctx.typed(value, "`tags`").unwrap_or_default(),
            "personas" => {
                s.personas = ctx.typed(value, "`personas`").unwrap_or_default();
                s.persona_pos = value
                    .as_seq()
                    .unwrap_or_default()
                    .iter()
                    .map(|n| n.pos)
                    .collect();
            }
            "profile" => {
                s.profile = ctx.typed::<String>(value, "`profile`").map(|p| dir.join(p));
                s.profile_pos = Some(value.pos);
            }
            "requires" => s.requires = ctx.typed(value, "`requires`").unwrap_or_default(),
            "steps" => {
                saw_steps = true;
                s.steps = convert::steps(ctx, value, "`steps`");
            }
            other => {
                let hint = did_you_mean(other, SCENARIO_KEYS.iter().copied());
                ctx.error(
                    key.pos,
                    other.chars().count(),
                    format!("unknown key `{other}` in the scenario{hint}"),
                    Some(format!("valid keys: {}", SCENARIO_KEYS.join(", "))),
                );
            }
        }
    }
    if s.name.trim().is_empty() && ctx.diags.len() == before {
        ctx.error(
            root.pos,
            1,
            "the scenario has no name",
            Some("add `scenario: <name>`; it becomes the JUnit testcase name".into()),
        );
    }
    if !saw_steps {
        ctx.error(root.pos, 1, "the scenario has no `steps`", None);
    } else if ctx.diags.len() == before
        && !super::step::all_steps(&s.steps)
            .iter()
            .any(|st| matches!(st.action, Action::Check(_)))
    {
        ctx.error(
            root.pos,
            1,
            format!(
                "scenario `{}` has no `check` step, so it can never FAIL",
                s.name
            ),
            Some("end it with e.g. `- check: logged_out`".into()),
        );
    }
    (ctx.diags.len() == before).then_some(s)
}
