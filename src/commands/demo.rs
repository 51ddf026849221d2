//! `usher demo`: the built-in suite against a secure and an all-flaws Ticketbooth side by side, the two
//! columns printed and written to `reports/demo/secure/` and `reports/demo/flawed/`.
//! `usher demo serve`: Ticketbooth alone, until Ctrl-C. `usher demo matrix`: see `demo_matrix.rs`.

use super::error::{CommandError, missed};
use super::execute::{cancel_on_signals, execute, write_reports};
use super::inputs::driver_config;
use crate::cli::{DemoArgs, DemoServeArgs, DriverArgs};
use crate::demo::{
    ACCOUNTS, DEFAULT_ACCESS_TTL, DemoConfig, FlawSet, JwtConfig, JwtFlaw, JwtFlawSet, MALICE,
    SessionIds, Shape, ShapeSet, TokenStorage,
};
use crate::driver::{BrowserKind, DriverConfig};
use crate::engine::pipeline::{Executed, RunOptions};
use crate::exit::Exit;
use crate::record::Verdict;
use crate::redact::{Kind, Redactor};
use crate::report::ReportPaths;
use crate::scenario::{Inputs, Project};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The profile the demo runs the built-in suite with.
pub const PROFILE: &str = "scenarios/ticketbooth/app.yaml";
/// The profile for a Ticketbooth with shapes: mounted under /app/, malice as the attacker.
pub const SHAPED_PROFILE: &str = "scenarios/ticketbooth-shaped/app.yaml";

/// `--shape` parsed, and the profile to use with it: `--profile` if given, else the shaped profile
/// with shapes and the plain one without.
pub fn demo_shapes_and_profile(
    shape: Option<&str>,
    profile: Option<&Path>,
) -> Result<(ShapeSet, PathBuf), CommandError> {
    let shapes = match shape {
        Some(list) => list
            .parse::<ShapeSet>()
            .map_err(|e| CommandError::BadInput(format!("--shape: {e}")))?,
        None => ShapeSet::none(),
    };
    if let Some(p) = profile {
        return Ok((shapes, p.to_path_buf()));
    }
    if shapes.is_empty() {
        return Ok((shapes, PathBuf::from(PROFILE)));
    }
    if !shapes.contains(Shape::PrefixUsernames) {
        return Err(CommandError::BadInput(format!(
            "--shape: the shaped profile ({SHAPED_PROFILE}) logs the attacker in as {}, who exists only with the `prefix-usernames` shape; add it to --shape, or pass --profile",
            MALICE.email
        )));
    }
    Ok((shapes, PathBuf::from(SHAPED_PROFILE)))
}

/// The secrets the bundled profiles ask for, from the demo's public accounts (and the attacker of the
/// `prefix-usernames` shape when there are shapes).
pub fn demo_secrets(redactor: &Redactor, shapes: ShapeSet) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    let malice = (!shapes.is_empty()).then_some(&MALICE);
    for a in ACCOUNTS.iter().chain(malice) {
        let user = a.email.split('@').next().unwrap_or("").to_ascii_uppercase();
        redactor.register(Kind::Secret, a.password);
        out.insert(format!("TB_{user}_PASSWORD"), a.password.to_string());
    }
    out
}

/// Ticketbooth for the timing scenarios: timeouts of seconds (matching `suite::TIMING_POLICY`).
fn timing_config(flaws: FlawSet, shapes: ShapeSet) -> DemoConfig {
    DemoConfig {
        flaws,
        shapes,
        idle_timeout: Duration::from_secs(8),
        checkout_timeout: Duration::from_secs(4),
        absolute_timeout: Duration::from_secs(20),
        ..DemoConfig::default()
    }
}

/// The built-in suite for the Ticketbooth profile, split in two: the timing scenarios (judged against
/// `TIMING_POLICY`) and the rest (the profile's own policy).
pub struct DemoSuite {
    pub timing: (Project, Inputs),
    pub rest: (Project, Inputs),
    pub count: usize,
}

/// The built-in suite (or the `selected` scenarios of it) loaded against `profile`, split into the
/// timing scenarios and the rest.
pub fn demo_project(
    profile: &Path,
    redactor: &Redactor,
    selected: &[&str],
    shapes: ShapeSet,
) -> Result<DemoSuite, CommandError> {
    let load = |timing: bool| {
        let mut policy: Vec<(String, String)> = vec![(
            "token_samples".into(),
            crate::suite::DEMO_TOKEN_SAMPLES.into(),
        )];
        if timing {
            policy.extend(
                crate::suite::TIMING_POLICY
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
        }
        let inputs = Inputs {
            secrets: demo_secrets(redactor, shapes),
            policy,
            ..Default::default()
        };
        let sources: Vec<(String, String)> = crate::suite::BUILTIN
            .iter()
            .filter(|b| crate::suite::TIMING_SCENARIOS.contains(&b.name) == timing)
            .filter(|b| selected.contains(&b.name))
            .map(|b| (format!("builtin/{}.yaml", b.name), b.text.to_string()))
            .collect();
        let project = crate::scenario::load::load_embedded(profile, &sources, &inputs).map_err(|d| {
            CommandError::Diagnostics(format!(
                "{}(the demo runs the built-in suite with {}; run it from the repository root or pass --profile)\n",
                redactor.redact(&d.render()),
                profile.display()
            ))
        })?;
        Ok::<_, CommandError>((project, inputs))
    };
    let timing = load(true)?;
    let rest = load(false)?;
    let count = timing.0.scenario_count() + rest.0.scenario_count();
    Ok(DemoSuite {
        timing,
        rest,
        count,
    })
}

pub fn demo_driver(args: &DriverArgs) -> Result<DriverConfig, CommandError> {
    if args.target.is_some() {
        return Err(CommandError::BadInput("`usher demo` runs against its own Ticketbooth instances; to test another target use `usher run PATH --target URL`".into()));
    }
    driver_config(args, None, &Default::default())
}

/// Runs the suite against two Ticketbooth instances with these flaws and shapes (one with timeouts of
/// seconds for the timing scenarios, one with the real numbers), side by side; writes one merged set
/// of reports.
#[allow(clippy::too_many_arguments)]
pub async fn run_against(
    suite: &DemoSuite,
    jobs: usize,
    flaws: FlawSet,
    shapes: ShapeSet,
    driver: DriverConfig,
    step_timeout: Option<Duration>,
    report_dir: PathBuf,
    redactor: &Redactor,
    cancel: CancellationToken,
) -> Result<Executed, CommandError> {
    let not_started = |e| CommandError::Infrastructure(format!("Ticketbooth could not start: {e}"));
    // Each instance keeps an access log beside the reports, for `usher logs` (demo_logs.rs).
    let _ = std::fs::create_dir_all(&report_dir);
    let fast = crate::demo::start(DemoConfig {
        access_log: Some(super::demo_logs::access_log(&report_dir, true)),
        ..timing_config(flaws, shapes)
    })
    .await
    .map_err(not_started)?;
    let real = crate::demo::start(DemoConfig {
        flaws,
        shapes,
        access_log: Some(super::demo_logs::access_log(&report_dir, false)),
        ..DemoConfig::default()
    })
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
    let merged = run_halves(
        (&suite.rest, real.site_url()),
        (&suite.timing, fast.site_url()),
        base,
        redactor,
        cancel,
    )
    .await;
    fast.shutdown().await;
    real.shutdown().await;
    Ok(merged)
}

pub async fn serve(args: &DemoServeArgs) -> Result<Exit, CommandError> {
    if args.list_flaws {
        crate::out!("{}", crate::demo::list_flaws());
        crate::out!(
            "\nwith --auth jwt (docs/demo-jwt.md):\n{}",
            crate::demo::list_jwt_flaws()
        );
        return Ok(Exit::Passed);
    }
    let jwt = jwt_config(args).map_err(CommandError::BadInput)?;
    let cookie_flaws = if jwt.is_some() { "none" } else { &args.flaws };
    if args.list_shapes {
        crate::out!("{}", crate::demo::list_shapes());
        return Ok(Exit::Passed);
    }
    if args.list_session_ids {
        crate::out!("{}", crate::demo::list_session_ids());
        return Ok(Exit::Passed);
    }
    let mut config = (|| {
        Ok::<_, String>(DemoConfig {
            port: args.port,
            analytics_port: args.analytics_port,
            flaws: cookie_flaws
                .parse::<FlawSet>()
                .map_err(|e| cookie_flaw_error(&args.flaws, e))?,
            shapes: args
                .shape
                .parse::<ShapeSet>()
                .map_err(|e| format!("--shape: {e}"))?,
            idle_timeout: args.idle_timeout,
            absolute_timeout: args.absolute_timeout,
            checkout_timeout: args.checkout_timeout,
            max_sessions: args.max_sessions,
            session_ids: args
                .session_ids
                .parse::<SessionIds>()
                .map_err(|e| format!("--session-ids: {e}"))?,
            lockout_period: args.lockout_period,
            markup: args.markup.parse().map_err(|e| format!("--markup: {e}"))?,
            access_log: args.access_log.clone(),
            jwt,
            ..DemoConfig::default()
        })
    })()
    .map_err(CommandError::BadInput)?;
    if let Some(delay) = args.render_delay {
        config.render_delay = delay;
        config.shapes.insert(Shape::LateRender);
    }
    crate::demo::serve_forever(config)
        .await
        .map_err(|e| CommandError::Infrastructure(format!("Ticketbooth could not start: {e}")))?;
    Ok(Exit::Passed)
}

/// `--auth jwt` and its options; none for the cookie app. The token app has its own flaws and none
/// of the cookie app's shapes, markup variants or id families: a mix would be refused here rather
/// than quietly ignored.
fn jwt_config(args: &DemoServeArgs) -> Result<Option<JwtConfig>, String> {
    if args.auth != "jwt" {
        for (given, option) in [
            (args.token_storage.is_some(), "--token-storage"),
            (args.access_ttl.is_some(), "--access-ttl"),
            (args.jwks.is_some(), "--jwks"),
        ] {
            if given {
                return Err(format!("{option} needs --auth jwt"));
            }
        }
        return Ok(None);
    }
    let unsupported = [
        (args.shape != "none", "--shape"),
        (args.markup != "plain", "--markup"),
        (args.session_ids != "csprng", "--session-ids"),
        (args.render_delay.is_some(), "--render-delay"),
    ];
    if let Some((_, option)) = unsupported.iter().find(|(given, _)| *given) {
        return Err(format!(
            "{option} shapes the server-rendered cookie app; --auth jwt (the single-page app) does not take it"
        ));
    }
    let flaws = args.flaws.parse::<JwtFlawSet>().map_err(|e| {
        if args.flaws.parse::<FlawSet>().is_ok() {
            format!(
                "--flaws: `{}` names flaws of the cookie app; with --auth jwt the flaws are: {}",
                args.flaws,
                JwtFlaw::ALL.map(JwtFlaw::name).join(", ")
            )
        } else {
            format!("--flaws: {e}")
        }
    })?;
    let storage = match &args.token_storage {
        Some(text) => text
            .parse::<TokenStorage>()
            .map_err(|e| format!("--token-storage: {e}"))?,
        None => TokenStorage::Memory,
    };
    Ok(Some(JwtConfig {
        flaws,
        storage,
        access_ttl: args.access_ttl.unwrap_or(DEFAULT_ACCESS_TTL),
        jwks: match &args.jwks {
            Some(text) => text.parse().map_err(|e| format!("--jwks: {e}"))?,
            None => crate::demo::Jwks::Published,
        },
    }))
}

/// A cookie-app `--flaws` that names JWT flaws says which option they need.
fn cookie_flaw_error(text: &str, error: String) -> String {
    if text.parse::<JwtFlawSet>().is_ok() {
        format!("--flaws: `{text}` names flaws of the token app; add --auth jwt")
    } else {
        format!("--flaws: {error}")
    }
}

pub async fn demo(args: &DemoArgs, redactor: &Redactor) -> Result<Exit, CommandError> {
    let driver = demo_driver(&args.driver)?;
    let timeout = args.driver.step_timeout;
    let selected = crate::suite::select(&args.select.only, &args.select.skip)
        .map_err(CommandError::BadInput)?
        .iter()
        // The cookie app declares no token API: its JWT scenarios would only say SKIPPED.
        .filter(|b| !b.needs_token_api())
        .map(|b| b.name)
        .collect::<Vec<_>>();
    let (shapes, profile) =
        demo_shapes_and_profile(args.shape.as_deref(), args.profile.as_deref())?;
    let mut suite = demo_project(&profile, redactor, &selected, shapes)?;
    let max_wait = args.max_wait;
    let rerun = |s: &crate::scenario::Scenario, wait: &str| {
        format!("usher demo --only {} --max-wait {wait}", s.name)
    };
    for project in [&mut suite.timing.0, &mut suite.rest.0] {
        for line in super::max_wait::apply(project, max_wait, &rerun) {
            crate::outln!("{line}");
        }
    }
    let browser = match (&driver.webdriver_url, driver.browser, driver.headless) {
        (Some(url), _, _) => format!("through {url}"),
        (None, BrowserKind::Firefox, true) => "in headless Firefox".into(),
        (None, BrowserKind::Firefox, false) => "in Firefox".into(),
        (None, _, true) => "in headless Chromium".into(),
        (None, _, false) => "in Chromium".into(),
    };
    let shaped = if shapes.is_empty() {
        String::new()
    } else {
        format!(" shaped {shapes}")
    };
    crate::outln!(
        "running the built-in suite ({} scenarios) against a secure and an all-flaws Ticketbooth{shaped} {browser}…",
        suite.count
    );
    let cancel = cancel_on_signals();
    let (secure, flawed) = tokio::join!(
        run_against(
            &suite,
            args.jobs,
            FlawSet::none(),
            shapes,
            driver.clone(),
            timeout,
            args.report_dir.join("secure"),
            redactor,
            cancel.clone()
        ),
        run_against(
            &suite,
            args.jobs,
            FlawSet::all(),
            shapes,
            driver,
            timeout,
            args.report_dir.join("flawed"),
            redactor,
            cancel.clone()
        ),
    );
    let (secure, flawed) = (secure?, flawed?);
    print_columns(&secure, &flawed);
    crate::outln!(
        "\nusher logs on the access logs the same run left (what production logs would show):"
    );
    for (column, flaws) in [("secure", FlawSet::none()), ("flawed", FlawSet::all())] {
        let main = DemoConfig {
            flaws,
            shapes,
            ..DemoConfig::default()
        };
        let judged = super::demo_logs::judge_column(
            &args.report_dir.join(column),
            &main,
            &timing_config(flaws, shapes),
        );
        for line in super::demo_logs::lines(column, &judged) {
            crate::outln!("{line}");
        }
    }
    let mut problems = Vec::new();
    let mut exit = Exit::Passed;
    for (column, ex, expected) in [
        ("secure", &secure, Verdict::Pass),
        ("flawed", &flawed, Verdict::Fail),
    ] {
        for f in &ex.flows {
            let expected = match crate::suite::expected_skip(&f.name, shapes) {
                Some(_) => Verdict::Skipped,
                None => expected,
            };
            if f.verdict != expected {
                problems.push(format!(
                    "{column}: `{}` was {}, expected {}: {}",
                    f.name,
                    f.verdict.label(),
                    expected.label(),
                    f.summary
                ));
                exit = missed(exit, Some(f.verdict));
            }
        }
    }
    if cancel.is_cancelled() {
        exit = Exit::Infrastructure;
    }
    crate::outln!();
    if problems.is_empty() {
        crate::outln!(
            "demo OK: the secure Ticketbooth passes every flow and every flaw of the flawed one was caught"
        );
        for f in secure
            .flows
            .iter()
            .filter(|f| f.verdict == Verdict::Skipped)
        {
            crate::outln!("  skipped as expected › {}: {}", f.name, f.summary);
        }
    } else {
        for p in &problems {
            crate::outln!("unexpected: {p}");
        }
    }
    crate::outln!(
        "reports: {}/secure/ and {}/flawed/ (index.html, junit.xml, results.json; usher logs on each access log in logs/ and logs-timing/)",
        args.report_dir.display(),
        args.report_dir.display()
    );
    Ok(exit)
}

fn print_columns(secure: &Executed, flawed: &Executed) {
    let width = secure
        .flows
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    crate::outln!("\n{:<width$}  {:<8}  {:<8}", "scenario", "secure", "flawed");
    for f in &secure.flows {
        let other = flawed
            .flows
            .iter()
            .find(|g| g.name == f.name)
            .map(|g| g.verdict.label())
            .unwrap_or("-");
        crate::outln!("{:<width$}  {:<8}  {:<8}", f.name, f.verdict.label(), other);
    }
    crate::outln!(
        "\nsecure: {} passed in {:.0}s · flawed: {} flaws caught in {:.0}s",
        secure.summary.passed,
        secure.summary.duration.as_secs_f64(),
        flawed.summary.failed,
        flawed.summary.duration.as_secs_f64()
    );
    for f in flawed.flows.iter().filter(|f| f.verdict == Verdict::Fail) {
        crate::outln!("  flawed › {}: {}", f.name, f.summary);
    }
}

/// One column run as two halves at once, each a project with its inputs against its own Ticketbooth
/// (`main.1`, `other.1`), merged (`main` first) and its reports written into `base.report_dir`. The
/// demo judges its columns by their verdicts; a report not written is said, not counted.
pub(super) async fn run_halves(
    main: (&(Project, Inputs), String),
    other: (&(Project, Inputs), String),
    base: RunOptions,
    redactor: &Redactor,
    cancel: CancellationToken,
) -> Executed {
    let opts = |inputs: &Inputs, target: String| RunOptions {
        target: Some(target),
        inputs: inputs.clone(),
        ..base.clone()
    };
    let (first, second) = tokio::join!(
        execute(
            &main.0.0,
            opts(&main.0.1, main.1),
            false,
            redactor,
            cancel.clone()
        ),
        execute(
            &other.0.0,
            opts(&other.0.1, other.1),
            false,
            redactor,
            cancel
        ),
    );
    let merged = merge_runs(first, second);
    write_reports(
        &merged,
        &ReportPaths::in_dir(&base.report_dir),
        redactor,
        false,
    );
    merged
}

/// Two runs of one column (a Ticketbooth each) as one: flows in the built-in suite's order, the
/// summary counted again, the targets of both, the first launch error.
fn merge_runs(first: Executed, second: Executed) -> Executed {
    let order = |name: &str| {
        crate::suite::BUILTIN
            .iter()
            .position(|b| b.name == name)
            .unwrap_or(usize::MAX)
    };
    let mut flows: Vec<_> = first.flows.into_iter().chain(second.flows).collect();
    flows.sort_by_key(|f| order(&f.name));
    let mut summary = crate::record::RunSummary {
        duration: first.summary.duration.max(second.summary.duration),
        interrupted: first.summary.interrupted || second.summary.interrupted,
        ..Default::default()
    };
    for f in &flows {
        summary.count(f.verdict);
    }
    let mut info = first.info;
    info.targets.extend(second.info.targets);
    info.flows = flows.len();
    Executed {
        flows,
        summary,
        info,
        launch_error: first.launch_error.or(second.launch_error),
    }
}
