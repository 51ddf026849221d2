//! `usher discover URL --account victim=USER --account attacker=USER`: explores the app in a real
//! browser, writes a commented profile only when every piece passed its negative controls and the
//! whole profile passed `check-profile`, and prints what was found, what was not and what to write by
//! hand. `--generate DIR` also writes the built-in suite for it.

use super::check_profile::mark_label;
use super::error::CommandError;
use super::execute::proving_run;
use super::inputs::{driver_config, inputs};
use crate::cli::DiscoverArgs;
use crate::discover::explore::{Found, explore};
use crate::discover::site::Site;
use crate::discover::write::{self, Written};
use crate::discover::{Account, Failure};
use crate::engine::RunCtx;
use crate::engine::check_profile::prove;
use crate::exit::Exit;
use crate::redact::{Kind, Redactor};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

fn accounts(
    args: &DiscoverArgs,
    secrets: &indexmap::IndexMap<String, String>,
    redactor: &Redactor,
) -> Result<(Account, Account), String> {
    let mut found: Vec<Account> = Vec::new();
    for a in &args.accounts {
        let Some((role, user)) = a.split_once('=') else {
            return Err(format!(
                "--account wants ROLE=USERNAME, e.g. --account victim=alice@example.com (got `{a}`)"
            ));
        };
        let role = role.trim().to_string();
        if !["victim", "attacker"].contains(&role.as_str()) {
            return Err(format!(
                "--account {role}=...: the roles are `victim` and `attacker`"
            ));
        }
        let var = format!("{}_PASSWORD", role.to_ascii_uppercase());
        let password = match secrets.get(&var) {
            Some(p) => p.clone(),
            None => match std::env::var(&var) {
                Ok(p) => {
                    redactor.register(Kind::Secret, &p);
                    p
                }
                Err(_) => {
                    return Err(format!(
                        "no password for the {role}: pass --secret {var}=... (or @file), or set the environment variable {var}"
                    ));
                }
            },
        };
        if password.is_empty() || user.trim().is_empty() {
            return Err(format!(
                "--account {role}: the username and the password must not be empty"
            ));
        }
        found.retain(|f| f.role != role);
        found.push(Account {
            role,
            username: user.trim().to_string(),
            password,
            var,
        });
    }
    let take = |r: &str| found.iter().find(|a| a.role == r).cloned();
    match (take("victim"), take("attacker")) {
        (Some(v), Some(a)) if v.username != a.username => Ok((v, a)),
        (Some(_), Some(_)) => {
            Err("the victim and the attacker must be two different accounts".into())
        }
        _ => Err(
            "discover needs two accounts: --account victim=USERNAME --account attacker=USERNAME"
                .into(),
        ),
    }
}

pub async fn discover(args: &DiscoverArgs, redactor: &Redactor) -> Result<Exit, CommandError> {
    let started = Instant::now();
    let mut inputs = inputs(&args.inputs, redactor)?;
    let (victim, attacker) =
        accounts(args, &inputs.secrets, redactor).map_err(CommandError::BadInput)?;
    let site = Site::new(&args.url).map_err(CommandError::BadInput)?;
    let driver = driver_config(&args.driver, None, &serde_json::Map::new())?;
    if args.out.exists() && !args.force {
        return Err(CommandError::BadInput(format!(
            "{} exists and may hold your edits; pass --force to overwrite it, or --out another path",
            args.out.display()
        )));
    }
    for a in [&victim, &attacker] {
        inputs.secrets.insert(a.var.clone(), a.password.clone());
    }
    let run = proving_run(driver, redactor, inputs, args.driver.step_timeout, None).await?;
    crate::outln!(
        "discovering {} as victim {} and attacker {}",
        site.base,
        victim.username,
        attacker.username
    );
    let outcome = finish(args, &run, &site, &victim, &attacker).await;
    run.launcher.shutdown().await;
    match outcome {
        Ok((found, token, text, proof_lines)) => {
            // Exit 2, not 3: `--out` names the path (a write error is counted as the user's input).
            crate::report::write_atomic(&args.out, text.as_bytes()).map_err(|e| {
                CommandError::BadInput(format!("cannot write {}: {e}", args.out.display()))
            })?;
            for l in proof_lines {
                crate::outln!("  {l}");
            }
            table(&found, &token);
            crate::outln!(
                "\nwrote {} in {:.1} s; it passed check-profile for the victim and the attacker",
                args.out.display(),
                started.elapsed().as_secs_f64()
            );
            if let Some(dir) = &args.generate {
                return generate(&args.out, dir, args.force);
            }
            Ok(Exit::Passed)
        }
        Err(f) => {
            crate::outln!("ERROR: {}", redactor.redact(&f.to_string()));
            crate::outln!("no profile was written");
            Ok(Exit::Infrastructure)
        }
    }
}

type Finished = (Found, String, String, Vec<String>);

async fn finish(
    args: &DiscoverArgs,
    run: &Arc<RunCtx>,
    site: &Site,
    victim: &Account,
    attacker: &Account,
) -> Result<Finished, Failure> {
    let found = explore(&run.launcher, site, &args.url, victim, attacker).await?;
    let app = args.app.clone().unwrap_or_else(|| {
        url::Url::parse(&site.base)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.split('.').next().unwrap_or(h).to_string())
            })
            .unwrap_or_else(|| "app".into())
    });
    let mut w = Written {
        app,
        start: args.url.clone(),
        base: site.base.clone(),
        token: None,
    };
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::Unreachable(format!("a temporary directory: {e}")))?;
    let draft = dir.path().join("app.yaml");
    let load = |text: &str| -> Result<Arc<crate::scenario::Profile>, Failure> {
        std::fs::write(&draft, text)
            .map_err(|e| Failure::Unreachable(format!("writing a draft: {e}")))?;
        let mut diags = crate::scenario::Diagnostics::default();
        crate::scenario::load::load_profile(&draft, &mut diags)
            .map(Arc::new)
            .ok_or_else(|| {
                crate::discover::fail(
                    "profile",
                    format!("the written profile does not load:\n{}", diags.render()),
                )
            })
    };
    // The token, through `token: auto` on the draft.
    let profile = load(&write::profile(&w, &found, victim, attacker))?;
    let token = crate::engine::token_discovery::discover(run.clone(), profile, site.base.clone())
        .await
        .map_err(|e| crate::discover::fail("session token", e.to_string()))?;
    let scope = match &token {
        crate::scenario::TokenLocation::Cookie(names) => write::cookie_scope(names, &found.cookies),
        _ => String::new(),
    };
    let why = format!(
        "The session token, found by `token: auto`: of what changed at login, removing it alone logged the victim out.{}",
        if scope.is_empty() {
            String::new()
        } else {
            format!("\nAs set: {scope}.")
        }
    );
    let described = format!(
        "{}{}",
        token.describe(),
        if scope.is_empty() {
            String::new()
        } else {
            format!(" ({scope})")
        }
    );
    w.token = Some((token, why));
    let text = write::profile(&w, &found, victim, attacker);
    let profile = load(&text)?;
    let proof = prove(
        run.clone(),
        profile,
        site.base.clone(),
        vec!["victim".into(), "attacker".into()],
    )
    .await;
    let lines: Vec<String> = proof
        .lines
        .iter()
        .map(|l| format!("{} {}", mark_label(l.mark), l.text))
        .collect();
    if proof.infra_error || proof.profile_wrong {
        return Err(crate::discover::fail(
            "check-profile",
            format!(
                "the discovered profile did not pass:\n  {}",
                lines.join("\n  ")
            ),
        ));
    }
    Ok((found, described, text, lines))
}

fn table(f: &Found, token: &str) {
    let mut rows: Vec<(&str, &str, String)> = vec![
        (
            "login form",
            "found",
            format!(
                "{} ({})",
                f.login.page,
                if f.login.first.is_some() {
                    "two steps"
                } else {
                    "one step"
                }
            ),
        ),
        ("session token", "found", token.to_string()),
        (
            "oracle",
            "found",
            format!("{} sees `{}`", f.protected, f.oracle.show()),
        ),
    ];
    rows.push(match &f.identity {
        Some((s, _)) => ("identity", "found", format!("`{}`", s.show())),
        None => (
            "identity",
            "not found",
            "no element shows the username alone; the checks judge by whole words".into(),
        ),
    });
    rows.push(match &f.logout {
        Some(l) => ("logout", "found", format!("{} `{}`", l.page, l.sel.show())),
        None => (
            "logout",
            "write by hand",
            "no logout control found: add a `logout` flow".into(),
        ),
    });
    rows.push(match &f.change {
        Some(c) => (
            "password change",
            "found",
            format!("{} (located, not submitted)", c.page),
        ),
        None => (
            "password change",
            "write by hand",
            "no form with current and new password fields found: add `change_password`".into(),
        ),
    });
    rows.push(match &f.reset {
        Ok(r) => (
            "password reset",
            "request found",
            format!(
                "{} (located, not submitted) as `request_password_reset`; discovery reads no mail: finish `reset_password` by hand",
                r.page
            ),
        ),
        Err(why) => (
            "password reset",
            "write by hand",
            format!("{why}; add `reset_password` (see docs/scenario-language.md)"),
        ),
    });
    rows.push(if f.browse.is_empty() {
        (
            "pages to browse",
            "not found",
            "the `browse` step will crawl from the oracle's page".into(),
        )
    } else {
        ("pages to browse", "found", f.browse.join(" "))
    });
    rows.push(("checkout", "write by hand", "pages behind forms (`start_checkout`, `complete_checkout`) are never submitted by discovery".into()));
    crate::outln!("\n  {:<16} {:<14} detail", "piece", "status");
    for (what, status, detail) in rows {
        crate::outln!("  {what:<16} {status:<14} {detail}");
    }
}

fn generate(profile_path: &Path, dir: &Path, force: bool) -> Result<Exit, CommandError> {
    let mut diags = crate::scenario::Diagnostics::default();
    let Some(profile) = crate::scenario::load::load_profile(profile_path, &mut diags) else {
        return Err(CommandError::Diagnostics(diags.render()));
    };
    let all = crate::suite::select(&[], &[]).unwrap_or_default();
    match crate::suite::generate(profile_path, &profile, dir, &all, force) {
        Ok(done) => {
            crate::outln!(
                "{} scenario(s) written to {}; run them with: usher run {}",
                done.written.len(),
                dir.display(),
                dir.display()
            );
            Ok(Exit::Passed)
        }
        Err(e) => Err(CommandError::BadInput(e.to_string())),
    }
}
