//! Scheduling: flows run concurrently up to `--jobs`, each holding the accounts it uses for its whole
//! run (see `accounts.rs`): flows whose personas share an account run one after another in file order
//! (a logout in one must not log out the other), and a persona with a pool of accounts lets as many of
//! its flows run at once as it has accounts. A failing flow never stops the others; Ctrl-C ends every
//! session and still reports what finished.

use super::accounts::{self, Scheduler, default_persona, personas_used};
use super::context::{FlowCtx, RunCtx};
use super::events::Event;
use super::flow::Failure;
use crate::driver::BackForwardCache;
use crate::engine::step_error::{ErrorKind, StepError};
use crate::record::{FlowRecord, RunSummary, Verdict};
use crate::scenario::preconditions::Requirement;
use crate::scenario::{Profile, Project, Scenario, Suite};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Runs every scenario of the project and returns the finished flows in file order.
pub async fn run(
    project: &Project,
    run: Arc<RunCtx>,
    jobs: usize,
) -> (Vec<FlowRecord>, RunSummary) {
    let started = Instant::now();
    let scheduler = Scheduler::new(jobs);
    let mut tasks = Vec::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for (tag, suite) in project.suites.iter().enumerate() {
        for s in &suite.scenarios {
            let used = personas_used(suite, s);
            let needs = accounts::needs(tag, &suite.profile, &used);
            // Queued here, in file order, before anything is granted: the order decides who waits for
            // whom.
            let granted = scheduler.enqueue(
                order.len(),
                accounts::weight(suite, s),
                needs.iter().map(|n| n.candidates.clone()).collect(),
            );
            order.push((suite.profile.app.clone(), s.name.clone()));
            let run = run.clone();
            let suite = suite.clone();
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let lease = granted
                    .await
                    .expect("the scheduler grants every queued flow");
                let mut leased = BTreeMap::new();
                for (need, &i) in needs.iter().zip(&lease.chosen) {
                    for owner in &need.owners {
                        leased.insert(owner.clone(), i);
                    }
                }
                let start = FlowStart {
                    leased,
                    personas: used,
                    at: started.elapsed(),
                };
                let record = run_flow(&suite, &s, run, start).await;
                drop(lease);
                record
            }));
        }
    }
    scheduler.open();
    let mut by_name: HashMap<(String, String), FlowRecord> = HashMap::new();
    for suite in &project.suites {
        for (s, reason) in &suite.skipped {
            let target = run.redactor.redact(&run.base_url(&suite.profile));
            let r = not_run(&suite.profile, &target, s, Verdict::Skipped, reason);
            run.emit(Event::FlowFinished(Box::new(r.clone())));
            order.push((r.suite.clone(), r.name.clone()));
            by_name.insert((r.suite.clone(), r.name.clone()), r);
        }
    }
    for t in tasks {
        if let Ok(r) = t.await {
            by_name.insert((r.suite.clone(), r.name.clone()), r);
        }
    }
    let mut summary = RunSummary {
        interrupted: run.cancel.is_cancelled(),
        ..Default::default()
    };
    let records: Vec<FlowRecord> = order
        .into_iter()
        .filter_map(|k| by_name.remove(&k))
        .collect();
    for r in &records {
        summary.count(r.verdict);
    }
    summary.duration = started.elapsed();
    (records, summary)
}

/// What a flow starts with: the pool accounts it leased (owner persona → index into the pool), the
/// personas it uses, and when it started, from the start of the run.
pub struct FlowStart {
    pub leased: BTreeMap<String, usize>,
    pub personas: Vec<String>,
    pub at: Duration,
}

pub async fn run_flow(
    suite: &Suite,
    s: &Scenario,
    run: Arc<RunCtx>,
    start: FlowStart,
) -> FlowRecord {
    let app = suite.profile.app.clone();
    let mut full_browser = false;
    if s.requires.contains(&Requirement::BackForwardCache) {
        match run.launcher.back_forward_cache() {
            BackForwardCache::Native => {}
            BackForwardCache::FullBrowser => full_browser = true,
            // Judged in a browser without the cache, a page users would see again could pass unseen.
            BackForwardCache::Unavailable(why) => {
                let target = run.base_url(&suite.profile);
                let reason = format!("untestable here: it needs a back/forward cache, but {why}");
                let r = not_run(
                    &suite.profile,
                    &run.redactor.redact(&target),
                    s,
                    Verdict::Skipped,
                    &reason,
                );
                run.emit(Event::FlowFinished(Box::new(r.clone())));
                return r;
            }
        }
    }
    run.emit(Event::FlowStarted {
        suite: app.clone(),
        name: s.name.clone(),
    });
    let base_url = run.base_url(&suite.profile);
    let mut ctx = FlowCtx::new(
        run.clone(),
        suite.profile.clone(),
        &s.name,
        String::new(),
        default_persona(suite, s),
    );
    ctx.leased = start.leased;
    ctx.full_browser = full_browser;
    let performer = ctx.default_persona.clone();
    let result = match ctx.expand(&base_url, &performer) {
        Ok(url) if url::Url::parse(&url).is_ok() => {
            ctx.base_url = url;
            let first = s
                .steps
                .first()
                .and_then(|step| step.persona.clone())
                .unwrap_or_else(|| performer.clone());
            ctx.prestart(&s.personas, &first);
            ctx.exec_steps(&s.steps, &performer).await
        }
        Ok(url) => Err(Failure {
            error: StepError::input(format!(
                "no usable base URL (`{url}`); set `base_url` in the profile or pass --target"
            )),
            origin: s.origin.clone(),
        }),
        Err(error) => Err(Failure {
            error,
            origin: s.origin.clone(),
        }),
    };
    // A step that cannot run in this session at all (the token of a native app context) leaves the
    // flow unjudged: SKIPPED with the reason, never PASS on the checks that ran before it.
    let (skipped, result) = match result {
        Err(Failure { error, origin }) if error.kind() == ErrorKind::Unsupported => (
            Some(run.redactor.redact(&format!("{origin}: {error}"))),
            Ok(()),
        ),
        other => (None, other),
    };
    let error = result.err().map(|f| {
        let kind = match f.error.kind() {
            ErrorKind::Unsupported => "not possible in this session",
            ErrorKind::Cancelled => "interrupted",
            ErrorKind::Infra => "infrastructure error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Page => "the page was not as the scenario expects",
            ErrorKind::Input => "scenario error",
        };
        let detail = f.error.to_string();
        if detail == kind {
            run.redactor.redact(&format!("{}: {kind}", f.origin))
        } else {
            run.redactor
                .redact(&format!("{}: {kind}: {detail}", f.origin))
        }
    });
    let from_checks = Verdict::combine(ctx.checks.iter().map(|c| c.verdict));
    let verdict = match (&error, from_checks) {
        (_, Some(Verdict::Fail)) => Verdict::Fail,
        (Some(_), _) => Verdict::Error,
        (None, _) if skipped.is_some() => Verdict::Skipped,
        (None, Some(v)) => v,
        (None, None) => Verdict::Error,
    };
    let summary = match (&error, verdict, &skipped) {
        (Some(e), Verdict::Error, _) => e.clone(),
        (_, Verdict::Skipped, Some(why)) => why.clone(),
        _ => summarize(&ctx, verdict),
    };
    let artifacts =
        if matches!(verdict, Verdict::Fail | Verdict::Error) && !run.cancel.is_cancelled() {
            // Every token the app set is known to the redactor before page sources are written.
            ctx.observe_all().await;
            ctx.keep_artifacts().await
        } else {
            Vec::new()
        };
    ctx.close_all().await;
    let target = if ctx.base_url.is_empty() {
        &base_url
    } else {
        &ctx.base_url
    };
    let record = FlowRecord {
        suite: app,
        name: s.name.clone(),
        file: s.file.to_string(),
        target: run.redactor.redact(target),
        policy: suite.profile.policy.clone(),
        description: s.description.clone(),
        tags: s.tags.clone(),
        personas: ctx.personas.keys().cloned().collect(),
        verdict,
        summary,
        duration: ctx.started.elapsed(),
        steps: std::mem::take(&mut ctx.steps),
        checks: std::mem::take(&mut ctx.checks),
        error,
        artifacts,
        timeline: std::mem::take(&mut ctx.timeline),
        accounts: accounts::used_accounts(&ctx, &start.personas),
        started: Some(start.at),
    };
    run.emit(Event::FlowFinished(Box::new(record.clone())));
    record
}

fn summarize(ctx: &FlowCtx, verdict: Verdict) -> String {
    let pick = ctx
        .checks
        .iter()
        .find(|c| c.verdict == verdict)
        .or(ctx.checks.last());
    match pick {
        Some(c) => format!("{} ({}): {}", c.check, c.persona, c.message),
        None => "no check ran".into(),
    }
}

/// A flow that never ran, with why: SKIPPED (e.g. a flow the profile lacks) or ERROR (e.g. no browser
/// could be started). `target` is already redacted.
pub fn not_run(
    profile: &Profile,
    target: &str,
    s: &Scenario,
    verdict: Verdict,
    reason: &str,
) -> FlowRecord {
    FlowRecord {
        suite: profile.app.clone(),
        name: s.name.clone(),
        file: s.file.to_string(),
        target: target.to_string(),
        policy: profile.policy.clone(),
        description: s.description.clone(),
        tags: s.tags.clone(),
        personas: s.personas.clone(),
        verdict,
        summary: reason.to_string(),
        duration: std::time::Duration::ZERO,
        steps: Vec::new(),
        checks: Vec::new(),
        error: (verdict == Verdict::Error).then(|| reason.to_string()),
        artifacts: Vec::new(),
        timeline: Vec::new(),
        accounts: BTreeMap::new(),
        started: None,
    }
}
