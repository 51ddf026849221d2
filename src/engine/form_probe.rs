//! `check-profile`'s look at a form flow (`change_password`, `reset_password`) without submitting it:
//! the steps that lead to the form run (opening pages, waiting, following links), then every `fill` and
//! `select` target must be on the page; nothing is typed, and the first step after the fields (the
//! submit) never runs. A click before the fields runs only when it follows a link outside any form,
//! since any other click may submit something.

use super::browser_step;
use super::context::FlowCtx;
use super::step_error::{ErrorKind, PageError, StepError};
use crate::scenario::locator::LocatorDoc;
use crate::scenario::step::{Action, Expect};
use std::time::Duration;

/// What the look at one form flow found.
pub enum FormProbe {
    /// Every field is on the page; the step the look stopped before (never run), if any.
    Holds {
        page: String,
        fields: Vec<String>,
        stopped_before: Option<String>,
    },
    /// A field of the flow is not on the page reached: the profile is wrong.
    Missing {
        page: String,
        field: String,
        origin: String,
    },
    /// A step leading to the form failed on the page (wrong path, missing link): the profile is wrong.
    Broken(String),
    /// The form could not be reached without a step check-profile does not take; the reason.
    NotReached(String),
    /// The driver or browser failed.
    Infra(String),
}

/// How long a field may take to appear once the form's page is open (pages that render late).
const FIELD_GRACE: Duration = Duration::from_secs(3);

/// Walks `flow` for `persona` in its browser as the module says.
pub async fn probe(ctx: &mut FlowCtx, persona: &str, flow: &str) -> FormProbe {
    let Some(flow) = ctx.profile.flows.get(flow).cloned() else {
        return FormProbe::NotReached(format!("the profile has no `{flow}` flow"));
    };
    let session = match ctx.session(persona).await {
        Ok(s) => s,
        Err(e) => return FormProbe::Infra(e.to_string()),
    };
    let mut fields: Vec<String> = Vec::new();
    let page = |s: &str| {
        url::Url::parse(s)
            .map(|u| {
                let mut p = u.path().to_string();
                if let Some(q) = u.query() {
                    p = format!("{p}?{q}");
                }
                p
            })
            .unwrap_or_else(|_| s.to_string())
    };
    for step in &flow.steps {
        let limit = ctx.limit(step);
        let this = &*ctx;
        let resolve = |t: &str| this.expand(t, persona);
        let url_of = |t: &str| this.url_of(persona, t);
        let field = match &step.action {
            Action::Fill(f) => Some(&f.field),
            Action::Select(s) => Some(&s.field),
            _ => None,
        };
        if let Some(field) = field {
            let expect = Expect {
                element: Some(field.clone()),
                ..Expect::default()
            };
            let found = browser_step::wait_until(
                &*session,
                &expect,
                true,
                FIELD_GRACE.min(limit),
                &resolve,
            )
            .await;
            let here = page(&session.current_url().await.unwrap_or_default());
            match found {
                Ok(true) => fields.push(name(field)),
                Ok(false) => {
                    return FormProbe::Missing {
                        page: here,
                        field: name(field),
                        origin: step.origin.to_string(),
                    };
                }
                Err(e) => return failed(e),
            }
            continue;
        }
        let here = page(&session.current_url().await.unwrap_or_default());
        if !fields.is_empty() {
            return FormProbe::Holds {
                page: here,
                fields,
                stopped_before: Some(step.action.label()),
            };
        }
        match &step.action {
            Action::Open(_)
            | Action::WaitFor(_)
            | Action::See(_)
            | Action::NotSee(_)
            | Action::Back
            | Action::Refresh
            | Action::Context(_) => {}
            Action::Click(target) => match is_plain_link(&*session, target, &resolve).await {
                Ok(true) => {}
                Ok(false) => {
                    return FormProbe::NotReached(format!(
                        "reaching its form needs `{}` at {}, which may submit something; check-profile clicks only \
                         links outside forms",
                        step.action.label(),
                        step.origin
                    ));
                }
                Err(e) => return failed(e),
            },
            other => {
                return FormProbe::NotReached(format!(
                    "reaching its form needs `{}` at {}, which check-profile does not run",
                    other.keyword(),
                    step.origin
                ));
            }
        }
        let result = tokio::time::timeout(
            limit + Duration::from_secs(1),
            browser_step::run(&*session, &step.action, &url_of, &resolve, limit),
        )
        .await
        .unwrap_or(Err(StepError::step_timeout(limit)));
        if let Err(e) = result {
            return match e {
                e if matches!(e.kind(), ErrorKind::Page | ErrorKind::Input) => {
                    FormProbe::Broken(format!("{e} (at {})", step.origin))
                }
                e => failed(e),
            };
        }
    }
    let here = page(&session.current_url().await.unwrap_or_default());
    if fields.is_empty() {
        FormProbe::NotReached("it fills no field".into())
    } else {
        FormProbe::Holds {
            page: here,
            fields,
            stopped_before: None,
        }
    }
}

fn failed(e: StepError) -> FormProbe {
    match e {
        e if matches!(e.kind(), ErrorKind::Page | ErrorKind::Input) => {
            FormProbe::Broken(e.to_string())
        }
        e => FormProbe::Infra(e.to_string()),
    }
}

fn name(l: &LocatorDoc) -> String {
    let (s, v) = l.resolve();
    if s == "css selector" {
        v
    } else {
        format!("{s}={v}")
    }
}

/// Is the click target a link (`<a href>`) outside any form? Following it only navigates.
async fn is_plain_link(
    session: &dyn crate::driver::Session,
    target: &LocatorDoc,
    resolve: &(dyn Fn(&str) -> Result<String, StepError> + Sync),
) -> Result<bool, StepError> {
    let locator = browser_step::locator(target, resolve)?;
    if locator.strategy == "link text" || locator.strategy == "partial link text" {
        return Ok(true);
    }
    if locator.strategy != "css selector" && locator.strategy != "xpath" {
        return Ok(false);
    }
    const SCRIPT: &str = concat!(
        crate::driver::shadow::query_js!(),
        r#"
const [strategy, value] = arguments;
const el = strategy === "xpath"
  ? document.evaluate(value, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue
  : usherQuery(value);
if (!el) return "missing";
return el.closest("a[href]") && !el.closest("form") ? "link" : "other";"#
    );
    let answer = session
        .execute(
            SCRIPT,
            vec![
                serde_json::Value::String(locator.strategy.clone()),
                serde_json::Value::String(locator.value.clone()),
            ],
        )
        .await?;
    match answer.as_str() {
        Some("link") => Ok(true),
        Some("missing") => Err(PageError::NoElement {
            locator: locator.to_string(),
            waited: None,
        }
        .into()),
        _ => Ok(false),
    }
}
