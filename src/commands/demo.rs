//! `usher demo`: runs the bundled scenarios against a secure and an all-flaws Ticketbooth side by side,
//! prints the two columns and writes `reports/demo/secure/` and `reports/demo/flawed/`.
//! `usher demo serve`: Ticketbooth alone, until Ctrl-C.

use super::execute::{ExecOptions, Executed, cancel_on_signals, execute};
use super::inputs::{driver_config, step_timeout};
use crate::cli::{DemoArgs, DemoServeArgs};
use crate::demo::{ACCOUNTS, DemoConfig, FlawSet};
use crate::engine::events::Verdict;
use crate::exit::Exit;
use crate::redact::{Kind, Redactor};
use crate::scenario::Inputs;
use indexmap::IndexMap;
use std::time::Duration;

/// Scenarios tagged so check that the app works at all; they pass on the flawed app too.
pub const SANITY_TAG: &str = "sanity";

/// The secrets the bundled profile asks for, from the demo's public accounts.
pub fn demo_secrets(redactor: &Redactor) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    for a in ACCOUNTS {
        let user = a.email.split('@').next().unwrap_or("").to_ascii_uppercase();
        redactor.register(Kind::Secret, a.password);
        out.insert(format!("TB_{user}_PASSWORD"), a.password.to_string());
    }
    out
}

pub async fn serve(args: &DemoServeArgs) -> Exit {
    if args.list_flaws {
        print!("{}", crate::demo::list_flaws());
        return Exit::Passed;
    }
    let parse = |flag: &str, v: &str| {
        crate::duration::parse_duration(v).map_err(|e| format!("--{flag}: {e}"))
    };
    let config = (|| {
        Ok::<_, String>(DemoConfig {
            port: args.port,
            analytics_port: args.analytics_port,
            flaws: args
                .flaws
                .parse::<FlawSet>()
                .map_err(|e| format!("--flaws: {e}"))?,
            idle_timeout: parse("idle-timeout", &args.idle_timeout)?,
            absolute_timeout: parse("absolute-timeout", &args.absolute_timeout)?,
            checkout_timeout: parse("checkout-timeout", &args.checkout_timeout)?,
            max_sessions: args.max_sessions,
            ..DemoConfig::default()
        })
    })();
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    match crate::demo::serve_forever(config).await {
        Ok(()) => Exit::Passed,
        Err(e) => {
            eprintln!("error: Ticketbooth could not start: {e}");
            Exit::Infrastructure
        }
    }
}

pub async fn demo(args: &DemoArgs, redactor: &Redactor) -> Exit {
    if args.driver.target.is_some() {
        eprintln!(
            "error: `usher demo` runs against its own Ticketbooth instances; to test another target use `usher run PATH --target URL`"
        );
        return Exit::BadInput;
    }
    let inputs = Inputs {
        secrets: demo_secrets(redactor),
        ..Default::default()
    };
    let project = match crate::scenario::load(std::slice::from_ref(&args.scenarios), &inputs) {
        Ok(p) => p,
        Err(d) => {
            eprint!("{}", redactor.redact(&d.render()));
            eprintln!(
                "(usher demo runs the bundled scenarios from {}; run it from the repository root or pass --scenarios DIR)",
                args.scenarios.display()
            );
            return Exit::BadInput;
        }
    };
    let timeout = match step_timeout(&args.driver) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let profile = project.suites[0].profile.clone();
    let driver = match driver_config(
        &args.driver,
        profile.browser.as_deref(),
        &profile.capabilities,
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let short = |c: DemoConfig| DemoConfig {
        idle_timeout: Duration::from_secs(4),
        checkout_timeout: Duration::from_secs(4),
        absolute_timeout: Duration::from_secs(60),
        ..c
    };
    let secure = crate::demo::start(short(DemoConfig::default())).await;
    let flawed = crate::demo::start(short(DemoConfig {
        flaws: FlawSet::all(),
        ..DemoConfig::default()
    }))
    .await;
    let (secure, flawed) = match (secure, flawed) {
        (Ok(s), Ok(f)) => (s, f),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: Ticketbooth could not start: {e}");
            return Exit::Infrastructure;
        }
    };
    println!(
        "Ticketbooth secure at {}  ·  all flaws on at {}",
        secure.base_url(),
        flawed.base_url()
    );
    println!(
        "running {} scenario(s) against each in headless {:?}\n",
        project.scenario_count(),
        driver.browser
    );
    let cancel = cancel_on_signals();
    let mut results: Vec<(&str, Executed)> = Vec::new();
    for (column, target) in [("secure", secure.base_url()), ("flawed", flawed.base_url())] {
        let opts = ExecOptions {
            jobs: args.jobs,
            report_dir: args.report_dir.join(column),
            junit: None,
            json: None,
            driver: driver.clone(),
            target: Some(target),
            step_timeout: timeout,
            inputs: inputs.clone(),
            console: false,
        };
        println!("… {column}");
        results.push((
            column,
            execute(&project, opts, redactor, cancel.clone()).await,
        ));
        if cancel.is_cancelled() {
            break;
        }
    }
    secure.shutdown().await;
    flawed.shutdown().await;
    print_columns(&results);
    let mut exit = Exit::Passed;
    let mut problems = Vec::new();
    for (column, ex) in &results {
        for f in &ex.flows {
            let sanity = f.tags.iter().any(|t| t == SANITY_TAG);
            let expected = if *column == "secure" || sanity {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            if f.verdict != expected {
                problems.push(format!(
                    "{column}: `{}` was {}, expected {}",
                    f.name,
                    f.verdict.label(),
                    expected.label()
                ));
                if f.verdict == Verdict::Error && exit == Exit::Passed {
                    exit = Exit::Infrastructure;
                } else if f.verdict != Verdict::Error {
                    exit = Exit::FlawFound;
                }
            }
        }
    }
    if results.len() < 2 {
        exit = Exit::Infrastructure;
    }
    println!();
    if problems.is_empty() && results.len() == 2 {
        println!(
            "demo OK: the secure Ticketbooth passes every flow and every flaw of the flawed one was caught"
        );
    } else {
        for p in &problems {
            println!("unexpected: {p}");
        }
    }
    println!(
        "reports: {}/secure/ and {}/flawed/",
        args.report_dir.display(),
        args.report_dir.display()
    );
    exit
}

fn print_columns(results: &[(&str, Executed)]) {
    let Some((_, first)) = results.first() else {
        return;
    };
    let width = first
        .flows
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!("\n{:<width$}  {:<8}  {:<8}", "scenario", "secure", "flawed");
    for f in &first.flows {
        let other = results
            .get(1)
            .and_then(|(_, ex)| ex.flows.iter().find(|g| g.name == f.name))
            .map(|g| g.verdict.label())
            .unwrap_or("-");
        println!("{:<width$}  {:<8}  {:<8}", f.name, f.verdict.label(), other);
    }
    for (column, ex) in results {
        for f in ex.flows.iter().filter(|f| f.verdict != Verdict::Pass) {
            println!("  {column} › {}: {}", f.name, f.summary);
        }
    }
}
