//! `usher discover` in real headless Chromium against Ticketbooth: from a URL and two accounts to a
//! profile that passes check-profile on every markup variant and shape (the pass rate docs/discover.md
//! gives), a wrong password that writes no profile, and the built-in suite run with discovered
//! profiles giving the hand-written profile's verdicts. Needs `chromium` and `chromedriver` on PATH.
//!
//! Discoveries wait on pages far more than they compute, so independent ones run side by side (each
//! on a Ticketbooth of its own), [`WIDTH`] at a time.

use crate::support::usher::{UsherCommand, quiet_usher, show, usher, verdicts};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use usher::demo::{DemoConfig, Flaw, FlawSet, Markup, RunningDemo, Shape, ShapeSet};

const ALICE: &str = "alice-demo-password";
const MALLORY: &str = "mallory-demo-password";
/// How many discoveries (or suite runs) at once: each drives four browsers that mostly wait.
const WIDTH: usize = 3;

type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Runs `jobs` on [`WIDTH`] threads; the answers in the jobs' order.
fn side_by_side<T: Send>(jobs: Vec<Job<'_, T>>) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let jobs: Vec<_> = jobs
        .into_iter()
        .map(|j| std::sync::Mutex::new(Some(j)))
        .collect();
    let answers: Vec<_> = (0..jobs.len())
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..WIDTH.min(jobs.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let job = job.lock().unwrap().take().expect("taken once");
                    *answers[i].lock().unwrap() = Some(job());
                }
            });
        }
    });
    answers
        .into_iter()
        .map(|a| a.into_inner().unwrap().expect("every job ran"))
        .collect()
}

/// One Ticketbooth to discover: where discovery starts, and the attacker account.
struct Case {
    name: String,
    config: DemoConfig,
    /// The path discovery is given (`/`, or `/app/` when mounted).
    start: &'static str,
    attacker: (&'static str, &'static str),
}

impl Case {
    fn new(name: impl Into<String>, config: DemoConfig) -> Case {
        let shapes = config.shapes;
        Case {
            name: name.into(),
            config,
            start: if shapes.contains(Shape::Mounted) {
                "/app/"
            } else {
                "/"
            },
            attacker: if shapes.contains(Shape::PrefixUsernames) {
                ("malice@ticketbooth.test", "malice-demo-password")
            } else {
                ("mallory@ticketbooth.test", MALLORY)
            },
        }
    }

    fn markup(markup: Markup) -> Case {
        Case::new(
            markup.to_string(),
            DemoConfig {
                markup,
                ..DemoConfig::default()
            },
        )
    }
}

/// What one discovery left: the app it ran on, the profile (in `dir`) and what it printed.
struct Discovered {
    name: String,
    start: &'static str,
    flaws: FlawSet,
    shapes: ShapeSet,
    attacker_password: &'static str,
    app: RunningDemo,
    dir: tempfile::TempDir,
    out: Output,
}

impl Discovered {
    fn profile(&self) -> PathBuf {
        self.dir.path().join("app.yaml")
    }

    fn text(&self) -> String {
        std::fs::read_to_string(self.profile()).unwrap_or_default()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }

    /// Exit 0, a profile without a password, and the check-profile proof discovery ran on it (both
    /// accounts, nothing but `ok` lines).
    #[track_caller]
    fn assert_proved(&self) {
        let name = &self.name;
        assert_eq!(
            self.out.status.code(),
            Some(0),
            "{name}: {}",
            show(&self.out)
        );
        let stdout = self.stdout();
        let text = self.text();
        for secret in [ALICE, MALLORY, "malice-demo-password"] {
            assert!(!stdout.contains(secret), "{name}: a password was printed");
            assert!(!text.contains(secret), "{name}: a password was written");
        }
        assert!(
            stdout.contains("it passed check-profile for the victim and the attacker"),
            "{name}: {stdout}"
        );
        for persona in ["victim", "attacker"] {
            for line in [
                "before login, the oracle says: logged out",
                "after login, the oracle says: logged in",
                "after logout, the oracle says: logged out",
            ] {
                assert!(
                    stdout.contains(&format!("ok   {persona}: {line}")),
                    "{name}: `{persona}: {line}` missing\n{stdout}"
                );
            }
        }
    }
}

/// Starts each case's Ticketbooth.
async fn start_all(cases: Vec<Case>) -> Vec<(Case, RunningDemo)> {
    let mut started = Vec::new();
    for case in cases {
        let app = usher::demo::start(case.config.clone())
            .await
            .expect("Ticketbooth starts");
        started.push((case, app));
    }
    started
}

/// Discovers `app` as `case` says; `victim_password` is the one given.
fn discover_one(case: Case, app: RunningDemo, victim_password: &str) -> Discovered {
    let dir = tempfile::tempdir().unwrap();
    let out = discover(&app, &case, &dir.path().join("app.yaml"), victim_password).run();
    Discovered {
        name: case.name,
        start: case.start,
        flaws: case.config.flaws,
        shapes: case.config.shapes,
        attacker_password: case.attacker.1,
        app,
        dir,
        out,
    }
}

/// Starts each case's Ticketbooth and discovers it, side by side; `victim_password` is the one given.
async fn discover_all(cases: Vec<Case>, victim_password: &str) -> Vec<Discovered> {
    let started = start_all(cases).await;
    tokio::task::block_in_place(|| {
        side_by_side(
            started
                .into_iter()
                .map(|(case, app)| {
                    Box::new(move || discover_one(case, app, victim_password)) as Job<Discovered>
                })
                .collect(),
        )
    })
}

fn discover(app: &RunningDemo, case: &Case, out: &Path, victim_password: &str) -> Command {
    let mut cmd = quiet_usher();
    cmd.env_remove("VICTIM_PASSWORD")
        .env_remove("ATTACKER_PASSWORD")
        .args(["discover", &format!("{}{}", app.base_url(), case.start)])
        .args(["--account", "victim=alice@ticketbooth.test"])
        .args(["--account", &format!("attacker={}", case.attacker.0)])
        .args(["--secret", &format!("VICTIM_PASSWORD={victim_password}")])
        .args([
            "--secret",
            &format!("ATTACKER_PASSWORD={}", case.attacker.1),
        ])
        .arg("--out")
        .arg(out);
    cmd
}

/// The login flow of a written profile.
fn login_flow(text: &str) -> &str {
    let login = &text[text.find("  login:").expect("a login flow")..];
    &login[..login.find("\n\n").unwrap_or(login.len())]
}

/// A wrong victim password: ERROR naming the control, no profile, the password never printed; on the
/// default app and wherever a variant moves the login (a sidebar box, a modal, a form a script builds
/// or submits, a frame, a shadow root).
#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_writes_no_profile_on_every_login_placement() {
    let cases = [
        Markup::Plain,
        Markup::Sidebar,
        Markup::Modal,
        Markup::ScriptRendered,
        Markup::ButtonNoForm,
        Markup::IframeLogin,
        Markup::ShadowLogin,
    ]
    .into_iter()
    .map(Case::markup)
    .collect();
    for d in discover_all(cases, "not-alices-password").await {
        let (name, stdout) = (&d.name, d.stdout());
        assert_eq!(d.out.status.code(), Some(3), "{name}: {}", show(&d.out));
        assert!(
            stdout.contains("ERROR: control `victim login` failed")
                && stdout.contains("VICTIM_PASSWORD"),
            "{name}: {}",
            show(&d.out)
        );
        assert!(!stdout.contains("not-alices-password"), "{name}: {stdout}");
        assert!(!d.profile().exists(), "{name}: a profile was written");
    }
}

/// Nothing listens: exit 3 (the target cannot be reached), nothing written.
#[test]
fn unreachable_target_exits_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.yaml");
    let found = usher()
        .args(["discover", &format!("http://127.0.0.1:{port}/")])
        .args([
            "--account",
            "victim=a@x.test",
            "--account",
            "attacker=b@x.test",
        ])
        .args([
            "--secret",
            "VICTIM_PASSWORD=x",
            "--secret",
            "ATTACKER_PASSWORD=y",
        ])
        .arg("--out")
        .arg(&out)
        .run();
    assert_eq!(found.status.code(), Some(3), "{}", show(&found));
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("cannot be reached"),
        "{}",
        show(&found)
    );
    assert!(!out.exists());
}

/// Bad input: one account only.
#[test]
fn one_account_is_bad_input() {
    let found = usher()
        .args([
            "discover",
            "http://127.0.0.1:9/",
            "--account",
            "victim=a@x.test",
        ])
        .args(["--secret", "VICTIM_PASSWORD=x"])
        .run();
    assert_eq!(found.status.code(), Some(2), "{}", show(&found));
}

/// The flaws under which the scenarios using each discovered part FAIL with the hand-written profile,
/// so a discovered part that does not work cannot hide behind a PASS.
const FLAWS: [Flaw; 6] = [
    Flaw::Fixation,
    Flaw::NoLogoutInvalidation,
    Flaw::NoResetInvalidation,
    Flaw::TokenInUrl,
    Flaw::CacheablePages,
    Flaw::WeakCookieFlags,
];

/// Each discovered part and the scenarios that exercise it, which FAIL on a Ticketbooth with [`FLAWS`]:
/// one scenario per part (every one also logs in with the discovered login and finds the discovered
/// token), the cheapest where two would do. They run with every discovered profile.
const EXERCISED: [(&str, &str); 5] = [
    ("login and session token", "cookie-attributes"),
    (
        "login split at its submit, identity, logged_in",
        "fixation-planted-valid-id",
    ),
    ("logout and logged_in", "logout-invalidates-token"),
    (
        "password form and logged_in",
        "password-change-ends-sessions",
    ),
    ("browse and logged_in", "authenticated-pages-not-cacheable"),
];

/// How much of the built-in suite a profile is run with.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Scope {
    /// The [`EXERCISED`] scenarios.
    Exercised,
    /// The built-in suite without the timing scenarios, token-predictability and the JWT ones (the
    /// cookie app has no token API).
    Whole,
}

/// The hand-written profile's verdict on a Ticketbooth with `flaws` and `shapes`: the expected matrix's
/// rule (`usher::suite::expected_failures`, `expected_skip`), which tests/it/suite_matrix.rs proves
/// with the hand-written profiles for no flaw, each flaw alone and all flaws (plain and under `all`
/// shapes). A verdict of a discovered profile that differs from it fails the test whichever is wrong,
/// so the hand-written profile is not run again here.
fn expected(scenario: &str, flaws: FlawSet, shapes: ShapeSet) -> &'static str {
    if usher::suite::expected_skip(scenario, shapes).is_some() {
        "SKIPPED"
    } else if flaws
        .iter()
        .any(|f| usher::suite::expected_failures(f).0.contains(&scenario))
    {
        "FAIL"
    } else {
        "PASS"
    }
}

/// One discovery per configuration, and the built-in suite run with what it wrote.
///
/// **Pass rate.** Configurations: the default page and the 12 other markup variants, `--shape all`
/// (the 11 shapes it takes at once), and each of the 13 shapes alone, all on a Ticketbooth with
/// [`FLAWS`]; and `--shape all` on the secure app. Each writes a profile that passes check-profile for
/// both accounts (discovery's own proof, read from its output), holds no password and no session id,
/// and, where the variant puts the login, the flow goes there; the reset request is located, never
/// sent (the app's outbox stays empty).
///
/// **Verdicts.** Each discovered profile is run with the built-in suite on the Ticketbooth it was
/// discovered on, and every verdict is compared with the hand-written profile's there:
/// - the [`EXERCISED`] scenarios (one per discovered part: login and token, the login split at its
///   submit and identity, logout, the password form, browse, each with the oracle) with every profile:
///   on the flawed app the rule has them all FAIL (asserted below), so a discovered part that does
///   not work cannot hide behind a PASS; on the secure app they all PASS;
/// - the whole suite (without the timing scenarios, token-predictability and the JWT ones, which need
///   a token API) with the profile of the flawed default page, where the other scenarios PASS.
///
/// The reference is [`expected`], the matrix's rule: for markup variants, the verdicts on the flawed
/// default page (markup changes the page, not the server: tests/it/demo_markup.rs); for shapes, the
/// verdicts under those shapes (suite_matrix proves them with the hand-written shaped profile under
/// `all`, and `usher demo` with the plain one, for no flaw and all flaws). Every run has a Ticketbooth of its own
/// (the suite changes passwords). `password-reset-ends-sessions`, which needs a flow discovery leaves
/// to the user (`reset_password`), is SKIPPED with a discovered profile and not compared.
#[tokio::test(flavor = "multi_thread")]
async fn discovered_profiles_pass_and_give_the_hand_written_verdicts() {
    let flawed: FlawSet = FLAWS.into_iter().collect();
    let on_flawed = |name: String, markup, shapes| {
        Case::new(
            name,
            DemoConfig {
                flaws: flawed,
                markup,
                shapes,
                ..DemoConfig::default()
            },
        )
    };
    let mut cases: Vec<(Case, Scope)> = Vec::new();
    for markup in Markup::ALL {
        let scope = if markup == Markup::Plain {
            Scope::Whole
        } else {
            Scope::Exercised
        };
        cases.push((
            on_flawed(markup.to_string(), markup, ShapeSet::none()),
            scope,
        ));
    }
    cases.push((
        on_flawed("all shapes".into(), Markup::Plain, ShapeSet::all()),
        Scope::Exercised,
    ));
    for shape in Shape::ALL {
        cases.push((
            on_flawed(shape.to_string(), Markup::Plain, ShapeSet::only(shape)),
            Scope::Exercised,
        ));
    }
    cases.push((
        Case::new(
            "secure, all shapes",
            DemoConfig {
                shapes: ShapeSet::all(),
                ..DemoConfig::default()
            },
        ),
        Scope::Exercised,
    ));
    let counted = cases.len();
    // The whole-suite runs first: they are the longest.
    cases.sort_by_key(|(_, scope)| *scope != Scope::Whole);
    let scopes: Vec<Scope> = cases.iter().map(|(_, s)| *s).collect();
    // A discovered part that does not work cannot hide behind a PASS: on the flawed app the rule
    // has every exercised scenario FAIL.
    for (part, s) in EXERCISED {
        assert_eq!(
            expected(s, flawed, ShapeSet::none()),
            "FAIL",
            "{s} ({part}) must FAIL on the flawed app"
        );
    }
    let started = start_all(cases.into_iter().map(|(c, _)| c).collect()).await;
    type Judged = (Discovered, Vec<(String, String)>);
    let mut jobs: Vec<Job<Judged>> = Vec::new();
    for ((case, app), scope) in started.into_iter().zip(scopes) {
        jobs.push(Box::new(move || {
            let d = discover_one(case, app, ALICE);
            // A failed discovery is reported below, with what it printed.
            let verdicts = if d.out.status.success() {
                suite(&d, scope)
            } else {
                Vec::new()
            };
            (d, verdicts)
        }));
    }
    let judged = tokio::task::block_in_place(|| side_by_side(jobs));
    let mut with_reset = Vec::new();
    let mut table = Vec::new();
    for (d, discovered) in judged {
        assert_discovered_where_the_variant_puts_it(&d, &mut with_reset).await;
        let name = &d.name;
        let mut compared = 0;
        for (scenario, v) in &discovered {
            if v == "SKIPPED" && scenario == "password-reset-ends-sessions" {
                continue;
            }
            assert_eq!(
                v,
                expected(scenario, d.flaws, d.shapes),
                "{scenario} on {name}: discovered {discovered:?}"
            );
            compared += 1;
        }
        for (part, s) in EXERCISED {
            assert!(
                verdict(&discovered, s).is_some(),
                "{s} ({part}) did not run on {name}: {discovered:?}"
            );
        }
        let skipped: Vec<&str> = discovered
            .iter()
            .filter(|(_, v)| v == "SKIPPED")
            .map(|(n, _)| n.as_str())
            .collect();
        table.push(format!(
            "{name}: {compared} of {compared} verdicts agree; SKIPPED: {skipped:?}"
        ));
    }
    eprintln!(
        "discover passed on {counted} of {counted} configurations; the reset request found on {}: {with_reset:?}\n{}",
        with_reset.len(),
        table.join("\n")
    );
}

/// The pass-rate checks on one discovery: proved, every piece written, and the login flow where the
/// variant puts it; the reset request located but never sent.
async fn assert_discovered_where_the_variant_puts_it(d: &Discovered, with_reset: &mut Vec<String>) {
    d.assert_proved();
    let text = d.text();
    let name = d.name.as_str();
    for piece in ["  logout:", "  browse:", "  change_password:", "token:"] {
        assert!(text.contains(piece), "{name}: {piece} missing\n{text}");
    }
    assert!(
        text.contains("# Negative controls passed"),
        "{name}\n{text}"
    );
    // `token-in-url` puts the session id in links: none may reach the profile.
    assert!(
        !text.contains("sid="),
        "{name}: a session id written\n{text}"
    );
    let login = login_flow(&text);
    let markup = (d.shapes.is_empty())
        .then(|| Markup::ALL.into_iter().find(|m| m.to_string() == name))
        .flatten();
    match markup {
        Some(Markup::Plain) => assert!(text.contains("identity: '#whoami'"), "{text}"),
        Some(Markup::TwoStep) => assert!(text.contains("two-step login"), "{text}"),
        // The box on the page given: no link followed, nothing opened.
        Some(Markup::Sidebar) => assert!(
            login.starts_with("  login:\n    - open: /\n    - wait_for:"),
            "{login}"
        ),
        // The "Log in" button opens the form in place: the flow clicks it first.
        Some(Markup::Modal) => assert!(
            login.contains("    - open: /\n    - click: 'button.login-open'"),
            "{login}"
        ),
        // The flow waits for the form the script builds before filling it.
        Some(Markup::ScriptRendered) => assert!(
            login.contains("    - open: /login\n    - wait_for: { element: '#email' }"),
            "{login}"
        ),
        Some(Markup::ButtonNoForm) => assert!(
            text.contains("a box of controls outside any <form>")
                && login.contains("    - click: '#login-submit'"),
            "{text}"
        ),
        // The frame's page, opened by itself.
        Some(Markup::IframeLogin) => assert!(
            text.contains("the login form is in a same-origin frame")
                && login.contains("    - open: /login?embed=1\n"),
            "{text}"
        ),
        // Through the shadow root, with the locator that reaches into it.
        Some(Markup::ShadowLogin) => assert!(
            text.contains("inside the open shadow root of <login-box>")
                && login.contains("    - fill: { field: 'login-box >>> #password'"),
            "{login}"
        ),
        _ => {}
    }
    // The reset request is located, never sent: the app's outbox holds no mail.
    let outbox = reqwest::get(format!("http://{}{}outbox", d.app.addr(), d.start))
        .await
        .expect("the outbox answers")
        .text()
        .await
        .unwrap();
    assert!(
        !outbox.contains("data-email="),
        "{name}: a reset was sent\n{outbox}"
    );
    let request = text.contains("  request_password_reset:\n    - open: '/reset'\n")
        && d.stdout()
            .contains("ok   `request_password_reset`: the form at ");
    let all_shapes = d.shapes == ShapeSet::all();
    if markup == Some(Markup::Plain) || all_shapes {
        assert!(request, "{name}: the reset request\n{text}");
    }
    if request {
        with_reset.push(name.to_string());
    }
    if all_shapes {
        assert!(text.contains("/app'"), "base_url is the mount: {text}");
        // The logout POST form's session-bound CSRF input.
        assert!(text.contains("hidden input(s) csrf"), "{text}");
    }
}

fn verdict<'a>(verdicts: &'a [(String, String)], scenario: &str) -> Option<&'a str> {
    verdicts
        .iter()
        .find(|(n, _)| n == scenario)
        .map(|(_, v)| v.as_str())
}

/// (scenario, verdict) of the built-in suite (as much as `scope` says) run with the profile `d`
/// wrote, against the app it was discovered on.
fn suite(d: &Discovered, scope: Scope) -> Vec<(String, String)> {
    let reports = d.dir.path().join("reports");
    let mut cmd = usher();
    // Where discovery started, as its `base_url` says (`/app` when mounted).
    let target = format!("{}{}", d.app.base_url(), d.start.trim_end_matches('/'));
    cmd.env_remove("RUST_LOG")
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(d.profile())
        .arg("--report-dir")
        .arg(&reports)
        .args(["--target", &target])
        .args(["--secret", &format!("VICTIM_PASSWORD={ALICE}")])
        .args([
            "--secret",
            &format!("ATTACKER_PASSWORD={}", d.attacker_password),
        ]);
    match scope {
        Scope::Exercised => {
            for (_, s) in EXERCISED {
                cmd.args(["--only", s]);
            }
        }
        // The JWT scenarios need a token API the cookie app does not have (SKIPPED there).
        Scope::Whole => {
            for skip in usher::suite::TIMING_SCENARIOS
                .iter()
                .chain(["token-predictability", "jwt"].iter())
            {
                cmd.args(["--skip", skip]);
            }
        }
    }
    let out = cmd.run();
    let found = verdicts(&reports);
    assert!(!found.is_empty(), "no results.json: {}", show(&out));
    found.into_iter().collect()
}
