//! `client_binding`: is the session bound to the client that got it (catalogue root cause 5)? The token
//! is replayed over plain HTTP to the oracle's page three ways: with the browser's own User-Agent (the
//! control, which must show the account), with another User-Agent, and, on loopback targets, from
//! another source address (127.0.0.2). Judged only when the policy enforces binding; else reported.

use super::Outcome;
use super::identity::{self, PageIdentity, Sighting};
use crate::engine::context::FlowCtx;
use crate::record::measured::Measure;
use crate::scenario::TokenLocation;
use crate::scenario::step::Action;

const OTHER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) usher-binding-probe/1.0 (another device)";

pub async fn check(ctx: &mut FlowCtx, persona: &str) -> Outcome {
    let token = match ctx.read_token(persona).await {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return Outcome::error(format!("{persona} holds no token to replay; log in first"));
        }
        Err(e) => return Outcome::from_step_error("client_binding", e),
    };
    let username = ctx
        .expand("${persona.username}", persona)
        .unwrap_or_default();
    let Some(path) = ctx.profile.flows.get("logged_in").and_then(|f| {
        f.steps.iter().find_map(|s| match &s.action {
            Action::Open(p) => Some(p.clone()),
            _ => None,
        })
    }) else {
        return Outcome::skipped(
            "the `logged_in` oracle opens no page that could be requested over HTTP",
        );
    };
    let url = match ctx.url_of(persona, &path) {
        Ok(u) => u,
        Err(e) => return Outcome::from_step_error("client_binding", e),
    };
    let agent = match ctx.session(persona).await {
        Ok(s) => s
            .execute("return navigator.userAgent;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(String::from)),
        Err(e) => return Outcome::from_step_error("client_binding", e),
    }
    .unwrap_or_default();
    if let Some(bound) = super::jwt::binding::replays(ctx, persona, &agent, OTHER_AGENT).await {
        return match bound {
            Ok(b) => judge(ctx, persona, b.other_agent, b.other_address, b.judged_by),
            Err(o) => o,
        };
    }
    let identity = match ctx.profile.identity.clone() {
        Some(doc) => match identity::identity_locator(ctx, &doc, persona) {
            Ok(l) => Some(l),
            Err(e) => return Outcome::from_step_error("client_binding", e),
        },
        None => None,
    };
    let replay = Replay {
        url,
        token,
        location: ctx.profile.token.clone(),
        username,
        identity,
    };
    let client = crate::engine::http_client::replay_client();
    let (control, judged) = match replay.fetch(client.clone(), &agent).await {
        Ok((page, _)) => (page.shows(&replay.username), page.method()),
        Err(e) if e.contains("script storage") => return Outcome::skipped(e),
        Err(e) => return Outcome::error(format!("the control replay failed: {e}")),
    };
    match control {
        Sighting::Shown => {}
        Sighting::NotShown => {
            return Outcome::error(
                "replayed with the browser's own User-Agent the token did not show the account, so binding cannot be judged",
            )
            .with("page", path)
            .with("judged by", judged);
        }
        Sighting::OnlyEchoed { param } => {
            return Outcome::error(format!(
                "replayed with the browser's own User-Agent, the page shows the username only inside text equal to \
                 the URL parameter `{param}`, so whether it shows the account cannot be told"
            ))
            .with("page", path)
            .with("hint", identity::HINT);
        }
    }
    let other_agent = match replay.fetch(client, OTHER_AGENT).await {
        Ok((page, _)) => match page.shows(&replay.username) {
            Sighting::Shown => true,
            Sighting::NotShown => false,
            Sighting::OnlyEchoed { param } => {
                return Outcome::error(format!(
                    "replayed with another User-Agent, the page shows the username only inside text equal to the \
                     URL parameter `{param}`, so whether the token was refused cannot be told"
                ))
                .with("hint", identity::HINT);
            }
        },
        Err(e) => return Outcome::error(format!("the replay with another User-Agent failed: {e}")),
    };
    let loopback = url::Url::parse(&replay.url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h == "localhost" || h.ends_with(".localhost") || h.starts_with("127."))
        })
        .unwrap_or(false);
    let other_address = if loopback {
        match crate::engine::http_client::replay_client_from("127.0.0.2".parse().expect("address"))
        {
            Some(c) => replay.fetch(c, &agent).await.ok().and_then(|(page, _)| {
                match page.shows(&replay.username) {
                    Sighting::Shown => Some(true),
                    Sighting::NotShown => Some(false),
                    Sighting::OnlyEchoed { .. } => None,
                }
            }),
            None => None,
        }
    } else {
        None
    };
    judge(ctx, persona, other_agent, other_address, judged.to_string())
}

/// The verdict from whether the token acted as the persona from another User-Agent and address.
fn judge(
    ctx: &FlowCtx,
    persona: &str,
    other_agent: bool,
    other_address: Option<bool>,
    judged: String,
) -> Outcome {
    let enforce = ctx.profile.policy.enforce_client_binding;
    let mut o = if other_agent {
        let msg = format!(
            "{persona}'s token works from another User-Agent: the session is not bound to its client"
        );
        if enforce {
            Outcome::fail(msg)
        } else {
            Outcome::pass(format!(
                "{msg} (report-only: the policy does not enforce binding)"
            ))
        }
    } else {
        Outcome::pass(
            "the token is refused from another User-Agent: the session is bound to its client",
        )
    };
    o = o
        .with(
            "replay with the browser's User-Agent",
            "account shown (control)",
        )
        .with(
            "replay with another User-Agent",
            if other_agent {
                "account shown"
            } else {
                "refused"
            },
        );
    if let Some(a) = other_address {
        o = o.with(
            "replay from 127.0.0.2",
            if a { "account shown" } else { "refused" },
        );
    }
    o.with("judged by", judged)
        .measure(Measure::BoundToUserAgent, !other_agent)
        .measure(Measure::BoundToAddress, other_address.map(|a| !a))
}

struct Replay {
    url: String,
    token: crate::engine::token::Token,
    location: TokenLocation,
    username: String,
    /// The profile's `identity:` element, resolved for the persona.
    identity: Option<crate::driver::Locator>,
}

impl Replay {
    /// The page requested with the token, and its URL.
    async fn fetch(
        &self,
        client: reqwest::Client,
        agent: &str,
    ) -> Result<(PageIdentity, String), String> {
        let mut target = url::Url::parse(&self.url).map_err(|e| e.to_string())?;
        let first = self.token.values().next().unwrap_or_default().to_string();
        if let TokenLocation::UrlParam(p) = &self.location {
            target.query_pairs_mut().append_pair(p, &first);
        }
        let mut req = client.get(target.as_str()).header("user-agent", agent);
        match &self.location {
            TokenLocation::Cookie(_) => {
                let c: Vec<String> = self
                    .token
                    .parts
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect();
                req = req.header("cookie", c.join("; "));
            }
            TokenLocation::Header(h) => req = req.header(h.as_str(), first),
            TokenLocation::UrlParam(_) => {}
            other => {
                return Err(format!(
                    "the token lives in {} and cannot be replayed over plain HTTP",
                    other.describe()
                ));
            }
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        let url = resp.url().to_string();
        let body = resp.text().await.map_err(|e| e.to_string())?;
        Ok((
            identity::read_html(&body, &url, self.identity.as_ref()),
            url,
        ))
    }
}
