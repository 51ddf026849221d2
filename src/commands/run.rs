//! `usher run`: load, validate, run, report; with `--baseline`, compare with an earlier run first.

use super::error::{CommandError, run_exit, with_reports};
use super::execute::{cancel_on_signals, execute, write_reports};
use super::inputs::{driver_config, inputs};
use crate::cli::RunArgs;
use crate::engine::pipeline::RunOptions;
use crate::exit::Exit;
use crate::redact::Redactor;
use crate::report::baseline::{RunResults, compare};
use crate::report::{Console, ReportPaths};

pub async fn run(args: &RunArgs, redactor: &Redactor) -> Result<Exit, CommandError> {
    let inputs = inputs(&args.inputs, redactor)?;
    // Read before any browser starts: a bad baseline is found in a moment, not after the run.
    let baseline = match &args.baseline {
        Some(path) => match crate::report::baseline::load(path) {
            Ok(old) => Some((path.display().to_string(), old)),
            Err(e) => return Err(CommandError::BadInput(format!("--baseline: {e}"))),
        },
        None => None,
    };
    let mut project = load(args, &inputs).map_err(|e| redacted(e, redactor))?;
    for line in super::max_wait::apply(&mut project, args.max_wait, &|s, wait| rerun(args, s, wait))
    {
        crate::outln!("{}", redactor.redact(&line));
    }
    let first = &project.suites[0].profile;
    let driver = driver_config(&args.driver, first.browser.as_deref(), &first.capabilities)?;
    let opts = RunOptions {
        jobs: args.jobs,
        report_dir: args.report_dir.clone(),
        driver,
        target: args.driver.target.clone(),
        step_timeout: args.driver.step_timeout,
        inputs,
    };
    let mut done = execute(&project, opts, true, redactor, cancel_on_signals()).await;
    // With a baseline the reports carry the regressions, so they are written after the comparison.
    if let Some((label, old)) = baseline {
        let c = compare(&old, &RunResults::from_flows(&done.flows));
        crate::out!(
            "{}",
            redactor.redact(&Console::new().baseline_lines(&label, &c))
        );
        done.summary.baseline = Some(label);
        done.summary.regressions = c.regressions;
    }
    let mut paths = ReportPaths::in_dir(&args.report_dir);
    paths.junit = args.outputs.junit.clone().unwrap_or(paths.junit);
    paths.json = args.outputs.json.clone().unwrap_or(paths.json);
    paths.html = args.outputs.html.clone().unwrap_or(paths.html);
    let written = write_reports(&done, &paths, redactor, true);
    Ok(with_reports(run_exit(&done.summary), written))
}

/// Loader diagnostics and selection errors, with every secret they might quote redacted.
fn redacted(e: CommandError, redactor: &Redactor) -> CommandError {
    match e {
        CommandError::Diagnostics(text) => CommandError::Diagnostics(redactor.redact(&text)),
        CommandError::BadInput(text) => CommandError::BadInput(redactor.redact(&text)),
        other => other,
    }
}

/// The files given, and the built-in suite when `--suite builtin` asks for it.
fn load(
    args: &RunArgs,
    inputs: &crate::scenario::Inputs,
) -> Result<crate::scenario::Project, CommandError> {
    let diagnostics = |d: crate::scenario::Diagnostics| CommandError::Diagnostics(d.render());
    let mut project = if args.paths.is_empty() {
        crate::scenario::Project::default()
    } else {
        crate::scenario::load(&args.paths, inputs).map_err(diagnostics)?
    };
    if args.suite.is_some() {
        let profile = inputs
            .profile
            .clone()
            .expect("clap requires --profile with --suite");
        let selection = crate::suite::select(&args.select.only, &args.select.skip)
            .map_err(CommandError::BadInput)?;
        let sources: Vec<(String, String)> = selection
            .iter()
            .map(|b| (format!("builtin/{}.yaml", b.name), b.text.to_string()))
            .collect();
        let builtin = crate::scenario::load::load_embedded(&profile, &sources, inputs)
            .map_err(diagnostics)?;
        project.suites.extend(builtin.suites);
        project.sources.extend(builtin.sources);
    } else if !args.select.only.is_empty() || !args.select.skip.is_empty() {
        return Err(CommandError::BadInput(
            "--only and --skip choose built-in scenarios; add --suite builtin".into(),
        ));
    }
    if let Some(shard) = args.shard {
        let all = project.scenario_count();
        project.keep_shard(shard);
        eprintln!("shard {shard}: {} of {all} flows", project.scenario_count());
    }
    Ok(project)
}

/// The command that runs one scenario with a longer `--max-wait`: the built-in one by `--only`, a file
/// by its path; "…" stands for the run's other arguments (secrets are never repeated).
fn rerun(args: &RunArgs, s: &crate::scenario::Scenario, wait: &str) -> String {
    match s.file.strip_prefix("builtin/") {
        Some(_) => format!(
            "usher run --suite builtin --profile {} --only {} --max-wait {wait} …",
            args.inputs
                .profile
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            s.name
        ),
        None => format!("usher run {} --max-wait {wait} …", s.file),
    }
}
