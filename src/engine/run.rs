//! Scheduling: flows run concurrently up to `--jobs`; flows whose personas share an account run one
//! after another in a serial group (a logout in one must not log out the other); a failing flow never
//! stops the others; Ctrl-C ends every session and still reports what finished.

use super::context::{FlowCtx, RunCtx};
use super::events::{Event, FlowRecord, RunSummary, Verdict};
use super::flow::Failure;
use crate::engine::browser_step::StepError;
use crate::scenario::{Profile, Project, Scenario, Suite};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Runs every scenario of the project and returns the finished flows in file order.
pub async fn run(
    project: &Project,
    run: Arc<RunCtx>,
    jobs: usize,
) -> (Vec<FlowRecord>, RunSummary) {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = Vec::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for suite in &project.suites {
        for group in serial_groups(suite) {
            let scenarios: Vec<Scenario> =
                group.iter().map(|i| suite.scenarios[*i].clone()).collect();
            order.extend(
                scenarios
                    .iter()
                    .map(|s| (suite.profile.app.clone(), s.name.clone())),
            );
            let run = run.clone();
            let permits = permits.clone();
            let suite = suite.clone();
            tasks.push(tokio::spawn(async move {
                let mut out = Vec::new();
                for s in scenarios {
                    let _permit = permits.acquire().await.expect("semaphore open");
                    out.push(run_flow(&suite, &s, run.clone()).await);
                }
                out
            }));
        }
    }
    let mut by_name: HashMap<(String, String), FlowRecord> = HashMap::new();
    for suite in &project.suites {
        for (s, reason) in &suite.skipped {
            let target = run
                .target
                .clone()
                .or_else(|| suite.profile.base_url.clone())
                .unwrap_or_default();
            let target = run.redactor.redact(&target);
            let r = not_run(&suite.profile, &target, s, Verdict::Skipped, reason);
            run.emit(Event::FlowFinished(Box::new(r.clone())));
            order.push((r.suite.clone(), r.name.clone()));
            by_name.insert((r.suite.clone(), r.name.clone()), r);
        }
    }
    for t in tasks {
        if let Ok(records) = t.await {
            for r in records {
                by_name.insert((r.suite.clone(), r.name.clone()), r);
            }
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

/// Groups scenario indexes so that scenarios using the same account share a group.
pub fn serial_groups(suite: &Suite) -> Vec<Vec<usize>> {
    let n = suite.scenarios.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, s) in suite.scenarios.iter().enumerate() {
        for persona in personas_used(suite, s) {
            let account = suite.profile.account_of(&persona).to_string();
            if let Some(&j) = owner.get(&account) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            } else {
                owner.insert(account, i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort_by_key(|g| g[0]);
    out
}

fn personas_used(suite: &Suite, s: &Scenario) -> Vec<String> {
    let mut v = s.personas.clone();
    v.push(default_persona(suite, s));
    let mut flows_seen = std::collections::HashSet::new();
    let mut pending: Vec<&crate::scenario::Step> = s.steps.iter().collect();
    while let Some(step) = pending.pop() {
        v.extend(
            crate::scenario::validate::personas_of(step)
                .into_iter()
                .map(String::from),
        );
        if let crate::scenario::Action::Run(f)
        | crate::scenario::Action::Parallel(crate::scenario::step::ParallelArgs {
            run: f, ..
        }) = &step.action
            && flows_seen.insert(f.clone())
            && let Some(flow) = suite.profile.flows.get(f)
        {
            pending.extend(flow.steps.iter());
        }
    }
    v.sort();
    v.dedup();
    v
}

/// The persona that performs steps naming none.
fn default_persona(suite: &Suite, s: &Scenario) -> String {
    s.personas
        .first()
        .cloned()
        .or_else(|| suite.profile.personas.keys().next().cloned())
        .unwrap_or_else(|| "user".into())
}

pub async fn run_flow(suite: &Suite, s: &Scenario, run: Arc<RunCtx>) -> FlowRecord {
    let app = suite.profile.app.clone();
    run.emit(Event::FlowStarted {
        suite: app.clone(),
        name: s.name.clone(),
    });
    let base_url = run
        .target
        .clone()
        .or_else(|| suite.profile.base_url.clone())
        .unwrap_or_default();
    let mut ctx = FlowCtx::new(
        run.clone(),
        suite.profile.clone(),
        &s.name,
        String::new(),
        default_persona(suite, s),
    );
    let performer = ctx.default_persona.clone();
    let result = match ctx.expand(&base_url, &performer) {
        Ok(url) if url::Url::parse(&url).is_ok() => {
            ctx.base_url = url;
            ctx.exec_steps(&s.steps, &performer).await
        }
        Ok(url) => Err(Failure {
            error: StepError::Input(format!(
                "no usable base URL (`{url}`); set `base_url` in the profile or pass --target"
            )),
            origin: s.origin.clone(),
        }),
        Err(error) => Err(Failure {
            error,
            origin: s.origin.clone(),
        }),
    };
    let error = result.err().map(|f| {
        let kind = match f.error {
            StepError::Cancelled => "interrupted",
            StepError::Infra(_) => "infrastructure error",
            StepError::Timeout(_) => "timeout",
            StepError::Page(_) => "the page was not as the scenario expects",
            StepError::Input(_) => "scenario error",
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
        (None, Some(v)) => v,
        (None, None) => Verdict::Error,
    };
    let summary = match (&error, verdict) {
        (Some(e), Verdict::Error) => e.clone(),
        _ => summarize(&ctx, verdict),
    };
    let artifacts =
        if matches!(verdict, Verdict::Fail | Verdict::Error) && !run.cancel.is_cancelled() {
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
    }
}
