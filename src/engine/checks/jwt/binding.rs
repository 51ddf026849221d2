//! `client_binding` against a token API: a single-page app's pages are one public shell, so whose a
//! replayed bearer token is shows only in the identity endpoint's answer. The token is replayed there
//! with the browser's own User-Agent (the control), with another one, and from another loopback address.

use super::api_oracle::Answer;
use crate::engine::checks::Outcome;
use crate::engine::context::FlowCtx;

/// Whether each replay acted as the persona: (another User-Agent, another source address if tried).
pub struct Bound {
    pub other_agent: bool,
    pub other_address: Option<bool>,
    pub judged_by: String,
}

/// `None` when the profile has no token API or the token is no JWT (the page replay judges then).
pub async fn replays(
    ctx: &mut FlowCtx,
    persona: &str,
    agent: &str,
    other_agent: &str,
) -> Option<Result<Bound, Outcome>> {
    ctx.profile.api.as_ref()?;
    let held = super::held(ctx, persona, "client_binding").await.ok()?;
    let oracle = &held.oracle;
    let is_owner = |a: &Answer| a.accepted() == Some(held.owner.as_str());
    let token = Some(held.text.as_str());
    let control = match oracle.ask_from(&oracle.client, Some(agent), token).await {
        Ok(a) => a,
        Err(e) => {
            return Some(Err(Outcome::error(format!(
                "the control replay failed: {e}"
            ))));
        }
    };
    if !is_owner(&control) {
        return Some(Err(Outcome::error(format!(
            "replayed to {} with the browser's own User-Agent the token was {}, not accepted as \
             {persona}, so binding cannot be judged",
            oracle.endpoint,
            control.describe()
        ))));
    }
    let other = match oracle
        .ask_from(&oracle.client, Some(other_agent), token)
        .await
    {
        Ok(a) => is_owner(&a),
        Err(e) => {
            return Some(Err(Outcome::error(format!(
                "the replay with another User-Agent failed: {e}"
            ))));
        }
    };
    let loopback = url::Url::parse(&oracle.url).ok().is_some_and(|u| {
        u.host_str()
            .is_some_and(|h| h == "localhost" || h.ends_with(".localhost") || h.starts_with("127."))
    });
    let other_address = match loopback
        .then(|| {
            crate::engine::http_client::replay_client_from("127.0.0.2".parse().expect("address"))
        })
        .flatten()
    {
        Some(c) => oracle
            .ask_from(&c, Some(agent), token)
            .await
            .ok()
            .map(|a| is_owner(&a)),
        None => None,
    };
    Some(Ok(Bound {
        other_agent: other,
        other_address,
        judged_by: format!("the token API's identity endpoint ({})", oracle.endpoint),
    }))
}
