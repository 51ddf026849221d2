//! `usher logs FILE…`: session flaws in access logs, reported as `usher run` reports (JUnit,
//! results.json, HTML) with its exit codes. `usher logs generate`: a test log with planted incidents.

use super::error::CommandError;
use crate::cli::{LogsArgs, LogsCommand, LogsGenerateArgs};
use crate::exit::Exit;
use crate::logs::format::Format;
use crate::logs::policy::LogPolicy;
use crate::logs::session_id::{Source, Sources};
use crate::logs::{Input, Options, analyse, report};

pub fn logs(args: &LogsArgs) -> Result<Exit, CommandError> {
    if let Some(LogsCommand::Generate(g)) = &args.command {
        return generate(g);
    }
    let options = options(args).map_err(CommandError::BadInput)?;
    let inputs: Vec<Input> = args.files.iter().map(|f| Input::parse(f)).collect();
    crate::logs::source::check(&inputs).map_err(|e| CommandError::BadInput(e.to_string()))?;
    let (outcome, read_error) = match analyse(inputs, &options) {
        Ok(o) => (o, None),
        Err((e, o)) => (*o, Some(e)),
    };
    crate::out!("{}", report::summary(&outcome));
    match report::write_all(
        &outcome,
        &args.report_dir,
        args.outputs.junit.as_deref(),
        args.outputs.json.as_deref(),
        args.outputs.html.as_deref(),
    ) {
        Ok(paths) => {
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            crate::outln!("reports: {}", shown.join(", "));
        }
        Err(e) => {
            return Err(CommandError::Infrastructure(format!(
                "cannot write the reports into {}: {e}",
                args.report_dir.display()
            )));
        }
    }
    if let Some(e) = read_error {
        return Err(CommandError::BadInput(format!("reading stopped: {e}")));
    }
    if outcome.input.parsed == 0 {
        return Err(CommandError::BadInput(format!(
            "no line of the input matched the format `{}` ({} lines read); give --format",
            args.format, outcome.input.lines
        )));
    }
    Ok(if outcome.failed() {
        Exit::FlawFound
    } else {
        Exit::Passed
    })
}

fn options(args: &LogsArgs) -> Result<Options, String> {
    let mapping = args
        .fields
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("--field {f}: write KEY=PATH"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let format = Format::parse(&args.format, &mapping).map_err(|e| format!("--format: {e}"))?;
    let sources = args
        .sessions
        .iter()
        .map(|s| Source::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut policy = LogPolicy::default();
    for p in &args.policy {
        policy.set_pair(p)?;
    }
    Ok(Options {
        format,
        format_name: args.format.clone(),
        sources: Sources::new(sources),
        policy,
        redact_ips: args.redact_ips,
        workers: 0,
        geoip: match &args.geoip {
            Some(p) => Some(std::sync::Arc::new(crate::logs::geo::GeoDb::open(p)?)),
            None => None,
        },
    })
}

fn generate(g: &LogsGenerateArgs) -> Result<Exit, CommandError> {
    let size = crate::logs::generate::parse_size(&g.size)
        .map_err(|e| CommandError::BadInput(format!("--size: {e}")))?;
    match crate::logs::generate::write(&g.out, size, g.seed, g.planted.as_deref()) {
        Ok(summary) => {
            // With the log on stdout, the summary must not end up inside it.
            if g.out.as_os_str() == "-" {
                eprintln!("{summary}");
            } else {
                crate::outln!("{summary}");
            }
            Ok(Exit::Passed)
        }
        Err(e) => Err(CommandError::Infrastructure(format!(
            "cannot write {}: {e}",
            g.out.display()
        ))),
    }
}
