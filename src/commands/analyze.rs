//! `usher analyze FILE`: the predictability analysis on a file of tokens, one per line. The report never
//! shows a token: only lengths, alphabets, positions and fingerprints.

use super::error::CommandError;
use crate::analysis::{AnalysisOptions, TokenVerdict, analyze};
use crate::cli::AnalyzeArgs;
use crate::exit::Exit;

pub fn run(args: &AnalyzeArgs) -> Result<Exit, CommandError> {
    let text = match std::fs::read(&args.file) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            return Err(CommandError::BadInput(format!(
                "cannot read {}: {e}",
                args.file.display()
            )));
        }
    };
    let tokens: Vec<String> = text.lines().map(str::to_string).collect();
    let opts = AnalysisOptions {
        min_entropy_bits: args.min_entropy_bits,
        hash_search: !args.no_hash_search,
        ..AnalysisOptions::default()
    };
    let a = analyze(&tokens, &opts);
    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&a.to_json()).expect("analysis serializes")
        );
    } else {
        crate::out!("{}", a.render_text());
    }
    Ok(match a.verdict {
        TokenVerdict::Pass => Exit::Passed,
        TokenVerdict::Fail => Exit::FlawFound,
        TokenVerdict::Inconclusive(_) => Exit::BadInput,
    })
}
