//! Running a loaded project end to end: driver up, flows, console lines, reports, driver down.
//! Shared by `usher run` and `usher demo`.

use crate::driver::{DriverConfig, Launcher};
use crate::engine::events::Event;
use crate::engine::{RunCtx, run};
use crate::exit::Exit;
use crate::record::{FlowRecord, RunInfo, RunSummary, Verdict};
use crate::redact::Redactor;
use crate::report::{Console, html_report, junit_xml, results_json, write_atomic};
use crate::scenario::{Inputs, Project};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub struct ExecOptions {
    pub jobs: usize,
    pub report_dir: PathBuf,
    pub junit: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub driver: DriverConfig,
    pub target: Option<String>,
    pub step_timeout: Option<Duration>,
    pub inputs: Inputs,
    /// Print a line per finished flow and the summary.
    pub console: bool,
    /// Write junit.xml, results.json and index.html at the end (callers merging several runs write their own).
    pub write_reports: bool,
}

pub struct Executed {
    pub flows: Vec<FlowRecord>,
    pub summary: RunSummary,
    pub info: RunInfo,
    pub exit: Exit,
}

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

pub async fn execute(
    project: &Project,
    opts: ExecOptions,
    redactor: &Redactor,
    cancel: CancellationToken,
) -> Executed {
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let targets: Vec<String> = project
        .suites
        .iter()
        .map(|s| {
            opts.target
                .clone()
                .or_else(|| s.profile.base_url.clone())
                .unwrap_or_default()
        })
        .collect();
    let mut info = RunInfo {
        targets: targets.iter().map(|t| redactor.redact(t)).collect(),
        browser: format!("{:?}", opts.driver.browser).to_lowercase(),
        jobs: opts.jobs,
        flows: project.scenario_count(),
        started_at,
    };
    let console = std::sync::Arc::new(if opts.console {
        Console::with_progress(project.scenario_count())
    } else {
        Console::plain()
    });
    let (flows, mut summary) = match Launcher::start(opts.driver.clone()).await {
        Ok(launcher) => {
            let launcher = Arc::new(launcher);
            info.browser = redactor.redact(&launcher.describe());
            let show = opts.console;
            let c = console.clone();
            let sink: crate::engine::Sink = Arc::new(move |e: Event| {
                if show {
                    c.on_event(&e);
                }
            });
            let http = crate::engine::http_client::replay_client();
            let ctx = Arc::new(RunCtx {
                launcher: launcher.clone(),
                redactor: redactor.clone(),
                cancel: cancel.clone(),
                report_dir: opts.report_dir.clone(),
                step_timeout: opts.step_timeout,
                inputs: opts.inputs.clone(),
                target: opts.target.clone(),
                http,
                sink,
            });
            let project = resolve_auto_tokens(project, &ctx, opts.target.as_deref()).await;
            let result = run::run(&project, ctx, opts.jobs).await;
            launcher.shutdown().await;
            result
        }
        Err(e) => {
            let why = redactor.redact(&format!("infrastructure error: {e}"));
            eprintln!("error: {why}");
            let flows: Vec<FlowRecord> = project
                .suites
                .iter()
                .zip(&info.targets)
                .flat_map(|(s, t)| s.scenarios.iter().map(move |sc| (s, t, sc)))
                .map(|(s, t, sc)| run::not_run(&s.profile, t, sc, Verdict::Error, &why))
                .collect();
            let mut summary = RunSummary::default();
            for f in &flows {
                summary.count(f.verdict);
                if opts.console {
                    crate::outln!("{}", console.flow_line(f));
                }
            }
            (flows, summary)
        }
    };
    summary.interrupted |= cancel.is_cancelled();
    console.finish();
    if opts.console {
        crate::outln!("{}", Console::new().summary_line(&summary));
    }
    let mut exit = summary.exit();
    if opts.write_reports {
        let mut paths = ReportPaths::in_dir(&opts.report_dir);
        paths.junit = opts.junit.clone().unwrap_or(paths.junit);
        paths.json = opts.json.clone().unwrap_or(paths.json);
        paths.html = opts.html.clone().unwrap_or(paths.html);
        if !write_reports(&info, &summary, &flows, &paths, redactor, opts.console)
            && exit == Exit::Passed
        {
            exit = Exit::Infrastructure;
        }
    }
    Executed {
        flows,
        summary,
        info,
        exit,
    }
}

/// Replaces `token: auto` with the location found by logging in once. A suite whose token cannot be
/// found keeps `auto`, and its flows end in ERROR naming why.
async fn resolve_auto_tokens(
    project: &Project,
    ctx: &Arc<RunCtx>,
    target: Option<&str>,
) -> Project {
    let mut suites = Vec::new();
    for suite in &project.suites {
        let mut suite = suite.clone();
        if suite.profile.token == crate::scenario::TokenLocation::Auto {
            let base = target
                .map(str::to_string)
                .or_else(|| suite.profile.base_url.clone())
                .unwrap_or_default();
            let probe = crate::engine::context::FlowCtx::new(
                ctx.clone(),
                suite.profile.clone(),
                "token-discovery",
                String::new(),
                String::new(),
            );
            let base = probe.expand(&base, "").unwrap_or(base);
            match crate::engine::token_discovery::discover(ctx.clone(), suite.profile.clone(), base)
                .await
            {
                Ok(found) => {
                    eprintln!(
                        "{}: `token: auto` found the session token in {}",
                        suite.profile.app,
                        found.describe()
                    );
                    let mut p = (*suite.profile).clone();
                    p.token = found;
                    suite.profile = Arc::new(p);
                }
                Err(e) => eprintln!(
                    "{}: `token: auto` failed: {}",
                    suite.profile.app,
                    ctx.redactor.redact(&e.to_string())
                ),
            }
        }
        suites.push(suite);
    }
    Project {
        suites,
        sources: project.sources.clone(),
        notes: project.notes.clone(),
    }
}

/// Where the reports go: into the report directory (which also holds the artifacts they name)
/// unless `--junit`, `--json` or `--html` place one elsewhere.
pub struct ReportPaths {
    pub dir: PathBuf,
    pub junit: PathBuf,
    pub json: PathBuf,
    pub html: PathBuf,
}

impl ReportPaths {
    pub fn in_dir(dir: &std::path::Path) -> Self {
        ReportPaths {
            dir: dir.to_path_buf(),
            junit: dir.join("junit.xml"),
            json: dir.join("results.json"),
            html: dir.join("index.html"),
        }
    }
}

/// Writes JUnit, JSON and HTML atomically; false when one could not be written (the error is printed).
pub fn write_reports(
    info: &RunInfo,
    summary: &RunSummary,
    flows: &[FlowRecord],
    paths: &ReportPaths,
    redactor: &Redactor,
    announce: bool,
) -> bool {
    let files = [
        (
            &paths.junit,
            redactor.redact(&junit_xml(info, summary, flows)),
        ),
        (
            &paths.json,
            redactor.redact(&results_json(info, summary, flows)),
        ),
        // Redacted field by field inside, so inlined image bytes are never rewritten.
        (
            &paths.html,
            html_report(info, summary, flows, &paths.dir, redactor),
        ),
    ];
    let mut ok = true;
    for (path, text) in files {
        match write_atomic(path, text.as_bytes()) {
            Ok(()) if announce => crate::outln!("wrote {}", path.display()),
            Ok(()) => {}
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                ok = false;
            }
        }
    }
    ok
}
