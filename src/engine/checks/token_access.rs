//! Checks that judge the session token first ask whether the persona's session can read it at all:
//! a native app context has no cookies and no web storage, and a driver without Appium's pullFile
//! cannot read an `app_file` token; such a check is SKIPPED with the reason and a hint, not ERROR for
//! "no token seen" (nor, worse, PASS for "nothing found"). A token that is readable in principle but
//! missing now (an app file without the key) is left to the check, which reports ERROR.

use super::Outcome;
use crate::engine::context::FlowCtx;
use crate::engine::step_error::ErrorKind;
use crate::engine::token;

/// SKIPPED when the persona's open session cannot read the token. A persona without a session is
/// not started for the question (that would open a device session just to ask).
pub async fn unreadable(ctx: &FlowCtx, persona: &str, check: &str) -> Option<Outcome> {
    let session = ctx.personas.get(persona)?.session.clone()?;
    match token::read(&*session, &ctx.profile.token, &[], &[]).await {
        Err(why) if why.kind() == ErrorKind::Unsupported => Some(Outcome::skipped(format!(
            "{check} needs the session token, which {persona}'s session cannot read here: {why}"
        ))),
        // Values are not kept: only `capture`, `steal` and friends decide which tokens a flow saw.
        Ok(t) => {
            for v in t.values() {
                ctx.run.redactor.register(crate::redact::Kind::Token, v);
            }
            None
        }
        Err(_) => None,
    }
}

/// A token the page keeps in Web Storage is seen by no request nor `Set-Cookie`: when the flow saw no
/// token yet, the one the persona holds there now is read (fingerprinted) so the check can look for it.
pub async fn read_stored(ctx: &mut FlowCtx, persona: &str) {
    use crate::scenario::TokenLocation;
    if ctx.tokens_seen.is_empty()
        && matches!(
            ctx.profile.token,
            TokenLocation::LocalStorage(_) | TokenLocation::SessionStorage(_)
        )
    {
        let _ = ctx.read_token(persona).await;
    }
}
