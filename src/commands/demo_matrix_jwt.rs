//! The `--auth jwt` rows of `usher demo matrix`: the whole built-in suite but the timing scenarios
//! against Ticketbooth as a single-page app with no flaw (all PASS, `suite::SPA_SKIPS` SKIPPED with
//! their reason), each JWT flaw alone (exactly `suite::JWT_EXPECTED`'s scenarios FAIL, `suite::JWT_SKIPS`'
//! SKIPPED, all others PASS) and all JWT flaws. Kept cheap for CI: `jwt-lifetime` runs against an
//! instance issuing 3-second access tokens (it waits one out), every other scenario against one with
//! the default 5 minutes (a token must outlive the flow that judges it: a loaded CI machine takes
//! seconds per browser step); the JWT checks replay over plain HTTP.

use super::demo::{demo_secrets, run_halves};
use super::error::CommandError;
use crate::demo::{DemoConfig, JwtConfig, JwtFlaw, JwtFlawSet, ShapeSet};
use crate::driver::DriverConfig;
use crate::engine::pipeline::{Executed, RunOptions};
use crate::record::Verdict;
use crate::redact::Redactor;
use crate::scenario::{Inputs, Project};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The profile the JWT rows run with.
pub const JWT_PROFILE: &str = "scenarios/ticketbooth-jwt/app.yaml";
/// The access tokens' lifetime `jwt-lifetime` waits out in the matrix.
pub const MATRIX_ACCESS_TTL: Duration = Duration::from_secs(3);
/// The scenarios run against the short-lived-token instance.
const SHORT_TTL_SCENARIOS: [&str; 1] = ["jwt-lifetime"];

/// The JWT scenarios loaded for the matrix: those judged against short-lived tokens, and the rest.
pub struct JwtSuite {
    pub short: (Project, Inputs),
    pub rest: (Project, Inputs),
}

pub struct JwtRow {
    pub label: String,
    /// With `--skip-repeats`, the scenarios this row runs: a flaw alone runs only those it changes
    /// (tests/it/demo_jwt.rs proves at HTTP level that each JWT switch breaks only its protection);
    /// the no-flaw and all-flaws rows run every one.
    pub only: Option<Vec<&'static str>>,
    pub flaws: JwtFlawSet,
    pub fail: Vec<&'static str>,
    pub skip: Vec<&'static str>,
    /// ERROR by design: a forgery family whose corrupted-signature control fails (`suite::JWT_ERRORS`).
    pub error: Vec<&'static str>,
    pub why: String,
}

/// The JWT scenarios, in the catalogue's order.
pub fn jwt_names() -> Vec<&'static str> {
    crate::suite::BUILTIN
        .iter()
        .filter(|b| b.needs_token_api())
        .map(|b| b.name)
        .collect()
}

/// The scenarios the JWT rows run: the whole built-in suite but the timing scenarios (left to their
/// own instance in the cookie rows, too), in the catalogue's order.
pub fn spa_names() -> Vec<&'static str> {
    crate::suite::BUILTIN
        .iter()
        .filter(|b| !crate::suite::TIMING_SCENARIOS.contains(&b.name))
        .map(|b| b.name)
        .collect()
}

/// SKIPPED in every JWT row: the single-page app lacks their precondition (`suite::SPA_SKIPS`).
fn spa_skips() -> Vec<&'static str> {
    crate::suite::SPA_SKIPS.iter().map(|(n, _)| *n).collect()
}

/// (FAIL, SKIPPED, ERROR) expected with these flaws.
type Expected = (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>);

fn expected(flaws: JwtFlawSet) -> Expected {
    let names = spa_names();
    let on = |name: &str| flaws.iter().any(|f| f.name() == name);
    let skip = spa_skips();
    let error: Vec<&'static str> = names
        .iter()
        .copied()
        .filter(|n| {
            crate::suite::JWT_ERRORS
                .iter()
                .any(|(flaw, s)| on(flaw) && s.contains(n))
        })
        .collect();
    let fail = names
        .iter()
        .copied()
        .filter(|n| !skip.contains(n) && !error.contains(n))
        .filter(|n| {
            crate::suite::JWT_EXPECTED
                .iter()
                .any(|(flaw, f, _)| on(flaw) && f.contains(n))
        })
        .collect();
    (fail, skip, error)
}

/// No flaw, each flaw alone (those `filter` names, when given), and all flaws (without a filter).
pub fn rows(filter: Option<&JwtFlawSet>) -> Vec<JwtRow> {
    let mut out = vec![JwtRow {
        label: "`--auth jwt`, no flaw".into(),
        flaws: JwtFlawSet::none(),
        only: None,
        fail: Vec::new(),
        skip: spa_skips(),
        error: Vec::new(),
        why: "secure by default".into(),
    }];
    for flaw in JwtFlaw::ALL {
        if filter.is_some_and(|f| !f.contains(flaw)) {
            continue;
        }
        let flaws = JwtFlawSet::only(flaw);
        let (fail, skip, error) = expected(flaws);
        let why = crate::suite::JWT_EXPECTED
            .iter()
            .find(|(f, _, _)| *f == flaw.name())
            .map_or("", |(_, _, why)| why);
        let why = with_errors(why, &error);
        out.push(JwtRow {
            label: format!("`--auth jwt` `{}`", flaw.name()),
            only: Some(fail.iter().chain(&error).copied().collect()),
            flaws,
            fail,
            skip,
            error,
            why,
        });
    }
    if filter.is_none() {
        let (fail, skip, error) = expected(JwtFlawSet::all());
        out.push(JwtRow {
            label: "`--auth jwt`, all JWT flaws".into(),
            only: None,
            flaws: JwtFlawSet::all(),
            fail,
            why: with_errors("every JWT flaw's flows fail", &error),
            skip,
            error,
        });
    }
    out
}

fn with_errors(why: &str, error: &[&str]) -> String {
    if error.is_empty() {
        why.to_string()
    } else {
        format!(
            "{why} (ERROR, their corrupted-signature control fails: {})",
            error.join(", ")
        )
    }
}

/// The README lines of these rows (the table's header comes from the cookie rows).
pub fn render(rows: &[JwtRow]) -> String {
    let total = spa_names().len();
    let skipped = spa_skips().len();
    rows.iter()
        .map(|r| {
            let fails = if r.fail.is_empty() {
                "none".to_string()
            } else {
                r.fail.join(", ")
            };
            format!(
                "| {} | {fails} | {} (the {total} flows but the timing ones; {skipped} SKIPPED on the SPA) |\n",
                r.label, r.why
            )
        })
        .collect()
}

/// The JWT scenarios (`only` those, when given) loaded against the JWT profile, with the demo's secrets.
pub fn suite(redactor: &Redactor, only: Option<&[&str]>) -> Result<JwtSuite, CommandError> {
    Ok(JwtSuite {
        short: project(redactor, true, only)?,
        rest: project(redactor, false, only)?,
    })
}

fn project(
    redactor: &Redactor,
    short: bool,
    only: Option<&[&str]>,
) -> Result<(Project, Inputs), CommandError> {
    let inputs = Inputs {
        secrets: demo_secrets(redactor, ShapeSet::none()),
        ..Default::default()
    };
    let sources: Vec<(String, String)> = crate::suite::BUILTIN
        .iter()
        .filter(|b| !crate::suite::TIMING_SCENARIOS.contains(&b.name))
        .filter(|b| SHORT_TTL_SCENARIOS.contains(&b.name) == short)
        .filter(|b| only.is_none_or(|o| o.contains(&b.name)))
        .map(|b| (format!("builtin/{}.yaml", b.name), b.text.to_string()))
        .collect();
    let project = crate::scenario::load::load_embedded(Path::new(JWT_PROFILE), &sources, &inputs)
        .map_err(|d| {
            CommandError::Diagnostics(format!(
                "{}(the JWT rows run the JWT scenarios with {JWT_PROFILE}; run from the repository root)\n",
                redactor.redact(&d.render())
            ))
        })?;
    Ok((project, inputs))
}

/// Runs the JWT scenarios against two Ticketbooth `--auth jwt` with these flaws (short-lived tokens
/// for `jwt-lifetime`, the default lifetime for the rest), side by side; one merged set of reports.
#[allow(clippy::too_many_arguments)]
pub async fn run_row(
    suite: &JwtSuite,
    jobs: usize,
    flaws: JwtFlawSet,
    driver: DriverConfig,
    step_timeout: Option<Duration>,
    report_dir: PathBuf,
    redactor: &Redactor,
    cancel: CancellationToken,
) -> Result<Executed, CommandError> {
    let start = |access_ttl| {
        crate::demo::start(DemoConfig {
            jwt: Some(JwtConfig {
                flaws,
                access_ttl,
                ..JwtConfig::default()
            }),
            ..DemoConfig::default()
        })
    };
    let not_started = |e| CommandError::Infrastructure(format!("Ticketbooth could not start: {e}"));
    let short = start(MATRIX_ACCESS_TTL).await.map_err(not_started)?;
    let rest = start(JwtConfig::default().access_ttl)
        .await
        .map_err(not_started)?;
    let base = RunOptions {
        jobs,
        report_dir,
        driver,
        target: None,
        step_timeout,
        inputs: Inputs::default(),
    };
    // Both halves come from the built-in suite, merged back into its order (`spa_names`').
    let done = run_halves(
        (&suite.rest, rest.site_url()),
        (&suite.short, short.site_url()),
        base,
        redactor,
        cancel,
    )
    .await;
    short.shutdown().await;
    rest.shutdown().await;
    Ok(done)
}

/// The scenarios whose verdict differs from the row's expectation, as report lines.
pub fn wrong(row: &JwtRow, done: &Executed) -> Vec<(String, Option<Verdict>)> {
    let mut out = Vec::new();
    for name in spa_names()
        .into_iter()
        .filter(|n| row.only.as_ref().is_none_or(|o| o.contains(n)))
    {
        let want = if row.error.contains(&name) {
            Verdict::Error
        } else if row.skip.contains(&name) {
            Verdict::Skipped
        } else if row.fail.contains(&name) {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        let flow = done.flows.iter().find(|f| f.name == name);
        let got = flow.map(|f| f.verdict);
        if got != Some(want) {
            out.push((
                format!(
                    "{name}: {} (expected {}) — {}",
                    got.map_or("missing", |v| v.label()),
                    want.label(),
                    flow.map(|f| f.summary.clone()).unwrap_or_default()
                ),
                got,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_jwt_flaw_alone_fails_its_scenarios_and_all_flaws_fail_or_skip_every_one() {
        let rows = rows(None);
        assert_eq!(rows.len(), JwtFlaw::ALL.len() + 2);
        assert!(rows[0].fail.is_empty() && rows[0].skip == spa_skips());
        for r in &rows[1..rows.len() - 1] {
            assert!(!r.fail.is_empty(), "{}", r.label);
        }
        let all = rows.last().unwrap();
        // Only the header-keys family has no switch; with every flaw on it is ERROR (its control
        // fails), so every JWT scenario fails or errs, and two cookie-era revocation scenarios fail.
        assert_eq!(all.fail.len() + all.error.len(), jwt_names().len() + 2);
        assert_eq!(all.skip, spa_skips());
    }
}
