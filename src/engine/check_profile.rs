//! `usher check-profile`: for every persona (every account of a pool), proves the `logged_in` oracle
//! says "no" before `login`, "yes" after it and "no" after `logout`, and that the token is where the
//! profile says; looks at the `change_password` and `reset_password` forms without submitting them; and
//! warns where whose-account judgements would be unreliable. Getting the oracle right is the most
//! important piece of configuration: every logged-out verdict rests on it.

use super::context::{FlowCtx, RunCtx};
use super::form_probe::{self, FormProbe};
use super::step_error::ErrorKind;
use crate::engine::checks::identity::{self, Sighting};
use crate::scenario::Profile;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Ok,
    /// Sound, but something the user should look at; does not change the exit code.
    Warn,
    Fail,
}

/// One line of the proof.
pub struct ProofLine {
    pub mark: Mark,
    pub text: String,
}

#[derive(Default)]
pub struct Proof {
    pub lines: Vec<ProofLine>,
    /// The oracle or flows are wrong (bad profile), as opposed to infrastructure trouble.
    pub profile_wrong: bool,
    pub infra_error: bool,
}

impl Proof {
    fn ok(&mut self, text: String) {
        self.lines.push(ProofLine {
            mark: Mark::Ok,
            text,
        });
    }

    fn warn(&mut self, text: String) {
        if !self.lines.iter().any(|l| l.text == text) {
            self.lines.push(ProofLine {
                mark: Mark::Warn,
                text,
            });
        }
    }

    fn wrong(&mut self, text: String) {
        self.profile_wrong = true;
        self.lines.push(ProofLine {
            mark: Mark::Fail,
            text,
        });
    }

    fn infra(&mut self, text: String) {
        self.infra_error = true;
        self.lines.push(ProofLine {
            mark: Mark::Fail,
            text,
        });
    }
}

/// Proves `personas` one after another, each account in fresh browsers; the forms are looked at once,
/// with the first account that logs in.
pub async fn prove(
    run: Arc<RunCtx>,
    profile: Arc<Profile>,
    base_url: String,
    personas: Vec<String>,
) -> Proof {
    let mut proof = Proof::default();
    let usernames = all_usernames(&run, &profile, &base_url);
    if profile.identity.is_none() {
        for (inner, outer) in nested(&usernames) {
            proof.warn(format!(
                "{}'s username `{}` is inside {}'s `{}`: pages are judged by whole words, which keeps them apart, but \
                 `identity:` (the element that shows who is logged in) is surer",
                inner.0, inner.1, outer.0, outer.1
            ));
        }
    }
    let mut forms_done = false;
    for persona in &personas {
        let owner = profile.owner_of(persona).to_string();
        if owner != *persona {
            proof.ok(format!(
                "{persona} uses {owner}'s account{}",
                if personas.contains(&owner) {
                    " (proved with it)"
                } else {
                    ""
                }
            ));
            if personas.contains(&owner) {
                continue;
            }
        }
        let pool = profile
            .personas
            .get(&owner)
            .map_or(1, |d| d.accounts.len().max(1));
        for i in 0..pool {
            let mut ctx = FlowCtx::new(
                run.clone(),
                profile.clone(),
                "check-profile",
                base_url.clone(),
                persona.clone(),
            );
            ctx.leased.insert(owner.clone(), i);
            let label = if pool > 1 {
                let who = ctx
                    .expand("${persona.username}", persona)
                    .unwrap_or_default();
                format!("{persona} ({who}, account {} of {pool})", i + 1)
            } else {
                persona.clone()
            };
            let logged_in = prove_account(
                &mut ctx,
                &mut proof,
                &label,
                persona,
                &usernames,
                !forms_done,
            )
            .await;
            forms_done |= logged_in;
            ctx.close_all().await;
            if proof.infra_error {
                return redact_all(proof, &run);
            }
        }
    }
    redact_all(proof, &run)
}

fn redact_all(mut proof: Proof, run: &RunCtx) -> Proof {
    for l in &mut proof.lines {
        l.text = run.redactor.redact(&l.text);
    }
    proof
}

/// Every persona's usernames (each account of a pool), expanded: (persona, username).
fn all_usernames(run: &Arc<RunCtx>, profile: &Arc<Profile>, base: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, def) in &profile.personas {
        for (i, _) in def.accounts.iter().enumerate() {
            let mut ctx = FlowCtx::new(
                run.clone(),
                profile.clone(),
                "check-profile",
                base.to_string(),
                name.clone(),
            );
            ctx.leased.insert(name.clone(), i);
            if let Ok(u) = ctx.expand("${persona.username}", name)
                && !u.is_empty()
                && !out.iter().any(|(_, v): &(String, String)| v == &u)
            {
                out.push((name.clone(), u));
            }
        }
    }
    out
}

/// A persona and one of its usernames.
type Named = (String, String);

/// Pairs (inner, outer) where one username is inside another (ASCII case ignored).
fn nested(usernames: &[Named]) -> Vec<(&Named, &Named)> {
    let mut out = Vec::new();
    for a in usernames {
        for b in usernames {
            let (x, y) = (a.1.to_ascii_lowercase(), b.1.to_ascii_lowercase());
            if x != y && y.contains(&x) {
                out.push((a, b));
            }
        }
    }
    out
}

/// One account's proof. Returns whether it logged in (the oracle said so).
async fn prove_account(
    ctx: &mut FlowCtx,
    proof: &mut Proof,
    label: &str,
    persona: &str,
    usernames: &[(String, String)],
    forms: bool,
) -> bool {
    match ctx.oracle(persona).await {
        Ok(a) if !a.logged_in => {
            proof.ok(format!(
                "{label}: before login, the oracle says: logged out ({})",
                a.observed.join("; ")
            ));
            otherwise_logged_out(ctx, proof, label, "before login", &a);
            warn_anonymous_identity(ctx, proof, persona, usernames).await;
        }
        Ok(a) => proof.wrong(format!(
            "{label}: before login, the oracle says: LOGGED IN ({}). Its `see` steps match what anonymous visitors get \
             too; pick content only an authenticated user sees (e.g. the account's e-mail), not the status code",
            a.observed.join("; ")
        )),
        Err(e) => {
            proof.infra(format!("{label}: could not run the oracle: {e}"));
            return false;
        }
    }

    let login = ctx.profile.flows["login"].clone();
    if let Err(f) = ctx.exec_steps(&login.steps, persona).await {
        let text = format!(
            "{label}: the `login` flow failed at {}: {}",
            f.origin, f.error
        );
        if f.error.kind() == ErrorKind::Infra {
            proof.infra(text);
        } else {
            proof.wrong(text);
        }
        return false;
    }
    proof.ok(format!(
        "{label}: `login` ran ({} steps)",
        login.steps.len()
    ));

    let mut logged_in_answer = None;
    let logged_in = match ctx.oracle(persona).await {
        Ok(a) if a.logged_in => {
            proof.ok(format!(
                "{label}: after login, the oracle says: logged in ({})",
                a.observed.join("; ")
            ));
            logged_in_answer = Some(a);
            true
        }
        Ok(a) => {
            proof.wrong(format!(
                "{label}: after login, the oracle says: LOGGED OUT ({}). Either `login` did not log in (wrong \
                 credentials? check the page after it) or the oracle's `see` selectors do not match the logged-in page",
                a.observed.join("; ")
            ));
            false
        }
        Err(e) => {
            proof.infra(format!("{label}: could not run the oracle: {e}"));
            return false;
        }
    };
    if let Some(a) = &logged_in_answer {
        shows_own_account(ctx, proof, label, persona).await;
        otherwise_logged_in(ctx, proof, label, persona, a).await;
    }

    match ctx.read_token(persona).await {
        Ok(t) if !t.is_empty() => proof.ok(format!(
            "{label}: the session token is where the profile says ({}): {}",
            ctx.profile.token.describe(),
            ctx.fingerprints(&t)
        )),
        Ok(_) => proof.wrong(format!(
            "{label}: no session token found at {} after login; fix `token:` in the profile (or use `token: auto`)",
            ctx.profile.token.describe()
        )),
        Err(e) => {
            let text = format!("{label}: could not read the token: {e}");
            if matches!(e.kind(), ErrorKind::Infra | ErrorKind::Timeout) {
                proof.infra(text);
            } else {
                proof.wrong(text);
            }
        }
    }

    if forms && logged_in && ctx.profile.flows.contains_key("change_password") {
        form_line(
            proof,
            "change_password",
            form_probe::probe(ctx, persona, "change_password").await,
        );
    }

    if let Some(logout) = ctx.profile.flows.get("logout").cloned() {
        if let Err(f) = ctx.exec_steps(&logout.steps, persona).await {
            proof.wrong(format!(
                "{label}: the `logout` flow failed at {}: {}",
                f.origin, f.error
            ));
        } else {
            match ctx.oracle(persona).await {
                Ok(a) if !a.logged_in => {
                    proof.ok(format!(
                        "{label}: after logout, the oracle says: logged out ({})",
                        a.observed.join("; ")
                    ));
                    otherwise_logged_out(ctx, proof, label, "after logout", &a);
                }
                Ok(a) => proof.wrong(format!(
                    "{label}: after logout, the oracle says: LOGGED IN ({}). Does `logout` really log out in the browser?",
                    a.observed.join("; ")
                )),
                Err(e) => proof.infra(format!("{label}: could not run the oracle: {e}")),
            }
        }
    } else {
        let text = "no `logout` flow: the logout scenarios cannot run until one is added";
        if !proof.lines.iter().any(|l| l.text == text) {
            proof.ok(text.into());
        }
    }

    // `request_password_reset` is the request half `usher discover` writes when it cannot write the
    // whole reset (it reads no mail); looked at the same way while `reset_password` is missing.
    let reset = ["reset_password", "request_password_reset"]
        .into_iter()
        .find(|f| ctx.profile.flows.contains_key(*f));
    if let (true, true, Some(flow)) = (forms, logged_in, reset) {
        // Someone who forgot a password is not logged in: a browser of its own, anonymous.
        let anonymous = format!("{persona}-reset");
        ctx.aliases.insert(anonymous.clone(), persona.to_string());
        form_line(proof, flow, form_probe::probe(ctx, &anonymous, flow).await);
    }
    logged_in
}

fn form_line(proof: &mut Proof, flow: &str, found: FormProbe) {
    match found {
        FormProbe::Holds {
            page,
            fields,
            stopped_before,
        } => proof.ok(format!(
            "`{flow}`: the form at {page} holds {} (not submitted{})",
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            stopped_before
                .map(|s| format!("; stopped before `{s}`"))
                .unwrap_or_default()
        )),
        FormProbe::Missing {
            page,
            field,
            origin,
        } => proof.wrong(format!(
            "`{flow}`: no element matches `{field}` on {page} (its `fill` at {origin}); fix the selector"
        )),
        FormProbe::Broken(why) => proof.wrong(format!("`{flow}`: its form could not be reached: {why}")),
        FormProbe::NotReached(why) => proof.warn(format!("`{flow}`: its form was not checked: {why}")),
        FormProbe::Infra(why) => proof.infra(format!("`{flow}`: {why}")),
    }
}

/// Before login, the oracle's page must not already show an account: where it does, whole-word
/// judgements are unreliable there.
async fn warn_anonymous_identity(
    ctx: &mut FlowCtx,
    proof: &mut Proof,
    persona: &str,
    usernames: &[(String, String)],
) {
    let Ok((page, url)) = identity::read_page(ctx, persona).await else {
        return;
    };
    let path = url::Url::parse(&url).map_or(url.clone(), |u| u.path().to_string());
    for (who, name) in usernames {
        let how = match page.shows(name) {
            Sighting::NotShown => continue,
            Sighting::Shown => "shows",
            Sighting::OnlyEchoed { .. } => "echoes from its URL",
        };
        proof.warn(if ctx.profile.identity.is_some() {
            format!(
                "the anonymous oracle page ({path}) {how} {who}'s username `{name}` in the `identity` element; pick an \
                 element only a logged-in user's page fills"
            )
        } else {
            format!(
                "the anonymous oracle page ({path}) {how} {who}'s username `{name}`: a page that is nobody's can look \
                 like that account's; set `identity:` to the element that shows who is logged in"
            )
        });
    }
}

/// The oracle's `otherwise` must show on a logged-out page: one that never does is a wrong selector
/// (nothing unsafe, but the profile does not say what it means).
fn otherwise_logged_out(
    ctx: &FlowCtx,
    proof: &mut Proof,
    label: &str,
    when: &str,
    a: &crate::engine::oracle::OracleAnswer,
) {
    let signs = ctx.oracle_otherwise();
    if signs.is_empty() {
        return;
    }
    let list = signs.join("`, `");
    match a.otherwise_seen {
        Some(true) => proof.ok(format!(
            "{label}: {when}, the oracle's page shows `{list}` (its sign of a logged-out page)"
        )),
        Some(false) => proof.wrong(format!(
            "{label}: {when}, the oracle's page does not show `{list}`, which the oracle names \
             (`otherwise`) as what logged-out visitors get; name what that page shows, or remove \
             `otherwise`"
        )),
        None => proof.warn(format!(
            "{label}: {when}, the oracle's page could not be watched, so its `otherwise` `{list}` \
             is not used here"
        )),
    }
}

/// The oracle's `otherwise` must never show while logged in: not while the page renders (any look
/// of the answer) nor once it has settled. If it did, the oracle could answer "logged out" for a
/// logged-in session, and a replay flaw would PASS.
async fn otherwise_logged_in(
    ctx: &mut FlowCtx,
    proof: &mut Proof,
    label: &str,
    persona: &str,
    a: &crate::engine::oracle::OracleAnswer,
) {
    let signs = ctx.oracle_otherwise();
    if signs.is_empty() {
        return;
    }
    let settled = match ctx.on_settled_page(persona, &signs).await {
        Ok(p) => p,
        Err(e) => {
            proof.infra(format!(
                "{label}: could not look for the oracle's `otherwise` after login: {e}"
            ));
            return;
        }
    };
    let shown: Vec<String> = match (a.otherwise_seen, settled) {
        (Some(true), _) => signs.clone(),
        (_, Some(p)) => p,
        (_, None) => return,
    };
    if shown.is_empty() {
        proof.ok(format!(
            "{label}: after login, the oracle's page never shows `{}` (its sign of a logged-out page)",
            signs.join("`, `")
        ));
    } else {
        proof.wrong(format!(
            "{label}: after login, the oracle's page shows `{}`, which the oracle names (`otherwise`) \
             as what only logged-out visitors get: it would answer \"logged out\" for this session; \
             name something a logged-in page never shows, or remove `otherwise`",
            shown.join("`, `")
        ));
    }
}

/// After login, the oracle's page should show the account's own username, or `not_acting_as` cannot
/// tell whose session it is.
async fn shows_own_account(ctx: &mut FlowCtx, proof: &mut Proof, label: &str, persona: &str) {
    let Ok(own) = ctx.expand("${persona.username}", persona) else {
        return;
    };
    let Ok((page, _)) = identity::read_page(ctx, persona).await else {
        return;
    };
    match page.shows(&own) {
        Sighting::Shown => proof.ok(format!(
            "{label}: the oracle page shows the account's username (judged by {})",
            page.method()
        )),
        _ => proof.warn(format!(
            "{label}: the oracle page does not show the account's username `{own}` (judged by {}), so `not_acting_as` \
             cannot tell whose session it is",
            page.method()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_inside_another_is_found_either_way_round() {
        let u = |p: &str, n: &str| (p.to_string(), n.to_string());
        let names = vec![
            u("victim", "alice@ticketbooth.test"),
            u("attacker", "malice@ticketbooth.test"),
            u("other", "bob@ticketbooth.test"),
        ];
        let found: Vec<(&str, &str)> = nested(&names)
            .into_iter()
            .map(|(a, b)| (a.0.as_str(), b.0.as_str()))
            .collect();
        assert_eq!(found, vec![("victim", "attacker")]);
    }
}
