//! `no_account_data`: the page the persona is on now (no navigation: this judges what `back` or a reload
//! left on screen) shows nothing of the account, judged by whether it shows the account's username
//! (see [`super::identity`]).

use super::Outcome;
use super::identity::{self, Sighting};
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let username = match ctx.expand("${persona.username}", persona) {
        Ok(u) if !u.is_empty() => u,
        _ => return Outcome::error(format!("{persona} has no username to look for")),
    };
    let (page, url) = match identity::read_page(ctx, persona).await {
        Ok(p) => p,
        Err(e) => return Outcome::error(format!("could not read the page: {e}")),
    };
    let judged = page.method();
    match page.shows(&username) {
        Sighting::Shown => Outcome::fail(format!(
            "the page still shows {persona}'s account data ({username})"
        )),
        Sighting::NotShown => Outcome::pass("the page shows no account data"),
        Sighting::OnlyEchoed { param } => Outcome::error(format!(
            "whether the page shows {persona}'s account cannot be told: {username} appears on it only inside \
             text equal to the URL parameter `{param}`, which the page may just echo"
        ))
        .with("hint", identity::HINT),
    }
    .with("page", url)
    .with("judged by", judged)
}
