//! `usher run`: load, validate, run, report.

use super::execute::{ExecOptions, cancel_on_signals, execute};
use super::inputs::{driver_config, inputs, step_timeout};
use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::redact::Redactor;

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
    let project = match load(args, &inputs) {
        Ok(p) => p,
        Err(text) => {
            eprint!("{}", redactor.redact(&text));
            return Exit::BadInput;
        }
    };
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
        driver,
        target: args.driver.target.clone(),
        step_timeout,
        inputs,
        console: true,
        write_reports: true,
    };
    execute(&project, opts, redactor, cancel_on_signals())
        .await
        .exit
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
    Ok(project)
}
