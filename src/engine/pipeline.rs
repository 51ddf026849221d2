//! Running a loaded project end to end: driver up, `token: auto` resolved, flows run, driver down.
//! Returns the records; what is printed and which files are written is the caller's (through the
//! listener it passes and the records it gets back).

use super::context::{FlowCtx, RunCtx, Sink, base_url};
use super::run::{self, not_run};
use crate::driver::{DriverConfig, Launcher};
use crate::record::{FlowRecord, RunInfo, RunSummary, Verdict};
use crate::redact::Redactor;
use crate::scenario::{Inputs, Profile, Project, TokenLocation};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How to run a project.
#[derive(Clone)]
pub struct RunOptions {
    pub jobs: usize,
    /// Where artifacts go (and, by the caller, the reports).
    pub report_dir: PathBuf,
    pub driver: DriverConfig,
    /// `--target`: overrides each profile's `base_url`.
    pub target: Option<String>,
    pub step_timeout: Option<Duration>,
    pub inputs: Inputs,
}

/// What the run is told about as it goes. Every method is called from the run's tasks.
pub trait Listener: Send + Sync {
    /// Every event of the run (a flow started, a flow finished).
    fn on_event(&self, event: &super::Event);
    /// A suite's `token: auto`, resolved before its flows run: the location found, or why it was not
    /// (redacted; the suite keeps `auto`, and its flows end in ERROR naming why).
    fn on_auto_token(&self, app: &str, found: &Result<TokenLocation, String>);
}

/// The finished run.
pub struct Executed {
    pub flows: Vec<FlowRecord>,
    pub summary: RunSummary,
    pub info: RunInfo,
    /// The browser could not be started (redacted, "infrastructure error: …"): every flow is an
    /// ERROR with this reason.
    pub launch_error: Option<String>,
}

/// Runs every flow of the project and returns the records in file order. When the browser cannot be
/// started, every flow is recorded as ERROR with the reason and `launch_error` says it.
pub async fn run_project(
    project: &Project,
    opts: RunOptions,
    redactor: &Redactor,
    cancel: CancellationToken,
    listener: Arc<dyn Listener>,
) -> Executed {
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let targets: Vec<String> = project
        .suites
        .iter()
        .map(|s| base_url(opts.target.as_deref(), &s.profile))
        .collect();
    let mut info = RunInfo {
        targets: targets.iter().map(|t| redactor.redact(t)).collect(),
        browser: format!("{:?}", opts.driver.browser).to_lowercase(),
        jobs: opts.jobs,
        flows: project.scenario_count(),
        started_at,
    };
    let (flows, mut summary, launch_error) = match Launcher::start(opts.driver.clone()).await {
        Ok(launcher) => {
            let launcher = Arc::new(launcher);
            let l = listener.clone();
            let sink: Sink = Arc::new(move |e| l.on_event(&e));
            let ctx = Arc::new(RunCtx {
                launcher: launcher.clone(),
                redactor: redactor.clone(),
                cancel: cancel.clone(),
                report_dir: opts.report_dir.clone(),
                step_timeout: opts.step_timeout,
                inputs: opts.inputs.clone(),
                target: opts.target.clone(),
                http: super::http_client::replay_client(),
                sink,
            });
            let project = resolve_auto_tokens(project, &ctx, listener.as_ref()).await;
            let (flows, summary) = run::run(&project, ctx, opts.jobs).await;
            // After the flows: their sessions reported the browser's version.
            launcher.learn_browser_version().await;
            info.browser = redactor.redact(&launcher.describe());
            launcher.shutdown().await;
            (flows, summary, None)
        }
        Err(e) => {
            let why = redactor.redact(&format!("infrastructure error: {e}"));
            let flows: Vec<FlowRecord> = project
                .suites
                .iter()
                .zip(&info.targets)
                .flat_map(|(s, t)| s.scenarios.iter().map(move |sc| (s, t, sc)))
                .map(|(s, t, sc)| not_run(&s.profile, t, sc, Verdict::Error, &why))
                .collect();
            let mut summary = RunSummary::default();
            for f in &flows {
                summary.count(f.verdict);
            }
            (flows, summary, Some(why))
        }
    };
    summary.interrupted |= cancel.is_cancelled();
    Executed {
        flows,
        summary,
        info,
        launch_error,
    }
}

/// Replaces `token: auto` with the location found by logging in once. A suite whose token cannot be
/// found keeps `auto`, and its flows end in ERROR naming why.
async fn resolve_auto_tokens(
    project: &Project,
    ctx: &Arc<RunCtx>,
    listener: &dyn Listener,
) -> Project {
    let mut suites = Vec::new();
    for suite in &project.suites {
        let mut suite = suite.clone();
        if suite.profile.token != TokenLocation::Auto {
            suites.push(suite);
            continue;
        }
        let base = ctx.base_url(&suite.profile);
        let probe = FlowCtx::new(
            ctx.clone(),
            suite.profile.clone(),
            "token-discovery",
            String::new(),
            String::new(),
        );
        let base = probe.expand(&base, "").unwrap_or(base);
        if let Some(found) = resolve_auto_token(ctx, &suite.profile, base).await {
            listener.on_auto_token(&suite.profile.app, &found);
            if let Ok(token) = found {
                suite.profile = with_token(&suite.profile, token);
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

/// `token: auto` resolved by logging in once at `base`: the location found, or why it could not be
/// (redacted). `None` when the profile names its token location itself.
pub async fn resolve_auto_token(
    run: &Arc<RunCtx>,
    profile: &Arc<Profile>,
    base: String,
) -> Option<Result<TokenLocation, String>> {
    if profile.token != TokenLocation::Auto {
        return None;
    }
    let found = super::token_discovery::discover(run.clone(), profile.clone(), base).await;
    Some(found.map_err(|e| run.redactor.redact(&e.to_string())))
}

/// The profile with its token location replaced.
pub fn with_token(profile: &Arc<Profile>, token: TokenLocation) -> Arc<Profile> {
    let mut p = (**profile).clone();
    p.token = token;
    Arc::new(p)
}
