//! `not_acting_as: victim`: the persona's session must not act as another persona's account. The oracle
//! page is asked whether it is logged in, and then whether it shows the other account's username
//! (apps show who is logged in: an e-mail on the account page, a name in the header).

use super::Outcome;
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str, other: &str) -> Outcome {
    let username = match ctx.expand("${persona.username}", other) {
        Ok(u) if !u.is_empty() => u,
        _ => return Outcome::error(format!("persona `{other}` has no username to look for")),
    };
    let own = ctx
        .expand("${persona.username}", persona)
        .unwrap_or_default();
    if own == username {
        return Outcome::error(format!(
            "{persona} and {other} use the same account, so acting as {other} cannot be told apart"
        ));
    }
    let answer = match ctx.oracle(persona).await {
        Ok(a) => a,
        Err(e) => return Outcome::from_step_error("not_acting_as", e),
    };
    if !answer.logged_in {
        return Outcome::pass(format!(
            "{persona}'s session is not logged in at all, so it does not act as {other}"
        ))
        .with("oracle", answer.observed.join("; "));
    }
    let text = match ctx.session(persona).await {
        Ok(s) => match s.body_text().await {
            Ok(t) => t,
            Err(e) => return Outcome::error(format!("could not read the oracle page: {e}")),
        },
        Err(e) => return Outcome::from_step_error("not_acting_as", e),
    };
    if text.contains(&username) {
        Outcome::fail(format!(
            "{persona}'s session acts as {other}: the oracle page shows {other}'s account"
        ))
        .with("oracle", answer.observed.join("; "))
        .with("seen", format!("{other}'s username on the page"))
    } else if !own.is_empty() && text.contains(&own) {
        Outcome::pass(format!(
            "{persona}'s session acts as {persona}'s own account, not as {other}"
        ))
        .with("oracle", answer.observed.join("; "))
    } else {
        Outcome::error(format!(
            "{persona} is logged in, but the oracle page shows neither {persona}'s nor {other}'s username, so whose \
             session it is cannot be told"
        ))
        .with("hint", "make the `logged_in` oracle end on a page that shows the account's username")
    }
}
