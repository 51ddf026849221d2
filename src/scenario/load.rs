//! Finding, reading and converting profiles and scenarios; every problem becomes a diagnostic.

use super::convert::Ctx;
use super::diagnostic::{Diagnostic, Diagnostics};
use super::node;
use super::profile::{self, Profile};
use super::project::{Inputs, Project, Suite};
use super::scenario_file::{self, Scenario};
use super::validate;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused before parsing: a scenario is never megabytes long.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Loads everything under `paths` (directories: their `app.yaml` and every other `*.yaml`/`*.yml`).
pub fn load(paths: &[PathBuf], inputs: &Inputs) -> Result<Project, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut profile_files: Vec<PathBuf> = Vec::new();
    let mut scenario_files: Vec<PathBuf> = Vec::new();
    if let Some(p) = &inputs.profile {
        profile_files.push(p.clone());
    }
    for path in paths {
        collect(path, &mut profile_files, &mut scenario_files, &mut diags);
    }
    let mut profiles: IndexMap<PathBuf, Arc<Profile>> = IndexMap::new();
    // Profiles already reported as broken: their scenarios are skipped without loading them again.
    let mut broken: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for file in dedup(profile_files) {
        match load_profile(&file, &mut diags) {
            Some(p) => {
                profiles.insert(canonical(&file), Arc::new(p));
            }
            None => {
                broken.insert(canonical(&file));
            }
        }
    }
    let mut suites: IndexMap<PathBuf, Suite> = IndexMap::new();
    for file in dedup(scenario_files) {
        let Some(s) = load_scenario(&file, &mut diags) else {
            continue;
        };
        let wanted = inputs
            .profile
            .clone()
            .or_else(|| s.profile.clone())
            .unwrap_or_else(|| beside(&file));
        let key = canonical(&wanted);
        if broken.contains(&key) {
            continue;
        }
        if !profiles.contains_key(&key) {
            if !wanted.exists() {
                // Point at the `profile:` that names a missing file, if that is where it came from.
                let named = inputs.profile.is_none() && s.profile.is_some();
                let pos = s.profile_pos.filter(|_| named).unwrap_or(s.origin.pos);
                diags.items.push(
                    Diagnostic::new(&s.file, Some(pos), format!(
                        "scenario `{}` has no profile: {} does not exist",
                        s.name,
                        wanted.display()
                    ))
                    .hint(if named {
                        "`profile:` is a path relative to the scenario file; fix it, or pass --profile"
                    } else {
                        "put an app.yaml beside it, add `profile: path/to/app.yaml`, or pass --profile"
                    }),
                );
                continue;
            }
            match load_profile(&wanted, &mut diags) {
                Some(p) => {
                    profiles.insert(key.clone(), Arc::new(p));
                }
                None => {
                    broken.insert(key);
                    continue;
                }
            }
        }
        let profile = profiles[&key].clone();
        suites
            .entry(key)
            .or_insert_with(|| Suite {
                profile,
                scenarios: Vec::new(),
                skipped: Vec::new(),
            })
            .scenarios
            .push(s);
    }
    // A profile given alone (e.g. `usher validate app.yaml`) is still a suite, with no scenarios.
    for (key, profile) in &profiles {
        suites.entry(key.clone()).or_insert_with(|| Suite {
            profile: profile.clone(),
            scenarios: Vec::new(),
            skipped: Vec::new(),
        });
    }
    let project = Project {
        suites: suites.into_values().collect(),
        sources: HashMap::new(),
        notes: Vec::new(),
    };
    let mut project = project;
    for suite in &mut project.suites {
        let profile = suite.profile.clone();
        let (run, skip): (Vec<Scenario>, Vec<Scenario>) = std::mem::take(&mut suite.scenarios)
            .into_iter()
            .partition(|s| {
                !s.requires
                    .contains(&super::preconditions::Requirement::AnonymousSession)
                    || profile.anonymous_sessions != Some(false)
            });
        suite.scenarios = run;
        for s in skip {
            let why = super::preconditions::unmet(&profile, &s).unwrap_or_default();
            suite.skipped.push((s, why));
        }
    }
    apply_policy_overrides(&mut project, inputs, &mut diags);
    for suite in &project.suites {
        validate::suite(suite, inputs, &mut diags.items, &mut diags.notes);
    }
    let mut names: HashMap<(String, String), Arc<str>> = HashMap::new();
    for suite in &project.suites {
        for s in &suite.scenarios {
            if let Some(first) =
                names.insert((suite.profile.app.clone(), s.name.clone()), s.file.clone())
            {
                diags.items.push(
                    Diagnostic::new(
                        &s.file,
                        Some(s.origin.pos),
                        format!("scenario name `{}` is also used by {first}", s.name),
                    )
                    .hint("names must be unique: reports key testcases by name"),
                );
            }
        }
    }
    if diags.is_empty() && project.suites.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        diags.items.push(
            Diagnostic::new(
                &Arc::from(shown.join(" ")),
                None,
                "no profile or scenario found",
            )
            .hint("pass a directory holding app.yaml and scenario files, or the files themselves"),
        );
    }
    if diags.is_empty() {
        Ok(Project {
            sources: diags.sources,
            notes: diags.notes,
            ..project
        })
    } else {
        Err(diags)
    }
}

fn collect(
    path: &Path,
    profiles: &mut Vec<PathBuf>,
    scenarios: &mut Vec<PathBuf>,
    diags: &mut Diagnostics,
) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                diags.items.push(Diagnostic::new(
                    &display(path),
                    None,
                    format!("cannot read directory: {e}"),
                ));
                return;
            }
        };
        entries.sort();
        for p in entries {
            let is_yaml = matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
            if p.is_file() && is_yaml {
                if is_profile_name(&p) {
                    profiles.push(p);
                } else {
                    scenarios.push(p);
                }
            }
        }
    } else if path.is_file() {
        if is_profile_name(path) || looks_like_profile(path) {
            profiles.push(path.to_path_buf());
        } else {
            scenarios.push(path.to_path_buf());
        }
    } else {
        diags.items.push(
            Diagnostic::new(&display(path), None, "no such file or directory")
                .hint("pass scenario files, a directory of them, or an app.yaml"),
        );
    }
}

/// The profile a scenario runs against by default: `app.yaml` (or `app.yml`) in its directory.
fn beside(scenario: &Path) -> PathBuf {
    let dir = scenario.parent().unwrap_or(Path::new("."));
    let yml = dir.join("app.yml");
    if !dir.join("app.yaml").exists() && yml.exists() {
        yml
    } else {
        dir.join("app.yaml")
    }
}

fn is_profile_name(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("app.yaml" | "app.yml")
    )
}

/// A profile given under another name is recognised by its top-level `app:` key.
fn looks_like_profile(p: &Path) -> bool {
    std::fs::read_to_string(p)
        .map(|t| t.lines().any(|l| l.starts_with("app:")))
        .unwrap_or(false)
}

fn display(p: &Path) -> Arc<str> {
    Arc::from(p.display().to_string())
}

/// A path as a user would write it: `suite/../app.yaml` (a scenario's `profile: ../app.yaml` joined onto
/// its directory) is shown as `app.yaml`. Only when both name the same file: through a symbolic link,
/// `dir/..` is not the directory holding `dir`.
fn as_written(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    let plain: PathBuf = out.iter().collect();
    if plain.as_os_str().is_empty() || plain == p {
        return p.to_path_buf();
    }
    match (std::fs::canonicalize(p), std::fs::canonicalize(&plain)) {
        (Ok(a), Ok(b)) if a == b => plain,
        _ => p.to_path_buf(),
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn dedup(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    files
        .into_iter()
        .filter(|f| seen.insert(canonical(f)))
        .collect()
}

/// Reads a file as UTF-8 text within the size limit, or reports why not.
fn read(path: &Path, diags: &mut Diagnostics) -> Option<(Arc<str>, Arc<str>)> {
    let name = display(&as_written(path));
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diags
                .items
                .push(Diagnostic::new(&name, None, format!("cannot read: {e}")));
            return None;
        }
    };
    let too_big = |size: String| {
        Diagnostic::new(
            &name,
            None,
            format!("file is {size} bytes; usher reads files up to {MAX_FILE_BYTES} bytes"),
        )
        .hint("split it into several scenario files")
    };
    if meta.len() > MAX_FILE_BYTES {
        diags.items.push(too_big(meta.len().to_string()));
        return None;
    }
    // Read at most one byte past the limit: a device or pipe (`profile: /dev/zero`) has no size up front
    // and may never end.
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        diags
            .items
            .push(Diagnostic::new(&name, None, format!("cannot read: {e}")));
        return None;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        diags
            .items
            .push(too_big(format!("more than {MAX_FILE_BYTES}")));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            diags.items.push(
                Diagnostic::new(
                    &name,
                    None,
                    "file contains NUL bytes; it is not a YAML text file",
                )
                .hint("is this a binary file?"),
            );
            None
        }
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            diags.sources.insert(name.clone(), text.clone());
            Some((name, text))
        }
        Err(e) => {
            diags.items.push(
                Diagnostic::new(
                    &name,
                    None,
                    format!(
                        "file is not UTF-8 text (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ),
                )
                .hint("is this a binary file?"),
            );
            None
        }
    }
}

fn parse(name: &Arc<str>, text: &str, diags: &mut Diagnostics) -> Option<node::Node> {
    match node::parse(text) {
        Ok(n) => Some(n),
        Err(e) => {
            let mut d = Diagnostic::new(name, e.pos, format!("invalid YAML: {}", e.message));
            let upto = e.pos.map_or(u32::MAX, |p| p.line);
            if text.contains('\t') {
                d = d.hint("YAML indentation must use spaces, not tabs");
            } else if e.message.starts_with("duplicate key") {
                d = d.hint("a key may appear once in a mapping: merge the two or delete one");
            } else if let Some((c, at)) =
                unclosed_bracket(text, upto).filter(|_| !e.message.starts_with("unclosed"))
            {
                d = d.hint(format!(
                    "the `{c}` at line {} column {} is never closed",
                    at.line, at.col
                ));
            } else if e.message.contains("did not find expected") {
                d = d.hint("check this line's indentation against the lines above it");
            }
            diags.items.push(d);
            None
        }
    }
}

/// The innermost flow bracket (`[` or `{`) opened on lines up to `upto` and not closed by then: a
/// parser reports an unclosed bracket where it gives up, often a line or more after the bracket.
fn unclosed_bracket(text: &str, upto: u32) -> Option<(char, node::Pos)> {
    let mut open: Vec<(char, node::Pos)> = Vec::new();
    for (i, line) in text.lines().enumerate().take(upto as usize) {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (j, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if matches!(prev, ' ' | '[' | '{' | ',' | ':') => {
                    quote = Some(c)
                }
                (None, '#') if prev.is_whitespace() => break,
                (None, '[' | '{') => open.push((
                    c,
                    node::Pos {
                        line: i as u32 + 1,
                        col: j as u32 + 1,
                    },
                )),
                (None, ']' | '}') => {
                    open.pop();
                }
                _ => {}
            }
            prev = c;
        }
    }
    open.pop()
}

/// Loads one profile and scenarios given as text (the built-in suite), named `name` in diagnostics and
/// reports. Scenarios that `run` a flow the profile lacks are kept aside as skipped, with the reason.
pub fn load_embedded(
    profile: &Path,
    sources: &[(String, String)],
    inputs: &Inputs,
) -> Result<Project, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(mut p) = load_profile(profile, &mut diags) else {
        return Err(diags);
    };
    for needed in ["victim", "attacker"] {
        if !p.personas.contains_key(needed) {
            diags.items.push(
                Diagnostic::new(&p.file, None, format!("the built-in suite needs a persona named `{needed}`"))
                    .hint("name the personas `victim` (the user under attack) and `attacker` (a second account)"),
            );
        }
    }
    add_victim_phone(&mut p);
    let profile = Arc::new(p);
    let mut suite = Suite {
        profile: profile.clone(),
        scenarios: Vec::new(),
        skipped: Vec::new(),
    };
    for (name, text) in sources {
        let file: Arc<str> = Arc::from(name.as_str());
        diags.sources.insert(file.clone(), Arc::from(text.as_str()));
        let Some(root) = parse(&file, text, &mut diags) else {
            continue;
        };
        let mut ctx = Ctx::new(file);
        let s = scenario_file::from_node(&mut ctx, &root, profile.dir.as_path());
        diags.items.extend(ctx.diags);
        let Some(s) = s else { continue };
        match super::preconditions::unmet(&profile, &s) {
            None => suite.scenarios.push(s),
            Some(reason) => suite.skipped.push((s, reason)),
        }
    }
    validate::suite(&suite, inputs, &mut diags.items, &mut diags.notes);
    let mut project = Project {
        suites: vec![suite],
        sources: HashMap::new(),
        notes: Vec::new(),
    };
    apply_policy_overrides(&mut project, inputs, &mut diags);
    if diags.is_empty() {
        project.sources = diags.sources;
        project.notes = diags.notes;
        Ok(project)
    } else {
        Err(diags)
    }
}

fn apply_policy_overrides(project: &mut Project, inputs: &Inputs, diags: &mut Diagnostics) {
    if inputs.policy.is_empty() {
        return;
    }
    let flag: Arc<str> = Arc::from("--policy");
    for suite in &mut project.suites {
        let mut p = (*suite.profile).clone();
        for (key, value) in &inputs.policy {
            if let Err(e) = p.policy.set(key, value) {
                diags.items.push(Diagnostic::new(
                    &flag,
                    None,
                    format!("--policy {key}={value}: {e}"),
                ));
            }
        }
        suite.profile = Arc::new(p);
    }
    // Report each bad override once, not once per profile.
    diags.items.dedup_by(|a, b| a.message == b.message);
}

/// The built-in suite's second device of the victim: when a profile has `victim` but no `victim_phone`,
/// it is the victim's account in another isolated browser.
fn add_victim_phone(p: &mut Profile) {
    if !p.personas.contains_key("victim_phone")
        && let Some(victim) = p.personas.get("victim")
    {
        let phone = crate::scenario::profile::PersonaDef {
            name: "victim_phone".into(),
            accounts: Vec::new(),
            pooled: false,
            same_account_as: Some("victim".into()),
            pos: victim.pos,
            implicit: true,
        };
        p.personas.insert("victim_phone".into(), phone);
    }
}

pub fn load_profile(path: &Path, diags: &mut Diagnostics) -> Option<Profile> {
    let (name, text) = read(path, diags)?;
    let root = parse(&name, &text, diags)?;
    let mut ctx = Ctx::new(name);
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let p = profile::from_node(&mut ctx, &root, dir);
    diags.items.extend(ctx.diags);
    let mut p = p?;
    add_victim_phone(&mut p);
    Some(p)
}

fn load_scenario(path: &Path, diags: &mut Diagnostics) -> Option<Scenario> {
    let (name, text) = read(path, diags)?;
    let root = parse(&name, &text, diags)?;
    let mut ctx = Ctx::new(name);
    let dir = path.parent().unwrap_or(Path::new("."));
    let s = scenario_file::from_node(&mut ctx, &root, dir);
    diags.items.extend(ctx.diags);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_show_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("app.yaml"), "").unwrap();
        assert_eq!(
            as_written(&root.join("a/b/../../app.yaml")),
            root.join("app.yaml")
        );
        assert_eq!(
            as_written(&root.join("./a/../app.yaml")),
            root.join("app.yaml")
        );
        // A file that is not there keeps the path given, `..` and all.
        let missing = root.join("a/../nowhere.yaml");
        assert_eq!(as_written(&missing), missing);
        #[cfg(unix)]
        {
            // Through a link, `link/..` is the link target's parent: not shortened.
            std::fs::create_dir_all(root.join("x/y")).unwrap();
            std::fs::write(root.join("x/app.yaml"), "").unwrap();
            std::os::unix::fs::symlink(root.join("x/y"), root.join("link")).unwrap();
            let through = root.join("link/../app.yaml");
            assert_eq!(as_written(&through), through);
        }
    }

    #[test]
    fn finds_the_bracket_left_open() {
        let text = "a: [x, {b: 1}, \"]\"\nc: it's [\n";
        let (c, at) = unclosed_bracket(text, 1).unwrap();
        assert_eq!((c, at.line, at.col), ('[', 1, 4));
        assert_eq!(unclosed_bracket(text, 2).map(|(_, p)| p.line), Some(2));
        assert!(unclosed_bracket("a: [1, 2] # {\n", 1).is_none());
    }

    /// Found with the `load_scenario` fuzz target (docs/fuzzing.md; a hand-written input): a scenario's
    /// `profile:` may name a device with no size and no end; reading it whole took all memory (libFuzzer:
    /// out-of-memory, malloc(2147483648)).
    #[cfg(unix)]
    #[test]
    fn fuzz_regression_profile_is_an_endless_device() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("s.yaml");
        std::fs::write(
            &s,
            "scenario: z\nprofile: /dev/zero\nsteps:\n  - check: logged_in\n",
        )
        .unwrap();
        let diags = load(&[s], &Inputs::default()).unwrap_err();
        assert_eq!(diags.items.len(), 1, "{:?}", diags.items);
        assert_eq!(&*diags.items[0].file, "/dev/zero");
        assert_eq!(
            diags.items[0].message,
            format!(
                "file is more than {MAX_FILE_BYTES} bytes; usher reads files up to {MAX_FILE_BYTES} bytes"
            )
        );
    }
}
