//! `variants`: several ways of trying one attack, judged together.
//!
//! An app may defeat one way of carrying out an attack for reasons that have nothing to do with the
//! flaw (a CSRF nonce bound to the session refuses a form filled before a cookie was planted), so a
//! scenario tries each way and judges them together: FAIL when any variant shows the flaw, PASS when
//! the variants that could run show it is absent, ERROR only when none could run. A variant "could not
//! run" when one of its steps failed (a `require` that did not hold included) or its checks could not
//! be judged; it never counts as a PASS, and the reason is kept as evidence.

use super::context::FlowCtx;
use super::step_error::{ErrorKind, StepError};
use crate::record::{CheckOutcome, Evidence, Verdict};
use crate::scenario::step::{Origin, Step};

/// How one variant ended.
#[derive(Debug, Clone)]
pub struct VariantRun {
    pub name: String,
    /// Why it could not run to its end (a step error), if it did not.
    pub error: Option<String>,
    pub checks: Vec<CheckOutcome>,
}

impl VariantRun {
    /// PASS or FAIL when the variant judged something; otherwise why it could not run.
    fn judged(&self) -> Result<Verdict, String> {
        // A flaw shown before a later step failed is still shown: the error cannot unsee it.
        if self.checks.iter().any(|c| c.verdict == Verdict::Fail) {
            return Ok(Verdict::Fail);
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        match Verdict::combine(self.checks.iter().map(|c| c.verdict)) {
            Some(v @ (Verdict::Pass | Verdict::Fail)) => Ok(v),
            None => Err("it holds no check".into()),
            Some(_) => Err(format!(
                "its checks could not be judged: {}",
                self.checks
                    .iter()
                    .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::Fail))
                    .map(|c| format!("{} ({}): {}", c.check, c.verdict.label(), c.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
}

/// The verdict over all variants, its message and one evidence line per variant; and which variants'
/// checks count (those that judged something).
pub fn judge(runs: &[VariantRun]) -> (Verdict, String, Vec<Evidence>, Vec<bool>) {
    let judged: Vec<Result<Verdict, String>> = runs.iter().map(VariantRun::judged).collect();
    let names = |want: Verdict| -> Vec<&str> {
        runs.iter()
            .zip(&judged)
            .filter(|(_, j)| j.as_ref().ok() == Some(&want))
            .map(|(r, _)| r.name.as_str())
            .collect()
    };
    let failed = names(Verdict::Fail);
    let passed = names(Verdict::Pass);
    let not_run: Vec<&str> = runs
        .iter()
        .zip(&judged)
        .filter(|(_, j)| j.is_err())
        .map(|(r, _)| r.name.as_str())
        .collect();
    let also = if not_run.is_empty() {
        String::new()
    } else {
        format!("; could not run: {}", not_run.join(", "))
    };
    let (verdict, message) = if !failed.is_empty() {
        (
            Verdict::Fail,
            format!("the flaw shows in variant {}{also}", failed.join(", ")),
        )
    } else if !passed.is_empty() {
        (
            Verdict::Pass,
            format!(
                "no variant that could run shows the flaw ({}){also}",
                passed.join(", ")
            ),
        )
    } else {
        (
            Verdict::Error,
            format!("no variant could run ({})", not_run.join(", ")),
        )
    };
    let evidence = runs
        .iter()
        .zip(&judged)
        .map(|(r, j)| {
            let value = match j {
                Ok(v) => {
                    let why = r
                        .checks
                        .iter()
                        .find(|c| c.verdict == *v)
                        .map(|c| format!("{} ({}): {}", c.check, c.persona, c.message))
                        .unwrap_or_default();
                    format!("{}: {why}", v.label())
                }
                Err(why) => format!("could not run: {why}"),
            };
            Evidence::new(format!("variant {}", r.name), value)
        })
        .collect();
    let counted = judged.iter().map(|j| j.is_ok()).collect();
    (verdict, message, evidence, counted)
}

impl FlowCtx {
    /// Runs each variant in turn on the same personas and records one `variants` outcome over them.
    pub async fn variants(
        &mut self,
        variants: &indexmap::IndexMap<String, Vec<Step>>,
        performer: &str,
        origin: &Origin,
    ) -> Result<(), StepError> {
        let mut runs = Vec::new();
        // When every variant lacks a precondition, the scenario is SKIPPED with the first reason.
        let mut unsupported: Vec<StepError> = Vec::new();
        for (name, steps) in variants {
            self.mark(performer, format!("variant {name} starts"));
            let before = self.checks.len();
            let result = self.exec_steps(steps, performer).await;
            let checks: Vec<CheckOutcome> = self.checks.drain(before..).collect();
            let error = match result {
                Ok(()) => None,
                Err(f) if f.error.kind() == ErrorKind::Cancelled => {
                    return Err(StepError::Cancelled);
                }
                Err(f) => Some({
                    if f.error.kind() == ErrorKind::Unsupported {
                        unsupported.push(f.error.clone());
                    }
                    self.run
                        .redactor
                        .redact(&format!("{}: {}", f.origin, f.error))
                }),
            };
            if let Some(e) = &error {
                self.mark(performer, format!("variant {name} could not run: {e}"));
            }
            runs.push(VariantRun {
                name: name.clone(),
                error,
                checks,
            });
        }
        if !runs.is_empty() && unsupported.len() == runs.len() {
            return Err(unsupported.swap_remove(0));
        }
        let (verdict, message, evidence, counted) = judge(&runs);
        for (run, counts) in runs.into_iter().zip(counted) {
            if counts {
                self.checks.extend(run.checks.into_iter().map(|mut c| {
                    c.message = format!("[variant {}] {}", run.name, c.message);
                    c
                }));
            }
        }
        let outcome = CheckOutcome {
            check: "variants".into(),
            persona: performer.to_string(),
            verdict,
            message: self.run.redactor.redact(&message),
            evidence: evidence
                .into_iter()
                .map(|mut e| {
                    e.value = self.run.redactor.redact(&e.value);
                    e
                })
                .collect(),
            measured: Default::default(),
            origin: origin.to_string(),
        };
        self.record_check(outcome);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(verdict: Verdict, message: &str) -> CheckOutcome {
        CheckOutcome {
            check: "not_acting_as".into(),
            persona: "attacker".into(),
            verdict,
            message: message.into(),
            evidence: Vec::new(),
            measured: Default::default(),
            origin: "x.yaml:1:1".into(),
        }
    }

    fn run(name: &str, error: Option<&str>, checks: Vec<CheckOutcome>) -> VariantRun {
        VariantRun {
            name: name.into(),
            error: error.map(str::to_string),
            checks,
        }
    }

    /// The browser variant stopped (refused) after a passing check; the HTTP variant ran `checks`.
    fn refused_in_browser_then_over_http(checks: Vec<CheckOutcome>) -> Vec<VariantRun> {
        vec![
            run(
                "in_browser",
                Some("refused"),
                vec![check(Verdict::Pass, "p")],
            ),
            run("over_http", None, checks),
        ]
    }

    #[test]
    fn any_variant_showing_the_flaw_fails() {
        let (v, msg, ev, counted) = judge(&[
            run("in_browser", Some("the login form was refused"), vec![]),
            run(
                "over_http",
                None,
                vec![check(Verdict::Fail, "acts as victim")],
            ),
        ]);
        assert_eq!(v, Verdict::Fail);
        assert!(
            msg.contains("over_http") && msg.contains("could not run: in_browser"),
            "{msg}"
        );
        assert_eq!(counted, vec![false, true]);
        assert!(
            ev[0]
                .value
                .starts_with("could not run: the login form was refused")
        );
    }

    #[test]
    fn passes_only_on_variants_that_ran() {
        let (v, msg, _, counted) = judge(&refused_in_browser_then_over_http(vec![check(
            Verdict::Pass,
            "not the victim",
        )]));
        assert_eq!(v, Verdict::Pass);
        assert!(msg.contains("(over_http)"), "{msg}");
        assert_eq!(counted, vec![false, true]);
    }

    /// A variant that stopped never counts as a PASS, even when a check before its error passed.
    #[test]
    fn no_variant_running_is_an_error_never_a_pass() {
        let mut runs =
            refused_in_browser_then_over_http(vec![check(Verdict::Error, "cannot tell")]);
        runs.push(run("empty", None, vec![]));
        let (v, msg, ev, counted) = judge(&runs);
        assert_eq!(v, Verdict::Error);
        assert!(msg.contains("in_browser, over_http, empty"), "{msg}");
        assert!(
            ev[1].value.contains("could not be judged"),
            "{}",
            ev[1].value
        );
        assert!(ev[2].value.contains("no check"), "{}", ev[2].value);
        assert_eq!(counted, vec![false, false, false]);
    }

    #[test]
    fn a_flaw_shown_before_a_later_step_failed_still_fails() {
        let (v, msg, _, counted) = judge(&[
            run(
                "in_browser",
                Some("a later step failed"),
                vec![check(Verdict::Fail, "acts as victim")],
            ),
            run("over_http", None, vec![check(Verdict::Pass, "p")]),
        ]);
        assert_eq!(v, Verdict::Fail, "{msg}");
        assert_eq!(counted, vec![true, true]);
    }

    #[test]
    fn a_variant_with_a_fail_and_an_error_still_fails() {
        let (v, _, _, _) = judge(&[run(
            "a",
            None,
            vec![check(Verdict::Error, "e"), check(Verdict::Fail, "f")],
        )]);
        assert_eq!(v, Verdict::Fail);
    }
}
