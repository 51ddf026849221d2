//! Golden tests of `usher validate`'s diagnostics against a corpus of malformed profiles and scenarios.
//!
//! Each case under `tests/data/bad/` is one mistake a user makes. For each, `usher validate` must exit 2
//! without running anything, print nothing on stdout, point `file:line:col` at the offending token,
//! say what is wrong and (nearly always) what to do. The rendered stderr is snapshotted with insta
//! (`tests/it/snapshots/it__diagnostics__<case>.snap`); regenerate with
//! `INSTA_UPDATE=always cargo test --test it diagnostics::` and read every changed snapshot.
//!
//! Binary garbage and the oversized file are written by the tests into a temporary directory rather
//! than committed.

use assert_cmd::Command;
use std::path::Path;

/// Passed with `--secret` to every case, so that only the variables a case means to leave undefined are.
const VICTIM_SECRET: &str = "s3cr3t-Hunter2";
const ATTACKER_SECRET: &str = "attacker-Secret9";

/// One malformed input and what `usher validate` must say about it.
struct Case {
    /// Snapshot name; also the file or directory under `tests/data/bad/`.
    name: &'static str,
    /// Every ` --> ` location printed, in order: one per problem.
    at: &'static [&'static str],
    /// Part of the first problem's message.
    says: &'static str,
    /// Whether the first problem carries a `= help:` hint.
    help: bool,
}

const fn case(
    name: &'static str,
    at: &'static [&'static str],
    says: &'static str,
    help: bool,
) -> Case {
    Case {
        name,
        at,
        says,
        help,
    }
}

const B: &str = "tests/data/bad";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // YAML syntax
    case("yaml_unclosed_bracket.yaml", &["tests/data/bad/yaml_unclosed_bracket.yaml:3:6"],
        "invalid YAML", true),
    case("yaml_bad_indentation.yaml", &["tests/data/bad/yaml_bad_indentation.yaml:5:7"],
        "invalid YAML", true),
    case("yaml_tabs.yaml", &["tests/data/bad/yaml_tabs.yaml:4:2"],
        "tabs", true),
    case("duplicate_keys.yaml", &["tests/data/bad/duplicate_keys.yaml:6:1"],
        "duplicate key `steps`", true),
    case("empty.yaml", &["tests/data/bad/empty.yaml"],
        "the file is empty", true),
    // Wrong types
    case("type_string_for_list", &["tests/data/bad/type_string_for_list/scenario.yaml:2:11"],
        "`personas` must be a list, found string \"victim\"", true),
    case("type_number_for_selector", &["tests/data/bad/type_number_for_selector/scenario.yaml:5:12"],
        "expected a locator", true),
    case("type_list_for_mapping", &["tests/data/bad/type_list_for_mapping/app.yaml:5:3"],
        "`personas` must be a mapping of names to accounts, found a list", true),
    // Unknown names, with suggestions
    case("unknown_step", &["tests/data/bad/unknown_step/scenario.yaml:5:5"],
        "unknown step `clik`, did you mean `click`?", true),
    case("unknown_scenario_key", &["tests/data/bad/unknown_scenario_key/scenario.yaml:2:1"],
        "unknown key `tag` in the scenario, did you mean `tags`?", true),
    case("unknown_profile_key", &["tests/data/bad/unknown_profile_key/app.yaml:2:1"],
        "unknown key `base_ur` in the profile, did you mean `base_url`?", true),
    case("unknown_step_arg_key", &["tests/data/bad/unknown_step_arg_key/scenario.yaml:5:26"],
        "unknown key `valeu` in `fill`, did you mean `value`?", true),
    case("unknown_check", &["tests/data/bad/unknown_check/scenario.yaml:5:12"],
        "unknown check `loged_out`, did you mean `logged_out`?", true),
    case("unknown_locator_strategy", &["tests/data/bad/unknown_locator_strategy/scenario.yaml:5:14"],
        "unknown locator strategy `xpth`, did you mean `xpath`?", true),
    case("unknown_persona", &["tests/data/bad/unknown_persona/scenario.yaml:2:20"],
        "unknown persona `atacker`, did you mean `attacker`?", true),
    case("unknown_persona_as", &["tests/data/bad/unknown_persona_as/scenario.yaml:5:5"],
        "unknown persona `atacker`, did you mean `attacker`?", true),
    case("unknown_flow", &["tests/data/bad/unknown_flow/scenario.yaml:4:5"],
        "unknown flow `logn`, did you mean `login`?", true),
    // Step shape
    case("two_actions", &["tests/data/bad/two_actions/scenario.yaml:6:5"],
        "a step has one action, but this one also has `open`", true),
    case("step_without_action", &["tests/data/bad/step_without_action/scenario.yaml:5:5"],
        "this step has no action", true),
    // What a profile must have
    case("missing_logged_in.yaml", &["tests/data/bad/missing_logged_in.yaml:12:1"],
        "the profile has no `logged_in` flow", true),
    case("oracle_without_see.yaml", &["tests/data/bad/oracle_without_see.yaml:20:3"],
        "the `logged_in` oracle has no `see` or `not_see` step", true),
    case("missing_login_flow.yaml", &["tests/data/bad/missing_login_flow.yaml:12:1"],
        "the profile has no `login` flow", true),
    case("missing_token.yaml", &["tests/data/bad/missing_token.yaml:1:1"],
        "does not say where the session token lives", true),
    case("token_two_locations.yaml", &["tests/data/bad/token_two_locations.yaml:4:3"],
        "`token` names exactly one location, found 2", true),
    case("token_app_file_without_key.yaml", &["tests/data/bad/token_app_file_without_key.yaml:4:3"],
        "`token` is missing `key`", true),
    case("literal_password.yaml", &["tests/data/bad/literal_password.yaml:8:15"],
        "persona `victim` has a literal password", true),
    case("flow_cycle.yaml", &["tests/data/bad/flow_cycle.yaml:17:3"],
        "flows run each other in a cycle: a → b → a", true),
    // Variables and durations
    case("undefined_variable", &["tests/data/bad/undefined_variable/scenario.yaml:5:5"],
        "undefined variable `${X}` in this step", true),
    case("duration_bare_number.yaml", &["tests/data/bad/duration_bare_number.yaml:13:17"],
        "bad `step_timeout`: `15` has no unit", true),
    case("duration_words", &["tests/data/bad/duration_words/scenario.yaml:5:11"],
        "bad `idle`: `ten minutes` is not a duration", true),
    case("step_timeout_bad", &["tests/data/bad/step_timeout_bad/scenario.yaml:6:14"],
        "bad `timeout`: `5` has no unit", true),
    // Captured labels, plant
    case("replay_never_captured", &["tests/data/bad/replay_never_captured/scenario.yaml:7:5"],
        "no token was captured as `before_logout` before this step", true),
    case("token_changed_never_captured",
        &["tests/data/bad/token_changed_never_captured/scenario.yaml:6:5"],
        "no token was captured as `before_login` before this step", true),
    case("plant_value_and_from", &["tests/data/bad/plant_value_and_from/scenario.yaml:4:12"],
        "`plant` takes exactly one of `value`", true),
    // Scenario level
    case("duplicate_scenario_names", &["tests/data/bad/duplicate_scenario_names/second.yaml:1:1"],
        "scenario name `same-name` is also used by tests/data/bad/duplicate_scenario_names/scenario.yaml",
        true),
    case("no_checks", &["tests/data/bad/no_checks/scenario.yaml:1:1"],
        "has no `check` step, so it can never FAIL", true),
    case("profile_path_missing", &["tests/data/bad/profile_path_missing/scenario.yaml:2:10"],
        "tests/data/bad/profile_path_missing/../nowhere/app.yaml does not exist", true),
    // Policy and target
    case("policy_bad_value", &["tests/data/bad/policy_bad_value/app.yaml:24:3"],
        "bad policy `idle_timeout`: `forever` is not a duration", false),
    case("policy_unknown_key", &["tests/data/bad/policy_unknown_key/app.yaml:24:3"],
        "unknown key `idle_timout` in `policy`, did you mean `idle_timeout`?", true),
    case("policy_unknown_preset", &["tests/data/bad/policy_unknown_preset/app.yaml:24:11"],
        "unknown value `asvs-l4` in `policy`, did you mean `asvs-l3`?", true),
    case("base_url_not_a_url", &["tests/data/bad/base_url_not_a_url/app.yaml:2:11"],
        "`base_url` must be an absolute http(s) URL, found `shop dot test`", true),
    // Account pools
    case("pool_empty_accounts.yaml", &["tests/data/bad/pool_empty_accounts.yaml:7:15"],
        "persona `victim` has an empty `accounts` list", true),
    case("pool_with_username.yaml", &["tests/data/bad/pool_with_username.yaml:7:5"],
        "persona `victim` has both `accounts` and `username`", true),
    case("pool_account_without_password.yaml",
        &["tests/data/bad/pool_account_without_password.yaml:9:9"],
        "account 2 of persona `victim` has no `password`", true),
    case("pool_shared_account.yaml", &["tests/data/bad/pool_shared_account.yaml:15:21"],
        "account `shared@shop.test` is in persona `victim` and in persona `attacker`", true),
    // Paths
    case("does-not-exist.yaml", &["tests/data/bad/does-not-exist.yaml"],
        "no such file or directory", true),
];

fn usher() -> Command {
    let mut cmd = Command::cargo_bin("usher").expect("the usher binary is built");
    // Nothing from the developer's shell (a VICTIM_PASSWORD, RUST_LOG, NO_COLOR...) may change a case.
    cmd.env_clear().current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn validate(paths: &[&str], extra: &[&str]) -> Output {
    let victim = format!("VICTIM_PASSWORD={VICTIM_SECRET}");
    let attacker = format!("ATTACKER_PASSWORD={ATTACKER_SECRET}");
    let out = usher()
        .arg("validate")
        .args(paths)
        .args(["--secret", &victim, "--secret", &attacker])
        .args(extra)
        .output()
        .expect("usher runs");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// The contract every malformed input shares: exit 2, nothing on stdout, problems on stderr, one
/// ` --> ` location per problem, and a closing count. Returns stderr.
fn rejected(paths: &[&str], extra: &[&str]) -> String {
    let out = validate(paths, extra);
    let stderr = out.stderr;
    assert_eq!(
        out.code,
        Some(2),
        "exit code for {paths:?}; stderr:\n{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout must be empty for {paths:?}, got:\n{}",
        out.stdout
    );
    let n = locations(&stderr).len();
    let plural = if n == 1 { "" } else { "s" };
    assert!(
        stderr.ends_with(&format!(
            "error: {n} problem{plural} found; nothing was run\n"
        )),
        "{paths:?}: every problem has one location and the count closes the output:\n{stderr}"
    );
    for secret in [VICTIM_SECRET, ATTACKER_SECRET] {
        assert!(
            !stderr.contains(secret),
            "a secret leaked for {paths:?}:\n{stderr}"
        );
    }
    stderr
}

/// The locations of all problems, as printed after ` --> `.
fn locations(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .collect()
}

fn check_case(name: &str) {
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case `{name}` in CASES"));
    let path = format!("{B}/{}", case.name);
    let stderr = rejected(&[&path], &[]);
    assert_eq!(locations(&stderr), case.at, "locations; stderr:\n{stderr}");
    let first = stderr.split("\n\n").next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains(case.says),
        "the first problem should say {:?}; stderr:\n{stderr}",
        case.says
    );
    assert_eq!(
        first.contains("= help: "),
        case.help,
        "help hint on the first problem; stderr:\n{stderr}"
    );
    // Where a problem has a line, the source line and a caret under the offending token are shown.
    if case.at[0].matches(':').count() == 2 {
        assert!(
            first.contains(" | ") && first.contains('^'),
            "source line and caret; stderr:\n{stderr}"
        );
    }
    let snapshot = name.trim_end_matches(".yaml").replace(['-', '.'], "_");
    insta::assert_snapshot!(snapshot, stderr);
}

macro_rules! cases {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check_case($name);
            }
        )*

        /// Every case in `CASES` has a test (and no test names a missing case).
        #[test]
        fn every_case_has_a_test() {
            let mut tested = vec![$($name),*];
            let mut listed: Vec<&str> = CASES.iter().map(|c| c.name).collect();
            tested.sort_unstable();
            listed.sort_unstable();
            assert_eq!(tested, listed);
        }
    };
}

cases! {
    yaml_unclosed_bracket => "yaml_unclosed_bracket.yaml",
    yaml_bad_indentation => "yaml_bad_indentation.yaml",
    yaml_tabs => "yaml_tabs.yaml",
    duplicate_keys => "duplicate_keys.yaml",
    empty_file => "empty.yaml",
    type_string_for_list => "type_string_for_list",
    type_number_for_selector => "type_number_for_selector",
    type_list_for_mapping => "type_list_for_mapping",
    unknown_step => "unknown_step",
    unknown_scenario_key => "unknown_scenario_key",
    unknown_profile_key => "unknown_profile_key",
    unknown_step_arg_key => "unknown_step_arg_key",
    unknown_check => "unknown_check",
    unknown_locator_strategy => "unknown_locator_strategy",
    unknown_persona => "unknown_persona",
    unknown_persona_as => "unknown_persona_as",
    unknown_flow => "unknown_flow",
    two_actions => "two_actions",
    step_without_action => "step_without_action",
    missing_logged_in => "missing_logged_in.yaml",
    oracle_without_see => "oracle_without_see.yaml",
    missing_login_flow => "missing_login_flow.yaml",
    missing_token => "missing_token.yaml",
    token_two_locations => "token_two_locations.yaml",
    token_app_file_without_key => "token_app_file_without_key.yaml",
    literal_password => "literal_password.yaml",
    flow_cycle => "flow_cycle.yaml",
    undefined_variable => "undefined_variable",
    duration_bare_number => "duration_bare_number.yaml",
    duration_words => "duration_words",
    step_timeout_bad => "step_timeout_bad",
    replay_never_captured => "replay_never_captured",
    token_changed_never_captured => "token_changed_never_captured",
    plant_value_and_from => "plant_value_and_from",
    duplicate_scenario_names => "duplicate_scenario_names",
    no_checks => "no_checks",
    profile_path_missing => "profile_path_missing",
    policy_bad_value => "policy_bad_value",
    policy_unknown_key => "policy_unknown_key",
    policy_unknown_preset => "policy_unknown_preset",
    base_url_not_a_url => "base_url_not_a_url",
    pool_empty_accounts => "pool_empty_accounts.yaml",
    pool_with_username => "pool_with_username.yaml",
    pool_account_without_password => "pool_account_without_password.yaml",
    pool_shared_account => "pool_shared_account.yaml",
    nonexistent_path => "does-not-exist.yaml",
}

/// `validate` reports every problem at once: all cases given together yield all their locations.
#[test]
fn every_problem_at_once() {
    let paths: Vec<String> = CASES.iter().map(|c| format!("{B}/{}", c.name)).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let stderr = rejected(&paths, &[]);
    let mut got = locations(&stderr);
    let mut want: Vec<&str> = CASES.iter().flat_map(|c| c.at.iter().copied()).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "stderr:\n{stderr}");
}

/// Runs `validate` on a file the test writes into a temporary directory; the directory's path is
/// replaced by `[TMP]` so the snapshot does not depend on the machine.
fn rejected_temp_file(file: &str, bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(file);
    std::fs::write(&path, bytes).expect("write the temp file");
    let shown = path.to_str().expect("UTF-8 temp path");
    let stderr = rejected(&[shown], &[]);
    assert_eq!(locations(&stderr), [shown], "stderr:\n{stderr}");
    assert!(stderr.contains("= help: "), "stderr:\n{stderr}");
    stderr.replace(&dir.path().display().to_string(), "[TMP]")
}

#[test]
fn binary_garbage() {
    let mut bytes = b"scenario: garbage\n".to_vec();
    bytes.extend_from_slice(b"\x00\x89PNG\r\n\x1a\n\xff\xfe\xc3\x28\x1b[31m\x00\x00");
    let stderr = rejected_temp_file("garbage.yaml", &bytes);
    assert!(
        stderr.contains("not UTF-8") && !stderr.contains('\u{1b}'),
        "stderr:\n{stderr}"
    );
    insta::assert_snapshot!("binary_garbage", stderr);
}

#[test]
fn nul_bytes_in_utf8_text() {
    let stderr = rejected_temp_file("nul.yaml", b"scenario: nul\nsteps:\x00\n  - open: /\n");
    assert!(stderr.contains("NUL bytes"), "stderr:\n{stderr}");
    insta::assert_snapshot!("nul_bytes", stderr);
}

#[test]
fn huge_file() {
    let mut text = String::from("scenario: huge\npersonas: [victim]\nsteps:\n");
    while text.len() <= 1024 * 1024 {
        text.push_str("  - open: /a/page/that/is/visited/again/and/again\n");
    }
    let stderr = rejected_temp_file("huge.yaml", text.as_bytes());
    assert!(
        stderr.contains(&format!("file is {} bytes", text.len())),
        "stderr:\n{stderr}"
    );
    insta::assert_snapshot!("huge_file", stderr);
}

/// The example suite is valid: exit 0, one line per suite on stdout, nothing on stderr.
#[test]
fn valid_directory_passes() {
    let out = usher()
        .args(["validate", "scenarios/ticketbooth"])
        .args(["--secret", "TB_ALICE_PASSWORD=x1234"])
        .args(["--secret", "TB_MALLORY_PASSWORD=y1234"])
        .output()
        .expect("usher runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.is_empty(), "stderr:\n{stderr}");
    assert!(
        stdout.starts_with("ok: profile `ticketbooth` (scenarios/ticketbooth/app.yaml)"),
        "stdout:\n{stdout}"
    );
}

/// A secret given on the command line is never printed, not even when an error mentions its
/// variable or shows a source line the value was pasted into. Given as NAME=VALUE and as NAME
/// (read from the environment).
#[test]
fn secret_values_never_appear() {
    let path = format!("{B}/secret_not_echoed");
    let forms: [(&[&str], Option<&str>); 2] = [
        (&["--secret", "VICTIM_PASSWORD=s3cr3t-Hunter2"], None),
        (&["--secret", "VICTIM_PASSWORD"], Some(VICTIM_SECRET)),
    ];
    let mut rendered = Vec::new();
    for (args, env) in forms {
        let mut cmd = usher();
        cmd.args(["validate", &path]).args(args);
        if let Some(v) = env {
            cmd.env("VICTIM_PASSWORD", v);
        }
        let out = cmd.output().expect("usher runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
        assert!(stdout.is_empty(), "stdout:\n{stdout}");
        for shown in [&*stdout, &*stderr] {
            assert!(
                !shown.contains(VICTIM_SECRET),
                "the secret leaked:\n{shown}"
            );
        }
        // The errors are about the variable and the lines holding the value: they are printed, with
        // a fingerprint in place of the value.
        assert!(
            stderr.contains("undefined variable `${VICTIM_PASWORD}`")
                && stderr.contains("did you mean `VICTIM_PASSWORD`?"),
            "stderr:\n{stderr}"
        );
        let fingerprint = format!("secret:{}", &sha256_hex(VICTIM_SECRET)[..6]);
        assert_eq!(
            stderr.matches(&fingerprint).count(),
            2,
            "both lines holding the value show its fingerprint; stderr:\n{stderr}"
        );
        rendered.push(stderr);
    }
    assert_eq!(rendered[0], rendered[1], "both ways of passing the secret");
    insta::assert_snapshot!("secret_not_echoed", rendered[0]);
}

/// The fingerprint `usher` shows for a secret, computed independently with `sha2` (a dependency).
fn sha256_hex(value: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(value.as_bytes()))
}

#[test]
fn corpus_files_exist() {
    for c in CASES.iter().filter(|c| c.name != "does-not-exist.yaml") {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(B)
                .join(c.name)
                .exists(),
            "{} is missing",
            c.name
        );
    }
}

/// `usher run` refuses bad input the same way, before any browser or report: exit 2, nothing written.
#[test]
fn run_refuses_every_case_before_starting_anything() {
    let reports = tempfile::tempdir().unwrap();
    for c in CASES {
        let dir = reports.path().join(c.name);
        let out = usher()
            .arg("run")
            .arg(format!("{B}/{}", c.name))
            .args(["--secret", &format!("VICTIM_PASSWORD={VICTIM_SECRET}")])
            .args(["--secret", &format!("ATTACKER_PASSWORD={ATTACKER_SECRET}")])
            .arg("--report-dir")
            .arg(&dir)
            .env("PATH", "/nonexistent")
            .output()
            .expect("usher runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", c.name);
        assert!(stderr.contains(c.at[0]), "{}: {stderr}", c.name);
        assert!(!dir.exists(), "{}: a report directory was written", c.name);
    }
}

/// `validate` is for a lint job, which holds no passwords: a persona's unset secret is a note (exit 0),
/// and only `run`, which needs the value, refuses it.
#[test]
fn unset_secret_is_a_note_for_validate_and_an_error_for_run() {
    let path = "tests/data/unset_secret/app.yaml";
    let out = validate(&[path], &[]);
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.starts_with("note: ")
            && out.stderr.contains("${MISSING_ATTACKER_PASSWORD}")
            && out
                .stderr
                .contains("--> tests/data/unset_secret/app.yaml:11:15")
            && !out.stderr.contains("error"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(
        out.stdout.starts_with("ok: profile `shop`"),
        "stdout:\n{}",
        out.stdout
    );
    insta::assert_snapshot!("unset_secret_note", out.stderr);

    let reports = tempfile::tempdir().unwrap();
    let run = usher()
        .args(["run", path, "--report-dir"])
        .arg(reports.path().join("r"))
        .args(["--secret", &format!("VICTIM_PASSWORD={VICTIM_SECRET}")])
        .env("PATH", "/nonexistent")
        .output()
        .expect("usher runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stderr.contains(
            "error: undefined variable `${MISSING_ATTACKER_PASSWORD}` in persona `attacker`"
        ),
        "stderr:\n{stderr}"
    );
}

/// A secret whose name is one letter off a given one is a typo, not a value to come: still an error.
#[test]
fn near_miss_of_a_given_secret_stays_an_error() {
    let out = validate(
        &["tests/data/unset_secret/app.yaml"],
        &["--secret", "MISSING_ATTACKER_PASSWORDS=x"],
    );
    assert_eq!(out.code, Some(2), "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean"),
        "stderr:\n{}",
        out.stderr
    );
}

/// The summary says which personas the loader added (the built-in suite's `victim_phone`) and prints
/// the profile path as the user would write it, not joined onto a generated suite's `../`.
#[test]
fn summary_names_implicit_personas_and_plain_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let profile = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ticketbooth/app.yaml"),
    )
    .unwrap()
    .replace("  victim_phone:\n    same_account_as: victim\n", "");
    std::fs::write(root.join("app.yaml"), profile).unwrap();
    let generated = usher()
        .current_dir(root)
        .args(["generate", "--profile", "app.yaml", "--out", "a/b/suite"])
        .output()
        .unwrap();
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let out = usher()
        .current_dir(root)
        .args(["validate", "a/b/suite"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("ok: profile `ticketbooth` (app.yaml) with 18 scenario(s), 2 personas (+ victim_phone, implicit), 8 flow(s)"),
        "stdout:\n{stdout}"
    );
}
