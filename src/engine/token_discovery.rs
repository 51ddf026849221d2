//! `token: auto`: finds where the session token lives. A bearer credential the page's script sends in
//! `Authorization` after login is the token (in the storage entry that holds it, else the header).
//! Otherwise cookies and storage are compared before and after `login`; each changed entry is then
//! removed on its own and the oracle asked again: an entry whose absence logs the persona out is part
//! of the token. A token in a native app's own files
//! (`app_file`) is never found: nothing lists an app's files, and removing one proves nothing while
//! the app keeps its session in memory.

use super::context::{FlowCtx, RunCtx};
use super::step_error::{PageError, StepError, StepResult};
use crate::driver::BrowserCookie;
use crate::scenario::{Profile, TokenLocation};
use std::collections::BTreeMap;
use std::sync::Arc;

const SNAPSHOT: &str = r#"
const dump = (s) => { const o = {}; try { for (let i = 0; i < s.length; i++) { const k = s.key(i); o[k] = s.getItem(k); } } catch (e) {} return o; };
return { local: dump(window.localStorage), session: dump(window.sessionStorage) };
"#;

#[derive(Debug, Clone, PartialEq)]
enum Candidate {
    Cookie(BrowserCookie),
    Local(String, String),
    Session(String, String),
}

struct Snapshot {
    cookies: BTreeMap<String, BrowserCookie>,
    local: BTreeMap<String, String>,
    session: BTreeMap<String, String>,
}

async fn snapshot(ctx: &mut FlowCtx, persona: &str) -> StepResult<Snapshot> {
    let s = ctx.session(persona).await?;
    let cookies = s
        .cookies()
        .await?
        .into_iter()
        .map(|c| (c.name.clone(), c))
        .collect();
    let v = s.execute(SNAPSHOT, vec![]).await?;
    let area = |k: &str| -> BTreeMap<String, String> {
        v.get(k)
            .and_then(|m| m.as_object())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(Snapshot {
        cookies,
        local: area("local"),
        session: area("session"),
    })
}

/// Resolves the token location of a profile that says `token: auto`.
pub async fn discover(
    run: Arc<RunCtx>,
    profile: Arc<Profile>,
    base_url: String,
) -> StepResult<TokenLocation> {
    let persona = profile
        .personas
        .keys()
        .next()
        .cloned()
        .ok_or_else(|| StepError::input("`token: auto` needs a persona to log in with"))?;
    let mut ctx = FlowCtx::new(
        run,
        profile.clone(),
        "token-discovery",
        base_url.clone(),
        persona.clone(),
    );
    let result = discover_with(&mut ctx, &profile, &persona, &base_url).await;
    ctx.close_all().await;
    result
}

async fn discover_with(
    ctx: &mut FlowCtx,
    profile: &Profile,
    persona: &str,
    base_url: &str,
) -> StepResult<TokenLocation> {
    let session = ctx.session(persona).await?;
    session.goto(base_url).await?;
    let before = snapshot(ctx, persona).await?;
    let login = profile.flows["login"].clone();
    ctx.exec_steps(&login.steps, persona)
        .await
        .map_err(|f| PageError::AutoTokenLogin {
            origin: f.origin,
            error: Box::new(f.error),
        })?;
    session.goto(base_url).await?;
    let after = snapshot(ctx, persona).await?;
    let mut candidates = Vec::new();
    // Entries login kept as they were: tried only when no changed one is needed, for an app that
    // keeps the id a visitor held before login (session fixation, the flaw the suite must find).
    let mut kept = Vec::new();
    for (name, c) in &after.cookies {
        if before.cookies.get(name).map(|b| &b.value) != Some(&c.value) {
            candidates.push(Candidate::Cookie(c.clone()));
        } else {
            kept.push(Candidate::Cookie(c.clone()));
        }
    }
    for (k, v) in &after.local {
        if before.local.get(k) != Some(v) {
            candidates.push(Candidate::Local(k.clone(), v.clone()));
        }
    }
    for (k, v) in &after.session {
        if before.session.get(k) != Some(v) {
            candidates.push(Candidate::Session(k.clone(), v.clone()));
        }
    }
    if !ctx.oracle(persona).await?.logged_in {
        return Err(StepError::page(
            "`token: auto`: the oracle says logged out right after `login`; run `usher check-profile` first",
        ));
    }
    if let Some(found) = bearer(ctx, persona, base_url, &candidates).await {
        return Ok(found);
    }
    let mut needed = Vec::new();
    for round in [candidates, kept] {
        if !needed.is_empty() {
            break;
        }
        for c in round {
            session.goto(base_url).await?;
            remove(&*session, &c).await?;
            let logged_in = ctx.oracle(persona).await?.logged_in;
            session.goto(base_url).await?;
            restore(&*session, &c).await?;
            if !logged_in {
                needed.push(c);
            }
        }
    }
    let cookies: Vec<String> = needed
        .iter()
        .filter_map(|c| match c {
            Candidate::Cookie(c) => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    if !cookies.is_empty() {
        return Ok(TokenLocation::Cookie(cookies));
    }
    match needed.into_iter().next() {
        Some(Candidate::Local(k, _)) => Ok(TokenLocation::LocalStorage(k)),
        Some(Candidate::Session(k, _)) => Ok(TokenLocation::SessionStorage(k)),
        _ => Err(StepError::page(
            "`token: auto` found no cookie or storage entry that the session needs (removing each one alone kept the \
             persona logged in); name the token in the profile's `token:`",
        )),
    }
}

/// A single-page app's session is the bearer credential its script sends in `Authorization` (a
/// cookie such an app also sets is usually its refresh token, and removing one entry alone proves
/// nothing while the other restores the session). When the page sent one after login: the storage
/// entry that holds exactly that credential, else the header itself.
async fn bearer(
    ctx: &mut FlowCtx,
    persona: &str,
    base_url: &str,
    candidates: &[Candidate],
) -> Option<TokenLocation> {
    ctx.observe(persona).await;
    let net = &ctx.personas.get(persona)?.net;
    let sent = super::token::request_header_values(net, "authorization", base_url).last()?;
    let credential = super::token::bare_credential(&sent);
    if credential.len() == sent.len() {
        // No `Scheme credential` shape: not a bearer token.
        return None;
    }
    let stored = candidates.iter().find_map(|c| match c {
        Candidate::Local(k, v) if v.trim() == credential => {
            Some(TokenLocation::LocalStorage(k.clone()))
        }
        Candidate::Session(k, v) if v.trim() == credential => {
            Some(TokenLocation::SessionStorage(k.clone()))
        }
        _ => None,
    });
    Some(stored.unwrap_or_else(|| TokenLocation::Header("Authorization".into())))
}

async fn remove(s: &dyn crate::driver::Session, c: &Candidate) -> StepResult<()> {
    match c {
        Candidate::Cookie(c) => s.delete_cookie(&c.name).await?,
        Candidate::Local(k, _) => {
            s.execute(
                "localStorage.removeItem(arguments[0]);",
                vec![k.clone().into()],
            )
            .await?;
        }
        Candidate::Session(k, _) => {
            s.execute(
                "sessionStorage.removeItem(arguments[0]);",
                vec![k.clone().into()],
            )
            .await?;
        }
    }
    Ok(())
}

async fn restore(s: &dyn crate::driver::Session, c: &Candidate) -> StepResult<()> {
    match c {
        Candidate::Cookie(c) => {
            let cookie = BrowserCookie {
                domain: c.domain.clone().filter(|d| d.starts_with('.')),
                expiry: None,
                ..c.clone()
            };
            s.add_cookie(&cookie).await?
        }
        Candidate::Local(k, v) => {
            s.execute(
                "localStorage.setItem(arguments[0], arguments[1]);",
                vec![k.clone().into(), v.clone().into()],
            )
            .await?;
        }
        Candidate::Session(k, v) => {
            s.execute(
                "sessionStorage.setItem(arguments[0], arguments[1]);",
                vec![k.clone().into(), v.clone().into()],
            )
            .await?;
        }
    }
    Ok(())
}
