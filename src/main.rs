//! Thin: parse the command line, call the library, map the outcome to an exit code.

use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use usher::cli::{Cli, Command, DemoCommand};
use usher::commands;
use usher::commands::error::CommandError;
use usher::exit::Exit;
use usher::redact::{RedactingWriter, Redactor};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let redactor = Redactor::new();
    init_logging(&cli.log, &redactor);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            let e = CommandError::Infrastructure(format!("cannot start the async runtime: {e}"));
            return exit_with(Err(e)).into();
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Command::Run(a) => commands::run::run(a, &redactor).await,
            Command::Validate(a) => commands::validate::validate(a, &redactor),
            Command::Schema(a) => {
                usher::out!("{}", commands::schema::schema(a));
                Ok(Exit::Passed)
            }
            Command::Diff(a) => commands::diff::diff(a),
            Command::Logs(a) => commands::logs::logs(a),
            Command::Discover(a) => commands::discover::discover(a, &redactor).await,
            Command::Doctor(a) => commands::doctor::doctor(a).await,
            Command::Analyze(a) => commands::analyze::run(a),
            Command::Generate(a) => commands::generate::generate(a),
            Command::CheckProfile(a) => commands::check_profile::check_profile(a, &redactor).await,
            Command::Demo(a) => match &a.command {
                Some(DemoCommand::Serve(s)) => commands::demo::serve(s).await,
                Some(DemoCommand::Matrix(m)) => {
                    commands::demo_matrix::matrix(a, m, &redactor).await
                }
                None => commands::demo::demo(a, &redactor).await,
            },
            Command::Completions { shell } => {
                clap_complete::generate(
                    *shell,
                    &mut Cli::command(),
                    "usher",
                    &mut std::io::stdout(),
                );
                Ok(Exit::Passed)
            }
        }
    });
    // Dropping the runtime would wait for stray blocking tasks; leave promptly instead.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    exit_with(result).into()
}

/// The one place a command's error is said: `error: …` on stderr, and its exit code.
fn exit_with(result: Result<Exit, CommandError>) -> Exit {
    match result {
        Ok(exit) => exit,
        Err(e) => {
            commands::error::report(&e);
            Exit::from(&e)
        }
    }
}

/// Logs go to stderr through the redactor. `RUST_LOG` is honoured when `--log`/`USHER_LOG` is left at
/// its default. thirtyfour, hyper and reqwest log request and response bodies (cookies, tokens the
/// redactor may not know yet) at debug level, so they are capped at info whatever the filter says.
fn init_logging(level: &str, redactor: &Redactor) {
    let spec = match std::env::var("RUST_LOG") {
        Ok(env) if level == "warn" && !env.trim().is_empty() => env,
        _ => level.to_string(),
    };
    // `--log` was checked by clap; `RUST_LOG` was not, and falls back to `warn`.
    let filter = tracing_subscriber::EnvFilter::try_new(&spec)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let filter = [
        "thirtyfour",
        "hyper",
        "hyper_util",
        "reqwest",
        "h2",
        "rustls",
        "tungstenite",
    ]
    .into_iter()
    .fold(filter, |f, target| {
        f.add_directive(format!("{target}=info").parse().expect("a valid directive"))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingWriter {
            redactor: redactor.clone(),
        })
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
