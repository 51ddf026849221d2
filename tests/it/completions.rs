//! `usher completions <shell>`: every shell gets a script that knows the subcommands, and the bash
//! one is valid bash.

use crate::support::usher::usher;
use std::process::Command;

fn completions(shell: &str) -> String {
    let out = usher()
        .args(["completions", shell])
        .output()
        .expect("usher runs");
    assert!(out.status.success(), "{shell}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn every_shell_gets_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = completions(shell);
        assert!(!script.trim().is_empty(), "{shell}: empty");
        for subcommand in ["run", "doctor", "validate"] {
            assert!(script.contains(subcommand), "{shell}: no `{subcommand}`");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.bash");
    std::fs::write(&path, completions("bash")).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}
