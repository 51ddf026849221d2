//! The app profile (`app.yaml`): how to drive one app, where its session token lives, its personas,
//! reusable flows (with the required `logged_in` oracle) and the policy the checks judge against.

use super::convert::{self, Ctx};
use super::locator::LocatorDoc;
use super::node::Node;
pub use super::persona::{Account, AccountDoc, PersonaDef, PersonaDoc};
use super::policy::{Policy, PolicyDoc};
use super::step::{Origin, Step};
use super::suggest::did_you_mean;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the app keeps its session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TokenLocation {
    /// Any of these cookie names (apps rename the cookie with its attributes, e.g. `__Host-` prefixes).
    Cookie(Vec<String>),
    LocalStorage(String),
    SessionStorage(String),
    UrlParam(String),
    Header(String),
    /// A value in a file of a native app's own storage, read through Appium's pullFile (`path` as
    /// Appium takes it, e.g. `@com.example.shop/shared_prefs/session.xml`).
    AppFile {
        path: String,
        key: String,
    },
    /// Found by diffing cookies and storage across login and asking the oracle which ones matter.
    Auto,
}

impl TokenLocation {
    pub fn describe(&self) -> String {
        match self {
            TokenLocation::Cookie(names) => format!("cookie {}", names.join(" | ")),
            TokenLocation::LocalStorage(k) => format!("localStorage[{k}]"),
            TokenLocation::SessionStorage(k) => format!("sessionStorage[{k}]"),
            TokenLocation::UrlParam(p) => format!("URL parameter `{p}`"),
            TokenLocation::Header(h) => format!("request header `{h}`"),
            TokenLocation::AppFile { path, key } => format!("key `{key}` of app file `{path}`"),
            TokenLocation::Auto => "auto (discovered at login)".into(),
        }
    }
}

/// `token:` as written: one of these keys, or the word `auto`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenDoc {
    /// A cookie name or a list of names.
    pub cookie: Option<OneOrMany>,
    pub local_storage: Option<String>,
    pub session_storage: Option<String>,
    pub url_param: Option<String>,
    pub header: Option<String>,
    /// A value in a file of a native app's storage, read through Appium's pullFile.
    pub app_file: Option<AppFileDoc>,
    /// With `cookie`: the Path a planted id gets (default: the Path of the app's own Set-Cookie for
    /// the name, else `/`).
    pub path: Option<String>,
    /// With `cookie`: the Domain a planted id gets (default: the app's own, else host-only).
    pub domain: Option<String>,
}

/// Where a planted cookie goes when the profile says (`token: {cookie, path, domain}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CookieScope {
    pub path: Option<String>,
    pub domain: Option<String>,
}

/// `token: {app_file: {path, key}}`: a debuggable app's file pulled through Appium, and the key
/// whose value is the token (SharedPreferences XML, JSON at any depth, or `KEY=VALUE` lines).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppFileDoc {
    /// The file as Appium's pullFile takes it, e.g. `@com.example.shop/shared_prefs/session.xml`
    /// (Android, debuggable build) or `@com.example.shop:documents/session.json` (iOS).
    pub path: String,
    /// The name whose value is the token: `<string name="KEY">`, a JSON member `"KEY"`, or `KEY=`.
    pub key: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    pub name: String,
    pub steps: Vec<Step>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultsDoc {
    /// Default bound on every step, e.g. `10s`.
    pub step_timeout: Option<String>,
    /// The longest the oracle waits for its element on a page that has not settled, e.g. `5s` (the
    /// default); it answers "no" as soon as the page has settled without it. Where the page cannot
    /// be watched (native app contexts) it is a fixed wait of at most 800 ms. `0s`: one look.
    pub oracle_grace: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub file: Arc<str>,
    #[serde(skip)]
    pub dir: PathBuf,
    pub app: String,
    pub base_url: Option<String>,
    pub browser: Option<String>,
    pub capabilities: serde_json::Map<String, serde_json::Value>,
    pub token: TokenLocation,
    /// The scope planted token cookies get, when the profile sets it.
    pub cookie_scope: CookieScope,
    /// The element that shows who is logged in (`identity:`): its text, compared for equality with a
    /// username, is what the identity checks judge; without it, whole words of the page text.
    pub identity: Option<LocatorDoc>,
    pub personas: IndexMap<String, PersonaDef>,
    pub vars: IndexMap<String, String>,
    pub policy: Policy,
    #[serde(skip)]
    pub step_timeout: Duration,
    /// The longest the oracle's `see` waits for late rendering on a page that has not settled.
    pub oracle_grace: Duration,
    /// The oracle's fixed wait where the page cannot be watched: `oracle_grace` when the profile
    /// sets it, else [`Profile::UNWATCHED_ORACLE_GRACE`].
    pub oracle_unwatched_grace: Duration,
    pub flows: IndexMap<String, Flow>,
    /// `anonymous_sessions: false`: the app issues no session id before login (`None`: not said).
    pub anonymous_sessions: Option<bool>,
    /// `api:`: the token API (identity oracle, refresh call) the bearer-token scenarios replay against.
    pub api: Option<super::api::Api>,
}

impl Profile {
    /// The oracle's default ceiling on waiting for late rendering. It answers "logged out" once
    /// the page has settled (src/driver/settle.rs), so this is paid only by pages that never
    /// settle; a page that takes longer to show who is logged in is one a person calls broken.
    pub const DEFAULT_ORACLE_GRACE: Duration = Duration::from_secs(5);
    /// The fixed wait where the page cannot be watched (native app contexts): what the oracle
    /// waited everywhere before it could tell a settled page (docs/PERFORMANCE.md).
    pub const UNWATCHED_ORACLE_GRACE: Duration = Duration::from_millis(800);

    /// The flows every profile must define, and why.
    pub const REQUIRED_FLOWS: [(&'static str, &'static str); 2] = [
        (
            "logged_in",
            "the oracle that tells whether the current session acts as an authenticated user",
        ),
        ("login", "how a persona logs in"),
    ];

    /// The persona whose account(s) `persona` uses (following `same_account_as`).
    pub fn owner_of<'a>(&'a self, persona: &'a str) -> &'a str {
        super::persona::owner(&self.personas, persona)
    }

    /// The account `persona` logs in with: the one its owner leased for the flow (`leased`: owner →
    /// index into its pool), else the owner's first.
    pub fn account_of(
        &self,
        persona: &str,
        leased: &std::collections::BTreeMap<String, usize>,
    ) -> Option<&Account> {
        super::persona::account(&self.personas, persona, leased)
    }
}

pub const PROFILE_KEYS: &[&str] = &[
    "app",
    "base_url",
    "browser",
    "capabilities",
    "mobile_emulation",
    "token",
    "identity",
    "personas",
    "vars",
    "policy",
    "defaults",
    "flows",
    "anonymous_sessions",
    "api",
];

/// Converts a parsed `app.yaml`. Returns `None` when a problem was reported.
pub fn from_node(ctx: &mut Ctx, root: &Node, dir: PathBuf) -> Option<Profile> {
    let Some(entries) = root.as_map() else {
        ctx.error(
            root.pos,
            1,
            format!("a profile must be a mapping, found {}", root.kind()),
            Some("start with `app: <name>`".into()),
        );
        return None;
    };
    let before = ctx.diags.len();
    let mut profile = Profile {
        file: ctx.file.clone(),
        dir,
        app: String::new(),
        base_url: None,
        browser: None,
        capabilities: Default::default(),
        token: TokenLocation::Auto,
        cookie_scope: CookieScope::default(),
        identity: None,
        personas: IndexMap::new(),
        vars: IndexMap::new(),
        policy: Policy::default(),
        step_timeout: Duration::from_secs(10),
        oracle_grace: Profile::DEFAULT_ORACLE_GRACE,
        oracle_unwatched_grace: Profile::UNWATCHED_ORACLE_GRACE,
        flows: IndexMap::new(),
        anonymous_sessions: None,
        api: None,
    };
    let mut saw_token = false;
    let mut emulation = None;
    for (key, value) in entries {
        match key.name.as_str() {
            "app" => profile.app = ctx.typed(value, "`app`").unwrap_or_default(),
            "base_url" => {
                profile.base_url = ctx.typed::<String>(value, "`base_url`");
                // With `${VARS}` it can only be judged once expanded, at run time.
                if let Some(u) = &profile.base_url
                    && !u.contains("${")
                    && !url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"))
                {
                    ctx.error(
                        value.pos,
                        u.len(),
                        format!("`base_url` must be an absolute http(s) URL, found `{u}`"),
                        Some(
                            "write it like `https://tickets.example.test` (or pass --target URL)"
                                .into(),
                        ),
                    );
                }
            }
            "browser" => {
                profile.browser = ctx.typed::<String>(value, "`browser`");
                if let Some(b) = &profile.browser
                    && !matches!(b.as_str(), "chrome" | "firefox")
                {
                    let hint = did_you_mean(b, ["chrome", "firefox"]);
                    ctx.error(
                        value.pos,
                        b.len(),
                        format!("unknown browser `{b}`{hint}"),
                        Some("valid: `chrome`, `firefox`".into()),
                    );
                }
            }
            "capabilities" => {
                profile.capabilities = ctx.typed(value, "`capabilities`").unwrap_or_default()
            }
            "mobile_emulation" => emulation = super::mobile::from_node(ctx, value),
            "token" => {
                saw_token = true;
                if let Some((t, scope)) = token(ctx, value) {
                    profile.token = t;
                    profile.cookie_scope = scope;
                }
            }
            "identity" => profile.identity = ctx.typed::<LocatorDoc>(value, "`identity`"),
            "personas" => super::persona::from_node(ctx, value, &mut profile.personas),
            "vars" => profile.vars = ctx.typed(value, "`vars`").unwrap_or_default(),
            "policy" => {
                if let Some(doc) = ctx.typed::<PolicyDoc>(value, "`policy`") {
                    match doc.resolve() {
                        Ok(p) => profile.policy = p,
                        Err((field, e)) => {
                            let pos = value.find_key(&field).unwrap_or(value.pos);
                            ctx.error(pos, field.len(), format!("bad policy `{field}`: {e}"), None);
                        }
                    }
                }
            }
            "defaults" => {
                let mut timeout_ok = true;
                if let Some(d) = value.get("step_timeout") {
                    match convert::duration(ctx, d, "`step_timeout`") {
                        Some(t) => profile.step_timeout = t,
                        None => timeout_ok = false,
                    }
                }
                if let Some(d) = value.get("oracle_grace") {
                    match convert::duration(ctx, d, "`oracle_grace`") {
                        Some(t) => {
                            profile.oracle_grace = t;
                            profile.oracle_unwatched_grace = t;
                        }
                        None => timeout_ok = false,
                    }
                }
                // A bad duration is reported once, above, not again as a type error.
                if timeout_ok {
                    let _ = ctx.typed::<DefaultsDoc>(value, "`defaults`");
                }
            }
            "flows" => flows(ctx, value, &mut profile.flows),
            "anonymous_sessions" => {
                profile.anonymous_sessions = ctx.typed(value, "`anonymous_sessions`")
            }
            "api" => profile.api = super::api::from_node(ctx, value),
            other => {
                let hint = did_you_mean(other, PROFILE_KEYS.iter().copied());
                ctx.error(
                    key.pos,
                    other.chars().count(),
                    format!("unknown key `{other}` in the profile{hint}"),
                    Some(format!("valid keys: {}", PROFILE_KEYS.join(", "))),
                );
            }
        }
    }
    if let Some(e) = emulation {
        super::mobile::merge_into(&mut profile.capabilities, e);
    }
    if profile.app.is_empty() && !entries.iter().any(|(k, _)| k.name == "app") {
        ctx.error(
            root.pos,
            1,
            "the profile has no `app` name",
            Some("add `app: <name>`; it names the JUnit suite and report".into()),
        );
    }
    if !saw_token {
        ctx.error(
            root.pos,
            1,
            "the profile does not say where the session token lives",
            Some("add `token: {cookie: NAME}` (or local_storage, session_storage, url_param, header) or `token: auto`".into()),
        );
    }
    for (flow, why) in Profile::REQUIRED_FLOWS {
        if !profile.flows.contains_key(flow) {
            let pos = root.find_key("flows").unwrap_or(root.pos);
            ctx.error(
                pos,
                5,
                format!("the profile has no `{flow}` flow: {why}"),
                Some(if flow == "logged_in" {
                    "add e.g. `logged_in: [{open: /account}, {see: \"#account-email\"}]`: it must end in `see`/`not_see` steps that hold only for an authenticated user".into()
                } else {
                    format!("add `{flow}:` under `flows:`")
                }),
            );
        }
    }
    if let Some(oracle) = profile.flows.get("logged_in")
        && !oracle.steps.iter().any(|s| {
            matches!(
                s.action,
                super::step::Action::See(_) | super::step::Action::NotSee(_)
            )
        })
    {
        ctx.error(
            oracle.origin.pos,
            9,
            "the `logged_in` oracle has no `see` or `not_see` step, so it cannot say yes or no",
            Some(
                "judge by content only an authenticated user gets, e.g. `see: \"#account-email\"`"
                    .into(),
            ),
        );
    }
    (ctx.diags.len() == before).then_some(profile)
}

fn token(ctx: &mut Ctx, node: &Node) -> Option<(TokenLocation, CookieScope)> {
    if node.as_str() == Some("auto") {
        return Some((TokenLocation::Auto, CookieScope::default()));
    }
    if let Some(s) = node.as_str() {
        ctx.error(
            node.pos,
            s.chars().count(),
            format!("unknown token location `{s}`"),
            Some("write `auto` or a mapping like `{cookie: sessionid}`".into()),
        );
        return None;
    }
    let doc: TokenDoc = ctx.typed(node, "`token`")?;
    let scope = CookieScope {
        path: doc.path.clone(),
        domain: doc.domain.clone(),
    };
    if doc.cookie.is_none() && (scope.path.is_some() || scope.domain.is_some()) {
        let key = if scope.path.is_some() {
            "path"
        } else {
            "domain"
        };
        ctx.error(
            node.find_key(key).unwrap_or(node.pos),
            key.len(),
            format!("`token.{key}` scopes a cookie, but this token is not a cookie"),
            Some("write it beside `cookie:`, e.g. `token: {cookie: sid, path: /app/}`".into()),
        );
        return None;
    }
    if let Some(p) = scope.path.as_deref().filter(|p| !p.starts_with('/')) {
        ctx.error(
            node.find_key("path").unwrap_or(node.pos),
            4,
            format!("`token.path` is a cookie Path and starts with `/`, found `{p}`"),
            Some("e.g. `path: /app/`".into()),
        );
        return None;
    }
    let mut found = Vec::new();
    if let Some(c) = doc.cookie {
        found.push(TokenLocation::Cookie(match c {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }));
    }
    if let Some(k) = doc.local_storage {
        found.push(TokenLocation::LocalStorage(k));
    }
    if let Some(k) = doc.session_storage {
        found.push(TokenLocation::SessionStorage(k));
    }
    if let Some(k) = doc.url_param {
        found.push(TokenLocation::UrlParam(k));
    }
    if let Some(k) = doc.header {
        found.push(TokenLocation::Header(k));
    }
    if let Some(f) = doc.app_file {
        for (what, value) in [("path", &f.path), ("key", &f.key)] {
            if value.trim().is_empty() {
                ctx.error(
                    node.pos,
                    1,
                    format!("`token.app_file.{what}` is empty"),
                    Some(
                        "e.g. `app_file: {path: \"@com.example.shop/shared_prefs/session.xml\", key: session_token}`"
                            .into(),
                    ),
                );
                return None;
            }
        }
        found.push(TokenLocation::AppFile {
            path: f.path,
            key: f.key,
        });
    }
    if found.len() != 1 {
        ctx.error(
            node.pos,
            1,
            format!("`token` names exactly one location, found {}", found.len()),
            Some("one of cookie, local_storage, session_storage, url_param, header, app_file; or `token: auto`".into()),
        );
        return None;
    }
    found.pop().map(|t| (t, scope))
}

fn flows(ctx: &mut Ctx, node: &Node, out: &mut IndexMap<String, Flow>) {
    let Some(entries) = node.as_map() else {
        ctx.error(
            node.pos,
            1,
            format!(
                "`flows` must be a mapping of flow names to steps, found {}",
                node.kind()
            ),
            None,
        );
        return;
    };
    for (key, value) in entries {
        let steps = convert::steps(ctx, value, &format!("flow `{}`", key.name));
        out.insert(
            key.name.clone(),
            Flow {
                name: key.name.clone(),
                steps,
                origin: ctx.origin(key.pos),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_of(yaml: &str) -> (Option<(TokenLocation, CookieScope)>, Vec<String>) {
        let node = crate::scenario::node::parse(yaml).expect("YAML");
        let mut ctx = Ctx::new(Arc::from("app.yaml"));
        let t = token(&mut ctx, &node);
        (t, ctx.diags.iter().map(|d| d.message.clone()).collect())
    }

    #[test]
    fn a_cookie_token_may_say_where_planted_ids_go() {
        let (t, d) = token_of("{cookie: sid, path: /app/, domain: example.test}");
        let (loc, scope) = t.unwrap_or_else(|| panic!("{d:?}"));
        assert_eq!(loc, TokenLocation::Cookie(vec!["sid".into()]));
        assert_eq!(scope.path.as_deref(), Some("/app/"));
        assert_eq!(scope.domain.as_deref(), Some("example.test"));
        let (t, d) = token_of("{cookie: sid}");
        assert_eq!(t.map(|t| t.1), Some(CookieScope::default()), "{d:?}");
        let (t, d) = token_of("{local_storage: k, path: /}");
        assert!(t.is_none() && d[0].contains("not a cookie"), "{d:?}");
        let (t, d) = token_of("{cookie: sid, path: app/}");
        assert!(t.is_none() && d[0].contains("starts with `/`"), "{d:?}");
    }
}
