//! Fuzzes the scenario loader the way `usher validate` drives it, and the diagnostic renderer.
//!
//! The input is split at the first `\n---8<---\n`: the text before is a profile (`app.yaml`), the text
//! after is a scenario file beside it. Each input is loaded three ways:
//!
//! 1. `usher validate DIR`: `app.yaml` and `s.yaml` in one directory, through `scenario::load`;
//! 2. `usher validate app.yaml`: the whole input as a profile alone;
//! 3. the built-in suite: the profile from (1) with the scenario text given in memory
//!    (`load::load_embedded`), with `--var`, `--secret` and `--policy` inputs set.
//!
//! Any input must end in `Ok` or in diagnostics, never a panic, and every diagnostic is rendered
//! (rustc style, against its source) so carets, columns, tabs, control and multi-byte characters and
//! very long lines go through the renderer too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use usher::scenario::{self, Diagnostics, Inputs, Project, load::load_embedded};

/// Separates the profile from the scenario in one input.
const SEP: &[u8] = b"\n---8<---\n";

struct Dirs {
    root: PathBuf,
    /// `app.yaml` and `s.yaml`.
    pair: PathBuf,
    /// `app.yaml` alone.
    alone: PathBuf,
}

static DIRS: OnceLock<Dirs> = OnceLock::new();

unsafe extern "C" {
    fn atexit(f: extern "C" fn()) -> std::ffi::c_int;
}

/// libFuzzer ends the process with `exit()`, so statics are never dropped: remove the directory then.
extern "C" fn remove_dirs() {
    if let Some(d) = DIRS.get() {
        let _ = std::fs::remove_dir_all(&d.root);
    }
}

fn dirs() -> &'static Dirs {
    DIRS.get_or_init(|| {
        let root = tempfile::Builder::new()
            .prefix("usher-fuzz-")
            .tempdir()
            .expect("temp dir")
            .keep();
        // SAFETY: registers a plain function with no arguments, as atexit(3) expects.
        unsafe { atexit(remove_dirs) };
        let pair = root.join("pair");
        let alone = root.join("alone");
        std::fs::create_dir(&pair).expect("pair dir");
        std::fs::create_dir(&alone).expect("alone dir");
        Dirs { root, pair, alone }
    })
}

fn split(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.windows(SEP.len()).position(|w| w == SEP) {
        Some(i) => (&data[..i], Some(&data[i + SEP.len()..])),
        None => (data, None),
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fuzz input");
}

/// What `usher validate --var ... --secret ... --policy ...` would pass.
fn flag_inputs() -> Inputs {
    let mut i = Inputs::default();
    i.vars.insert("base".into(), "http://127.0.0.1:1".into());
    i.secrets.insert("VICTIM_PASSWORD".into(), "hunter2".into());
    i.secrets
        .insert("ATTACKER_PASSWORD".into(), "correct horse".into());
    i.policy.push(("idle_timeout".into(), "5m".into()));
    i.policy.push(("cookie.same_site".into(), "Lax".into()));
    i
}

/// Renders every diagnostic the way the CLI and the reports do.
fn exercise(result: Result<Project, Diagnostics>) {
    match result {
        Ok(project) => {
            // Reports serialize what was loaded.
            for suite in &project.suites {
                let _ = serde_json::to_string(&*suite.profile).expect("profile serializes");
                for s in &suite.scenarios {
                    let _ = serde_json::to_string(s).expect("scenario serializes");
                }
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "Err without a diagnostic");
            let text = diags.render();
            assert!(text.ends_with("nothing was run\n"));
            for d in &diags.items {
                if let Some(p) = d.pos {
                    assert!(p.line >= 1 && p.col >= 1, "position {p:?} in {d:?}");
                }
                let _ = d.location();
                let _ = d.render(None);
                let _ = serde_json::to_string(d).expect("diagnostic serializes");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let d = dirs();
    let (profile, scenario_text) = split(data);

    // 1. A directory holding a profile and a scenario.
    let app = d.pair.join("app.yaml");
    let s = d.pair.join("s.yaml");
    write(&app, profile);
    match scenario_text {
        Some(text) => write(&s, text),
        None => {
            let _ = std::fs::remove_file(&s);
        }
    }
    exercise(scenario::load(
        std::slice::from_ref(&d.pair),
        &Inputs::default(),
    ));

    // 2. The whole input as a profile given alone.
    let alone = d.alone.join("app.yaml");
    write(&alone, data);
    exercise(scenario::load(&[alone], &Inputs::default()));

    // 3. The built-in suite's path: the profile from (1), the scenario text in memory.
    let sources: Vec<(String, String)> = scenario_text
        .map(|t| vec![("s.yaml".into(), String::from_utf8_lossy(t).into_owned())])
        .unwrap_or_default();
    exercise(load_embedded(&app, &sources, &flag_inputs()));
});
