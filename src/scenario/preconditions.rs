//! What a scenario needs from the app and the browser before it can judge anything: the profile flows
//! it runs (directly or through its checks), and what it declares under `requires:`. A scenario whose
//! precondition the app lacks is SKIPPED with the reason, decided here, before a browser starts;
//! ERROR would make a clean run exit 3.

use super::profile::Profile;
pub use super::requirement::{REQUIREMENTS, Requirement};
use super::scenario_file::Scenario;
use super::step::{Action, Check};

/// The profile flows a scenario uses: those it `run`s or runs in `parallel`, and those its checks run.
pub fn flows_used(s: &Scenario) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for step in super::step::all_steps(&s.steps) {
        let run = step.action.flow_run();
        let revoked_by;
        let used: &[&str] = match &step.action {
            Action::Run(_) | Action::RunPart(_) => run.as_slice(),
            Action::Parallel(p) => &[p.run.as_str()],
            Action::Check(Check::CheckoutExpires) => &["start_checkout", "complete_checkout"],
            Action::Check(Check::JwtRevokedBy(f)) => {
                revoked_by = [f.as_str()];
                &revoked_by
            }
            _ => &[],
        };
        for f in used {
            if !out.contains(f) {
                out.push(f);
            }
        }
    }
    out
}

/// Why the scenario cannot be judged against this profile, if it cannot: SKIPPED with this reason.
pub fn unmet(profile: &Profile, s: &Scenario) -> Option<String> {
    let missing: Vec<&str> = flows_used(s)
        .into_iter()
        .filter(|f| !profile.flows.contains_key(*f))
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "the profile has no `{}` flow",
            missing.join("`, `")
        ));
    }
    if s.requires.contains(&Requirement::AnonymousSession)
        && profile.anonymous_sessions == Some(false)
    {
        return Some(
            "the app issues no session id before login (the profile's `anonymous_sessions: false`), so \
             there is none to rotate; the planted-id fixation scenarios cover fixation for such apps"
                .into(),
        );
    }
    if let super::TokenLocation::Header(name) = &profile.token
        && super::step::all_steps(&s.steps)
            .iter()
            .any(|st| matches!(st.action, Action::Plant(_)))
    {
        return Some(format!(
            "the session token travels in request header `{name}`, which the page's own script sets: \
             nothing another site does can plant an id there (no cookie, no URL), so session fixation \
             does not apply to this app"
        ));
    }
    if s.requires.contains(&Requirement::TokenApi) && profile.api.is_none() {
        return Some(
            "the profile declares no token API (`api: {identity: GET /path}`): the app's session is not \
             a bearer token usher can replay against an identity endpoint"
                .into(),
        );
    }
    None
}
