//! `usher validate`: every problem at once, rustc style; exit 2 when there is one. Nothing runs.

use super::error::CommandError;
use super::inputs::inputs;
use crate::cli::ValidateArgs;
use crate::exit::Exit;
use crate::redact::Redactor;

pub fn validate(args: &ValidateArgs, redactor: &Redactor) -> Result<Exit, CommandError> {
    let inputs = crate::scenario::Inputs {
        secrets_later: true,
        ..inputs(&args.inputs, redactor)?
    };
    match crate::scenario::load(&args.paths, &inputs) {
        Ok(project) => {
            let notes = crate::scenario::Diagnostics {
                notes: project.notes.clone(),
                sources: project.sources.clone(),
                ..Default::default()
            };
            eprint!("{}", redactor.redact(&notes.render_notes()));
            for suite in &project.suites {
                crate::outln!(
                    "ok: profile `{}` ({}) with {} scenario(s), {}, {} flow(s)",
                    suite.profile.app,
                    suite.profile.file,
                    suite.scenarios.len(),
                    personas(&suite.profile),
                    suite.profile.flows.len()
                );
            }
            Ok(Exit::Passed)
        }
        Err(diags) => Err(CommandError::Diagnostics(redactor.redact(&diags.render()))),
    }
}

/// "2 personas (+ victim_phone, implicit)": the count the user wrote, then what the loader added.
fn personas(p: &crate::scenario::Profile) -> String {
    let (implicit, written): (Vec<_>, Vec<_>) = p.personas.values().partition(|d| d.implicit);
    let n = written.len();
    let mut out = format!("{n} persona{}", if n == 1 { "" } else { "s" });
    if !implicit.is_empty() {
        let names: Vec<&str> = implicit.iter().map(|d| d.name.as_str()).collect();
        out.push_str(&format!(" (+ {}, implicit)", names.join(", ")));
    }
    out
}
