//! Password change (logged in) and reset (by emailed link). Both end the user's other sessions,
//! because a password change is what a user does when they suspect someone else is in.

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::demo::accounts::{MIN_PASSWORD_LEN, UserId};
use crate::demo::flaws::Flaw;
use crate::demo::form::FormData;
use crate::demo::html::{self, attr, csrf_field, text};
use crate::demo::id_generator::Owner;
use crate::demo::state::{AppState, Store};
use crate::demo::visit::{SessionChange, Visit, with_change};

/// Ends the user's other sessions (unless the flaw is on) and moves the current one, if it is the
/// user's, to a fresh id. Returns that new id.
fn after_password_change(
    app: &AppState,
    store: &mut Store,
    visit: &Visit,
    user: UserId,
) -> Option<String> {
    let config = &app.config;
    let current = visit
        .session_id
        .as_deref()
        .filter(|_| visit.user.as_ref().is_some_and(|u| u.id == user));
    let owner = visit.user.as_ref().map(|u| Owner {
        id: u.id,
        email: &u.email,
    });
    let rotated = current
        .zip(owner)
        .and_then(|(id, owner)| store.sessions.rotate(id, owner, config));
    if !config.flaws.contains(Flaw::NoResetInvalidation) {
        store
            .sessions
            .end_all_of_user_except(user, rotated.as_deref());
    }
    rotated
}

/// The page after a password change or reset, served as the session the visit moved to (if it
/// moved), so its links and cookie are the new session's.
fn done_page(
    app: &AppState,
    visit: Visit,
    new_id: Option<String>,
    title: &str,
    body: impl FnOnce(&Visit) -> String,
) -> Response {
    let visit = match &new_id {
        Some(id) => visit.with_session(id),
        None => visit,
    };
    let page = html::ok(html::page(app, &visit, title, &body(&visit)));
    match new_id {
        Some(id) => with_change(SessionChange::Authenticated(id), page),
        None => page,
    }
}

fn change_page(app: &AppState, visit: &Visit, error: Option<&str>) -> String {
    let error = html::error_note("password-error", error);
    let body = format!(
        r#"<h1>Change password</h1>
<div class="card">
{error}<form id="password-form" method="post" action="{action}">
{csrf}<label for="current-password">Current password</label>
<input type="password" id="current-password" name="current_password" autocomplete="current-password" required>
<label for="new-password">New password (at least {MIN_PASSWORD_LEN} characters)</label>
<input type="password" id="new-password" name="new_password" autocomplete="new-password" required>
<div><button id="change-password-submit" type="submit">Change password</button></div>
</form>
</div>"#,
        action = attr(&visit.href("/password")),
        csrf = csrf_field(app, visit),
    );
    html::page(app, visit, "Change password", &body)
}

pub async fn change_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
) -> Response {
    if !visit.is_logged_in() {
        return html::login_required(&app, &visit, "/password");
    }
    html::ok(change_page(&app, &visit, None))
}

pub async fn change(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Response {
    let Some(user) = visit.user.clone() else {
        return html::login_first(&visit, "/password");
    };
    let form = FormData::parse(&body);
    let outcome = {
        let mut store = app.store();
        if !store
            .users
            .check_password(user.id, form.value("current_password"))
        {
            Err("Your current password is not correct.".to_string())
        } else {
            match store
                .users
                .set_password(user.id, form.value("new_password"))
            {
                Err(e) => Err(e.message()),
                Ok(()) => Ok(after_password_change(&app, &mut store, &visit, user.id)),
            }
        }
    };
    match outcome {
        Err(message) => html::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            change_page(&app, &visit, Some(&message)),
        ),
        Ok(new_id) => done_page(&app, visit, new_id, "Password changed", |visit| {
            format!(
                r#"<h1>Password changed</h1>
<p class="ok" id="password-changed">Your password was changed.</p>
<p><a href="{}">Back to your account</a></p>"#,
                attr(&visit.href("/account"))
            )
        }),
    }
}

pub async fn reset_request_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
) -> Response {
    html::ok(reset_request_page(&app, &visit, None))
}

fn reset_request_page(app: &AppState, visit: &Visit, sent_to: Option<&str>) -> String {
    let sent = sent_to
        .map(|email| {
            format!(
                r#"<p class="ok" id="reset-sent">If an account exists for {}, a reset link is waiting in the <a id="outbox-link" href="{}">demo outbox</a>.</p>"#,
                text(email),
                attr(&visit.url("/outbox"))
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Reset your password</h1>
<div class="card">
{sent}<form id="reset-form" method="post" action="{action}">
{csrf}<label for="reset-email">Email</label>
<input type="email" id="reset-email" name="email" autocomplete="username" required>
<div><button id="reset-submit" type="submit">Send reset link</button></div>
</form>
</div>"#,
        action = attr(&visit.url("/reset")),
        csrf = csrf_field(app, visit),
    );
    html::page(app, visit, "Reset password", &body)
}

pub async fn reset_request(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let email = form.value("email").trim().to_string();
    {
        let mut store = app.store();
        let user = store
            .users
            .find_by_email(&email)
            .map(|u| (u.id, u.email.clone()));
        if let Some((id, address)) = user {
            store.outbox.send_reset(id, &address, Instant::now());
        }
    }
    // The same answer whether or not the account exists, so the form cannot enumerate users.
    html::ok(reset_request_page(&app, &visit, Some(&email)))
}

#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    email: Option<String>,
}

pub async fn outbox(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Query(query): Query<OutboxQuery>,
) -> Response {
    let messages = app.store().outbox.messages(query.email.as_deref());
    let items: String = messages
        .iter()
        .map(|m| {
            let sent = m
                .sent
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            format!(
                r#"<li data-email="{to_attr}"><span class="to">{to}</span> · <span class="muted">{sent}</span> · <a class="reset-link" href="{link}">Reset your Ticketbooth password</a></li>
"#,
                to_attr = attr(&m.to),
                to = text(&m.to),
                link = attr(&visit.url(&format!("/reset/{}", m.token))),
            )
        })
        .collect();
    let body = format!(
        r#"<h1>Demo outbox</h1>
<p class="muted">Ticketbooth sends no real mail; every message it would send is listed here, newest first.</p>
<ul id="outbox">
{items}</ul>"#
    );
    html::ok(html::page(&app, &visit, "Outbox", &body))
}

fn reset_confirm_page(app: &AppState, visit: &Visit, token: &str, error: Option<&str>) -> String {
    let error = html::error_note("reset-error", error);
    let body = format!(
        r#"<h1>Choose a new password</h1>
<div class="card">
{error}<form id="reset-confirm-form" method="post" action="{action}">
{csrf}<label for="reset-new-password">New password (at least {MIN_PASSWORD_LEN} characters)</label>
<input type="password" id="reset-new-password" name="new_password" autocomplete="new-password" required>
<div><button id="reset-confirm-submit" type="submit">Set new password</button></div>
</form>
</div>"#,
        action = attr(&visit.url(&format!("/reset/{token}"))),
        csrf = csrf_field(app, visit),
    );
    html::page(app, visit, "Choose a new password", &body)
}

fn reset_invalid(app: &AppState, visit: &Visit) -> Response {
    let body = format!(
        r#"<h1>Link no longer valid</h1>
<p class="error" id="reset-invalid">This reset link was already used or has expired. <a href="{}">Request a new one</a>.</p>"#,
        attr(&visit.url("/reset"))
    );
    html::respond(
        StatusCode::GONE,
        html::page(app, visit, "Link no longer valid", &body),
    )
}

pub async fn reset_confirm_form(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Path(token): Path<String>,
) -> Response {
    let valid = app.store().outbox.peek(&token, Instant::now()).is_some();
    if !valid {
        return reset_invalid(&app, &visit);
    }
    html::ok(reset_confirm_page(&app, &visit, &token, None))
}

pub async fn reset_confirm(
    State(app): State<AppState>,
    Extension(visit): Extension<Visit>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let password = form.value("new_password");
    if password.chars().count() < MIN_PASSWORD_LEN {
        let message = format!("Choose a password of at least {MIN_PASSWORD_LEN} characters.");
        return html::respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            reset_confirm_page(&app, &visit, &token, Some(&message)),
        );
    }
    let outcome = {
        let mut store = app.store();
        match store.outbox.redeem(&token, Instant::now()) {
            None => None,
            Some(user) => {
                let _ = store.users.set_password(user, password);
                Some(after_password_change(&app, &mut store, &visit, user))
            }
        }
    };
    let Some(new_id) = outcome else {
        return reset_invalid(&app, &visit);
    };
    done_page(&app, visit, new_id, "Password reset", |visit| {
        format!(
            r#"<h1>Password reset</h1>
<p class="ok" id="password-reset-done">Your password was reset.</p>
<p><a id="login-after-reset" href="{}">Continue</a></p>"#,
            attr(&visit.href(if visit.is_logged_in() {
                "/account"
            } else {
                "/login"
            }))
        )
    })
}
