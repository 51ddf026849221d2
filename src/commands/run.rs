//! `usher run`: load, validate, run, report; with `--baseline`, compare with an earlier run first.

use super::execute::{
    ExecOptions, Executed, ReportPaths, cancel_on_signals, execute, write_reports,
};
use super::inputs::{driver_config, inputs, step_timeout};
use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::redact::Redactor;
use crate::report::Console;
use crate::report::baseline::{RunResults, compare};

pub async fn run(args: &RunArgs, redactor: &Redactor) -> Exit {
    let prepared = (|| {
        let inputs = inputs(&args.inputs, redactor)?;
        let timeout = step_timeout(&args.driver)?;
        Ok::<_, super::inputs::BadInput>((inputs, timeout))
    })();
    let (inputs, step_timeout) = match prepared {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    if args.jobs == 0 {
        eprintln!("error: --jobs must be at least 1");
        return Exit::BadInput;
    }
    // Read before any browser starts: a bad baseline is found in a moment, not after the run.
    let baseline = match &args.baseline {
        Some(path) => match crate::report::baseline::load(path) {
            Ok(old) => Some((path.display().to_string(), old)),
            Err(e) => {
                eprintln!("error: --baseline: {e}");
                return Exit::BadInput;
            }
        },
        None => None,
    };
    let max_wait = match super::max_wait::parse(&args.max_wait) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let mut project = match load(args, &inputs) {
        Ok(p) => p,
        Err(text) => {
            eprint!("{}", redactor.redact(&text));
            return Exit::BadInput;
        }
    };
    for line in super::max_wait::apply(&mut project, max_wait, &|s, wait| rerun(args, s, wait)) {
        crate::outln!("{}", redactor.redact(&line));
    }
    let first = &project.suites[0].profile;
    let driver = match driver_config(&args.driver, first.browser.as_deref(), &first.capabilities) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let opts = ExecOptions {
        jobs: args.jobs,
        report_dir: args.report_dir.clone(),
        junit: args.junit.clone(),
        json: args.json.clone(),
        html: args.html.clone(),
        driver,
        target: args.driver.target.clone(),
        step_timeout,
        inputs,
        console: true,
        // With a baseline the reports carry the regressions, so they are written after the comparison.
        write_reports: baseline.is_none(),
    };
    let done = execute(&project, opts, redactor, cancel_on_signals()).await;
    match baseline {
        Some((label, old)) => report_regressions(args, done, label, &old, redactor),
        None => done.exit,
    }
}

/// Compares the run with the baseline, prints what got worse and writes the reports with it.
fn report_regressions(
    args: &RunArgs,
    mut done: Executed,
    label: String,
    old: &RunResults,
    redactor: &Redactor,
) -> Exit {
    let c = compare(old, &RunResults::from_flows(&done.flows));
    crate::out!(
        "{}",
        redactor.redact(&Console::new().baseline_lines(&label, &c))
    );
    done.summary.baseline = Some(label);
    done.summary.regressions = c.regressions;
    let mut paths = ReportPaths::in_dir(&args.report_dir);
    paths.junit = args.junit.clone().unwrap_or(paths.junit);
    paths.json = args.json.clone().unwrap_or(paths.json);
    paths.html = args.html.clone().unwrap_or(paths.html);
    let exit = done.summary.exit();
    let written = write_reports(
        &done.info,
        &done.summary,
        &done.flows,
        &paths,
        redactor,
        true,
    );
    if !written && exit == Exit::Passed {
        Exit::Infrastructure
    } else {
        exit
    }
}

/// The files given, and the built-in suite when `--suite builtin` asks for it.
fn load(
    args: &RunArgs,
    inputs: &crate::scenario::Inputs,
) -> Result<crate::scenario::Project, String> {
    let mut project = if args.paths.is_empty() {
        crate::scenario::Project::default()
    } else {
        crate::scenario::load(&args.paths, inputs).map_err(|d| d.render())?
    };
    if args.suite.is_some() {
        let profile = inputs
            .profile
            .clone()
            .expect("clap requires --profile with --suite");
        let selection = crate::suite::select(&args.select.only, &args.select.skip)
            .map_err(|e| format!("error: {e}\n"))?;
        let sources: Vec<(String, String)> = selection
            .iter()
            .map(|b| (format!("builtin/{}.yaml", b.name), b.text.to_string()))
            .collect();
        let builtin = crate::scenario::load::load_embedded(&profile, &sources, inputs)
            .map_err(|d| d.render())?;
        project.suites.extend(builtin.suites);
        project.sources.extend(builtin.sources);
    } else if !args.select.only.is_empty() || !args.select.skip.is_empty() {
        return Err(
            "error: --only and --skip choose built-in scenarios; add --suite builtin\n".into(),
        );
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
