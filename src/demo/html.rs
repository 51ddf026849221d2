//! The page shell. Every piece of user-controlled text goes through `text` or `attr` (escape.rs,
//! re-exported here for the pages); pages are plain strings so scenario authors can read the markup
//! they select from.

use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};

use super::csrf::CSRF_FIELD;
pub use super::escape::{attr, js_string, text};
use super::flaws::Flaw;
use super::shapes::{CHROME_TAG, Shape};
use super::state::AppState;
use super::visit::Visit;

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;background:#f6f5f2;color:#222}
nav{display:flex;gap:1em;align-items:center;padding:.7em 1.5em;background:#1f3a5f;color:#fff}
nav a{color:#fff}nav .brand{font-weight:bold;margin-right:auto;text-decoration:none}
nav form{display:inline;margin:0}
main{max-width:46em;margin:1.5em auto;padding:0 1em}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:1em 1.3em;margin:1em 0}
label{display:block;margin:.6em 0 .2em}
input[type=text],input[type=email],input[type=password]{padding:.4em;width:18em}
button{margin-top:.8em;padding:.45em 1.1em}
.error{color:#a01818}.ok{color:#17702b}.muted{color:#666}
.seats{display:grid;grid-template-columns:repeat(6,auto);gap:.4em;justify-content:start}
";

/// The hidden nonce input every POST form carries under `session-bound-csrf` (else nothing), bound
/// to the session this page is served to.
pub fn csrf_field(app: &AppState, visit: &Visit) -> String {
    if !app.config.has(Shape::SessionBoundCsrf) {
        return String::new();
    }
    format!(
        r#"<input type="hidden" name="{CSRF_FIELD}" value="{}">
"#,
        app.csrf.nonce(visit.session_id.as_deref())
    )
}

/// The logout button: in the nav of every page, or on the account page only under
/// `logout-on-account-page`.
pub fn logout_form(app: &AppState, visit: &Visit) -> String {
    let csrf = csrf_field(app, visit);
    let csrf = csrf.trim_end();
    format!(
        r#"<form id="logout-form" method="post" action="{logout}">{csrf}<button id="logout" type="submit">Log out</button></form>"#,
        logout = attr(&visit.href("/logout")),
    )
}

/// Wraps `body` in the shared layout with the navigation bar for this visit.
pub fn page(app: &AppState, visit: &Visit, title: &str, body: &str) -> String {
    let nav_user = match &visit.user {
        Some(user) => {
            let logout = if app.config.has(Shape::LogoutOnAccountPage) {
                String::new()
            } else {
                format!("\n{}", logout_form(app, visit))
            };
            format!(
                r#"<a id="account-link" href="{account}">Account</a>
<span id="whoami">{email}</span>{logout}"#,
                account = attr(&visit.href("/account")),
                email = text(&user.email),
            )
        }
        None => format!(
            r#"<a id="login-link" href="{login}">Log in</a>
<a id="signup-link" href="{signup}">Sign up</a>"#,
            login = attr(&visit.url("/login")),
            signup = attr(&visit.url("/signup")),
        ),
    };
    // Real sites put operators' or tenants' names in their chrome; the victim's name inside a longer
    // token must not make every page look like the victim's.
    let (title_tag, brand_tag) = if app.config.has(Shape::TitleHasUsername) {
        (
            format!(" · {CHROME_TAG}"),
            format!(r#" <small id="brand-tag">{CHROME_TAG}</small>"#),
        )
    } else {
        (String::new(), String::new())
    };
    // `sidebar` and `modal` markup (src/demo/markup.rs): a login box on every anonymous page.
    let login_box = match &visit.user {
        Some(_) => String::new(),
        None => app
            .config
            .markup
            .login_box(&visit.url("/login"), &csrf_field(app, visit)),
    };
    let storage_script = match (&visit.user, &visit.session_id) {
        (Some(_), Some(id)) if app.config.flaws.contains(Flaw::TokenInStorage) => format!(
            "<script>localStorage.setItem(\"tb_token\", {});</script>\n",
            js_string(id)
        ),
        _ => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Ticketbooth{title_tag}</title>
<style>{STYLE}</style>
{storage_script}{beacon}</head>
<body>
<nav>
<a class="brand" id="home-link" href="{home}">🎟 Ticketbooth{brand_tag}</a>
<a id="events-link" href="{home}">Events</a>
{nav_user}
</nav>
{login_box}<main>
{body}
</main>
</body>
</html>
"#,
        title = text(title),
        home = attr(&visit.href("/")),
        beacon = beacon_script(app, visit),
    )
}

/// The analytics beacon every page sends under `late-render` (empty otherwise).
fn beacon_script(app: &AppState, visit: &Visit) -> String {
    if !app.config.has(Shape::LateRender) {
        return String::new();
    }
    format!(
        "<script>navigator.sendBeacon({}, \"view\");</script>\n",
        js_string(&visit.url("/api/beacon"))
    )
}

pub fn respond(status: StatusCode, html: String) -> Response {
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

pub fn ok(html: String) -> Response {
    respond(StatusCode::OK, html)
}

/// 303 so a POST is followed by a GET.
pub fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_string())]).into_response()
}

/// What a protected page answers an anonymous visitor: a redirect to the login form, or under
/// `anonymous-200` a 200 page asking to log in. `next` is the site path to come back to.
pub fn login_required(app: &AppState, visit: &Visit, next: &str) -> Response {
    let login = login_then(visit, next);
    if !app.config.has(Shape::Anonymous200) {
        return see_other(&login);
    }
    let body = format!(
        r#"<h1>Please log in</h1>
<p id="please-log-in">You need to <a id="please-log-in-link" href="{}">log in</a> to see this page.</p>"#,
        attr(&login)
    );
    ok(page(app, visit, "Please log in", &body))
}

/// What a form posted by an anonymous visitor answers: to the login form, then back to `next`.
pub fn login_first(visit: &Visit, next: &str) -> Response {
    see_other(&login_then(visit, next))
}

fn login_then(visit: &Visit, next: &str) -> String {
    format!("{}?next={}", visit.url("/login"), visit.url(next))
}

/// A form's error paragraph (with the element id scenarios select), or nothing without an error.
pub fn error_note(id: &str, error: Option<&str>) -> String {
    error
        .map(|e| format!(r#"<p class="error" id="{id}">{}</p>"#, text(e)))
        .unwrap_or_default()
}

/// The 404 of what lies outside the ticketing site (the blog's other paths, outside the mount):
/// no page shell, so nothing on it looks like the site's.
pub fn bare_not_found() -> Response {
    respond(
        StatusCode::NOT_FOUND,
        "<!doctype html><title>Not found</title><h1>Not found</h1>".into(),
    )
}

/// Only a local path is an acceptable post-login target; anything else would be an open redirect.
pub fn local_path(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    local.then(|| next.to_string())
}
