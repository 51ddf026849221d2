//! Steps that only touch one persona's browser. Shared by ordinary steps and by `parallel`, where
//! several personas run a flow at once and no flow-wide state may be touched.

use super::step_error::{InputError, PageError, StepError, StepResult};
use crate::driver::{BrowserCookie, DriverError, Locator, Look, Session};
use crate::scenario::locator::LocatorDoc;
use crate::scenario::step::{Action, Area, Expect};
use std::time::Duration;
use tokio::time::{Instant, sleep};

pub fn locator(
    doc: &LocatorDoc,
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
) -> StepResult<Locator> {
    let (strategy, value) = doc.resolve();
    Ok(Locator {
        strategy,
        value: resolve(&value)?,
    })
}

/// How often conditions are polled while waiting.
const POLL: Duration = Duration::from_millis(100);

/// Whether an expectation holds right now.
pub async fn holds(
    session: &dyn Session,
    e: &Expect,
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
) -> StepResult<bool> {
    if let Some(el) = &e.element {
        return Ok(session.is_present(&locator(el, resolve)?).await?);
    }
    if let Some(text) = &e.text {
        return Ok(session.body_text().await?.contains(&resolve(text)?));
    }
    if let Some(url) = &e.url {
        return Ok(session.current_url().await?.contains(&resolve(url)?));
    }
    Err(StepError::input("empty expectation"))
}

/// How long a page must have been without a DOM change or pending work (src/driver/settle.rs) to
/// count as settled: a few frames, for frameworks that render in a task after their data arrived.
pub const QUIET: Duration = Duration::from_millis(100);
/// How often a page that has not settled is looked at again.
const SETTLE_POLL: Duration = Duration::from_millis(50);

/// A settled answer and the URL of the document it was given on.
pub struct Settled {
    pub holds: bool,
    pub url: Option<String>,
    /// Whether any look of this answer saw the expectation's `otherwise` (None: none was asked, or
    /// the page could not answer it).
    pub otherwise_seen: Option<bool>,
    /// The answer is "no" because `otherwise` was on a page with nothing pending, before the quiet
    /// window was over.
    pub by_otherwise: bool,
}

/// The CSS selector of an element expectation, when it is one the page can answer itself.
fn css_of(
    e: &Expect,
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
) -> StepResult<Option<String>> {
    match &e.element {
        Some(l) => match l.resolve() {
            (s, v) if s == "css selector" => Ok(Some(resolve(&v)?)),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// Whether the expectation holds on the current page, judged on the page as it settles: with
/// `early`, "yes" as soon as it holds, and "no" as soon as the expectation's `otherwise` is on a
/// loaded page with no work pending (the profile says only logged-out visitors get it: no quiet
/// window to wait out); either way "no" only once the page has settled without it
/// (or at `ceiling`). Work the page has had pending for half the ceiling or longer is taken for a
/// long-lived connection (a long-poll) and not waited for. Each poll is one synchronous look (the
/// element and how settled the page is, in one round trip), never a wait inside the page: a page
/// that replaces itself (a single-page app navigating) ends a look, not the answer. `None` when
/// the document is not watched (native app contexts, pages opened before the probe was
/// installed): the caller waits as it would without the signal.
pub async fn settled_holds(
    session: &dyn Session,
    e: &Expect,
    early: bool,
    ceiling: Duration,
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
) -> StepResult<Option<Settled>> {
    let css = css_of(e, resolve)?;
    let otherwise = match (&e.otherwise, early) {
        (Some(o), true) => Some(resolve(o)?),
        _ => None,
    };
    let mut otherwise_seen: Option<bool> = None;
    let long_lived = ceiling / 2;
    let deadline = Instant::now() + ceiling;
    loop {
        let look = match session.look(css.as_deref(), otherwise.as_deref()).await {
            Ok(l) => l,
            // The document is being replaced (a script navigated): look again.
            Err(DriverError::Session(m)) if navigating(&m) && Instant::now() < deadline => {
                sleep(SETTLE_POLL).await;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let Some(settle) = look.settle else {
            return Ok(None);
        };
        let now_holds = match look.present {
            Some(p) => p,
            None => holds(session, e, resolve).await?,
        };
        if let Some(seen) = look.other {
            otherwise_seen = Some(otherwise_seen.unwrap_or(false) || seen);
        }
        let answer = |holds, by_otherwise| {
            Ok(Some(Settled {
                holds,
                url: look.url.clone(),
                otherwise_seen,
                by_otherwise,
            }))
        };
        if now_holds && early {
            return answer(true, false);
        }
        let busy = !settle.complete || settle.pending.iter().any(|age| *age < long_lived);
        // What only logged-out visitors get, with no work left that could still bring the proof:
        // only the quiet window is skipped, never the work (a late render is fetched or timed).
        if look.other == Some(true) && !busy {
            return answer(false, true);
        }
        let now = Instant::now();
        if settle.is_settled(QUIET, long_lived) || now >= deadline {
            return answer(now_holds, false);
        }
        // Busy: look again soon. Merely not quiet long enough: look again when it would be, in
        // one look rather than several on the way (a change meanwhile restarts the window, and
        // that look sees it: the window is never shortened).
        let wait = if busy {
            SETTLE_POLL
        } else {
            QUIET
                .saturating_sub(settle.quiet)
                .max(Duration::from_millis(10))
        };
        sleep(wait.min(deadline - now)).await;
    }
}

fn navigating(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("unloaded") || m.contains("execution context") || m.contains("detached")
}

/// Polls until the expectation holds (or, with `want = false`, stops holding), bounded by `limit`.
pub async fn wait_until(
    session: &dyn Session,
    e: &Expect,
    want: bool,
    limit: Duration,
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
) -> StepResult<bool> {
    let deadline = Instant::now() + limit;
    // An element by CSS on a watched page: one synchronous look per poll, at the settle probe's
    // pace (a look is as cheap as FindElements, and answers sooner after the element appears).
    if want && let Some(css) = css_of(e, resolve)? {
        loop {
            match session.look(Some(&css), None).await {
                Ok(Look {
                    present: Some(present),
                    settle: Some(_),
                    ..
                }) => {
                    if present {
                        return Ok(true);
                    }
                    if Instant::now() + SETTLE_POLL > deadline {
                        return Ok(false);
                    }
                    sleep(SETTLE_POLL).await;
                }
                // Not watched, or not a selector the page takes: looked for from here.
                Ok(_) => break,
                Err(DriverError::Session(m)) if navigating(&m) && Instant::now() < deadline => {
                    sleep(SETTLE_POLL).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    loop {
        if holds(session, e, resolve).await? == want {
            return Ok(true);
        }
        if Instant::now() + POLL > deadline {
            return Ok(false);
        }
        sleep(POLL).await;
    }
}

/// Runs a browser-only action. Returns a value to save when the action has `save_as`.
pub async fn run(
    session: &dyn Session,
    action: &Action,
    url_of: &(dyn Fn(&str) -> StepResult<String> + Sync),
    resolve: &(dyn Fn(&str) -> StepResult<String> + Sync),
    limit: Duration,
) -> StepResult<Option<(String, String)>> {
    // Elements are waited for (bounded by the step's limit) before they are used: pages render late.
    // The action looks for its element itself, so when it is there (the usual case) waiting costs
    // no round trip of its own; when it is not, it is looked for again until the limit.
    let target = match action {
        Action::Click(l) | Action::Submit(l) => Some(l),
        Action::Fill(f) => Some(&f.field),
        Action::Select(s) => Some(&s.field),
        _ => None,
    };
    if let Some(l) = target {
        let loc = locator(l, resolve)?;
        let deadline = Instant::now() + limit;
        loop {
            let done = match action {
                Action::Click(_) => session.click(&loc).await,
                Action::Submit(_) => session.submit(&loc).await,
                Action::Fill(f) => session.fill(&loc, &resolve(&f.value)?).await,
                Action::Select(s) => session.select(&loc, &resolve(&s.option)?).await,
                _ => unreachable!("only actions on an element have a target"),
            };
            match done {
                // Only the element itself missing is waited out (not, say, a missing option).
                Err(DriverError::NotFound(what)) if what == loc.to_string() => {
                    if Instant::now() + POLL > deadline {
                        let (s, v) = l.resolve();
                        return Err(PageError::NoElement {
                            locator: format!("{s} `{v}`"),
                            waited: Some(limit),
                        }
                        .into());
                    }
                    sleep(POLL).await;
                }
                other => {
                    other?;
                    return Ok(None);
                }
            }
        }
    }
    match action {
        Action::Open(target) => session.goto(&url_of(&resolve(target)?)?).await?,
        Action::WaitFor(e) => {
            if !wait_until(session, e, true, limit, resolve).await? {
                return Err(PageError::Unseen {
                    expected: e.describe(),
                    waited: Some(limit),
                }
                .into());
            }
        }
        Action::See(e) => {
            // A short grace period: the page may still be settling after the previous step.
            if !wait_until(session, e, true, limit.min(Duration::from_secs(2)), resolve).await? {
                return Err(PageError::Unseen {
                    expected: e.describe(),
                    waited: None,
                }
                .into());
            }
        }
        Action::NotSee(e) => {
            // Judged on the settled page (a late render must not slip past), bounded like `see`.
            let grace = limit.min(Duration::from_secs(2));
            let seen = match settled_holds(session, e, false, grace, resolve).await? {
                Some(settled) => settled.holds,
                None => holds(session, e, resolve).await?,
            };
            if seen {
                return Err(PageError::Seen {
                    expected: e.describe(),
                }
                .into());
            }
        }
        Action::GetCookie(g) => {
            let name = resolve(&g.name)?;
            let cookies = session.cookies().await?;
            let Some(c) = cookies.into_iter().find(|c| c.name == name) else {
                return Err(PageError::NoCookie { name }.into());
            };
            return Ok(Some((g.save_as.clone(), c.value)));
        }
        Action::SetCookie(s) => {
            let cookie = BrowserCookie {
                name: resolve(&s.name)?,
                value: resolve(&s.value)?,
                path: Some(match &s.path {
                    Some(p) => resolve(p)?,
                    None => "/".into(),
                }),
                domain: s.domain.as_deref().map(resolve).transpose()?,
                ..Default::default()
            };
            session.add_cookie(&cookie).await?
        }
        Action::DeleteCookie(n) => session.delete_cookie(&resolve(n)?).await?,
        Action::ClearCookies => session.delete_all_cookies().await?,
        Action::GetStorage(g) => {
            let v = session
                .execute(
                    &format!("return window.{}.getItem(arguments[0]);", storage(g.area)),
                    vec![resolve(&g.key)?.into()],
                )
                .await?;
            let Some(text) = v.as_str() else {
                return Err(PageError::NoStorageKey {
                    area: storage(g.area),
                    key: g.key.clone(),
                }
                .into());
            };
            return Ok(Some((g.save_as.clone(), text.to_string())));
        }
        Action::SetStorage(s) => {
            session
                .execute(
                    &format!(
                        "window.{}.setItem(arguments[0], arguments[1]);",
                        storage(s.area)
                    ),
                    vec![resolve(&s.key)?.into(), resolve(&s.value)?.into()],
                )
                .await?;
        }
        Action::ClearStorage(area) => {
            let script = match area {
                Area::Local => "window.localStorage.clear();",
                Area::Session => "window.sessionStorage.clear();",
                Area::Both => "window.localStorage.clear(); window.sessionStorage.clear();",
            };
            session.execute(script, vec![]).await?;
        }
        Action::Eval(e) => {
            let v = session.execute(&resolve(&e.script)?, vec![]).await?;
            if let Some(name) = &e.save_as {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                return Ok(Some((name.clone(), text)));
            }
        }
        Action::Back => session.back().await?,
        Action::Refresh => session.refresh().await?,
        Action::Context(name) => switch_context(session, &resolve(name)?, limit).await?,
        other => {
            return Err(InputError::NotInParallel {
                keyword: other.keyword(),
            }
            .into());
        }
    }
    Ok(None)
}

/// A WebView's context appears only once the app has created it, so it is polled for.
async fn switch_context(session: &dyn Session, name: &str, limit: Duration) -> StepResult<()> {
    let deadline = Instant::now() + limit;
    loop {
        match session.switch_context(name).await? {
            Some(_) => return Ok(()),
            None if Instant::now() + POLL > deadline => {
                let known = session.contexts().await?.join(", ");
                return Err(PageError::NoContext {
                    name: name.to_string(),
                    waited: limit,
                    known,
                }
                .into());
            }
            None => sleep(POLL).await,
        }
    }
}

fn storage(area: Area) -> &'static str {
    match area {
        Area::Session => "sessionStorage",
        _ => "localStorage",
    }
}
