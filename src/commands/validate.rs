//! `usher validate`: every problem at once, rustc style; exit 2 when there is one. Nothing runs.

use super::inputs::inputs;
use crate::cli::ValidateArgs;
use crate::exit::Exit;
use crate::redact::Redactor;

pub fn validate(args: &ValidateArgs, redactor: &Redactor) -> Exit {
    let inputs = match inputs(&args.inputs, redactor) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    match crate::scenario::load(&args.paths, &inputs) {
        Ok(project) => {
            for suite in &project.suites {
                crate::outln!(
                    "ok: profile `{}` ({}) with {} scenario(s), {} persona(s), {} flow(s)",
                    suite.profile.app,
                    suite.profile.file,
                    suite.scenarios.len(),
                    suite.profile.personas.len(),
                    suite.profile.flows.len()
                );
            }
            Exit::Passed
        }
        Err(diags) => {
            eprint!("{}", redactor.redact(&diags.render()));
            Exit::BadInput
        }
    }
}
