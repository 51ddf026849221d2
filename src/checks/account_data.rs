//! `no_account_data`: the page the persona is on now (no navigation: this judges what `back` or a reload
//! left on screen) shows nothing of the account, judged by the account's username.

use super::Outcome;
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let username = match ctx.expand("${persona.username}", persona) {
        Ok(u) if !u.is_empty() => u,
        _ => return Outcome::error(format!("{persona} has no username to look for")),
    };
    let session = match ctx.session(persona).await {
        Ok(s) => s,
        Err(e) => return Outcome::from_step_error("no_account_data", e),
    };
    let (text, url) = match (session.body_text().await, session.current_url().await) {
        (Ok(t), Ok(u)) => (t, u),
        (Err(e), _) | (_, Err(e)) => {
            return Outcome::error(format!("could not read the page: {e}"));
        }
    };
    if text.contains(&username) {
        Outcome::fail(format!(
            "the page still shows {persona}'s account data ({username})"
        ))
        .with("page", url)
    } else {
        Outcome::pass("the page shows no account data").with("page", url)
    }
}
