//! Turning spanned YAML nodes into typed steps and values, collecting one diagnostic per problem.

use super::diagnostic::Diagnostic;
use super::node::{Node, Pos, Value};
use super::step::*;
use super::suggest::did_you_mean;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The file being converted and the problems found in it so far.
pub struct Ctx {
    pub file: Arc<str>,
    pub diags: Vec<Diagnostic>,
}

impl Ctx {
    pub fn new(file: Arc<str>) -> Self {
        Ctx {
            file,
            diags: Vec::new(),
        }
    }

    pub fn error(
        &mut self,
        pos: Pos,
        len: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::new(&self.file, Some(pos), message).underline(len);
        d.hint = hint;
        self.diags.push(d);
    }

    /// Converts a node with serde, pointing an error at the offending key where serde names one.
    pub fn typed<T: DeserializeOwned>(&mut self, node: &Node, what: &str) -> Option<T> {
        match serde_json::from_value::<T>(node.to_json()) {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = e.to_string();
                let (pos, len, message, hint) = explain_serde(node, what, &msg);
                self.error(pos, len, message, hint);
                None
            }
        }
    }

    pub fn origin(&self, pos: Pos) -> Origin {
        Origin {
            file: self.file.clone(),
            pos,
        }
    }
}

/// The names serde lists after "expected", and the same as a "`a`, `b`" list for hints.
fn expected_names(rest: &str) -> (Vec<&str>, String) {
    let names: Vec<&str> = rest
        .split("expected ")
        .nth(1)
        .map(|list| {
            list.split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, s)| s)
                .collect()
        })
        .unwrap_or_default();
    let shown = names
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    (names, shown)
}

/// Rewrites serde's messages into ours: located at the key, with a suggestion and the valid names.
fn explain_serde(node: &Node, what: &str, msg: &str) -> (Pos, usize, String, Option<String>) {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let (expected, valid) = expected_names(rest);
        let pos = node.find_key(name).unwrap_or(node.pos);
        let suggestion = did_you_mean(name, expected.iter().copied());
        return (
            pos,
            name.chars().count(),
            format!("unknown key `{name}` in {what}{suggestion}"),
            (!valid.is_empty()).then(|| format!("valid keys: {valid}")),
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let name = rest.split('`').next().unwrap_or("");
        let (expected, valid) = expected_names(rest);
        let suggestion = did_you_mean(name, expected.iter().copied());
        return (
            value_pos(node, name),
            name.chars().count(),
            format!("unknown value `{name}` in {what}{suggestion}"),
            Some(format!("valid values: {valid}")),
        );
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        return (
            node.pos,
            1,
            format!("{what} is missing `{name}`"),
            Some(format!("add `{name}: ...`")),
        );
    }
    if let Some((found, expected)) = msg
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        let (expected, hint) = match expected {
            "a sequence" => (
                "a list",
                Some("write a list: `[a, b]`, or one `- item` per line"),
            ),
            "a map" => (
                "a mapping",
                Some("write `key: value` pairs, e.g. `{name: value}`"),
            ),
            e if e.starts_with("struct ") => ("a mapping", None),
            "u8" | "u16" | "u32" | "u64" | "i32" | "i64" => ("a whole number", None),
            other => (other, None),
        };
        return (
            node.pos,
            1,
            format!("{what} must be {expected}, found {found}"),
            hint.map(str::to_string),
        );
    }
    // Our own deserializers (locators) end their messages with "; valid: ...": that is the hint.
    if let Some((problem, valid)) = msg.split_once("; valid: ") {
        let pos = problem
            .strip_prefix("unknown locator strategy `")
            .and_then(|rest| rest.split('`').next())
            .and_then(|name| node.find_key(name).map(|p| (p, name.chars().count())));
        let (pos, len) = pos.unwrap_or((node.pos, 1));
        return (
            pos,
            len,
            format!("{what}: {problem}"),
            Some(format!("valid strategies: {valid}")),
        );
    }
    let hint = msg.starts_with("expected a locator").then(|| {
        "quote a CSS selector (`\"#buy\"`), or name a strategy: `{xpath: \"//button\"}`".to_string()
    });
    (node.pos, 1, format!("{what}: {msg}"), hint)
}

/// Where a scalar with this text sits below `node` (for "unknown value" errors).
fn value_pos(node: &Node, text: &str) -> Pos {
    fn walk(n: &Node, text: &str) -> Option<Pos> {
        match &n.value {
            Value::Str(s) if s == text => Some(n.pos),
            Value::Seq(items) => items.iter().find_map(|i| walk(i, text)),
            Value::Map(entries) => entries.iter().find_map(|(_, v)| walk(v, text)),
            _ => None,
        }
    }
    walk(node, text).unwrap_or(node.pos)
}

/// Steps that take no argument may be written as a bare word (`- back`).
const BARE: &[&str] = &[
    "back",
    "refresh",
    "screenshot",
    "clear_cookies",
    "fresh",
    "forget",
    "login_http",
    "browse",
];

/// Converts a list of steps; each bad step is reported and skipped.
pub fn steps(ctx: &mut Ctx, node: &Node, what: &str) -> Vec<Step> {
    let Some(items) = node.as_seq() else {
        ctx.error(
            node.pos,
            1,
            format!("{what} must be a list of steps, found {}", node.kind()),
            Some("write each step on its own line starting with `- `".into()),
        );
        return Vec::new();
    };
    items.iter().filter_map(|n| step(ctx, n)).collect()
}

pub fn step(ctx: &mut Ctx, node: &Node) -> Option<Step> {
    let origin = ctx.origin(node.pos);
    if let Some(word) = node.as_str() {
        return match bare_action(word) {
            Some(action) => Some(Step {
                action,
                persona: None,
                timeout: None,
                name: None,
                origin,
            }),
            None if ACTIONS.contains(&word) => {
                ctx.error(
                    node.pos,
                    word.chars().count(),
                    format!("`{word}` needs an argument"),
                    Some(format!(
                        "write `{word}: ...`; see docs/scenario-language.md#{word}"
                    )),
                );
                None
            }
            None => {
                unknown_step(ctx, node.pos, word);
                None
            }
        };
    }
    let Some(entries) = node.as_map() else {
        ctx.error(
            node.pos,
            1,
            format!(
                "a step must be a mapping like `open: /login`, found {}",
                node.kind()
            ),
            None,
        );
        return None;
    };
    let mut action: Option<(&str, &Node, Pos)> = None;
    let mut persona = None;
    let mut timeout = None;
    let mut name = None;
    let mut ok = true;
    for (key, value) in entries {
        match key.name.as_str() {
            "as" => persona = ctx.typed::<String>(value, "`as`"),
            "name" => name = ctx.typed::<String>(value, "`name`"),
            "timeout" => {
                timeout = duration(ctx, value, "`timeout`");
                ok &= timeout.is_some();
            }
            k if ACTIONS.contains(&k) => {
                if let Some((first, _, _)) = action {
                    ctx.error(
                        key.pos,
                        k.len(),
                        format!("a step has one action, but this one also has `{first}`"),
                        Some("split it into two steps".into()),
                    );
                    ok = false;
                } else {
                    action = Some((k, value, key.pos));
                }
            }
            k => {
                unknown_step(ctx, key.pos, k);
                ok = false;
            }
        }
    }
    let Some((keyword, arg, _)) = action else {
        if ok {
            ctx.error(
                node.pos,
                1,
                "this step has no action",
                Some(format!("start it with one of: {}", ACTIONS.join(", "))),
            );
        }
        return None;
    };
    let action = action_of(ctx, keyword, arg)?;
    ok.then_some(Step {
        action,
        persona,
        timeout,
        name,
        origin,
    })
}

fn unknown_step(ctx: &mut Ctx, pos: Pos, word: &str) {
    let candidates = ACTIONS.iter().chain(MODIFIERS.iter()).copied();
    let suggestion = did_you_mean(word, candidates);
    ctx.error(
        pos,
        word.chars().count().max(1),
        format!("unknown step `{word}`{suggestion}"),
        Some(format!("valid steps: {}", ACTIONS.join(", "))),
    );
}

fn bare_action(word: &str) -> Option<Action> {
    Some(match word {
        "back" => Action::Back,
        "refresh" => Action::Refresh,
        "screenshot" => Action::Screenshot(None),
        "clear_cookies" => Action::ClearCookies,
        "fresh" => Action::Fresh(None),
        "forget" => Action::Forget(None),
        "login_http" => Action::LoginHttp(LoginHttpArgs::default()),
        "browse" => Action::Browse,
        _ => return None,
    })
}

pub fn duration(ctx: &mut Ctx, node: &Node, what: &str) -> Option<std::time::Duration> {
    // A bare `15` is read as a number; judge its text so the message can say it lacks a unit.
    let number = match node.value {
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    };
    let Some(text) = node.as_str().or(number.as_deref()) else {
        ctx.error(
            node.pos,
            1,
            format!(
                "{what} must be a duration like `30s`, found {}",
                node.kind()
            ),
            Some("durations have a unit: `500ms`, `30s`, `15m`, `8h`".into()),
        );
        return None;
    };
    match crate::duration::parse_duration(text) {
        Ok(d) => Some(d),
        Err(e) => {
            // "<problem>; write e.g. ..." from the parser: the advice becomes the hint.
            let (problem, advice) = match e.split_once("; write ") {
                Some((p, a)) => (p.to_string(), format!("write {a}")),
                None => (e, "write e.g. `30s`, `15m` or `8h`".into()),
            };
            ctx.error(
                node.pos,
                text.chars().count(),
                format!("bad {what}: {problem}"),
                Some(advice),
            );
            None
        }
    }
}

fn action_of(ctx: &mut Ctx, keyword: &str, arg: &Node) -> Option<Action> {
    let is_null = matches!(arg.value, Value::Null);
    if is_null && !BARE.contains(&keyword) {
        ctx.error(
            arg.pos,
            keyword.len(),
            format!("`{keyword}` needs an argument"),
            Some(format!("see docs/scenario-language.md#{keyword}")),
        );
        return None;
    }
    let what = format!("`{keyword}`");
    let w = what.as_str();
    Some(match keyword {
        "open" => Action::Open(ctx.typed(arg, w)?),
        "click" => Action::Click(ctx.typed(arg, w)?),
        "fill" => Action::Fill(ctx.typed(arg, w)?),
        "select" => Action::Select(ctx.typed(arg, w)?),
        "submit" => Action::Submit(ctx.typed(arg, w)?),
        "wait_for" => Action::WaitFor(expect(ctx, arg, w)?),
        "see" => Action::See(expect(ctx, arg, w)?),
        "not_see" => Action::NotSee(expect(ctx, arg, w)?),
        "run" => match arg.as_str() {
            Some(flow) => Action::Run(flow.to_string()),
            None => Action::RunPart(run_part(ctx, arg)?),
        },
        "get_cookie" => Action::GetCookie(ctx.typed(arg, w)?),
        "set_cookie" => Action::SetCookie(ctx.typed(arg, w)?),
        "delete_cookie" => Action::DeleteCookie(ctx.typed(arg, w)?),
        "clear_cookies" => Action::ClearCookies,
        "get_storage" | "set_storage" => {
            let area = arg.get("area").and_then(|a| a.as_str());
            if area == Some("both") {
                let pos = arg.get("area").map_or(arg.pos, |a| a.pos);
                ctx.error(
                    pos,
                    4,
                    format!("{w} reads or writes one area: `local` or `session`"),
                    Some("`both` is only for `clear_storage`".into()),
                );
                return None;
            }
            if keyword == "get_storage" {
                Action::GetStorage(ctx.typed(arg, w)?)
            } else {
                Action::SetStorage(ctx.typed(arg, w)?)
            }
        }
        "clear_storage" => Action::ClearStorage(ctx.typed(arg, w)?),
        "eval" => Action::Eval(match arg.as_str() {
            Some(s) => EvalArgs {
                script: s.to_string(),
                save_as: None,
            },
            None => ctx.typed(arg, w)?,
        }),
        "back" => Action::Back,
        "back_to" => Action::BackTo(ctx.typed(arg, w)?),
        "refresh" => Action::Refresh,
        "browse" => Action::Browse,
        "context" => Action::Context(ctx.typed(arg, w)?),
        "screenshot" => Action::Screenshot(if is_null { None } else { ctx.typed(arg, w)? }),
        "idle" => Action::Idle(duration(ctx, arg, w)?),
        "steal" => Action::Steal(ctx.typed(arg, w)?),
        "plant" => {
            let p: PlantArgs = ctx.typed(arg, w)?;
            if p.value.is_some() == p.from.is_some() {
                ctx.error(
                    arg.pos,
                    1,
                    "`plant` takes exactly one of `value` (a chosen id) or `from` (another persona's id)",
                    Some(if p.value.is_some() {
                        "delete `value` to plant the id `from` holds, or `from` to plant `value`".into()
                    } else {
                        "add `value: <id>` or `from: <persona>`".into()
                    }),
                );
                return None;
            }
            Action::Plant(p)
        }
        "capture" => Action::Capture(match arg.as_str() {
            Some(s) => CaptureArgs {
                label: s.to_string(),
                from: None,
            },
            None => ctx.typed(arg, w)?,
        }),
        "replay" => {
            let r: ReplayArgs = ctx.typed(arg, w)?;
            if r.into.is_some() == r.http.is_some() {
                ctx.error(
                    arg.pos,
                    1,
                    "`replay` takes exactly one of `into` (a persona's browser) or `http` (a plain request)",
                    Some("e.g. `replay: {token: before_logout, into: attacker}` or `replay: {token: before_logout, http: {path: /account}}`".into()),
                );
                return None;
            }
            Action::Replay(r)
        }
        "fresh" => Action::Fresh(if is_null { None } else { ctx.typed(arg, w)? }),
        "forget" => Action::Forget(if is_null { None } else { ctx.typed(arg, w)? }),
        "parallel" => Action::Parallel(ctx.typed(arg, w)?),
        "check" => Action::Check(check(ctx, arg)?),
        "set_var" => Action::SetVar(set_var(ctx, arg)?),
        "login_http" => Action::LoginHttp(if is_null {
            LoginHttpArgs::default()
        } else {
            ctx.typed(arg, w)?
        }),
        "require" => Action::Require(check(ctx, arg)?),
        "variants" => Action::Variants(variants(ctx, arg)?),
        other => unreachable!("ACTIONS lists `{other}` but action_of does not"),
    })
}

/// `run: {flow: login, until: submit}` or `{flow: login, from: submit}`: exactly one of the two.
fn run_part(ctx: &mut Ctx, node: &Node) -> Option<RunPartArgs> {
    let p: RunPartArgs = ctx.typed(node, "`run`")?;
    if p.until.is_some() == p.from.is_some() {
        ctx.error(
            node.pos,
            1,
            "`run` with a mapping takes `flow` and exactly one of `until` or `from`",
            Some("write `run: login` for the whole flow, or `run: {flow: login, until: submit}` and later `run: {flow: login, from: submit}`".into()),
        );
        return None;
    }
    Some(p)
}

/// `variants: {name: [steps], ...}`: at least one, none holding variants itself.
fn variants(ctx: &mut Ctx, node: &Node) -> Option<indexmap::IndexMap<String, Vec<Step>>> {
    let Some(entries) = node.as_map().filter(|e| !e.is_empty()) else {
        ctx.error(
            node.pos,
            1,
            format!(
                "`variants` takes a mapping of variant names to step lists, found {}",
                node.kind()
            ),
            Some("write `variants: { in_browser: [...], over_http: [...] }`".into()),
        );
        return None;
    };
    let before = ctx.diags.len();
    let mut out = indexmap::IndexMap::new();
    for (k, v) in entries {
        let list = steps(ctx, v, &format!("variant `{}`", k.name));
        if !list.is_empty() && !list.iter().any(|s| matches!(s.action, Action::Check(_))) {
            ctx.error(
                k.pos,
                k.name.chars().count(),
                format!(
                    "variant `{}` has no `check` step, so it could never be judged",
                    k.name
                ),
                Some(
                    "end it with the check that judges it, e.g. `- check: {not_acting_as: victim}`"
                        .into(),
                ),
            );
        }
        if let Some(inner) = list
            .iter()
            .find(|s| matches!(s.action, Action::Variants(_)))
        {
            ctx.error(
                inner.origin.pos,
                8,
                "a variant cannot hold `variants` itself",
                Some("write the inner variants as variants of the outer step".into()),
            );
        }
        out.insert(k.name.clone(), list);
    }
    (ctx.diags.len() == before).then_some(out)
}

/// `see: "#x"` is shorthand for `see: {element: "#x"}`; otherwise exactly one of element, text, url.
fn expect(ctx: &mut Ctx, node: &Node, what: &str) -> Option<Expect> {
    if let Some(s) = node.as_str() {
        return Some(Expect {
            element: Some(super::locator::LocatorDoc::Css(s.to_string())),
            ..Default::default()
        });
    }
    let e: Expect = ctx.typed(node, what)?;
    let n = [e.element.is_some(), e.text.is_some(), e.url.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if n != 1 {
        ctx.error(
            node.pos,
            1,
            format!("{what} takes exactly one of `element`, `text` or `url`, found {n}"),
            None,
        );
        return None;
    }
    Some(e)
}

/// `check: logged_out` or `check: {token_changed: {since: before_login}}`.
pub fn check(ctx: &mut Ctx, node: &Node) -> Option<Check> {
    let (name, name_pos, arg) = match &node.value {
        Value::Str(s) => (s.as_str(), node.pos, None),
        Value::Map(entries) if entries.len() == 1 => {
            let (k, v) = &entries[0];
            (k.name.as_str(), k.pos, Some(v))
        }
        _ => {
            ctx.error(
                node.pos,
                1,
                format!(
                    "`check` takes a check name or a one-key mapping, found {}",
                    node.kind()
                ),
                Some(format!("valid checks: {}", Check::NAMES.join(", "))),
            );
            return None;
        }
    };
    let needs_arg = |ctx: &mut Ctx| {
        ctx.error(
            name_pos,
            name.len(),
            format!("check `{name}` needs arguments"),
            Some(format!("see docs/scenario-language.md#{name}")),
        );
    };
    let what = format!("check `{name}`");
    Some(match name {
        "logged_in" => Check::LoggedIn,
        "logged_out" => Check::LoggedOut,
        "cookie_attributes" => Check::CookieAttributes,
        "no_token_in_url" => Check::NoTokenInUrl,
        "no_token_in_storage" => Check::NoTokenInStorage,
        "no_token_in_referer" => Check::NoTokenInReferer,
        "idle_timeout_at_most" => Check::IdleTimeoutAtMost,
        "absolute_timeout_at_most" => Check::AbsoluteTimeoutAtMost,
        "checkout_expires" => Check::CheckoutExpires,
        "concurrent_sessions_at_most" => Check::ConcurrentSessionsAtMost,
        "no_account_data" => Check::NoAccountData,
        "no_cacheable_pages" => Check::NoCacheablePages,
        "client_binding" => Check::ClientBinding,
        "entropy_at_least" => Check::EntropyAtLeast,

        "token_changed" | "http_status" | "header" | "not_acting_as" => {
            let Some(arg) = arg.filter(|a| !matches!(a.value, Value::Null)) else {
                needs_arg(ctx);
                return None;
            };
            match name {
                "token_changed" => Check::TokenChanged(match arg.as_str() {
                    Some(s) => TokenChangedArgs {
                        since: s.to_string(),
                    },
                    None => ctx.typed(arg, &what)?,
                }),
                "http_status" => Check::HttpStatus(ctx.typed(arg, &what)?),
                "header" => {
                    let h: HeaderArgs = ctx.typed(arg, &what)?;
                    let n = [h.equals.is_some(), h.contains.is_some(), h.absent.is_some()]
                        .iter()
                        .filter(|b| **b)
                        .count();
                    if n > 1 {
                        ctx.error(
                            arg.pos,
                            1,
                            "check `header` takes at most one of `equals`, `contains` or `absent`",
                            Some("use two checks to judge two things".into()),
                        );
                        return None;
                    }
                    Check::Header(h)
                }
                "not_acting_as" => Check::NotActingAs(ctx.typed(arg, &what)?),
                _ => Check::Header(ctx.typed(arg, &what)?),
            }
        }
        other => {
            let suggestion = did_you_mean(other, Check::NAMES);
            ctx.error(
                name_pos,
                other.chars().count(),
                format!("unknown check `{other}`{suggestion}"),
                Some(format!("valid checks: {}", Check::NAMES.join(", "))),
            );
            return None;
        }
    })
}

/// `set_var: {name: value, ...}`; a number or boolean value is taken as its text (`y` stays `y`).
fn set_var(ctx: &mut Ctx, node: &Node) -> Option<indexmap::IndexMap<String, String>> {
    let Some(entries) = node.as_map() else {
        ctx.error(
            node.pos,
            1,
            format!(
                "`set_var` takes a mapping of names to values, found {}",
                node.kind()
            ),
            Some("write `set_var: { name: value }`".into()),
        );
        return None;
    };
    let mut out = indexmap::IndexMap::new();
    for (k, v) in entries {
        let text = match &v.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                ctx.error(
                    v.pos,
                    1,
                    format!("the value of `{}` must be text, found {}", k.name, v.kind()),
                    Some("quote it: `name: \"value\"`".into()),
                );
                return None;
            }
        };
        out.insert(k.name.clone(), text);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(yaml: &str) -> (Option<Step>, Vec<String>) {
        let node = crate::scenario::node::parse(yaml).expect("YAML");
        let mut ctx = Ctx::new(Arc::from("s.yaml"));
        let s = step(&mut ctx, &node);
        (s, ctx.diags.iter().map(|d| d.message.clone()).collect())
    }

    #[test]
    fn run_takes_a_flow_or_a_part_of_one() {
        let (s, _) = one("run: login");
        assert_eq!(s.unwrap().action, Action::Run("login".into()));
        let (s, d) = one("run: {flow: login, until: submit}");
        let Some(Action::RunPart(p)) = s.map(|s| s.action) else {
            panic!("{d:?}")
        };
        assert_eq!(
            (p.flow.as_str(), p.until, p.from),
            ("login", Some(SplitPoint::Submit), None)
        );
        let (s, d) = one("run: {flow: login, until: submit, from: submit}");
        assert!(
            s.is_none() && d[0].contains("exactly one of `until` or `from`"),
            "{d:?}"
        );
        let (s, d) = one("run: {flow: login, until: click}");
        assert!(
            s.is_none() && d[0].contains("unknown value `click`"),
            "{d:?}"
        );
    }

    #[test]
    fn login_http_is_bare_or_names_its_form() {
        let (s, d) = one("login_http");
        assert_eq!(
            s.map(|s| s.action),
            Some(Action::LoginHttp(LoginHttpArgs::default())),
            "{d:?}"
        );
        let (s, d) = one("login_http: {form: '#login-form'}");
        let Some(Action::LoginHttp(a)) = s.map(|s| s.action) else {
            panic!("{d:?}")
        };
        assert!(a.form.is_some());
    }

    #[test]
    fn require_takes_a_check() {
        let (s, d) = one("require: {not_acting_as: attacker}");
        assert_eq!(
            s.map(|s| s.action),
            Some(Action::Require(Check::NotActingAs("attacker".into()))),
            "{d:?}"
        );
        let (s, d) = one("require: logged_inn");
        assert!(s.is_none() && d[0].contains("unknown check"), "{d:?}");
    }

    #[test]
    fn variants_hold_named_step_lists_each_with_a_check() {
        let (s, d) = one(
            "variants:\n  a:\n    - run: login\n    - check: logged_in\n  b:\n    - check: logged_out\n",
        );
        let Some(Action::Variants(v)) = s.map(|s| s.action) else {
            panic!("{d:?}")
        };
        assert_eq!(v.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(v["a"].len(), 2);
        let (s, d) = one("variants:\n  a:\n    - run: login\n");
        assert!(
            s.is_none() && d[0].contains("variant `a` has no `check` step"),
            "{d:?}"
        );
        let (s, d) = one(
            "variants:\n  a:\n    - check: logged_in\n    - variants: {b: [check: logged_in]}\n",
        );
        assert!(
            s.is_none() && d.iter().any(|m| m.contains("cannot hold `variants`")),
            "{d:?}"
        );
        let (s, d) = one("variants: [run: login]");
        assert!(
            s.is_none() && d[0].contains("mapping of variant names"),
            "{d:?}"
        );
    }
}
