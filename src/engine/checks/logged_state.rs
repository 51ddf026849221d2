//! `logged_in` / `logged_out`: ask the profile's oracle about a persona's current session.

use super::Outcome;
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;

pub async fn check(ctx: &mut FlowCtx, persona: &str, want_logged_in: bool) -> Outcome {
    let name = if want_logged_in {
        "logged_in"
    } else {
        "logged_out"
    };
    let answer = match ctx.oracle(persona).await {
        Ok(a) => a,
        Err(e) => return Outcome::from_step_error(name, e),
    };
    let url = match (&answer.url, ctx.session(persona).await) {
        (Some(url), _) => url.clone(),
        (None, Ok(s)) => s.current_url().await.unwrap_or_default(),
        (None, Err(_)) => String::new(),
    };
    let state = if answer.logged_in {
        "logged in"
    } else {
        "logged out"
    };
    let mut o = if answer.logged_in == want_logged_in {
        Outcome::pass(format!("{persona} is {state}, as expected"))
    } else if want_logged_in {
        Outcome::fail(format!("{persona} is logged out but should be logged in"))
    } else {
        Outcome::fail(format!(
            "{persona}'s session still acts as an authenticated user; it should be logged out"
        ))
    };
    o = o
        .with("oracle", answer.observed.join("; "))
        .measure(Measure::LoggedIn, answer.logged_in);
    if !url.is_empty() {
        o = o.with("page", url);
    }
    o
}
