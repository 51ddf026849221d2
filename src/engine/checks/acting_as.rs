//! `not_acting_as: victim`: the persona's session must not act as another persona's account. The oracle
//! page is asked whether it is logged in, and then whether it shows the other account's username
//! (apps show who is logged in: an e-mail on the account page, a name in the header; see
//! [`super::identity`]).

use super::Outcome;
use super::identity::{self, Sighting};
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str, other: &str) -> Outcome {
    let username = match ctx.expand("${persona.username}", other) {
        Ok(u) if !u.is_empty() => u,
        _ => return Outcome::error(format!("persona `{other}` has no username to look for")),
    };
    let own = ctx
        .expand("${persona.username}", persona)
        .unwrap_or_default();
    if own.eq_ignore_ascii_case(&username) {
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
    let page = match identity::read_page(ctx, persona).await {
        Ok((p, _)) => p,
        Err(e) => return Outcome::error(format!("could not read the oracle page: {e}")),
    };
    let judged = page.method();
    let oracle = answer.observed.join("; ");
    match (page.shows(&username), page.shows(&own)) {
        (Sighting::Shown, _) => Outcome::fail(format!(
            "{persona}'s session acts as {other}: the oracle page shows {other}'s account"
        ))
        .with("seen", format!("{other}'s username on the page")),
        (Sighting::OnlyEchoed { param }, _) => Outcome::error(format!(
            "whether {persona}'s session acts as {other} cannot be told: {other}'s username appears on the oracle \
             page only inside text equal to the URL parameter `{param}`, which the page may just echo"
        ))
        .with("hint", identity::HINT),
        (Sighting::NotShown, Sighting::Shown) if !own.is_empty() => Outcome::pass(format!(
            "{persona}'s session acts as {persona}'s own account, not as {other}"
        )),
        _ => Outcome::error(format!(
            "{persona} is logged in, but the oracle page shows neither {persona}'s nor {other}'s username, so whose \
             session it is cannot be told"
        ))
        .with(
            "hint",
            if ctx.profile.identity.is_some() {
                "make the `logged_in` oracle end on a page where the `identity` element shows the account's username"
            } else {
                "make the `logged_in` oracle end on a page that shows the account's username, or set `identity:`"
            },
        ),
    }
    .with("oracle", oracle)
    .with("judged by", judged)
}
