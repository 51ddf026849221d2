//! The sampling loop. Each sample: the login page fetched for fresh hidden inputs, the login sent, the
//! token taken from the cookies the app set, the session proven authenticated (a failed login's token
//! is never counted), then logged out. The first `in_order` samples run one at a time so their tokens
//! are in the order the app issued them (what generator prediction needs); the rest run `concurrency`
//! at a time, each a fresh visitor with its own cookie jar.
//!
//! The ordered samples share one jar, as one browser logging in and out again would: the anonymous
//! session a logout leaves is the one the next login page is fetched under. A fresh jar per sample
//! would have the app draw one more id for that page, so two ids nobody sees would lie between two
//! sampled tokens, and a Mersenne Twister can be followed across one unseen id, not two.
//!
//! The account is never put at risk: a login that does not yield an authenticated session is retried
//! once, and a second in a row ends the sampling, as does a 423 (locked) answer; 429 answers are
//! waited out within bounds (see `throttle.rs`).

use super::exchange::{Exchange, HttpError, Landed, cookie_url};
use super::form::{encode, hidden_inputs, matching_form, refresh};
use super::recipe::{LoginRecipe, LogoutRecipe};
use super::throttle::{Backoff, Throttle};
use crate::analysis::now_ms;
use cookie_store::CookieStore;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::time::Duration;

/// How many tokens to sample and how.
#[derive(Debug, Clone)]
pub struct Plan {
    pub wanted: usize,
    /// The first samples taken one at a time, in issue order.
    pub in_order: usize,
    /// Samples in flight at once after those.
    pub concurrency: usize,
    /// Bound on each request.
    pub limit: Duration,
    pub backoff: Backoff,
}

/// What sampling collected.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// Tokens in the order they were taken: the first `in_order` in issue order.
    pub tokens: Vec<String>,
    pub in_order: usize,
    /// Unix milliseconds when the first login was sent and the last sample ended.
    pub window_ms: (u64, u64),
    /// Samples in flight at once at the end (one after a login that failed under concurrency).
    pub concurrency: usize,
    /// Samples whose logout the app accepted (status below 400).
    pub logged_out: usize,
    /// Whether the first sample's session stopped working after its logout (None: not logged out).
    pub logout_ends_session: Option<bool>,
    /// 429 answers waited out, and the time spent waiting.
    pub throttled: usize,
    pub waited: Duration,
    /// Logins retried because they yielded no authenticated session.
    pub retried: usize,
}

/// Why sampling ended without its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The very first replayed login yielded no authenticated session: the login does not replay
    /// over HTTP (tokens made in page script, a login that needs JavaScript). Sample otherwise.
    NotReplayable(String),
    /// The app began refusing logins (locked, throttled past the bounds, or no longer
    /// authenticating) after `after` samples.
    Refused { after: usize, why: String },
    /// Requests failed (connection, timeout) twice in a row.
    Failed { after: usize, why: String },
}

/// One sample's end.
enum Attempt {
    Token {
        value: String,
        logged_out: bool,
        logout_ends_session: Option<bool>,
    },
    Throttled(Option<String>),
    Locked(String),
    /// No authenticated session came of the login.
    NotAuthenticated(String),
    Broken(String),
}

/// Samples `plan.wanted` tokens by replaying `recipe` with `client` (a client that follows no
/// redirects: the exchange follows them itself, cookies at every hop).
pub async fn sample(
    client: &reqwest::Client,
    recipe: &LoginRecipe,
    plan: &Plan,
) -> Result<Sampled, Stopped> {
    let mut run = Run {
        tokens: Vec::with_capacity(plan.wanted),
        throttle: Throttle::new(plan.backoff.clone()),
        failed_in_a_row: 0,
        broken_in_a_row: 0,
        retried: 0,
        logged_out: 0,
        logout_ends_session: None,
        concurrency: plan.concurrency.max(1),
    };
    let start = now_ms();
    let in_order = plan.in_order.min(plan.wanted);
    let mut jar = CookieStore::new();
    while run.tokens.len() < in_order {
        run.throttle.pace().await;
        let check = run.tokens.is_empty() && run.logout_ends_session.is_none();
        let a = one(client, recipe, plan.limit, check, &mut jar).await;
        // Only an anonymous session is carried over: after anything but a sample logged out, the
        // next starts as a fresh visitor.
        if !matches!(
            a,
            Attempt::Token {
                logged_out: true,
                ..
            }
        ) {
            jar = CookieStore::new();
        }
        run.take(a)?;
    }
    let mut flying = FuturesUnordered::new();
    let mut stop = None;
    while stop.is_none() && (run.tokens.len() < plan.wanted || !flying.is_empty()) {
        while stop.is_none()
            && flying.len() < run.concurrency
            && run.tokens.len() + flying.len() < plan.wanted
        {
            run.throttle.pace().await;
            flying.push(async {
                let mut jar = CookieStore::new();
                one(client, recipe, plan.limit, false, &mut jar).await
            });
        }
        let Some(a) = flying.next().await else {
            continue;
        };
        if let Err(s) = run.take(a) {
            stop = Some(s);
        }
    }
    if let Some(s) = stop {
        // The samples still in flight log themselves out; wait for them rather than leave sessions.
        while flying.next().await.is_some() {}
        return Err(s);
    }
    run.tokens.truncate(plan.wanted);
    Ok(Sampled {
        in_order,
        window_ms: (start, now_ms()),
        concurrency: run.concurrency,
        logged_out: run.logged_out,
        logout_ends_session: run.logout_ends_session,
        throttled: run.throttle.answers,
        waited: run.throttle.waited,
        retried: run.retried,
        tokens: run.tokens,
    })
}

struct Run {
    tokens: Vec<String>,
    throttle: Throttle,
    failed_in_a_row: usize,
    broken_in_a_row: usize,
    retried: usize,
    logged_out: usize,
    logout_ends_session: Option<bool>,
    concurrency: usize,
}

impl Run {
    fn take(&mut self, a: Attempt) -> Result<(), Stopped> {
        let after = self.tokens.len();
        let refused = |why: String| Stopped::Refused { after, why };
        match a {
            Attempt::Token {
                value,
                logged_out,
                logout_ends_session,
            } => {
                self.tokens.push(value);
                self.logged_out += usize::from(logged_out);
                if logout_ends_session.is_some() {
                    self.logout_ends_session = logout_ends_session;
                }
                self.failed_in_a_row = 0;
                self.broken_in_a_row = 0;
                self.throttle.sampled();
                Ok(())
            }
            Attempt::Throttled(retry_after) => self
                .throttle
                .throttled(retry_after.as_deref())
                .map_err(refused),
            Attempt::Locked(why) => Err(refused(why)),
            Attempt::NotAuthenticated(why) if after == 0 && self.retried == 0 => {
                Err(Stopped::NotReplayable(why))
            }
            Attempt::NotAuthenticated(why) => {
                self.failed_in_a_row += 1;
                if self.failed_in_a_row >= 2 {
                    return Err(refused(format!(
                        "two logins in a row yielded no authenticated session (the last: {why})"
                    )));
                }
                // Concurrent logins may be what the app refused (a session cap lower than the
                // policy's that evicts the oldest): the retry and the rest go one at a time.
                self.retried += 1;
                self.concurrency = 1;
                Ok(())
            }
            Attempt::Broken(why) => {
                self.broken_in_a_row += 1;
                if self.broken_in_a_row >= 2 {
                    return Err(Stopped::Failed { after, why });
                }
                Ok(())
            }
        }
    }
}

/// What an answer says about the login, before anything else: throttled or locked.
fn pushed_back(l: &Landed) -> Option<Attempt> {
    match l.status {
        429 => Some(Attempt::Throttled(
            l.header("retry-after").map(str::to_string),
        )),
        423 => Some(Attempt::Locked(format!(
            "{} answered 423 Locked: the account is locked",
            l.url.path()
        ))),
        _ => None,
    }
}

fn broken(e: HttpError) -> Attempt {
    Attempt::Broken(e.to_string())
}

/// One sample: login page, login, proof, logout. `check_logout` also asks, once, whether the
/// session still works after its logout.
async fn one(
    client: &reqwest::Client,
    recipe: &LoginRecipe,
    limit: Duration,
    check_logout: bool,
    jar: &mut CookieStore,
) -> Attempt {
    let mut ex = Exchange {
        client,
        jar,
        ua: &recipe.user_agent,
        limit,
        same_origin: true,
    };
    let page = match ex
        .send(reqwest::Method::GET, recipe.page.clone(), None, None)
        .await
    {
        Ok(p) => p,
        Err(e) => return broken(e),
    };
    if let Some(a) = pushed_back(&page) {
        return a;
    }
    let (action, fresh) = own_form(&page, &recipe.action);
    let mut fields = recipe.fields.clone();
    refresh(&mut fields, &recipe.hidden, &fresh);
    let referer = page.url.to_string();
    let landed = if recipe.method == reqwest::Method::GET {
        let mut url = action;
        url.query_pairs_mut().clear().extend_pairs(&fields);
        ex.send(reqwest::Method::GET, url, None, Some(&referer))
            .await
    } else {
        let body = encode(&recipe.enctype, &fields);
        ex.send(recipe.method.clone(), action, Some(body), Some(&referer))
            .await
    };
    let landed = match landed {
        Ok(l) => l,
        Err(e) => return broken(e),
    };
    if let Some(a) = pushed_back(&landed) {
        return a;
    }
    let proof = &recipe.proof;
    let shown = if proof.is_its_page(&landed.url) {
        landed
    } else {
        match ex
            .send(reqwest::Method::GET, proof.url.clone(), None, None)
            .await
        {
            Ok(p) => p,
            Err(e) => return broken(e),
        }
    };
    if let Some(a) = pushed_back(&shown) {
        return a;
    }
    if let Err(why) = proof.judge(&shown.url, shown.status, &shown.body) {
        return Attempt::NotAuthenticated(why);
    }
    // The cookies the oracle's page was sent: with several of a name (paths), the one the app reads.
    let at = cookie_url(&proof.url);
    let value: String = recipe
        .token_cookies
        .iter()
        .filter_map(|n| {
            ex.jar
                .get_request_values(&at)
                .find(|(name, _)| name == n)
                .map(|(_, v)| v.to_string())
        })
        .collect();
    if value.is_empty() {
        return Attempt::NotAuthenticated(format!(
            "the logged-in session holds no cookie named {}",
            recipe.token_cookies.join(" | ")
        ));
    }
    let Some(logout) = &recipe.logout else {
        return Attempt::Token {
            value,
            logged_out: false,
            logout_ends_session: None,
        };
    };
    let before = check_logout.then(|| ex.jar.clone());
    let logged_out = match log_out(&mut ex, logout, &shown).await {
        Ok(status) => status < 400,
        Err(e) => return broken(e),
    };
    let logout_ends_session = match before {
        Some(mut old) => {
            let mut again = Exchange {
                client,
                jar: &mut old,
                ua: &recipe.user_agent,
                limit,
                same_origin: true,
            };
            match again
                .send(reqwest::Method::GET, proof.url.clone(), None, None)
                .await
            {
                Ok(p) => Some(proof.judge(&p.url, p.status, &p.body).is_err()),
                Err(e) => return broken(e),
            }
        }
        None => None,
    };
    Attempt::Token {
        value,
        logged_out,
        logout_ends_session,
    }
}

/// The page's own form for `action` (its action as this page writes it, its hidden inputs), else the
/// learned action with the page's hidden inputs of those names.
fn own_form(
    page: &Landed,
    action: &url::Url,
) -> (url::Url, std::collections::HashMap<String, String>) {
    matching_form(&page.body, &page.url, action)
        .unwrap_or_else(|| (action.clone(), hidden_inputs(&page.body, &page.url, action)))
}

/// Sends the logout; its hidden inputs come from `shown` when it holds the logout form, else from the
/// logout's own page fetched under the sample's session. Returns the final status.
async fn log_out(
    ex: &mut Exchange<'_>,
    logout: &LogoutRecipe,
    shown: &Landed,
) -> Result<u16, HttpError> {
    match logout {
        LogoutRecipe::Get { url } => Ok(ex
            .send(
                reqwest::Method::GET,
                url.clone(),
                None,
                Some(shown.url.as_str()),
            )
            .await?
            .status),
        LogoutRecipe::Form {
            page,
            method,
            action,
            enctype,
            fields,
            hidden,
        } => {
            let fetched;
            let holder = if matching_form(&shown.body, &shown.url, action).is_some() {
                shown
            } else {
                fetched = ex
                    .send(reqwest::Method::GET, page.clone(), None, None)
                    .await?;
                &fetched
            };
            let (action, fresh) = own_form(holder, action);
            let mut fields = fields.clone();
            refresh(&mut fields, hidden, &fresh);
            let referer = holder.url.to_string();
            let landed = if *method == reqwest::Method::GET {
                let mut url = action;
                url.query_pairs_mut().clear().extend_pairs(&fields);
                ex.send(reqwest::Method::GET, url, None, Some(&referer))
                    .await?
            } else {
                ex.send(
                    method.clone(),
                    action,
                    Some(encode(enctype, &fields)),
                    Some(&referer),
                )
                .await?
            };
            Ok(landed.status)
        }
    }
}
