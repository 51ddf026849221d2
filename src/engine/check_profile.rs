//! `usher check-profile`: proves the `logged_in` oracle says "no" before `login`, "yes" after it and
//! "no" after `logout`, and that the token is where the profile says. Getting the oracle right is the
//! most important piece of configuration: every logged-out verdict rests on it.

use super::context::{FlowCtx, RunCtx};
use std::sync::Arc;

/// One line of the proof.
pub struct ProofLine {
    pub ok: bool,
    pub text: String,
}

pub struct Proof {
    pub lines: Vec<ProofLine>,
    /// The oracle or flows are wrong (bad profile), as opposed to infrastructure trouble.
    pub profile_wrong: bool,
    pub infra_error: bool,
}

pub async fn prove(
    run: Arc<RunCtx>,
    profile: Arc<crate::scenario::Profile>,
    base_url: String,
    persona: String,
) -> Proof {
    let mut ctx = FlowCtx::new(
        run,
        profile.clone(),
        "check-profile",
        base_url,
        persona.clone(),
    );
    let mut proof = Proof {
        lines: Vec::new(),
        profile_wrong: false,
        infra_error: false,
    };
    let redact = |s: String, ctx: &FlowCtx| ctx.run.redactor.redact(&s);

    match ctx.oracle(&persona).await {
        Ok(a) if !a.logged_in => proof.lines.push(ProofLine {
            ok: true,
            text: format!(
                "before login, the oracle says: logged out ({})",
                a.observed.join("; ")
            ),
        }),
        Ok(a) => {
            proof.profile_wrong = true;
            proof.lines.push(ProofLine {
                ok: false,
                text: format!(
                    "before login, the oracle says: LOGGED IN ({}). Its `see` steps match what anonymous visitors get too; \
                     pick content only an authenticated user sees (e.g. the account's e-mail), not the status code",
                    a.observed.join("; ")
                ),
            });
        }
        Err(e) => {
            return infra(
                proof,
                redact(format!("could not run the oracle: {e}"), &ctx),
            );
        }
    }

    let login = profile.flows["login"].clone();
    if let Err(f) = ctx.exec_steps(&login.steps, &persona).await {
        proof.profile_wrong = !matches!(f.error, super::browser_step::StepError::Infra(_));
        proof.infra_error = !proof.profile_wrong;
        proof.lines.push(ProofLine {
            ok: false,
            text: redact(
                format!("the `login` flow failed at {}: {}", f.origin, f.error),
                &ctx,
            ),
        });
        ctx.close_all().await;
        return proof;
    }
    proof.lines.push(ProofLine {
        ok: true,
        text: format!("`login` ran as {persona} ({} steps)", login.steps.len()),
    });

    match ctx.oracle(&persona).await {
        Ok(a) if a.logged_in => proof.lines.push(ProofLine {
            ok: true,
            text: format!(
                "after login, the oracle says: logged in ({})",
                a.observed.join("; ")
            ),
        }),
        Ok(a) => {
            proof.profile_wrong = true;
            proof.lines.push(ProofLine {
                ok: false,
                text: format!(
                    "after login, the oracle says: LOGGED OUT ({}). Either `login` did not log in (wrong credentials? check \
                     the page after it) or the oracle's `see` selectors do not match the logged-in page",
                    a.observed.join("; ")
                ),
            });
        }
        Err(e) => {
            return infra(
                proof,
                redact(format!("could not run the oracle: {e}"), &ctx),
            );
        }
    }

    match ctx.read_token(&persona).await {
        Ok(t) if !t.is_empty() => proof.lines.push(ProofLine {
            ok: true,
            text: format!(
                "the session token is where the profile says ({}): {}",
                profile.token.describe(),
                ctx.fingerprints(&t)
            ),
        }),
        Ok(_) => {
            proof.profile_wrong = true;
            proof.lines.push(ProofLine {
                ok: false,
                text: format!(
                    "no session token found at {} after login; fix `token:` in the profile (or use `token: auto`)",
                    profile.token.describe()
                ),
            });
        }
        Err(e) => {
            proof.infra_error |= matches!(
                e,
                super::browser_step::StepError::Infra(_)
                    | super::browser_step::StepError::Timeout(_)
            );
            proof.profile_wrong |= !proof.infra_error;
            proof.lines.push(ProofLine {
                ok: false,
                text: redact(format!("could not read the token: {e}"), &ctx),
            });
        }
    }

    if let Some(logout) = profile.flows.get("logout").cloned() {
        if let Err(f) = ctx.exec_steps(&logout.steps, &persona).await {
            proof.profile_wrong = true;
            proof.lines.push(ProofLine {
                ok: false,
                text: redact(
                    format!("the `logout` flow failed at {}: {}", f.origin, f.error),
                    &ctx,
                ),
            });
        } else {
            match ctx.oracle(&persona).await {
                Ok(a) if !a.logged_in => proof.lines.push(ProofLine {
                    ok: true,
                    text: format!(
                        "after logout, the oracle says: logged out ({})",
                        a.observed.join("; ")
                    ),
                }),
                Ok(a) => {
                    proof.profile_wrong = true;
                    proof.lines.push(ProofLine {
                        ok: false,
                        text: format!(
                            "after logout, the oracle says: LOGGED IN ({}). Does `logout` really log out in the browser?",
                            a.observed.join("; ")
                        ),
                    });
                }
                Err(e) => {
                    return infra(
                        proof,
                        redact(format!("could not run the oracle: {e}"), &ctx),
                    );
                }
            }
        }
    } else {
        proof.lines.push(ProofLine {
            ok: true,
            text: "no `logout` flow: the logout scenarios cannot run until one is added".into(),
        });
    }
    ctx.close_all().await;
    proof
}

fn infra(mut proof: Proof, text: String) -> Proof {
    proof.infra_error = true;
    proof.lines.push(ProofLine { ok: false, text });
    proof
}
