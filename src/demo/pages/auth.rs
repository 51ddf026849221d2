//! Signup, login and logout: the moments a session changes hands.

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::demo::accounts::{MIN_PASSWORD_LEN, UserId};
use crate::demo::flaws::Flaw;
use crate::demo::form::FormData;
use crate::demo::html::{self, attr, csrf_field, text};
use crate::demo::id_generator::Owner;
use crate::demo::login_guard::{Gate, RETRY_AFTER_SECS};
use crate::demo::shapes::Shape;
use crate::demo::state::{AppState, Store};
use crate::demo::visit::{SessionChange, Visit, with_change, with_token};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Echoed on the login page under `echo-param`, ignored otherwise.
    email: Option<String>,
}

fn login_page(
    app: &AppState,
    visit: &Visit,
    next: Option<&str>,
    error: Option<&str>,
    email: &str,
    echoed: Option<&str>,
) -> String {
    // Text that came from the URL, as real login pages greet "Welcome back, NAME": it must never
    // make an anonymous page look like the user's.
    let echoed = echoed
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            format!(
                r#"<p id="login-echo">Welcome back, {}! Log in to continue.</p>
"#,
                text(e)
            )
        })
        .unwrap_or_default();
    let error = html::error_note("login-error", error);
    let next_field = html::local_path(next)
        .map(|n| format!(r#"<input type="hidden" name="next" value="{}">"#, attr(&n)))
        .unwrap_or_default();
    let already = visit
        .user
        .as_ref()
        .map(|u| {
            format!(
                r#"<p class="muted" id="already-logged-in">You are logged in as {}.</p>"#,
                text(&u.email)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Log in</h1>
{already}{echoed}<div class="card">
{error}<form id="login-form" method="post" action="{action}">
{csrf}{next_field}
<label for="email">Email</label>
<input type="email" id="email" name="email" value="{email}" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div><button id="login-submit" type="submit">Log in</button></div>
</form>
<p><a id="forgot-password" href="{reset}">Forgot your password?</a> · <a href="{signup}">Create an account</a></p>
</div>"#,
        email = attr(email),
        action = attr(&visit.url("/login")),
        csrf = csrf_field(app, visit),
        reset = attr(&visit.url("/reset")),
        signup = attr(&visit.url("/signup")),
    );
    html::page(app, visit, "Log in", &body)
}

pub async fn login_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<NextQuery>,
) -> Response {
    if visit.is_logged_in() && app.config.has(Shape::LoginRedirectsAuthenticated) {
        return html::see_other(&visit.href("/account"));
    }
    let echoed = query
        .email
        .as_deref()
        .filter(|_| app.config.has(Shape::EchoParam));
    html::ok(login_page(
        &app,
        &visit,
        query.next.as_deref(),
        None,
        echoed.unwrap_or(""),
        echoed,
    ))
}

/// Binds `user` to a session for this visit: normally a fresh id with the pre-login one destroyed;
/// under the fixation flaw the id the browser presented is kept; under fixation-authenticated-only,
/// a live authenticated id (anyone's) is kept and rebound, while unknown and anonymous ids are not.
fn establish(app: &AppState, store: &mut Store, visit: &Visit, user: UserId) -> String {
    let config = &app.config;
    let keep = if config.flaws.contains(Flaw::Fixation) {
        visit.presented.clone().or_else(|| visit.session_id.clone())
    } else if config.flaws.contains(Flaw::FixationAuthenticatedOnly) && visit.is_logged_in() {
        visit.session_id.clone()
    } else {
        None
    };
    let email = store
        .users
        .get(user)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    store.sessions.log_in(
        visit.session_id.as_deref(),
        keep.as_deref(),
        Owner {
            id: user,
            email: &email,
        },
        &visit.user_agent,
        Instant::now(),
        config,
    )
}

/// After login: to `next` if local, else the account page, with the token only under token-in-url.
fn redirect_after_login(app: &AppState, id: String, next: Option<&str>) -> Response {
    let target = html::local_path(next).unwrap_or_else(|| app.config.path("/account"));
    let token = app
        .config
        .flaws
        .contains(Flaw::TokenInUrl)
        .then_some(id.as_str());
    let location = with_token(&target, token);
    with_change(SessionChange::Authenticated(id), html::see_other(&location))
}

pub async fn login(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<NextQuery>,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let email = form.value("email").trim();
    let next = form.get("next").or(query.next.as_deref());
    let (gate, session) = {
        let mut store = app.store();
        let now = Instant::now();
        let config = &app.config;
        let account = store.users.find_by_email(email).map(|u| u.id);
        if config.has(Shape::ThrottledLogin) && !store.login_guard.admit(now) {
            (Gate::Throttled, None)
        } else if config.has(Shape::Lockout)
            && account.is_some_and(|id| store.login_guard.is_locked(id, now))
        {
            (Gate::Locked, None)
        } else {
            match store.users.authenticate(email, form.value("password")) {
                Some(user) => {
                    store.login_guard.succeeded(user);
                    (Gate::Open, Some(establish(&app, &mut store, &visit, user)))
                }
                None => {
                    let lock_for = config.has(Shape::Lockout).then_some(config.lockout_period);
                    let locked =
                        account.is_some_and(|id| store.login_guard.failed(id, now, lock_for));
                    (if locked { Gate::Locked } else { Gate::Open }, None)
                }
            }
        }
    };
    match (gate, session) {
        (Gate::Throttled, _) => throttled(&app, &visit),
        (Gate::Locked, _) => locked(&app, &visit),
        (Gate::Open, Some(id)) => redirect_after_login(&app, id, next),
        (Gate::Open, None) => html::ok(login_page(
            &app,
            &visit,
            next,
            Some("Wrong email or password."),
            email,
            None,
        )),
    }
}

/// `throttled-login`: the answer to a login post over the server's rate; nobody is logged in.
fn throttled(app: &AppState, visit: &Visit) -> Response {
    let body = format!(
        r#"<h1 id="login-throttled">Too many login attempts</h1>
<p>Please wait a moment and <a href="{}">try again</a>.</p>"#,
        attr(&visit.url("/login"))
    );
    let mut response = html::respond(
        StatusCode::TOO_MANY_REQUESTS,
        html::page(app, visit, "Too many login attempts", &body),
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// `lockout`: the answer to any login of a locked account, right password or not.
fn locked(app: &AppState, visit: &Visit) -> Response {
    let body = r#"<h1 id="account-locked">Account locked</h1>
<p>Too many failed logins: this account is locked for a while. Try again later.</p>"#;
    html::respond(
        StatusCode::LOCKED,
        html::page(app, visit, "Account locked", body),
    )
}

fn signup_page(app: &AppState, visit: &Visit, error: Option<&str>, email: &str) -> String {
    let error = html::error_note("signup-error", error);
    let body = format!(
        r#"<h1>Create an account</h1>
<div class="card">
{error}<form id="signup-form" method="post" action="{action}">
{csrf}<label for="signup-email">Email</label>
<input type="email" id="signup-email" name="email" value="{email}" autocomplete="username" required>
<label for="signup-password">Password (at least {MIN_PASSWORD_LEN} characters)</label>
<input type="password" id="signup-password" name="password" autocomplete="new-password" required>
<div><button id="signup-submit" type="submit">Sign up</button></div>
</form>
</div>"#,
        email = attr(email),
        action = attr(&visit.url("/signup")),
        csrf = csrf_field(app, visit),
    );
    html::page(app, visit, "Sign up", &body)
}

pub async fn signup_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
) -> Response {
    html::ok(signup_page(&app, &visit, None, ""))
}

pub async fn signup(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let email = form.value("email").trim();
    let outcome = {
        let mut store = app.store();
        store
            .users
            .create(email, form.value("password"))
            .map(|user| establish(&app, &mut store, &visit, user))
    };
    match outcome {
        Ok(id) => redirect_after_login(&app, id, None),
        Err(e) => html::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            signup_page(&app, &visit, Some(&e.message()), email),
        ),
    }
}

pub async fn logout(State(app): State<AppState>, Extension(visit): Extension<Visit>) -> Response {
    if !app.config.flaws.contains(Flaw::NoLogoutInvalidation)
        && let Some(id) = &visit.session_id
    {
        app.store().sessions.end(id);
    }
    // Real apps say goodbye by name through the URL; that name is no sign of being logged in.
    let home = match &visit.user {
        Some(user) if app.config.has(Shape::EchoParam) => {
            let bye: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("bye", &user.email)
                .finish();
            format!("{}?{bye}", visit.url("/"))
        }
        _ => visit.url("/"),
    };
    with_change(SessionChange::Ended, html::see_other(&home))
}
