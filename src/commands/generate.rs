//! `usher generate`: the built-in suite as files for a profile.

use super::error::CommandError;
use crate::cli::GenerateArgs;
use crate::exit::Exit;
use crate::scenario::Diagnostics;

pub fn generate(args: &GenerateArgs) -> Result<Exit, CommandError> {
    let selection = crate::suite::select(&args.select.only, &args.select.skip)
        .map_err(CommandError::BadInput)?;
    let mut diags = Diagnostics::default();
    let Some(profile) = crate::scenario::load::load_profile(&args.profile, &mut diags) else {
        return Err(CommandError::Diagnostics(diags.render()));
    };
    match crate::suite::generate(&args.profile, &profile, &args.out, &selection, args.force) {
        Ok(done) => {
            for p in &done.written {
                crate::outln!("wrote {}", p.display());
            }
            for (name, why) in &done.skipped {
                crate::outln!("skipped {name}: {why}");
            }
            crate::outln!(
                "\n{} scenario(s) written to {}; run them with: usher run {}",
                done.written.len(),
                args.out.display(),
                args.out.display()
            );
            Ok(Exit::Passed)
        }
        Err(e) => Err(CommandError::BadInput(e.to_string())),
    }
}
