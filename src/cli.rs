//! The command line (clap derive types only). `commands` turns these into typed options before
//! anything runs.

use crate::duration::parse_duration;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// `--max-wait`'s default: what a pull-request job can afford to wait in one flow.
pub const DEFAULT_MAX_WAIT: &str = "10m";

/// Where each report goes when not into the report directory (`run` and `logs`).
#[derive(Debug, Args, Clone, Default)]
pub struct ReportFiles {
    /// Write the JUnit XML here instead of <report-dir>/junit.xml.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Write the JSON results here instead of <report-dir>/results.json.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the HTML report here instead of <report-dir>/index.html.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
}

/// `--jobs`: a count of flows at once, at least one.
fn jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// `--log`: a tracing filter (`warn`, `usher=debug,info`, …), checked before anything runs.
fn log_filter(text: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(text)
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

#[derive(Debug, Parser)]
#[command(
    name = "usher",
    version,
    about = "Finds session-management flaws in web and mobile apps, and keeps them from coming back",
    long_about = "usher drives real browsers (WebDriver) through declarative scenario files: a victim and an \
adversary log in, idle, log out, reset passwords, steal, plant and replay tokens; every flow ends in \
PASS / FAIL / ERROR / SKIPPED, written as JUnit XML, JSON and a self-contained HTML report.\n\n\
Exit codes: 0 all flows passed · 1 a flaw was found (FAIL) · 2 bad input · 3 infrastructure error, no FAIL.",
    after_help = "Start with `usher demo` (runs the bundled scenarios against the Ticketbooth demo app), \
then `usher check-profile scenarios/ticketbooth/app.yaml --target URL` for your own app."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log level for diagnostics on stderr (error, warn, info, debug, trace); tokens are always redacted.
    #[arg(long, global = true, env = "USHER_LOG", default_value = "warn", value_parser = log_filter)]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios (files, or directories holding app.yaml and scenario files) and write reports.
    Run(RunArgs),
    /// Check profiles and scenarios without running anything; reports every problem at once.
    Validate(ValidateArgs),
    /// Print the JSON Schema of profiles and scenarios (or, with --results, of results.json).
    Schema(SchemaArgs),
    /// Analyse a file of session tokens (one per line) for predictability; prints no token.
    Analyze(AnalyzeArgs),
    /// Write the built-in adversarial suite as editable scenario files for a profile.
    Generate(GenerateArgs),
    /// Prove a profile's `logged_in` oracle for every persona (no before `login`, yes after it, no
    /// after `logout`) and that its password forms hold their fields, without submitting them.
    CheckProfile(CheckProfileArgs),
    /// Explore an app from its URL with two accounts in a real browser and write a proved, commented
    /// profile (login, token, oracle, identity, logout, password form, pages to browse).
    Discover(DiscoverArgs),
    /// Ticketbooth, the bundled demo ticketing app: run the bundled scenarios against it, or serve it.
    Demo(DemoArgs),
    /// Compare two runs' results.json: print what got worse; exit 1 when something did.
    Diff(DiffArgs),
    /// Find session flaws in access logs (plain, gzip, zstd or stdin): ids in URLs, replays from other
    /// agents or networks, idle and lifetime overruns, use after logout, session caps, login bursts.
    Logs(LogsArgs),
    /// Check what usher can drive here (Chromium, chromedriver, Firefox, Appium, a WebDriver
    /// endpoint) and print the command that installs what is missing; exit 3 when a run could not start.
    Doctor(DoctorArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BrowserArg {
    Chrome,
    Firefox,
}

/// Values given to `${NAME}` and how to reach a browser: shared by run, validate and check-profile.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// Set a variable: --var NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Set a secret (never printed; shown as a fingerprint): --secret NAME=VALUE, NAME=@file, or NAME
    /// alone to read it from the environment variable of that name (repeatable).
    #[arg(long = "secret", value_name = "NAME=VALUE")]
    pub secrets: Vec<String>,
    /// Override a policy value for this run: --policy idle_timeout=5m (repeatable; see docs).
    #[arg(long = "policy", value_name = "KEY=VALUE")]
    pub policy: Vec<String>,
    /// Use this profile instead of the app.yaml beside each scenario.
    #[arg(long, value_name = "APP.yaml")]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct DriverArgs {
    /// The app's base URL (overrides the profile's `base_url`).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Browser to start locally (ignored with --webdriver-url unless the endpoint needs it).
    #[arg(long, value_enum)]
    pub browser: Option<BrowserArg>,
    /// chromedriver or geckodriver to start (default: found on PATH).
    #[arg(long, value_name = "PATH")]
    pub driver_path: Option<PathBuf>,
    /// The browser binary (default on PATH: chromium-headless-shell when headless, else chromium;
    /// firefox for --browser firefox).
    #[arg(long, value_name = "PATH")]
    pub browser_path: Option<PathBuf>,
    /// Use a running WebDriver endpoint (Selenium Grid, Appium) instead of starting a driver.
    #[arg(long, value_name = "URL")]
    pub webdriver_url: Option<String>,
    /// Extra capability, passed through untouched: --capability 'goog:chromeOptions={"args":["--lang=de"]}'.
    #[arg(long = "capability", value_name = "NAME=JSON")]
    pub capabilities: Vec<String>,
    /// Show the browser window instead of running headless.
    #[arg(long)]
    pub headed: bool,
    /// Bound on every step unless the step sets its own `timeout` (default: the profile's, else 10s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub step_timeout: Option<Duration>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SuiteArg {
    /// The built-in adversarial scenarios, one per flaw class (needs --profile).
    Builtin,
}

/// Which built-in scenarios: by name or tag.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Only these built-in scenarios (a name or a tag such as `fixation`; repeatable).
    #[arg(long, value_name = "NAME|TAG")]
    pub only: Vec<String>,
    /// Leave out these built-in scenarios (a name or a tag; repeatable).
    #[arg(long, value_name = "NAME|TAG")]
    pub skip: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A file with one token per line.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The entropy the tokens must show (ASVS 5: 128 bits).
    #[arg(long, default_value_t = 128)]
    pub min_entropy_bits: u32,
    /// Skip the search for hashes of small integers and recent timestamps.
    #[arg(long)]
    pub no_hash_search: bool,
    /// Print the analysis as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The app profile the suite is written for.
    #[arg(long, value_name = "APP.yaml")]
    pub profile: PathBuf,
    /// Where the scenario files go (e.g. the profile's directory).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files, or directories holding app.yaml and scenario files.
    #[arg(required_unless_present = "suite", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Run a built-in suite against --profile instead of (or besides) files.
    #[arg(long, value_enum, requires = "profile")]
    pub suite: Option<SuiteArg>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// How many flows run at once (flows sharing an account always run one after another).
    #[arg(long, short = 'j', default_value_t = 2, value_parser = jobs)]
    pub jobs: usize,
    /// Run only this CI job's share of the flows: I/N (1-based). Shards 1..N together run every flow
    /// exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::scenario::shard::Shard>,
    /// Where reports and artifacts go.
    #[arg(long, default_value = "reports", value_name = "DIR")]
    pub report_dir: PathBuf,
    #[command(flatten)]
    pub outputs: ReportFiles,
    /// Compare with an earlier run's results.json and mark what got worse (regressions fail the run).
    #[arg(long, value_name = "results.json")]
    pub baseline: Option<PathBuf>,
    /// Skip (SKIPPED, with the command that runs them) flows whose planned wait (idle and timing
    /// checks) exceeds this; each flow's planned wait is printed before the run.
    #[arg(long, default_value = DEFAULT_MAX_WAIT, value_name = "DURATION", value_parser = parse_duration)]
    pub max_wait: Duration,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub driver: DriverArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema of results.json instead of the one of profiles and scenarios.
    #[arg(long)]
    pub results: bool,
    /// The schema of `usher logs`'s results.json.
    #[arg(long, conflicts_with = "results")]
    pub logs_results: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also ask this WebDriver endpoint (Selenium Grid, Appium) whether it is ready (GET <URL>/status);
    /// the exit code then depends on it instead of on the local Chrome.
    #[arg(long, value_name = "URL")]
    pub webdriver_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier run's results.json (the baseline).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later run's results.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Print the regressions as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub inputs: InputArgs,
}

#[derive(Debug, Args)]
pub struct CheckProfileArgs {
    /// The profile to prove.
    #[arg(value_name = "APP.yaml")]
    pub app: PathBuf,
    /// Prove only this persona (default: every persona, every account of a pool).
    #[arg(long)]
    pub persona: Option<String>,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub driver: DriverArgs,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The app's login page, or any page with a "log in" link; its directory becomes `base_url`.
    #[arg(value_name = "URL")]
    pub url: String,
    /// An account: --account victim=USERNAME --account attacker=USERNAME. The password of ROLE is the
    /// secret ROLE_PASSWORD (--secret VICTIM_PASSWORD=... or the environment); it is never printed.
    #[arg(long = "account", value_name = "ROLE=USERNAME", required = true)]
    pub accounts: Vec<String>,
    /// Where the profile goes.
    #[arg(long, default_value = "app.yaml", value_name = "APP.yaml")]
    pub out: PathBuf,
    /// Also write the built-in suite for the profile into DIR (as `usher generate`).
    #[arg(long, value_name = "DIR")]
    pub generate: Option<PathBuf>,
    /// The profile's `app:` name (default: the first label of the host name).
    #[arg(long)]
    pub app: Option<String>,
    /// Overwrite the profile and generated files if they exist.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub driver: DriverArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    pub command: Option<DemoCommand>,
    /// Where the demo's reports go.
    #[arg(long, default_value = "reports/demo", value_name = "DIR")]
    pub report_dir: PathBuf,
    /// The Ticketbooth profile the built-in suite runs with [default: scenarios/ticketbooth/app.yaml,
    /// or scenarios/ticketbooth-shaped/app.yaml with --shape].
    #[arg(long, value_name = "APP.yaml")]
    pub profile: Option<PathBuf>,
    /// Start Ticketbooth with these shapes of real apps (a comma-separated list or `all`; see
    /// `usher demo serve --list-shapes`), with the shaped profile unless --profile says otherwise.
    #[arg(long, value_name = "LIST|all")]
    pub shape: Option<String>,
    #[arg(long, short = 'j', default_value_t = 2, value_parser = jobs)]
    pub jobs: usize,
    /// Run only some built-in scenarios (`usher demo` itself; the matrix always runs them all).
    #[command(flatten)]
    pub select: SelectArgs,
    /// Skip flows whose planned wait exceeds this (the demo's timing scenarios wait seconds).
    #[arg(long, default_value = DEFAULT_MAX_WAIT, value_name = "DURATION", value_parser = parse_duration)]
    pub max_wait: Duration,
    #[command(flatten)]
    pub driver: DriverArgs,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Serve Ticketbooth until Ctrl-C, to explore it or to point usher at it.
    Serve(DemoServeArgs),
    /// Run the built-in suite against Ticketbooth with no flaw, each flaw alone and all flaws, and check
    /// the verdicts against the expected matrix.
    Matrix(DemoMatrixArgs),
}

#[derive(Debug, Args)]
pub struct DemoMatrixArgs {
    /// Rewrite the verdict-matrix section of this README with the observed matrix.
    #[arg(long, value_name = "README.md", conflicts_with = "check")]
    pub write: Option<PathBuf>,
    /// Fail when this README's verdict-matrix section differs from the observed matrix.
    #[arg(long, value_name = "README.md")]
    pub check: Option<PathBuf>,
    /// How many Ticketbooth configurations run at once.
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// Only these flaw switches (comma-separated); default: none, each flaw alone, and all.
    #[arg(long, value_name = "LIST")]
    pub flaws: Option<String>,
    /// Every configuration takes these shapes of real apps (as `usher demo --shape`).
    #[arg(long, value_name = "LIST|all")]
    pub shape: Option<String>,
    /// Run nothing: print (and --write or --check) the expected matrix only.
    #[arg(long)]
    pub expected_only: bool,
    /// Leave out of each row the scenarios whose verdict would repeat the no-flaw row's, by the
    /// HTTP-level proof that each flaw breaks only its own protection (tests/it/demo_flaws.rs):
    /// token-predictability outside the `predictable-ids` row (only the id generator decides it),
    /// and in the row of a flaw that changes the app only when a flow logs out, changes or resets a
    /// password, or outlives a timer, every scenario that does not (src/suite/expected.rs,
    /// `TRIGGERED_ONLY`). The no-flaw and all-flaws rows run everything. For CI.
    #[arg(long)]
    pub skip_repeats: bool,
    /// Which app's rows run: `cookie` (the server-rendered app and the cookie scenarios) or `jwt` (the
    /// single-page app and the JWT scenarios; --flaws then names JWT flaws). The README table holds both.
    #[arg(long, default_value = "cookie", value_parser = ["cookie", "jwt"])]
    pub auth: String,
}

#[derive(Debug, Args)]
pub struct DemoServeArgs {
    /// Port of the ticketing site (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Port of the third-party analytics origin (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub analytics_port: u16,
    /// Flaws to switch on: a comma-separated list, `all` or `none` (see --list-flaws).
    #[arg(long, default_value = "none", value_name = "LIST|all|none")]
    pub flaws: String,
    /// Shapes of real apps to take (mounted under /app/, session-bound CSRF, ...): a comma-separated
    /// list, `all` or `none` (see --list-shapes).
    #[arg(long, default_value = "none", value_name = "LIST|all|none")]
    pub shape: String,
    /// Idle timeout enforced by the server.
    #[arg(long, default_value = "15m", value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Absolute session lifetime.
    #[arg(long, default_value = "8h", value_name = "DURATION", value_parser = parse_duration)]
    pub absolute_timeout: Duration,
    /// Inactivity limit of one checkout step.
    #[arg(long, default_value = "10m", value_name = "DURATION", value_parser = parse_duration)]
    pub checkout_timeout: Duration,
    /// Concurrent sessions per user (the oldest is evicted beyond it).
    #[arg(long, default_value_t = 3)]
    pub max_sessions: usize,
    /// Where session ids come from: csprng (secure), base36-short, signed-cookie, uuid1, lcg, mt,
    /// counter-hash (see --list-session-ids).
    #[arg(long, default_value = "csprng", value_name = "FAMILY")]
    pub session_ids: String,
    /// How long the `lockout` shape locks an account.
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = parse_duration)]
    pub lockout_period: Duration,
    /// How the pages are written, for `usher discover` to be proved on: plain, no-ids, aria-only,
    /// placeholder-only, input-submit, localized, two-step, sidebar, modal, script-rendered,
    /// button-no-form, iframe-login, shadow-login.
    #[arg(long, default_value = "plain", value_name = "VARIANT")]
    pub markup: String,
    /// Take the `late-render` shape with this render delay (±25 % per view), e.g. `1500ms`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub render_delay: Option<Duration>,
    /// Append an access log here: nginx combined with the logged-in user and the session cookie
    /// (`usher logs --format ticketbooth` reads it; see docs/logs.md).
    #[arg(long, value_name = "FILE")]
    pub access_log: Option<PathBuf>,
    /// Print the flaw switches with a line each, and exit.
    #[arg(long)]
    pub list_flaws: bool,
    /// `cookie`: the server-rendered app. `jwt`: a single-page app over a JSON API with JWT access
    /// tokens and rotated refresh tokens (docs/demo-jwt.md), whose --flaws are jwt-alg-none,
    /// jwt-signature-unchecked, jwt-weak-secret, jwt-key-confusion, jwt-no-expiry, jwt-long-expiry,
    /// jwt-no-revocation, refresh-not-rotated, refresh-reuse-undetected, jwt-sensitive-claims (a line
    /// each in --list-flaws).
    #[arg(long, default_value = "cookie", value_parser = ["cookie", "jwt"])]
    pub auth: String,
    /// With --auth jwt: where the page keeps the access token: memory (secure), local or session
    /// (Web Storage key tb_access), cookie (HttpOnly cookie tb_access).
    #[arg(long, value_name = "WHERE")]
    pub token_storage: Option<String>,
    /// With --auth jwt: the access token's lifetime (`exp − iat`) [default: 5m].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub access_ttl: Option<Duration>,
    /// With --auth jwt: whether the RSA public key is published at /.well-known/jwks.json: published
    /// (default) or none (key confusion must then derive it from two issued tokens).
    #[arg(long, value_name = "WHETHER")]
    pub jwks: Option<String>,
    /// Print the shape switches with a line each, and exit.
    #[arg(long)]
    pub list_shapes: bool,
    /// Print the session-id families with a line each, and exit.
    #[arg(long)]
    pub list_session_ids: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct LogsArgs {
    #[command(subcommand)]
    pub command: Option<LogsCommand>,
    /// Access logs, read in order (plain, .gz or .zst, told by content); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// `combined` (default), `common`, `ticketbooth`, `json`, or an nginx log_format string given as is,
    /// e.g. '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$cookie_sid"'.
    #[arg(long, default_value = "combined", value_name = "FORMAT")]
    pub format: String,
    /// With --format json: where a field is, KEY=PATH (dotted for nested objects); keys: addr, user,
    /// time, method, target, request, status, referer, agent, cookie, set_cookie, cookie:NAME, arg:NAME,
    /// header:NAME (repeatable).
    #[arg(long = "field", value_name = "KEY=PATH")]
    pub fields: Vec<String>,
    /// Where the session id is: cookie:NAME, query:NAME or header:NAME (repeatable). Default: cookies,
    /// query parameters and headers with common session names (sid, session, token, jsessionid, …).
    #[arg(long = "session", value_name = "KIND:NAME")]
    pub sessions: Vec<String>,
    /// A policy value: the suite's keys (idle_timeout, absolute_timeout, max_sessions, preset) and
    /// max_agents, network_window, login_burst, login_burst_window, slack, travel_speed,
    /// travel_min_km (repeatable).
    #[arg(long = "policy", value_name = "KEY=VALUE")]
    pub policy: Vec<String>,
    /// Where the reports go.
    #[arg(long, default_value = "reports/logs", value_name = "DIR")]
    pub report_dir: PathBuf,
    #[command(flatten)]
    pub outputs: ReportFiles,
    /// Show client addresses cut to their /24 (IPv6 /48) in every report.
    #[arg(long)]
    pub redact_ips: bool,
    /// A GeoIP database (CSV of ranges: ip_start,ip_end,…,latitude,longitude, as DB-IP's free
    /// city-lite CSV, plain or gzip): enables the impossible-travel rule. Read locally, no network.
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LogsCommand {
    /// Write a realistic access log with planted incidents (fixed seed), and beside it
    /// OUT.planted.json listing them.
    Generate(LogsGenerateArgs),
}

#[derive(Debug, Args)]
pub struct LogsGenerateArgs {
    /// The log file to write (`.gz` or `.zst` compresses it); `-` writes to stdout (a log larger
    /// than the disk can go straight into `usher logs -`).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// About how much to write: 200MB, 1GB, 50KB.
    #[arg(long, default_value = "100MB", value_name = "SIZE")]
    pub size: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to list the planted incidents (default OUT.planted.json; with OUT `-`, not written
    /// unless given).
    #[arg(long, value_name = "FILE")]
    pub planted: Option<PathBuf>,
}
