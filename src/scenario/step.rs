//! Steps and checks: the typed arguments of every action (serde + JSON Schema), and the `Step` the engine runs.

use super::locator::LocatorDoc;
use super::node::Pos;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where a step was written: file, line and column, named in every runtime error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: Arc<str>,
    pub pos: Pos,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.col)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FillArgs {
    pub field: LocatorDoc,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectArgs {
    pub field: LocatorDoc,
    /// The option's value or visible text.
    pub option: String,
}

/// What `wait_for`, `see` and `not_see` look for: exactly one of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub element: Option<LocatorDoc>,
    /// Text anywhere in the page body.
    pub text: Option<String>,
    /// A substring of the current URL.
    pub url: Option<String>,
    /// Only on a `see` of the `logged_in` oracle: a CSS selector of what the app shows only to
    /// visitors who are not logged in (the login form's submit button, say). Once the page has loaded
    /// with it and has no work pending, the oracle answers "logged out" without waiting for the page
    /// to have been still for a while. `usher check-profile` proves it is seen logged out and never
    /// logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<String>,
}

impl Expect {
    /// What is looked for, as messages and labels say it (`element `#buy``, `text "Sold out"`).
    pub fn describe(&self) -> String {
        if let Some(el) = &self.element {
            let (s, v) = el.resolve();
            if s == "css selector" {
                return format!("element `{v}`");
            }
            return format!("element {s} `{v}`");
        }
        if let Some(t) = &self.text {
            return format!("text \"{t}\"");
        }
        format!("URL containing \"{}\"", self.url.as_deref().unwrap_or(""))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Local,
    Session,
    Both,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCookieArgs {
    pub name: String,
    /// Variable that receives the value (`${name}` in later steps).
    pub save_as: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCookieArgs {
    pub name: String,
    pub value: String,
    pub path: Option<String>,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetStorageArgs {
    pub area: Area,
    pub key: String,
    pub save_as: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStorageArgs {
    pub area: Area,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvalArgs {
    pub script: String,
    pub save_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StealArgs {
    pub from: String,
    pub to: String,
}

/// Put a session id into a persona before it logs in: a chosen `value`, or the id another persona holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlantArgs {
    pub into: String,
    pub value: Option<String>,
    pub from: Option<String>,
}

/// Remember a persona's current token under a label, for `replay` and `token_changed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureArgs {
    pub label: String,
    /// The persona whose token is captured (default: the step's persona).
    pub from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpReplay {
    /// Path (or URL) requested with the token, e.g. `/account`.
    pub path: String,
    #[serde(default = "get")]
    pub method: String,
}

fn get() -> String {
    "GET".into()
}

/// Use a captured token again: in a persona's browser (`into`), or over plain HTTP (`http`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayArgs {
    pub token: String,
    pub into: Option<String>,
    pub http: Option<HttpReplay>,
}

/// Where `run` splits a flow: `submit` is the flow's first `click` or `submit` step after its last
/// `fill` or `select` (the control that sends the filled form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SplitPoint {
    Submit,
}

/// `run: {flow: login, until: submit}` runs a flow up to (not including) its submit step;
/// `run: {flow: login, from: submit}` runs the rest, so a step can go between the two halves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunPartArgs {
    /// A flow of the profile.
    pub flow: String,
    /// Run the steps before this point.
    pub until: Option<SplitPoint>,
    /// Run the steps from this point on.
    pub from: Option<SplitPoint>,
}

/// Logs the persona in over plain HTTP from its browser's state: the login form its browser loaded and
/// filled, sent with the cookies its browser holds; the session the login leaves goes back into the
/// browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LoginHttpArgs {
    /// The form to send, or any element inside it (default: the form holding a filled password field).
    pub form: Option<LocatorDoc>,
}

/// Run a flow for several personas at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParallelArgs {
    pub personas: Vec<String>,
    pub run: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenChangedArgs {
    /// The label of a token captured earlier.
    pub since: String,
}

/// A family of JWT forgeries `jwt_forgery` replays (each one scenario, so each flaw fails alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JwtFamily {
    /// The token with a corrupted, an empty or a null signature, and with a claim changed under its
    /// old signature: does the API verify signatures at all?
    Signature,
    /// `alg: none` in every case spelling, with and without the signature part.
    AlgNone,
    /// HS256 re-signed with a cracked (or a guessed) weak secret from usher's dictionary.
    WeakSecret,
    /// HS256 re-signed with the server's RSA public key (published or derived) as the HMAC secret.
    KeyConfusion,
    /// Keys the token names itself: an embedded `jwk`, `jku`/`x5u` at usher's loopback origin, a `kid`
    /// pointing at a guessable key, ECDSA psychic signatures (r = s = 0).
    HeaderKeys,
}

impl JwtFamily {
    pub fn name(self) -> &'static str {
        match self {
            JwtFamily::Signature => "signature",
            JwtFamily::AlgNone => "alg_none",
            JwtFamily::WeakSecret => "weak_secret",
            JwtFamily::KeyConfusion => "key_confusion",
            JwtFamily::HeaderKeys => "header_keys",
        }
    }
}

/// `jwt_forgery: {family, other}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtForgeryArgs {
    pub family: JwtFamily,
    /// A persona whose account each forgery also tries to impersonate (its identity claims written
    /// into the victim's token); it must be logged in so usher can read its token's claims.
    pub other: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpStatusArgs {
    pub is: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderArgs {
    pub name: String,
    pub equals: Option<String>,
    pub contains: Option<String>,
    /// `true`: the header must be absent.
    pub absent: Option<bool>,
}

/// Where `back_to` goes back to through the browser's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BackTarget {
    /// The URL of the last page the persona was seen logged in on (the `logged_in` flow held there,
    /// as a `run` step or as the oracle).
    LastAuthenticated,
}

/// The built-in checks. Each ends in PASS, FAIL, ERROR or SKIPPED with evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Check {
    LoggedIn,
    LoggedOut,
    TokenChanged(TokenChangedArgs),
    CookieAttributes,
    NoTokenInUrl,
    NoTokenInStorage,
    NoTokenInReferer,
    HttpStatus(HttpStatusArgs),
    Header(HeaderArgs),
    /// The persona's session must not act as another persona's account (fixation, stolen ids).
    NotActingAs(String),
    IdleTimeoutAtMost,
    AbsoluteTimeoutAtMost,
    CheckoutExpires,
    ConcurrentSessionsAtMost,
    NoAccountData,
    NoCacheablePages,
    ClientBinding,
    EntropyAtLeast,
    /// Forged variants of the persona's JWT must all be refused by the API's identity oracle.
    JwtForgery(JwtForgeryArgs),
    /// The JWT has `exp`, lives no longer than the policy's absolute lifetime, and is refused expired.
    JwtLifetime,
    /// No secret or personal data in the JWT's readable claims.
    JwtPayloadHygiene,
    /// The persona's access and refresh tokens, read before the named flow runs, are refused after it.
    JwtRevokedBy(String),
    /// The refresh call hands out a new refresh token.
    JwtRefreshRotates,
    /// A used refresh token is refused, and reusing it revokes the newer one.
    JwtRefreshReuseDetected,
}

impl Check {
    pub fn name(&self) -> &'static str {
        match self {
            Check::LoggedIn => "logged_in",
            Check::LoggedOut => "logged_out",
            Check::TokenChanged(_) => "token_changed",
            Check::CookieAttributes => "cookie_attributes",
            Check::NoTokenInUrl => "no_token_in_url",
            Check::NoTokenInStorage => "no_token_in_storage",
            Check::NoTokenInReferer => "no_token_in_referer",
            Check::HttpStatus(_) => "http_status",
            Check::Header(_) => "header",
            Check::NotActingAs(_) => "not_acting_as",
            Check::IdleTimeoutAtMost => "idle_timeout_at_most",
            Check::AbsoluteTimeoutAtMost => "absolute_timeout_at_most",
            Check::CheckoutExpires => "checkout_expires",
            Check::ConcurrentSessionsAtMost => "concurrent_sessions_at_most",
            Check::NoAccountData => "no_account_data",
            Check::NoCacheablePages => "no_cacheable_pages",
            Check::ClientBinding => "client_binding",
            Check::EntropyAtLeast => "entropy_at_least",
            Check::JwtForgery(_) => "jwt_forgery",
            Check::JwtLifetime => "jwt_lifetime",
            Check::JwtPayloadHygiene => "jwt_payload_hygiene",
            Check::JwtRevokedBy(_) => "jwt_revoked_by",
            Check::JwtRefreshRotates => "jwt_refresh_rotates",
            Check::JwtRefreshReuseDetected => "jwt_refresh_reuse_detected",
        }
    }
}

/// One action. Arguments are as written; `${...}` is resolved when the step runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Action {
    Open(String),
    Click(LocatorDoc),
    Fill(FillArgs),
    Select(SelectArgs),
    Submit(LocatorDoc),
    WaitFor(Expect),
    See(Expect),
    NotSee(Expect),
    Run(String),
    GetCookie(GetCookieArgs),
    SetCookie(SetCookieArgs),
    DeleteCookie(String),
    ClearCookies,
    GetStorage(GetStorageArgs),
    SetStorage(SetStorageArgs),
    ClearStorage(Area),
    Eval(EvalArgs),
    Back,
    /// Presses Back until the page of the target is reached (bounded by the history's length).
    BackTo(BackTarget),
    Refresh,
    /// Switches an Appium session to a context (`NATIVE_APP`, `WEBVIEW_1`, or a prefix such as
    /// `WEBVIEW`: the first context whose name starts with it).
    Context(String),
    Screenshot(Option<String>),
    Idle(#[serde(with = "super::policy::secs")] Duration),
    Steal(StealArgs),
    Plant(PlantArgs),
    Capture(CaptureArgs),
    Replay(ReplayArgs),
    Fresh(Option<String>),
    Forget(Option<String>),
    Parallel(ParallelArgs),
    /// Visits the app's authenticated pages: the profile's `browse` flow, else a bounded crawl of
    /// same-origin links from the oracle's page.
    Browse,
    Check(Check),
    /// Part of a flow, split at its submit (`run: {flow, until|from}`).
    RunPart(RunPartArgs),
    LoginHttp(LoginHttpArgs),
    /// A check that must PASS for the steps after it to mean anything: otherwise the step fails (and
    /// with it the flow, or the variant it is in). Its outcome is not a verdict.
    Require(Check),
    /// Named step lists tried one after another and judged together (see `engine/variants.rs`).
    Variants(indexmap::IndexMap<String, Vec<Step>>),
    /// Sets variables for later steps (values may use `${...}`).
    SetVar(indexmap::IndexMap<String, String>),
}

impl Action {
    /// The step keyword, as written in files.
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::Open(_) => "open",
            Action::Click(_) => "click",
            Action::Fill(_) => "fill",
            Action::Select(_) => "select",
            Action::Submit(_) => "submit",
            Action::WaitFor(_) => "wait_for",
            Action::See(_) => "see",
            Action::NotSee(_) => "not_see",
            Action::Run(_) => "run",
            Action::GetCookie(_) => "get_cookie",
            Action::SetCookie(_) => "set_cookie",
            Action::DeleteCookie(_) => "delete_cookie",
            Action::ClearCookies => "clear_cookies",
            Action::GetStorage(_) => "get_storage",
            Action::SetStorage(_) => "set_storage",
            Action::ClearStorage(_) => "clear_storage",
            Action::Eval(_) => "eval",
            Action::Back => "back",
            Action::BackTo(_) => "back_to",
            Action::Refresh => "refresh",
            Action::Context(_) => "context",
            Action::Screenshot(_) => "screenshot",
            Action::Idle(_) => "idle",
            Action::Steal(_) => "steal",
            Action::Plant(_) => "plant",
            Action::Capture(_) => "capture",
            Action::Replay(_) => "replay",
            Action::Fresh(_) => "fresh",
            Action::Forget(_) => "forget",
            Action::Parallel(_) => "parallel",
            Action::Browse => "browse",
            Action::Check(_) => "check",
            Action::SetVar(_) => "set_var",
            Action::RunPart(_) => "run",
            Action::LoginHttp(_) => "login_http",
            Action::Require(_) => "require",
            Action::Variants(_) => "variants",
        }
    }
}

/// Keys a step may carry beside its action.
pub const MODIFIERS: &[&str] = &["as", "timeout", "name"];

/// A step ready to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub action: Action,
    /// The persona that performs it (`as:`); `None` = the scenario's first persona.
    pub persona: Option<String>,
    #[serde(skip)]
    pub timeout: Option<Duration>,
    /// A label for reports (default: the step as written).
    pub name: Option<String>,
    pub origin: Origin,
}

impl Step {
    /// The steps written inside this one (`variants`), in order.
    pub fn nested(&self) -> impl Iterator<Item = &Step> {
        let lists: Vec<&Vec<Step>> = match &self.action {
            Action::Variants(v) => v.values().collect(),
            _ => Vec::new(),
        };
        lists.into_iter().flatten()
    }
}

impl Action {
    /// The profile flow this step runs, whole or in part.
    pub fn flow_run(&self) -> Option<&str> {
        match self {
            Action::Run(f) => Some(f),
            Action::RunPart(p) => Some(&p.flow),
            _ => None,
        }
    }

    /// Whether the action only touches the performing persona's browser (what `parallel` and the
    /// `logged_in` oracle may run).
    pub fn is_browser_only(&self) -> bool {
        match self {
            Action::Open(_)
            | Action::Click(_)
            | Action::Fill(_)
            | Action::Select(_)
            | Action::Submit(_)
            | Action::WaitFor(_)
            | Action::See(_)
            | Action::NotSee(_)
            | Action::GetCookie(_)
            | Action::SetCookie(_)
            | Action::DeleteCookie(_)
            | Action::ClearCookies
            | Action::GetStorage(_)
            | Action::SetStorage(_)
            | Action::ClearStorage(_)
            | Action::Eval(_)
            | Action::Back
            | Action::Refresh
            | Action::Context(_) => true,
            Action::Run(_)
            | Action::BackTo(_)
            | Action::Screenshot(_)
            | Action::Idle(_)
            | Action::Steal(_)
            | Action::Plant(_)
            | Action::Capture(_)
            | Action::Replay(_)
            | Action::Fresh(_)
            | Action::Forget(_)
            | Action::Parallel(_)
            | Action::Browse
            | Action::Check(_)
            | Action::RunPart(_)
            | Action::LoginHttp(_)
            | Action::Require(_)
            | Action::Variants(_)
            | Action::SetVar(_) => false,
        }
    }

    /// The step as reports label it: the keyword and its main argument, as written (before
    /// substitution, so `${persona.password}` stays a name, never a value).
    pub fn label(&self) -> String {
        let loc = |l: &LocatorDoc| {
            let (s, v) = l.resolve();
            if s == "css selector" {
                v
            } else {
                format!("{s}={v}")
            }
        };
        match self {
            Action::Open(u) => format!("open {u}"),
            Action::Click(l) => format!("click {}", loc(l)),
            Action::Fill(f) => format!("fill {} with {}", loc(&f.field), f.value),
            Action::Select(s) => format!("select {} in {}", s.option, loc(&s.field)),
            Action::Submit(l) => format!("submit {}", loc(l)),
            Action::WaitFor(e) => format!("wait for {}", e.describe()),
            Action::See(e) => format!("see {}", e.describe()),
            Action::NotSee(e) => format!("not see {}", e.describe()),
            Action::Run(f) => format!("run {f}"),
            Action::Context(c) => format!("switch to context {c}"),
            Action::BackTo(_) => "back to the last authenticated page".into(),
            Action::GetCookie(g) => format!("get cookie {} as {}", g.name, g.save_as),
            Action::SetCookie(s) => format!("set cookie {}", s.name),
            Action::DeleteCookie(n) => format!("delete cookie {n}"),
            Action::GetStorage(g) => format!("get {:?} storage {}", g.area, g.key).to_lowercase(),
            Action::SetStorage(s) => format!("set {:?} storage {}", s.area, s.key).to_lowercase(),
            Action::ClearStorage(a) => format!("clear {a:?} storage").to_lowercase(),
            Action::Idle(d) => format!("idle {}", crate::duration::format_duration(*d)),
            Action::Steal(s) => format!("steal token from {} into {}", s.from, s.to),
            Action::Plant(p) => match &p.from {
                Some(f) => format!("plant {f}'s session id into {}", p.into),
                None => format!("plant a chosen session id into {}", p.into),
            },
            Action::Capture(c) => format!("capture token as {}", c.label),
            Action::Replay(r) => match (&r.into, &r.http) {
                (Some(p), _) => format!("replay {} in {p}", r.token),
                (_, Some(h)) => format!("replay {} over HTTP {} {}", r.token, h.method, h.path),
                _ => format!("replay {}", r.token),
            },
            Action::Fresh(p) => format!(
                "fresh session{}",
                p.as_ref().map(|p| format!(" for {p}")).unwrap_or_default()
            ),
            Action::Forget(p) => format!(
                "forget cookies and storage{}",
                p.as_ref().map(|p| format!(" of {p}")).unwrap_or_default()
            ),
            Action::Parallel(p) => format!("run {} for {} at once", p.run, p.personas.join(", ")),
            Action::Check(c) => format!("check {}", c.name()),
            Action::RunPart(p) => match p.until {
                Some(_) => format!("run {} until its submit", p.flow),
                None => format!("run {} from its submit", p.flow),
            },
            Action::LoginHttp(_) => "log in over HTTP from the browser's login form".into(),
            Action::Require(c) => format!("require {}", c.name()),
            Action::Variants(v) => format!(
                "variants {}",
                v.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
            Action::Browse => "browse the authenticated pages".into(),
            Action::Screenshot(n) => format!(
                "screenshot{}",
                n.as_ref().map(|n| format!(" {n}")).unwrap_or_default()
            ),
            Action::Back
            | Action::Refresh
            | Action::ClearCookies
            | Action::Eval(_)
            | Action::SetVar(_) => self.keyword().replace('_', " "),
        }
    }

    /// The variable the action saves a value in (`save_as`), if any.
    pub fn saved_name(&self) -> Option<&str> {
        match self {
            Action::GetCookie(x) => Some(&x.save_as),
            Action::GetStorage(x) => Some(&x.save_as),
            Action::Eval(x) => x.save_as.as_deref(),
            _ => None,
        }
    }

    /// Every variable the action sets for later steps: its `save_as`, or the names `set_var` sets.
    pub fn saved_names(&self) -> Vec<&str> {
        match self {
            Action::SetVar(m) => m.keys().map(String::as_str).collect(),
            other => other.saved_name().into_iter().collect(),
        }
    }
}

impl Step {
    /// The personas the step names (beside the one performing it).
    pub fn personas_of(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.persona.iter().map(String::as_str).collect();
        match &self.action {
            Action::Steal(a) => v.extend([a.from.as_str(), a.to.as_str()]),
            Action::Plant(a) => {
                v.push(&a.into);
                v.extend(a.from.as_deref());
            }
            Action::Capture(a) => v.extend(a.from.as_deref()),
            Action::Replay(a) => v.extend(a.into.as_deref()),
            Action::Fresh(Some(p)) | Action::Forget(Some(p)) => v.push(p),
            Action::Parallel(a) => v.extend(a.personas.iter().map(String::as_str)),
            Action::Check(Check::NotActingAs(p)) | Action::Require(Check::NotActingAs(p)) => {
                v.push(p)
            }
            _ => {}
        }
        v
    }
}

/// Every step of `steps` and, depth first, the steps written inside them.
pub fn all_steps(steps: &[Step]) -> Vec<&Step> {
    let mut out = Vec::new();
    let mut pending: Vec<&Step> = steps.iter().rev().collect();
    while let Some(s) = pending.pop() {
        out.push(s);
        let inner: Vec<&Step> = s.nested().collect();
        pending.extend(inner.into_iter().rev());
    }
    out
}

/// Where a flow's submit is: its first `click` or `submit` step after its last `fill` or `select`.
/// `None` when the flow fills nothing or sends nothing after its last fill.
pub fn submit_index(steps: &[Step]) -> Option<usize> {
    let last_fill = steps
        .iter()
        .rposition(|s| matches!(s.action, Action::Fill(_) | Action::Select(_)))?;
    steps[last_fill + 1..]
        .iter()
        .position(|s| matches!(s.action, Action::Click(_) | Action::Submit(_)))
        .map(|i| last_fill + 1 + i)
}

/// The part of a flow's steps `run: {until|from}` runs; `Err` says why the flow cannot be split.
pub fn flow_part<'a>(steps: &'a [Step], part: &RunPartArgs) -> Result<&'a [Step], String> {
    let Some(at) = submit_index(steps) else {
        return Err(format!(
            "flow `{}` has no submit: a `click` or `submit` step after its last `fill` or `select`",
            part.flow
        ));
    };
    Ok(if part.until.is_some() {
        &steps[..at]
    } else {
        &steps[at..]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(actions: Vec<Action>) -> Vec<Step> {
        actions
            .into_iter()
            .map(|action| Step {
                action,
                persona: None,
                timeout: None,
                name: None,
                origin: Origin {
                    file: Arc::from("app.yaml"),
                    pos: Pos::default(),
                },
            })
            .collect()
    }

    fn css(s: &str) -> LocatorDoc {
        LocatorDoc::Css(s.into())
    }

    fn fill(f: &str) -> Action {
        Action::Fill(FillArgs {
            field: css(f),
            value: "v".into(),
        })
    }

    /// The submit is the click after the LAST fill: a click that opens the form (a "Log in" link)
    /// comes before the fills and is not it.
    #[test]
    fn the_submit_is_the_first_click_after_the_last_fill() {
        let login = steps(vec![
            Action::Open("/".into()),
            Action::Click(css("#login-link")),
            fill("#email"),
            Action::Click(css("#next")),
            fill("#password"),
            Action::See(Expect::default()),
            Action::Click(css("#login-submit")),
            Action::Click(css("#after")),
        ]);
        assert_eq!(submit_index(&login), Some(6));
        let part = |until: bool| RunPartArgs {
            flow: "login".into(),
            until: until.then_some(SplitPoint::Submit),
            from: (!until).then_some(SplitPoint::Submit),
        };
        assert_eq!(flow_part(&login, &part(true)).unwrap().len(), 6);
        let rest = flow_part(&login, &part(false)).unwrap();
        assert_eq!(rest[0].action, Action::Click(css("#login-submit")));
        let no_fill = steps(vec![Action::Open("/".into()), Action::Click(css("#x"))]);
        assert_eq!(submit_index(&no_fill), None);
        assert!(
            flow_part(&no_fill, &part(true))
                .unwrap_err()
                .contains("has no submit")
        );
        let nothing_after = steps(vec![fill("#a")]);
        assert_eq!(submit_index(&nothing_after), None);
        let submit_step = steps(vec![fill("#a"), Action::Submit(css("form"))]);
        assert_eq!(submit_index(&submit_step), Some(1));
    }

    #[test]
    fn all_steps_walks_into_variants_in_order() {
        let mut v = indexmap::IndexMap::new();
        v.insert("a".to_string(), steps(vec![Action::Back, Action::Refresh]));
        v.insert("b".to_string(), steps(vec![Action::ClearCookies]));
        let list = steps(vec![Action::Variants(v), Action::Back]);
        let kinds: Vec<&str> = all_steps(&list)
            .iter()
            .map(|s| s.action.keyword())
            .collect();
        assert_eq!(
            kinds,
            ["variants", "back", "refresh", "clear_cookies", "back"]
        );
    }
}
