//! Finding the login form (on the page given, behind a "log in" link or control, in two steps) and
//! logging in with it the way the written `login` flow will.

use super::page::{Scan, Sel, appears, scan, scan_in, settle};
use super::site::Site;
use super::{Failure, fail};
use crate::driver::Session;
use std::time::Duration;

/// How to log in, as found.
#[derive(Debug, Clone)]
pub struct LoginPlan {
    /// The page to open, relative to the base URL.
    pub page: String,
    /// A control clicked on that page to show the form (a modal, a collapsed box).
    pub opener: Option<Sel>,
    /// Two-step logins: the username field and the control that leads to the password page.
    pub first: Option<(Sel, Sel)>,
    /// The username field (one-step logins).
    pub user: Option<Sel>,
    pub pass: Sel,
    pub submit: Sel,
    /// A "forgot your password?" link on the login page: (that page, the link).
    pub reset_link: Option<(String, super::page::Element)>,
    /// Said in the profile's comment.
    pub evidence: Vec<String>,
}

const REVEAL: Duration = Duration::from_secs(5);

fn need(e: &Option<super::page::Element>, what: &str) -> Result<Sel, Failure> {
    e.as_ref().and_then(|e| e.sel.clone()).ok_or_else(|| {
        fail(
            "login form",
            format!("the {what} has no selector that matches it alone (no id, name, label or ARIA label)"),
        )
    })
}

/// Finds the login form from `start`, following at most two "log in" links or controls.
pub async fn find(
    s: &dyn Session,
    site: &Site,
    start: &str,
    username: &str,
) -> Result<LoginPlan, Failure> {
    site.open(s, start).await?;
    let mut evidence = Vec::new();
    let mut opener: Option<Sel> = None;
    // A frame's page is known by its whole URL (its query says "embedded"); other pages by their path.
    let mut framed = false;
    let mut shadowed: Option<String> = None;
    for hop in 0..3 {
        // Script-rendered forms arrive after the load event: `scan` reads the page once it has
        // settled; where settling is not watched, a second read a moment later.
        let mut page = scan(s, "").await?;
        if page.logins.is_empty() && page.first_step.is_none() && !settle(s).await? {
            tokio::time::sleep(Duration::from_millis(600)).await;
            page = scan(s, "").await?;
        }
        // A login form inside open shadow roots (a web component): read each root down the path of
        // hosts, whose selectors then reach in with `>>>`.
        let mut hosts = Vec::new();
        while page.logins.is_empty() && page.first_step.is_none() && hosts.len() < 3 {
            let Some(host) = page.shadowed.first().and_then(|h| h.sel.clone()) else {
                break;
            };
            let Some(path) = host.css.clone() else { break };
            let inner = scan_in(s, "", &path).await?;
            hosts.push((path, page.shadowed[0].tag.clone()));
            if inner.logins.is_empty() && inner.shadowed.is_empty() {
                break;
            }
            let links = if inner.reset_links.is_empty() {
                page.reset_links
            } else {
                inner.reset_links.clone()
            };
            page = Scan {
                url: page.url,
                reset_links: links,
                ..inner
            };
        }
        if let (Some((path, tag)), false) = (hosts.last(), page.logins.is_empty()) {
            evidence.push(format!(
                "the login form is inside the open shadow root of <{tag}> (`{path}`); its selectors reach in with `>>>`"
            ));
        }
        let here = if framed {
            site.relative_with_query(&page.url)
        } else {
            site.relative(&page.url)
        };
        let here = here.ok_or_else(|| {
            fail(
                "login page",
                format!(
                    "the login page {} is outside the base URL {}",
                    page.url, site.base
                ),
            )
        })?;
        if let Some(form) = page.logins.first() {
            let user = need(&form.user, "username field")?;
            let pass = need(&form.pass, "password field")?;
            let submit = need(&form.submit, "submit control")?;
            evidence.push(format!(
                "{here}: a {} with a password field ({}), the username field before it ({}) and its submit control ({}, {:?})",
                if form.form { "form" } else { "box of controls outside any <form>" },
                pass.why,
                user.why,
                submit.why,
                form.submit.as_ref().map(|e| e.text.clone()).unwrap_or_default()
            ));
            return Ok(LoginPlan {
                page: here.clone(),
                opener,
                first: None,
                user: Some(user),
                pass,
                submit,
                reset_link: page.reset_links.first().map(|l| (here.clone(), l.clone())),
                evidence,
            });
        }
        if let Some(first) = &page.first_step {
            let user = need(&first.user, "username field")?;
            let next = need(&first.submit, "control after the username")?;
            s.fill(&user.locator(), username).await?;
            s.click(&next.locator()).await?;
            let later = scan(s, "").await?;
            let second = later.logins.first().cloned();
            let pass = match second
                .as_ref()
                .and_then(|f| f.pass.clone())
                .and_then(|e| e.sel)
            {
                Some(p) if appears(s, &p, REVEAL).await? => p,
                _ => {
                    return Err(fail(
                        "login form",
                        format!(
                            "{here}: a username field without a password field, and no password field after its submit"
                        ),
                    ));
                }
            };
            let submit = need(
                &second.as_ref().and_then(|f| f.submit.clone()),
                "submit control of the password step",
            )?;
            evidence.push(format!(
                "{here}: a two-step login: the username field ({}) and its control ({}), then a password field ({}) and submit ({})",
                user.why, next.why, pass.why, submit.why
            ));
            return Ok(LoginPlan {
                page: here.clone(),
                opener,
                first: Some((user, next)),
                user: None,
                pass,
                submit,
                reset_link: page.reset_links.first().map(|l| (here.clone(), l.clone())),
                evidence,
            });
        }
        // A login form in a same-origin frame: its page, opened by itself, is the login page.
        if let Some(frame) = page.framed.first() {
            let Some(inner) = site.relative_with_query(frame) else {
                return Err(fail(
                    "login page",
                    format!(
                        "{here}: the login form is in a frame at {frame}, outside the base URL {}",
                        site.base
                    ),
                ));
            };
            evidence.push(format!(
                "{here}: the login form is in a same-origin frame; its page {inner} is opened by itself"
            ));
            site.open(s, &inner).await?;
            framed = true;
            opener = None;
            continue;
        }
        if let Some(host) = page.shadowed.first() {
            shadowed.get_or_insert_with(|| {
                let at = host
                    .sel
                    .as_ref()
                    .map(|s| format!(" `{}`", s.show()))
                    .unwrap_or_default();
                format!(
                    "{here}: a password field inside the open shadow root of <{}>{at}",
                    host.tag
                )
            });
        }
        let Some(link) = page.login_links.iter().find(|l| l.sel.is_some()) else {
            break;
        };
        let sel = link.sel.clone().expect("filtered");
        evidence.push(format!(
            "{here}: followed the control {:?} ({})",
            link.text, sel.why
        ));
        s.click(&sel.locator()).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = s.current_url().await?;
        if site.relative(&now).as_deref() == Some(here.as_str()) && hop == 0 {
            // The page did not change: the control shows the form in place (a modal).
            opener = Some(sel);
        } else {
            opener = None;
        }
    }
    if let Some(seen) = shadowed {
        return Err(fail(
            "login form",
            format!(
                "{seen}, but no login form in it has selectors that match its fields alone (inside a shadow root only CSS reaches, through `>>>`)"
            ),
        ));
    }
    Err(fail(
        "login form",
        format!(
            "no password field on {start}, nor behind a \"log in\" / \"sign in\" link or control"
        ),
    ))
}

/// Logs in as the written flow will; the caller judges the outcome with the oracle.
pub async fn log_in(
    s: &dyn Session,
    site: &Site,
    plan: &LoginPlan,
    user: &str,
    pass: &str,
) -> Result<(), Failure> {
    site.open(s, &plan.page).await?;
    if let Some(o) = &plan.opener {
        s.click(&o.locator()).await?;
    }
    match &plan.first {
        Some((u, next)) => {
            s.fill(&u.locator(), user).await?;
            s.click(&next.locator()).await?;
            if !appears(s, &plan.pass, REVEAL).await? {
                return Err(fail(
                    "login form",
                    "the password step did not appear after the username step".into(),
                ));
            }
        }
        None => {
            if let Some(u) = &plan.user {
                if !appears(s, u, REVEAL).await? {
                    return Err(fail(
                        "login form",
                        "the username field did not appear".into(),
                    ));
                }
                s.fill(&u.locator(), user).await?;
            }
        }
    }
    s.fill(&plan.pass.locator(), pass).await?;
    s.click(&plan.submit.locator()).await?;
    Ok(())
}
