//! `token_changed`: the persona's token now differs from one captured earlier (rotation at login,
//! at password change).

use super::Outcome;
use crate::engine::context::FlowCtx;

pub async fn check(ctx: &mut FlowCtx, persona: &str, since: &str) -> Outcome {
    let Some(before) = ctx.captured.get(since).cloned() else {
        return Outcome::error(format!("no token was captured as `{since}`"));
    };
    let now = match ctx.read_token(persona).await {
        Ok(t) => t,
        Err(e) => return Outcome::from_step_error("token_changed", e),
    };
    let was = ctx.fingerprints(&before);
    if now.is_empty() {
        return Outcome::error(format!(
            "{persona} holds no token now ({}), so rotation cannot be judged",
            ctx.profile.token.describe()
        ))
        .with("before", was);
    }
    let is = ctx.fingerprints(&now);
    let o = if now.same_values(&before) {
        Outcome::fail(format!(
            "{persona}'s token {is} is the same as `{since}`: it was not rotated"
        ))
    } else {
        Outcome::pass(format!("{persona}'s token changed from {was} to {is}"))
    };
    o.with("before", was).with("now", is)
}
