//! `usher check-profile APP.yaml`: runs the proof (every persona, the password forms) in a real browser
//! and says what is wrong.

use super::error::CommandError;
use super::inputs::{driver_config, inputs};
use crate::cli::CheckProfileArgs;
use crate::driver::Launcher;
use crate::engine::RunCtx;
use crate::engine::check_profile::{Mark, prove};
use crate::engine::pipeline::{resolve_auto_token, with_token};
use crate::exit::Exit;
use crate::redact::Redactor;
use std::sync::Arc;

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
    let launcher = Launcher::start(driver)
        .await
        .map(Arc::new)
        .map_err(|e| CommandError::Infrastructure(format!("infrastructure error: {e}")))?;
    let run = Arc::new(RunCtx {
        launcher: launcher.clone(),
        redactor: redactor.clone(),
        cancel: super::execute::cancel_on_signals(),
        report_dir: std::env::temp_dir(),
        step_timeout: args.driver.step_timeout,
        inputs,
        target: args.driver.target.clone(),
        http: crate::engine::http_client::replay_client(),
        sink: Arc::new(|_| {}),
    });
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
        crate::outln!(
            "{} {}",
            match l.mark {
                Mark::Ok => "  ok  ",
                Mark::Warn => "  warn",
                Mark::Fail => "  FAIL",
            },
            redactor.redact(&l.text)
        );
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
