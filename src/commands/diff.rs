//! `usher diff OLD.json NEW.json`: the comparison `usher run --baseline` makes, for two finished runs.
//! Exit 0 without regressions, 1 with any (a regression to ERROR too: the flow did pass before), 2 when
//! a file cannot be read as a results.json.

use super::error::CommandError;
use crate::cli::DiffArgs;
use crate::exit::Exit;
use crate::report::Console;
use crate::report::baseline::{compare, load};

pub fn diff(args: &DiffArgs) -> Result<Exit, CommandError> {
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => return Err(CommandError::BadInput(e.to_string())),
    };
    let c = compare(&old, &new);
    if args.json {
        let out = serde_json::json!({
            "baseline": args.old.display().to_string(),
            "results": args.new.display().to_string(),
            "comparison": c,
        });
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&out).expect("comparison serializes")
        );
    } else {
        crate::out!(
            "{}",
            Console::new()
                .baseline_lines(&args.old.display().to_string(), &c)
                .trim_start()
        );
    }
    Ok(if c.regressions.is_empty() {
        Exit::Passed
    } else {
        Exit::FlawFound
    })
}
