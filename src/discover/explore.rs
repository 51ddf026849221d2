//! The exploration, in four isolated browsers: an anonymous visitor, the victim, the victim with a
//! wrong password, and the attacker. Each piece found is proved against the others before it is kept.

use super::login::{self, LoginPlan};
use super::page::{Sel, appears, count, scan};
use super::site::Site;
use super::{Account, Failure, fail};
use crate::driver::{BrowserCookie, Launcher, Session};
use crate::engine::browse::Scope;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;

/// Pages the crawl opens at most, and link hops from the page after login.
const MAX_PAGES: usize = 10;
const MAX_DEPTH: usize = 2;
/// How long an element may take to render before the oracle says "no" (the profile default).
const GRACE: Duration = Duration::from_millis(800);

#[derive(Debug, Clone)]
pub struct LogoutPlan {
    pub page: String,
    pub sel: Sel,
    /// What shows once logged out (a "log in" control), waited for by the flow.
    pub wait: Option<Sel>,
    pub evidence: String,
}

#[derive(Debug, Clone)]
pub struct ChangePlan {
    pub page: String,
    pub current: Sel,
    pub new: Sel,
    pub confirm: Option<Sel>,
    pub submit: Sel,
    pub evidence: String,
}

/// The request half of a password reset: the page a "forgot your password?" link leads to, its
/// e-mail (or username) field and its submit. Located, never submitted.
#[derive(Debug, Clone)]
pub struct ResetPlan {
    pub page: String,
    pub email: Sel,
    pub submit: Sel,
    pub evidence: String,
}

/// Follows the login page's "forgot your password?" link, anonymously, and locates the request form
/// there: one username or e-mail field, no password field, a submit, each selector matching one
/// element. Nothing is typed or submitted. `Err` says why there is none, for the table.
async fn find_reset(s: &dyn Session, site: &Site, plan: &LoginPlan) -> Result<ResetPlan, String> {
    let Some((from, link)) = &plan.reset_link else {
        return Err(format!(
            "no \"forgot your password?\" link on {}",
            plan.page
        ));
    };
    let Some(page) = site.relative_with_query(&link.href) else {
        return Err(format!(
            "the link {:?} on {from} leads outside the base URL",
            link.text
        ));
    };
    let located = async {
        site.open(s, &page).await?;
        let found = scan(s, "").await?;
        // One such form, or the one whose words say reset / send (a newsletter box beside it).
        let says = |w: &str| {
            let w = w.to_lowercase();
            [
                "reset",
                "send",
                "link",
                "forgot",
                "zurücksetzen",
                "senden",
                "réinitialiser",
                "envoyer",
            ]
            .iter()
            .any(|k| w.contains(k))
        };
        let form = match found.requests.len() {
            1 => found.requests.first(),
            _ => {
                let mut saying = found.requests.iter().filter(|r| says(&r.words));
                match (saying.next(), saying.next()) {
                    (Some(r), None) => Some(r),
                    _ => None,
                }
            }
        };
        let (Some(email), Some(submit)) = (
            form.and_then(|f| f.user.clone()).and_then(|e| e.sel),
            form.and_then(|f| f.submit.clone()),
        ) else {
            return Ok(None);
        };
        let Some(submit_sel) = submit.sel.clone() else {
            return Ok(None);
        };
        let unique = count(s, &email).await? == 1 && count(s, &submit_sel).await? == 1;
        Ok::<_, Failure>(unique.then_some((email, submit_sel, submit.text)))
    };
    match located.await {
        Ok(Some((email, submit, words))) => Ok(ResetPlan {
            evidence: format!(
                "{from}: the link {:?} leads to {page}: a form with the e-mail or username field ({}) and its submit ({}, {words:?}); located, not submitted",
                link.text, email.why, submit.why
            ),
            page,
            email,
            submit,
        }),
        Ok(None) => Err(format!(
            "{page} (behind {:?} on {from}) holds no form with one username or e-mail field and a submit",
            link.text
        )),
        Err(e) => Err(format!("{page}: {e}")),
    }
}

/// Everything found, with the evidence the profile's comments give.
pub struct Found {
    pub login: LoginPlan,
    /// What the login flow waits for: the identity element (else the oracle's).
    pub login_wait: Sel,
    pub protected: String,
    pub oracle: Sel,
    pub oracle_evidence: String,
    pub identity: Option<(Sel, String)>,
    pub logout: Option<LogoutPlan>,
    pub change: Option<ChangePlan>,
    /// The password reset request, or why there is none.
    pub reset: Result<ResetPlan, String>,
    pub browse: Vec<String>,
    pub browse_evidence: String,
    /// The negative controls passed, one line each.
    pub controls: Vec<String>,
    /// The victim's cookies after login (names and attributes are written; values never).
    pub cookies: Vec<BrowserCookie>,
}

struct Browsers {
    anon: Box<dyn Session>,
    victim: Box<dyn Session>,
    wrong: Box<dyn Session>,
    attacker: Box<dyn Session>,
}

pub async fn explore(
    launcher: &Launcher,
    site: &Site,
    start: &str,
    victim: &Account,
    attacker: &Account,
) -> Result<Found, Failure> {
    let b = Browsers {
        anon: launcher.new_session("discover-anonymous").await?,
        victim: launcher.new_session("discover-victim").await?,
        wrong: launcher.new_session("discover-wrong-password").await?,
        attacker: launcher.new_session("discover-attacker").await?,
    };
    // Pages are read once settled (forms a script builds late); a session that cannot watch
    // settling is read after a fixed wait instead.
    for s in [&b.anon, &b.victim, &b.wrong, &b.attacker] {
        let _ = s.watch_settling().await;
    }
    let result = run(&b, site, start, victim, attacker).await;
    for s in [&b.anon, &b.victim, &b.wrong, &b.attacker] {
        let _ = s.close().await;
    }
    result
}

async fn oracle_says(s: &dyn Session, site: &Site, page: &str, sel: &Sel) -> Result<bool, Failure> {
    // The server answers, not the browser's cache: as the engine's oracle does (src/engine/oracle.rs),
    // or an app with cacheable account pages looks logged in after logout.
    let bypass = s.set_cache_disabled(true).await.is_ok();
    let seen = match site.open(s, page).await {
        Ok(()) => appears(s, sel, GRACE).await.map_err(Failure::from),
        Err(e) => Err(e),
    };
    if bypass {
        let _ = s.set_cache_disabled(false).await;
    }
    seen
}

async fn texts(s: &dyn Session, sel: &Sel) -> Result<Vec<String>, Failure> {
    Ok(s.text_contents(&sel.locator())
        .await?
        .into_iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .collect())
}

async fn run(
    b: &Browsers,
    site: &Site,
    start: &str,
    victim: &Account,
    attacker: &Account,
) -> Result<Found, Failure> {
    let (anon, v, w, t) = (&*b.anon, &*b.victim, &*b.wrong, &*b.attacker);
    // 1. The login form, found anonymously; each selector must match one element on a second render
    // too (ids minted per render are refused).
    let plan = login::find(anon, site, start, &victim.username).await?;
    if plan.first.is_none() {
        site.open(anon, &plan.page).await?;
        if let Some(o) = &plan.opener {
            anon.click(&o.locator()).await?;
        }
        for sel in plan.user.iter().chain([&plan.pass, &plan.submit]) {
            // A form built by script may take a moment again.
            appears(anon, sel, GRACE * 4).await?;
            let n = count(anon, sel).await?;
            if n != 1 {
                return Err(fail(
                    "stable selectors",
                    format!(
                        "`{}` matched {n} elements when {} was loaded again",
                        sel.show(),
                        plan.page
                    ),
                ));
            }
        }
    }
    // 1b. The password reset's request form, behind the login page's "forgot" link; never submitted.
    let reset = find_reset(anon, site, &plan).await;
    let mut controls = Vec::new();

    // 2. The victim logs in; the page it lands on is where the identity is looked for.
    login::log_in(v, site, &plan, &victim.username, &victim.password).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let landed = scan(v, &victim.username).await?;
    let landing = site.relative(&landed.url).unwrap_or_else(|| "/".into());
    let cookies = v.cookies().await?;
    // A login form still there (on the page, in a frame or a shadow root) and nothing of the account.
    let login_still_shown =
        !landed.logins.is_empty() || !landed.framed.is_empty() || !landed.shadowed.is_empty();
    if landed.identity.is_empty() && landed.logouts.is_empty() && login_still_shown {
        return Err(fail(
            "victim login",
            format!(
                "after logging in as the victim, {landing} still shows a login form and nothing of the account: is {} right?",
                victim.var
            ),
        ));
    }

    // 3. The identity: an element whose whole text is the victim's username, selected by something
    // other than that text.
    let mut identity: Option<Sel> =
        landed
            .identity
            .iter()
            .filter_map(|e| e.sel.clone())
            .find(|s| {
                !s.show()
                    .to_ascii_lowercase()
                    .contains(&victim.username.to_ascii_lowercase())
            });
    // The protected page: where the victim lands, unless that is the login page itself.
    let mut pages = vec![landing.clone()];
    if landing != "/" {
        pages.push("/".into());
    }
    pages.retain(|p| *p != plan.page);
    if pages.is_empty() {
        pages.push("/".into());
    }
    let logout_here = landed
        .logouts
        .iter()
        .find(|l| l.element.sel.is_some())
        .cloned();
    let (oracle, oracle_evidence, protected) = {
        let mut chosen = None;
        for page in &pages {
            let sel = match (&identity, &logout_here) {
                (Some(i), _) => i.clone(),
                (None, Some(l)) => l.element.sel.clone().expect("filtered"),
                (None, None) => break,
            };
            if oracle_says(v, site, page, &sel).await?
                && !oracle_says(anon, site, page, &sel).await?
            {
                chosen = Some((sel, page.clone()));
                break;
            }
        }
        match chosen {
            Some((sel, page)) => {
                let why = if identity.is_some() {
                    format!(
                        "`{}` ({}) shows the victim's username on {page} after login, and is absent for an anonymous visitor",
                        sel.show(),
                        sel.why
                    )
                } else {
                    format!(
                        "no element shows the username alone; the logout control `{}` ({}) is on {page} after login and absent for an anonymous visitor",
                        sel.show(),
                        sel.why
                    )
                };
                (sel, why, page)
            }
            None => {
                return Err(fail(
                    "oracle",
                    format!(
                        "after login ({landing}) no element shows the username `{}` alone and no logout control tells the victim from an anonymous visitor",
                        victim.username
                    ),
                ));
            }
        }
    };
    controls.push(format!(
        "an anonymous visitor's {protected} has no `{}`",
        oracle.show()
    ));

    // 4. Negative control: one wrong password (never more: apps lock accounts after a few).
    let wrong = format!("{}-usher-wrong", victim.password);
    login::log_in(w, site, &plan, &victim.username, &wrong).await?;
    if oracle_says(w, site, &protected, &oracle).await? {
        return Err(fail(
            "wrong password",
            format!(
                "after logging in with a wrong password, {protected} still shows `{}`: a failed login cannot be told from a successful one",
                oracle.show()
            ),
        ));
    }
    controls.push(format!(
        "after a wrong password, {protected} has no `{}`",
        oracle.show()
    ));

    // 5. The attacker: logs in, and the identity shows the attacker, never the victim.
    login::log_in(t, site, &plan, &attacker.username, &attacker.password).await?;
    if !oracle_says(t, site, &protected, &oracle).await? {
        return Err(fail(
            "attacker login",
            format!(
                "after the attacker's login, {protected} has no `{}`: is {} right?",
                oracle.show(),
                attacker.var
            ),
        ));
    }
    let mut identity_evidence = String::new();
    if let Some(sel) = identity.clone() {
        let shown = texts(t, &sel).await?;
        let a = attacker.username.to_ascii_lowercase();
        let vn = victim.username.to_ascii_lowercase();
        if shown.contains(&vn) || !shown.contains(&a) {
            identity = None;
            identity_evidence = format!(
                "`{}` did not show the attacker's username on the attacker's {protected}: identity left out",
                sel.show()
            );
        } else {
            controls.push(format!("the attacker's {protected} shows the attacker's username in `{}`, not the victim's", sel.show()));
            identity_evidence = format!(
                "its text is the victim's username for the victim and the attacker's for the attacker ({})",
                sel.why
            );
        }
    }

    // 6. The crawl: GET links only, never a logout, delete or login link; it must stay logged in.
    let scope = Scope::new(&format!("{}/", site.base)).map_err(|e| fail("crawl", e.to_string()))?;
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<(String, usize)> = VecDeque::new();
    let first = site.url(&landing);
    seen.insert(first.clone());
    queue.push_back((first, 0));
    let mut browse = Vec::new();
    let mut changes = Vec::new();
    let mut logouts = Vec::new();
    let mut opened = 0;
    while let Some((url, depth)) = queue.pop_front() {
        if opened >= MAX_PAGES {
            break;
        }
        opened += 1;
        site.open(v, &url).await?;
        let page = scan(v, &victim.username).await?;
        let Some(path) = site.relative(&page.url) else {
            continue;
        };
        let shows_account = match &identity {
            Some(sel) => count(v, sel).await? > 0,
            None => count(v, &oracle).await? > 0,
        };
        if shows_account && !browse.contains(&path) {
            browse.push(path.clone());
        }
        for c in page.changes {
            changes.push((path.clone(), c));
        }
        for l in page.logouts {
            logouts.push((path.clone(), l));
        }
        if depth < MAX_DEPTH {
            for link in &page.links {
                if let Some(next) = scope.follow(link)
                    && seen.insert(next.clone())
                {
                    queue.push_back((next, depth + 1));
                }
            }
        }
    }
    if !oracle_says(v, site, &protected, &oracle).await? {
        return Err(fail(
            "crawl stays logged in",
            format!(
                "after opening {} page(s), the victim's {protected} no longer has `{}`",
                opened,
                oracle.show()
            ),
        ));
    }
    controls.push(format!(
        "after crawling {opened} page(s), the victim is still logged in"
    ));
    let browse_evidence = format!(
        "a crawl of {opened} page(s) from {landing} (GET links only, never a logout, delete or login link) found these showing the account"
    );

    // 7. The password change form: located, its fields checked, never submitted.
    let change = changes.into_iter().find_map(|(page, c)| {
        let current = c.current.and_then(|e| e.sel)?;
        let new = c.new.and_then(|e| e.sel)?;
        let submit = c.submit.and_then(|e| e.sel)?;
        let confirm = c.confirm.and_then(|e| e.sel);
        let evidence = format!(
            "{page}: a form with the current password ({}), the new one ({}){} and a submit ({}); located, not submitted",
            current.why,
            new.why,
            confirm.as_ref().map(|c| format!(", its confirmation ({})", c.why)).unwrap_or_default(),
            submit.why
        );
        Some(ChangePlan { page, current, new, confirm, submit, evidence })
    });

    // 8. Logout, last: it ends the victim's session. Proved with the oracle.
    let mut candidates: Vec<(String, super::page::Logout)> = Vec::new();
    if let Some(l) = logout_here {
        candidates.push((landing.clone(), l));
    }
    candidates.extend(logouts.into_iter().filter(|(_, l)| l.element.sel.is_some()));
    let logout = match candidates.into_iter().next() {
        None => None,
        Some((page, l)) => {
            let sel = l.element.sel.clone().expect("filtered");
            site.open(v, &page).await?;
            v.click(&sel.locator()).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let after = scan(v, "").await?;
            let wait = after.login_links.iter().find_map(|e| e.sel.clone());
            if oracle_says(v, site, &protected, &oracle).await? {
                return Err(fail(
                    "logout",
                    format!(
                        "after clicking `{}` on {page}, {protected} still has `{}`",
                        sel.show(),
                        oracle.show()
                    ),
                ));
            }
            controls.push(format!(
                "after logout, the victim's {protected} has no `{}`",
                oracle.show()
            ));
            let kind = if l.post {
                let csrf = if l.hidden.is_empty() {
                    String::new()
                } else {
                    format!(" with its hidden input(s) {}", l.hidden.join(", "))
                };
                format!("a POST form{csrf}")
            } else if l.element.tag == "a" {
                "a link".to_string()
            } else {
                "a control".to_string()
            };
            Some(LogoutPlan {
                evidence: format!(
                    "{page}: {kind} saying {:?} ({}); after it the oracle says logged out",
                    l.element.text, sel.why
                ),
                page,
                sel,
                wait,
            })
        }
    };

    let login_wait = identity.clone().unwrap_or_else(|| oracle.clone());
    Ok(Found {
        login: plan,
        login_wait,
        protected,
        oracle,
        oracle_evidence,
        identity: identity.map(|s| (s, identity_evidence)),
        logout,
        change,
        reset,
        browse,
        browse_evidence,
        controls,
        cookies,
    })
}
