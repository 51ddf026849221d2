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

/// Starts each case's Ticketbooth and discovers it, side by side; `victim_password` is the one given.
async fn discover_all(cases: Vec<Case>, victim_password: &str) -> Vec<Discovered> {
    let mut started = Vec::new();
    for case in cases {
        let app = usher::demo::start(case.config.clone())
            .await
            .expect("Ticketbooth starts");
        started.push((case, app));
    }
    tokio::task::block_in_place(|| {
        side_by_side(
            started
                .into_iter()
                .map(|(case, app)| {
                    Box::new(move || {
                        let dir = tempfile::tempdir().unwrap();
                        let out =
                            discover(&app, &case, &dir.path().join("app.yaml"), victim_password)
                                .run();
                        Discovered {
                            name: case.name,
                            start: case.start,
                            app,
                            dir,
                            out,
                        }
                    }) as Job<Discovered>
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

/// The pass rate: the default app, every markup variant and every shape (all that `all` takes at once,
/// and the two it leaves out, each alone). Each writes a profile that passes check-profile for both
/// accounts; where the variant puts the login, the flow goes there.
#[tokio::test(flavor = "multi_thread")]
async fn discover_proves_every_variant_and_shape() {
    let mut cases: Vec<Case> = Markup::ALL.into_iter().map(Case::markup).collect();
    cases.push(Case::new(
        "all shapes",
        DemoConfig {
            shapes: ShapeSet::all(),
            ..DemoConfig::default()
        },
    ));
    for shape in Shape::ALL.into_iter().filter(|s| !s.in_all()) {
        cases.push(Case::new(
            shape.to_string(),
            DemoConfig {
                shapes: ShapeSet::only(shape),
                ..DemoConfig::default()
            },
        ));
    }
    let counted = cases.len();
    let found = discover_all(cases, ALICE).await;
    let mut with_reset = Vec::new();
    for d in &found {
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
        let login = login_flow(&text);
        let markup = Markup::ALL.into_iter().find(|m| m.to_string() == name);
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
        if markup == Some(Markup::Plain) || name == "all shapes" {
            assert!(request, "{name}: the reset request\n{text}");
        }
        if request {
            with_reset.push(name);
        }
        if name == "all shapes" {
            assert!(text.contains("/app'"), "base_url is the mount: {text}");
            // The logout POST form's session-bound CSRF input.
            assert!(text.contains("hidden input(s) csrf"), "{text}");
        }
    }
    eprintln!(
        "discover passed on {counted} of {counted} configurations; the reset request found on {}: {with_reset:?}",
        with_reset.len()
    );
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

/// Each discovered part and the scenarios that exercise it, which FAIL on a Ticketbooth with [`FLAWS`].
const EXERCISED: [(&str, &[&str]); 6] = [
    (
        "login and identity",
        &["fixation-token-rotates", "fixation-planted-valid-id"],
    ),
    ("session token", &["cookie-attributes"]),
    ("logout and the oracle", &["logout-invalidates-token"]),
    (
        "password form and the oracle",
        &["password-change-ends-sessions"],
    ),
    ("browse", &["token-not-in-url"]),
    (
        "browse and logged_in",
        &["authenticated-pages-not-cacheable"],
    ),
];

/// The built-in suite (without the timing scenarios and token-predictability) run with discovered
/// profiles gives the hand-written profile's verdicts:
/// - on a Ticketbooth with [`FLAWS`], where the scenarios using each discovered part (login, token,
///   identity, oracle, logout, password form, browse) FAIL: the hand-written profile runs on its own
///   instance of the same app beside the profiles discovered on the plain page and on the shadow-root
///   login (its markup changes the page, not the server: tests/it/demo_markup.rs);
/// - on the secure app with the shadow-root login, where those scenarios PASS: the hand-written
///   verdicts there are the expected matrix's first row, which tests/it/suite_matrix.rs proves.
///
/// Every run has a Ticketbooth of its own (the suite changes passwords). Scenarios needing a flow
/// discovery leaves to the user (`reset_password`) are SKIPPED with the discovered profile, and listed.
#[tokio::test(flavor = "multi_thread")]
async fn builtin_suite_gives_the_hand_written_verdicts() {
    let flawed = |markup| DemoConfig {
        flaws: FLAWS.into_iter().collect::<FlawSet>(),
        markup,
        ..DemoConfig::default()
    };
    let cases = vec![
        Case::new("flawed plain", flawed(Markup::Plain)),
        Case::new("flawed shadow-login", flawed(Markup::ShadowLogin)),
        Case::markup(Markup::ShadowLogin),
    ];
    let found = discover_all(cases, ALICE).await;
    for d in &found {
        d.assert_proved();
    }
    let hand_app = usher::demo::start(flawed(Markup::Plain))
        .await
        .expect("Ticketbooth starts");
    let hand_dir = tempfile::tempdir().unwrap();
    let hand_profile = Path::new(crate::support::usher::TICKETBOOTH_PROFILE);
    let mut runs: Vec<Job<Vec<(String, String)>>> = vec![Box::new(|| {
        suite(&hand_app, hand_profile, hand_dir.path(), true)
    })];
    for d in &found {
        runs.push(Box::new(move || {
            suite(&d.app, &d.profile(), d.dir.path(), false)
        }));
    }
    let mut verdicts = tokio::task::block_in_place(|| side_by_side(runs)).into_iter();
    let hand = verdicts.next().unwrap();
    for (part, scenarios) in EXERCISED {
        for s in scenarios {
            assert_eq!(
                verdict(&hand, s),
                Some("FAIL"),
                "{s} ({part}) must FAIL on the flawed app with the hand-written profile: {hand:?}"
            );
        }
    }
    let secure: Vec<(String, String)> = usher::suite::BUILTIN
        .iter()
        .map(|b| (b.name.to_string(), "PASS".to_string()))
        .collect();
    for (d, discovered) in found.iter().zip(verdicts) {
        let reference = if d.name.starts_with("flawed") {
            &hand
        } else {
            &secure
        };
        let mut compared = 0;
        for (name, v) in &discovered {
            if v == "SKIPPED" && name == "password-reset-ends-sessions" {
                continue;
            }
            assert_eq!(
                Some(v.as_str()),
                verdict(reference, name),
                "{name} on {}: discovered {discovered:?}\nhand-written {reference:?}",
                d.name
            );
            compared += 1;
        }
        for (part, scenarios) in EXERCISED {
            for s in scenarios {
                assert!(
                    verdict(&discovered, s).is_some_and(|v| v != "SKIPPED"),
                    "{s} ({part}) did not run on {}: {discovered:?}",
                    d.name
                );
            }
        }
        let skipped: Vec<&str> = discovered
            .iter()
            .filter(|(_, v)| v == "SKIPPED")
            .map(|(n, _)| n.as_str())
            .collect();
        eprintln!(
            "{}: {compared} verdicts agree with the hand-written profile's; SKIPPED with the discovered profile: {skipped:?}",
            d.name
        );
    }
}

fn verdict<'a>(verdicts: &'a [(String, String)], scenario: &str) -> Option<&'a str> {
    verdicts
        .iter()
        .find(|(n, _)| n == scenario)
        .map(|(_, v)| v.as_str())
}

/// (scenario, verdict) of the built-in suite run with `profile`; `hand` names the hand-written
/// profile's secrets.
fn suite(app: &RunningDemo, profile: &Path, dir: &Path, hand: bool) -> Vec<(String, String)> {
    let reports = dir.join("reports");
    let mut cmd = usher();
    cmd.env_remove("RUST_LOG")
        .args(["run", "--suite", "builtin", "--profile"])
        .arg(profile)
        .args(["--target", &app.base_url(), "--report-dir"])
        .arg(&reports);
    if hand {
        cmd.ticketbooth_secrets();
    } else {
        cmd.args(["--secret", &format!("VICTIM_PASSWORD={ALICE}")])
            .args(["--secret", &format!("ATTACKER_PASSWORD={MALLORY}")]);
    }
    // The JWT scenarios need a token API the cookie app does not have (SKIPPED there).
    for skip in usher::suite::TIMING_SCENARIOS
        .iter()
        .chain(["token-predictability", "jwt"].iter())
    {
        cmd.args(["--skip", skip]);
    }
    let out = cmd.run();
    let found = verdicts(&reports);
    assert!(!found.is_empty(), "no results.json: {}", show(&out));
    found.into_iter().collect()
}
