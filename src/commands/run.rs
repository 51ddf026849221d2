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
    let project = match crate::scenario::load(&args.paths, &inputs) {
        Ok(p) => p,
        Err(diags) => {
            eprint!("{}", redactor.redact(&diags.render()));
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
    };
    execute(&project, opts, redactor, cancel_on_signals())
        .await
        .exit
}
