//! The console side of a run, shared by `usher run` and `usher demo`: the engine runs the project
//! (`engine::pipeline`), this prints its lines, says its errors and writes its reports.

use super::error::{CommandError, report};
use crate::driver::{DriverConfig, Launcher};
use crate::engine::RunCtx;
use crate::engine::events::Event;
use crate::engine::pipeline::{Executed, Listener, RunOptions, run_project};
use crate::redact::Redactor;
use crate::report::{Console, ReportPaths, write_all};
use crate::scenario::{Inputs, Project, TokenLocation};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Cancels the token on Ctrl-C or SIGTERM, so sessions close and reports still get written.
pub fn cancel_on_signals() -> CancellationToken {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {},
                _ = term.recv() => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("usher: interrupted; closing browsers and writing what finished");
        c.cancel();
    });
    cancel
}

/// Starts the browsers of a run that proves a profile (`check-profile`, `discover`): no reports,
/// no listener.
pub async fn proving_run(
    driver: DriverConfig,
    redactor: &Redactor,
    inputs: Inputs,
    step_timeout: Option<Duration>,
    target: Option<String>,
) -> Result<Arc<RunCtx>, CommandError> {
    let launcher = Launcher::start(driver)
        .await
        .map(Arc::new)
        .map_err(|e| CommandError::Infrastructure(format!("infrastructure error: {e}")))?;
    Ok(Arc::new(RunCtx {
        launcher,
        redactor: redactor.clone(),
        cancel: cancel_on_signals(),
        report_dir: std::env::temp_dir(),
        step_timeout,
        inputs,
        target,
        http: crate::engine::http_client::replay_client(),
        sink: Arc::new(|_| {}),
    }))
}

/// Prints a line per finished flow (when `show`), and what `token: auto` found, on stderr.
struct ConsoleListener {
    console: Arc<Console>,
    show: bool,
}

impl Listener for ConsoleListener {
    fn on_event(&self, event: &Event) {
        if !self.show {
            return;
        }
        match event {
            Event::FlowStarted { name, .. } => self.console.flow_started(name),
            Event::FlowFinished(r) => self.console.flow_finished(r),
            // Steps and checks show in the flow's line once it finishes.
            Event::StepFinished { .. } | Event::CheckFinished { .. } => {}
        }
    }

    fn on_auto_token(&self, app: &str, found: &Result<TokenLocation, String>) {
        match found {
            Ok(token) => eprintln!(
                "{app}: `token: auto` found the session token in {}",
                token.describe()
            ),
            Err(why) => eprintln!("{app}: `token: auto` failed: {why}"),
        }
    }
}

/// Runs the project; with `console`, prints a line per finished flow and the summary.
pub async fn execute(
    project: &Project,
    opts: RunOptions,
    console: bool,
    redactor: &Redactor,
    cancel: CancellationToken,
) -> Executed {
    let lines = Arc::new(if console {
        Console::with_progress(project.scenario_count())
    } else {
        Console::plain()
    });
    let listener = Arc::new(ConsoleListener {
        console: lines.clone(),
        show: console,
    });
    let done = run_project(project, opts, redactor, cancel, listener).await;
    if let Some(why) = &done.launch_error {
        report(&CommandError::Infrastructure(why.clone()));
        if console {
            for f in &done.flows {
                crate::outln!("{}", lines.flow_line(f));
            }
        }
    }
    lines.finish();
    if console {
        crate::outln!("{}", Console::new().summary_line(&done.summary));
    }
    done
}

/// Writes JUnit, JSON and HTML (`announce`: a `wrote PATH` line each); says each file that could not
/// be written. False when one could not.
pub fn write_reports(
    done: &Executed,
    paths: &ReportPaths,
    redactor: &Redactor,
    announce: bool,
) -> bool {
    let (written, failed) = match write_all(&done.info, &done.summary, &done.flows, paths, redactor)
    {
        Ok(written) => (written, Vec::new()),
        Err(e) => (e.written, e.failed),
    };
    if announce {
        for path in &written {
            crate::outln!("wrote {}", path.display());
        }
    }
    let ok = failed.is_empty();
    for (path, error) in failed {
        report(&CommandError::Write { path, error });
    }
    ok
}
