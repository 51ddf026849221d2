//! `usher check-profile APP.yaml`: runs the proof (every persona, the password forms) in a real browser
//! and says what is wrong.

use super::error::CommandError;
use super::execute::proving_run;
use super::inputs::{driver_config, inputs};
use crate::cli::CheckProfileArgs;
use crate::engine::check_profile::{Mark, prove};
use crate::engine::pipeline::{resolve_auto_token, with_token};
use crate::exit::Exit;
use crate::redact::Redactor;

/// How a proof line is marked, the same in `check-profile` and in `discover`'s summary.
pub(super) fn mark_label(mark: Mark) -> &'static str {
    match mark {
        Mark::Ok => "ok  ",
        Mark::Warn => "warn",
        Mark::Fail => "FAIL",
    }
}

pub async fn check_profile(
    args: &CheckProfileArgs,
    redactor: &Redactor,
) -> Result<Exit, CommandError> {
    let inputs = inputs(&args.inputs, redactor)?;
    let project = crate::scenario::load(std::slice::from_ref(&args.app), &inputs)
        .map_err(|d| CommandError::Diagnostics(redactor.redact(&d.render())))?;
    let profile = project.suites[0].profile.clone();
    let personas: Vec<String> = match &args.persona {
        Some(p) if profile.personas.contains_key(p) => vec![p.clone()],
        Some(p) => {
            return Err(CommandError::BadInput(format!(
                "unknown persona `{p}`; the profile defines: {}",
                profile
                    .personas
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        None => profile.personas.keys().cloned().collect(),
    };
    let Some(persona) = personas.first().cloned() else {
        return Err(CommandError::BadInput(
            "the profile defines no personas".into(),
        ));
    };
    let driver = driver_config(
        &args.driver,
        profile.browser.as_deref(),
        &profile.capabilities,
    )?;
    let run = proving_run(
        driver,
        redactor,
        inputs,
        args.driver.step_timeout,
        args.driver.target.clone(),
    )
    .await?;
    let launcher = run.launcher.clone();
    let base = run.base_url(&profile);
    let ctx_probe = crate::engine::context::FlowCtx::new(
        run.clone(),
        profile.clone(),
        "check-profile",
        String::new(),
        persona.clone(),
    );
    let base = match ctx_probe.expand(&base, &persona) {
        Ok(b) if url::Url::parse(&b).is_ok() => b,
        _ => {
            launcher.shutdown().await;
            return Err(CommandError::BadInput(
                "no usable base URL; set `base_url` in the profile or pass --target URL".into(),
            ));
        }
    };
    crate::outln!(
        "checking {} against {} as {}",
        profile.file,
        redactor.redact(&base),
        personas.join(", ")
    );
    let mut profile = profile;
    match resolve_auto_token(&run, &profile, base.clone()).await {
        Some(Ok(found)) => {
            crate::outln!(
                "  ok   `token: auto` found the session token in {}",
                found.describe()
            );
            profile = with_token(&profile, found);
        }
        Some(Err(why)) => crate::outln!("  FAIL `token: auto` could not find the token: {why}"),
        None => {}
    }
    let proof = prove(run, profile, base, personas).await;
    launcher.shutdown().await;
    for l in &proof.lines {
        crate::outln!("  {} {}", mark_label(l.mark), redactor.redact(&l.text));
    }
    Ok(if proof.infra_error {
        crate::outln!("\nthe profile could not be proved: infrastructure error");
        Exit::Infrastructure
    } else if proof.profile_wrong {
        crate::outln!("\nthe profile is wrong: fix the lines marked FAIL");
        Exit::BadInput
    } else {
        crate::outln!(
            "\nthe profile is sound: the oracle tells logged-in from logged-out sessions"
        );
        Exit::Passed
    })
}
