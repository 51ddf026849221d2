//! `usher check-profile APP.yaml`: runs the proof (every persona, the password forms) in a real browser
//! and says what is wrong.

use super::inputs::{driver_config, inputs, step_timeout};
use crate::cli::CheckProfileArgs;
use crate::driver::Launcher;
use crate::engine::RunCtx;
use crate::engine::check_profile::{Mark, prove};
use crate::exit::Exit;
use crate::redact::Redactor;
use std::sync::Arc;

pub async fn check_profile(args: &CheckProfileArgs, redactor: &Redactor) -> Exit {
    let prepared = (|| {
        Ok::<_, super::inputs::BadInput>((
            inputs(&args.inputs, redactor)?,
            step_timeout(&args.driver)?,
        ))
    })();
    let (inputs, step_timeout) = match prepared {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let project = match crate::scenario::load(std::slice::from_ref(&args.app), &inputs) {
        Ok(p) => p,
        Err(d) => {
            eprint!("{}", redactor.redact(&d.render()));
            return Exit::BadInput;
        }
    };
    let profile = project.suites[0].profile.clone();
    let personas: Vec<String> = match &args.persona {
        Some(p) if profile.personas.contains_key(p) => vec![p.clone()],
        Some(p) => {
            eprintln!(
                "error: unknown persona `{p}`; the profile defines: {}",
                profile
                    .personas
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Exit::BadInput;
        }
        None => profile.personas.keys().cloned().collect(),
    };
    let Some(persona) = personas.first().cloned() else {
        eprintln!("error: the profile defines no personas");
        return Exit::BadInput;
    };
    let driver = match driver_config(
        &args.driver,
        profile.browser.as_deref(),
        &profile.capabilities,
    ) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::BadInput;
        }
    };
    let launcher = match Launcher::start(driver).await {
        Ok(l) => Arc::new(l),
        Err(e) => {
            eprintln!("error: infrastructure error: {e}");
            return Exit::Infrastructure;
        }
    };
    let run = Arc::new(RunCtx {
        launcher: launcher.clone(),
        redactor: redactor.clone(),
        cancel: super::execute::cancel_on_signals(),
        report_dir: std::env::temp_dir(),
        step_timeout,
        inputs,
        target: args.driver.target.clone(),
        http: crate::engine::http_client::replay_client(),
        sink: Arc::new(|_| {}),
    });
    let base = args
        .driver
        .target
        .clone()
        .or_else(|| profile.base_url.clone())
        .unwrap_or_default();
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
            eprintln!(
                "error: no usable base URL; set `base_url` in the profile or pass --target URL"
            );
            launcher.shutdown().await;
            return Exit::BadInput;
        }
    };
    crate::outln!(
        "checking {} against {} as {}",
        profile.file,
        redactor.redact(&base),
        personas.join(", ")
    );
    let mut profile = profile;
    if profile.token == crate::scenario::TokenLocation::Auto {
        match crate::engine::token_discovery::discover(run.clone(), profile.clone(), base.clone())
            .await
        {
            Ok(found) => {
                crate::outln!(
                    "  ok   `token: auto` found the session token in {}",
                    found.describe()
                );
                let mut p = (*profile).clone();
                p.token = found;
                profile = Arc::new(p);
            }
            Err(e) => crate::outln!(
                "  FAIL `token: auto` could not find the token: {}",
                redactor.redact(&e.to_string())
            ),
        }
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
    if proof.infra_error {
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
    }
}
