//! What loading yields: the project (suites of one profile and its scenarios) and the values
//! supplied from outside the files. The loader (load.rs) builds it; the validator and the engine read it.

use super::diagnostic::Diagnostic;
use super::profile::Profile;
use super::scenario_file::Scenario;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Values supplied from outside the files.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub vars: IndexMap<String, String>,
    pub secrets: IndexMap<String, String>,
    /// `--policy KEY=VALUE` overrides, applied to every profile after its own `policy:`.
    pub policy: Vec<(String, String)>,
    /// Use this profile for every scenario instead of the `app.yaml` beside it.
    pub profile: Option<PathBuf>,
    /// `validate` runs in lint jobs, which hold no passwords: a persona's unset secret is then a note
    /// (`Project::notes`), not a problem. `run` leaves this false and refuses it.
    pub secrets_later: bool,
}

/// One profile and the scenarios that run against it (one JUnit testsuite).
#[derive(Debug, Clone)]
pub struct Suite {
    pub profile: Arc<Profile>,
    pub scenarios: Vec<Scenario>,
    /// Scenarios not run, with why (a built-in scenario needing a flow the profile lacks).
    pub skipped: Vec<(Scenario, String)>,
}

#[derive(Debug, Default)]
pub struct Project {
    pub suites: Vec<Suite>,
    pub sources: HashMap<Arc<str>, Arc<str>>,
    /// What a user should know but that stops nothing (secrets to give at run time).
    pub notes: Vec<Diagnostic>,
}

impl Project {
    pub fn scenario_count(&self) -> usize {
        self.suites.iter().map(|s| s.scenarios.len()).sum()
    }
}
