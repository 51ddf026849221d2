//! Turning spanned YAML nodes into typed steps and values, collecting one diagnostic per problem.

use super::diagnostic::Diagnostic;
use super::node::{Node, Pos, Value};
use super::step::*;
use super::suggest::did_you_mean;
use schemars::generate::SchemaGenerator;
use serde::de::DeserializeOwned;
use serde_json::json;
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

/// Steps that take no argument may be written as a bare word (`- back`), and what each means; in
/// the order the schema lists them.
type Bare = (&'static str, fn() -> Action);

const BARE: &[Bare] = &[
    ("back", || Action::Back),
    ("refresh", || Action::Refresh),
    ("screenshot", || Action::Screenshot(None)),
    ("clear_cookies", || Action::ClearCookies),
    ("fresh", || Action::Fresh(None)),
    ("forget", || Action::Forget(None)),
    ("login_http", || Action::LoginHttp(LoginHttpArgs::default())),
    ("browse", || Action::Browse),
];

/// The bare words, for the schema.
pub fn bare_keywords() -> impl Iterator<Item = &'static str> {
    BARE.iter().map(|(k, _)| *k)
}

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
    BARE.iter()
        .find(|(k, _)| *k == word)
        .map(|(_, make)| make())
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
    if is_null && bare_action(keyword).is_none() {
        ctx.error(
            arg.pos,
            keyword.len(),
            format!("`{keyword}` needs an argument"),
            Some(format!("see docs/scenario-language.md#{keyword}")),
        );
        return None;
    }
    let what = format!("`{keyword}`");
    let Some(syntax) = STEPS.iter().find(|s| s.keyword == keyword) else {
        unreachable!("ACTIONS lists `{keyword}` but STEPS does not")
    };
    (syntax.read)(ctx, arg, &what)
}

/// One step keyword: how its argument is read and what the schema says it takes. [`STEPS`] is the
/// one list of step keywords: [`ACTIONS`], the loader and the schema all come from it, so a new step
/// is a row here, a variant of [`Action`] (the compiler then asks for its keyword, label and whether
/// it is a browser step) and its behaviour in the engine.
pub struct StepSyntax {
    pub keyword: &'static str,
    /// Reads the step's argument (a null one for a step that may be bare); `what` is `` `keyword` ``.
    read: fn(&mut Ctx, &Node, &str) -> Option<Action>,
    /// The argument's JSON Schema.
    pub schema: fn(&mut SchemaGenerator) -> serde_json::Value,
}

fn null(node: &Node) -> bool {
    matches!(node.value, Value::Null)
}

fn sub<T: schemars::JsonSchema>(g: &mut SchemaGenerator) -> serde_json::Value {
    g.subschema_for::<T>().to_value()
}

fn string_schema(_: &mut SchemaGenerator) -> serde_json::Value {
    json!({"type": "string"})
}

fn null_schema(_: &mut SchemaGenerator) -> serde_json::Value {
    json!({"type": "null"})
}

fn expect_schema(g: &mut SchemaGenerator) -> serde_json::Value {
    json!({"anyOf": [{"type": "string", "description": "CSS selector"}, sub::<Expect>(g)]})
}

fn optional_persona_schema(_: &mut SchemaGenerator) -> serde_json::Value {
    json!({"type": ["string", "null"], "description": "a persona (default: the step's)"})
}

/// `get_storage` and `set_storage` read or write one area, never `both`.
fn one_area(ctx: &mut Ctx, arg: &Node, what: &str) -> Option<()> {
    if arg.get("area").and_then(|a| a.as_str()) == Some("both") {
        let pos = arg.get("area").map_or(arg.pos, |a| a.pos);
        ctx.error(
            pos,
            4,
            format!("{what} reads or writes one area: `local` or `session`"),
            Some("`both` is only for `clear_storage`".into()),
        );
        return None;
    }
    Some(())
}

/// Every step keyword, in the order messages and the schema list them.
pub const STEPS: &[StepSyntax] = &[
    StepSyntax {
        keyword: "open",
        read: |ctx, arg, w| Some(Action::Open(ctx.typed(arg, w)?)),
        schema: |_| json!({"type": "string", "description": "a path on the base URL, or a full URL"}),
    },
    StepSyntax {
        keyword: "click",
        read: |ctx, arg, w| Some(Action::Click(ctx.typed(arg, w)?)),
        schema: sub::<super::locator::LocatorDoc>,
    },
    StepSyntax {
        keyword: "fill",
        read: |ctx, arg, w| Some(Action::Fill(ctx.typed(arg, w)?)),
        schema: sub::<FillArgs>,
    },
    StepSyntax {
        keyword: "select",
        read: |ctx, arg, w| Some(Action::Select(ctx.typed(arg, w)?)),
        schema: sub::<SelectArgs>,
    },
    StepSyntax {
        keyword: "submit",
        read: |ctx, arg, w| Some(Action::Submit(ctx.typed(arg, w)?)),
        schema: sub::<super::locator::LocatorDoc>,
    },
    StepSyntax {
        keyword: "wait_for",
        read: |ctx, arg, w| Some(Action::WaitFor(expect(ctx, arg, w)?)),
        schema: expect_schema,
    },
    StepSyntax {
        keyword: "see",
        read: |ctx, arg, w| Some(Action::See(expect(ctx, arg, w)?)),
        schema: expect_schema,
    },
    StepSyntax {
        keyword: "not_see",
        read: |ctx, arg, w| Some(Action::NotSee(expect(ctx, arg, w)?)),
        schema: expect_schema,
    },
    StepSyntax {
        keyword: "run",
        read: |ctx, arg, _| {
            Some(match arg.as_str() {
                Some(flow) => Action::Run(flow.to_string()),
                None => Action::RunPart(run_part(ctx, arg)?),
            })
        },
        schema: |g| {
            json!({"anyOf": [
                {"type": "string", "description": "a flow of the profile"},
                sub::<RunPartArgs>(g)
            ]})
        },
    },
    StepSyntax {
        keyword: "get_cookie",
        read: |ctx, arg, w| Some(Action::GetCookie(ctx.typed(arg, w)?)),
        schema: sub::<GetCookieArgs>,
    },
    StepSyntax {
        keyword: "set_cookie",
        read: |ctx, arg, w| Some(Action::SetCookie(ctx.typed(arg, w)?)),
        schema: sub::<SetCookieArgs>,
    },
    StepSyntax {
        keyword: "delete_cookie",
        read: |ctx, arg, w| Some(Action::DeleteCookie(ctx.typed(arg, w)?)),
        schema: string_schema,
    },
    StepSyntax {
        keyword: "clear_cookies",
        read: |_, _, _| Some(Action::ClearCookies),
        schema: null_schema,
    },
    StepSyntax {
        keyword: "get_storage",
        read: |ctx, arg, w| {
            one_area(ctx, arg, w)?;
            Some(Action::GetStorage(ctx.typed(arg, w)?))
        },
        schema: sub::<GetStorageArgs>,
    },
    StepSyntax {
        keyword: "set_storage",
        read: |ctx, arg, w| {
            one_area(ctx, arg, w)?;
            Some(Action::SetStorage(ctx.typed(arg, w)?))
        },
        schema: sub::<SetStorageArgs>,
    },
    StepSyntax {
        keyword: "clear_storage",
        read: |ctx, arg, w| Some(Action::ClearStorage(ctx.typed(arg, w)?)),
        schema: sub::<Area>,
    },
    StepSyntax {
        keyword: "eval",
        read: |ctx, arg, w| {
            Some(Action::Eval(match arg.as_str() {
                Some(s) => EvalArgs {
                    script: s.to_string(),
                    save_as: None,
                },
                None => ctx.typed(arg, w)?,
            }))
        },
        schema: |g| json!({"anyOf": [string_schema(g), sub::<EvalArgs>(g)]}),
    },
    StepSyntax {
        keyword: "back",
        read: |_, _, _| Some(Action::Back),
        schema: null_schema,
    },
    StepSyntax {
        keyword: "back_to",
        read: |ctx, arg, w| Some(Action::BackTo(ctx.typed(arg, w)?)),
        schema: sub::<BackTarget>,
    },
    StepSyntax {
        keyword: "refresh",
        read: |_, _, _| Some(Action::Refresh),
        schema: null_schema,
    },
    StepSyntax {
        keyword: "context",
        read: |ctx, arg, w| Some(Action::Context(ctx.typed(arg, w)?)),
        schema: |_| json!({"type": "string", "description": "an Appium context (NATIVE_APP, WEBVIEW_1) or a prefix of one (WEBVIEW)"}),
    },
    StepSyntax {
        keyword: "screenshot",
        read: |ctx, arg, w| {
            Some(Action::Screenshot(if null(arg) {
                None
            } else {
                ctx.typed(arg, w)?
            }))
        },
        schema: |_| json!({"type": ["string", "null"]}),
    },
    StepSyntax {
        keyword: "idle",
        read: |ctx, arg, w| Some(Action::Idle(duration(ctx, arg, w)?)),
        schema: |_| json!({"type": "string", "description": "a duration with a unit: 500ms, 30s, 15m, 8h"}),
    },
    StepSyntax {
        keyword: "steal",
        read: |ctx, arg, w| Some(Action::Steal(ctx.typed(arg, w)?)),
        schema: sub::<StealArgs>,
    },
    StepSyntax {
        keyword: "plant",
        read: |ctx, arg, w| {
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
            Some(Action::Plant(p))
        },
        schema: sub::<PlantArgs>,
    },
    StepSyntax {
        keyword: "capture",
        read: |ctx, arg, w| {
            Some(Action::Capture(match arg.as_str() {
                Some(s) => CaptureArgs {
                    label: s.to_string(),
                    from: None,
                },
                None => ctx.typed(arg, w)?,
            }))
        },
        schema: |g| json!({"anyOf": [string_schema(g), sub::<CaptureArgs>(g)]}),
    },
    StepSyntax {
        keyword: "replay",
        read: |ctx, arg, w| {
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
            Some(Action::Replay(r))
        },
        schema: sub::<ReplayArgs>,
    },
    StepSyntax {
        keyword: "fresh",
        read: |ctx, arg, w| {
            Some(Action::Fresh(if null(arg) {
                None
            } else {
                ctx.typed(arg, w)?
            }))
        },
        schema: optional_persona_schema,
    },
    StepSyntax {
        keyword: "forget",
        read: |ctx, arg, w| {
            Some(Action::Forget(if null(arg) {
                None
            } else {
                ctx.typed(arg, w)?
            }))
        },
        schema: optional_persona_schema,
    },
    StepSyntax {
        keyword: "parallel",
        read: |ctx, arg, w| Some(Action::Parallel(ctx.typed(arg, w)?)),
        schema: sub::<ParallelArgs>,
    },
    StepSyntax {
        keyword: "browse",
        read: |_, _, _| Some(Action::Browse),
        schema: |_| json!({"type": "null", "description": "visit the authenticated pages: the profile's `browse` flow, else a crawl of links from the oracle's page"}),
    },
    StepSyntax {
        keyword: "check",
        read: |ctx, arg, _| Some(Action::Check(check(ctx, arg)?)),
        schema: check_schema,
    },
    StepSyntax {
        keyword: "set_var",
        read: |ctx, arg, _| Some(Action::SetVar(set_var(ctx, arg)?)),
        schema: |_| json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "variables for later steps"}),
    },
    StepSyntax {
        keyword: "login_http",
        read: |ctx, arg, w| {
            Some(Action::LoginHttp(if null(arg) {
                LoginHttpArgs::default()
            } else {
                ctx.typed(arg, w)?
            }))
        },
        schema: |g| json!({"anyOf": [{"type": "null"}, sub::<LoginHttpArgs>(g)]}),
    },
    StepSyntax {
        keyword: "require",
        read: |ctx, arg, _| Some(Action::Require(check(ctx, arg)?)),
        schema: check_schema,
    },
    StepSyntax {
        keyword: "variants",
        read: |ctx, arg, _| Some(Action::Variants(variants(ctx, arg)?)),
        schema: |_| {
            json!({
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                "description": "named step lists judged together: FAIL if any shows the flaw, PASS if those that could run do not, ERROR if none could run"
            })
        },
    },
];

/// Every step keyword, for suggestions and messages.
pub const ACTIONS: [&str; STEPS.len()] = {
    let mut out = [""; STEPS.len()];
    let mut i = 0;
    while i < STEPS.len() {
        out[i] = STEPS[i].keyword;
        i += 1;
    }
    out
};

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
    if e.otherwise.is_some() && what != "`see`" {
        ctx.error(
            node.pos,
            1,
            format!("{what} takes no `otherwise`: it is the `logged_in` oracle's `see`'s"),
            Some("remove `otherwise`, or move it to the oracle's `see`".into()),
        );
        return None;
    }
    if e.otherwise.as_deref().is_some_and(|o| o.trim().is_empty()) {
        ctx.error(
            node.pos,
            1,
            "`otherwise` is empty".to_string(),
            Some("name the CSS selector of what only logged-out visitors get, e.g. `otherwise: \"#login-submit\"`".into()),
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
                Some(format!("valid checks: {}", CHECK_NAMES.join(", "))),
            );
            return None;
        }
    };
    let Some(syntax) = CHECKS.iter().find(|c| c.name == name) else {
        let suggestion = did_you_mean(name, CHECK_NAMES);
        ctx.error(
            name_pos,
            name.chars().count(),
            format!("unknown check `{name}`{suggestion}"),
            Some(format!("valid checks: {}", CHECK_NAMES.join(", "))),
        );
        return None;
    };
    let what = format!("check `{name}`");
    match &syntax.takes {
        Takes::Nothing(make) => Some(make()),
        Takes::Arg { read, .. } => {
            let Some(arg) = arg.filter(|a| !matches!(a.value, Value::Null)) else {
                ctx.error(
                    name_pos,
                    name.len(),
                    format!("check `{name}` needs arguments"),
                    Some(format!("see docs/scenario-language.md#{name}")),
                );
                return None;
            };
            read(ctx, arg, &what)
        }
    }
}

/// One check name and what it takes. [`CHECKS`] is the one list of check names: [`CHECK_NAMES`], the
/// loader and the schema come from it, so a new check is a row here, a variant of [`Check`] (the
/// compiler then asks for its name and its evaluation in `checks::evaluate`) and its file in
/// `src/engine/checks/`.
pub struct CheckSyntax {
    pub name: &'static str,
    pub takes: Takes,
}

pub enum Takes {
    /// A bare name (`check: logged_out`).
    Nothing(fn() -> Check),
    /// A one-key mapping (`check: {token_changed: {since: x}}`); `what` is `` check `name` ``.
    Arg {
        read: fn(&mut Ctx, &Node, &str) -> Option<Check>,
        schema: fn(&mut SchemaGenerator) -> serde_json::Value,
    },
}

/// Every built-in check, in the order messages and the schema list them.
pub const CHECKS: &[CheckSyntax] = &[
    CheckSyntax {
        name: "logged_in",
        takes: Takes::Nothing(|| Check::LoggedIn),
    },
    CheckSyntax {
        name: "logged_out",
        takes: Takes::Nothing(|| Check::LoggedOut),
    },
    CheckSyntax {
        name: "token_changed",
        takes: Takes::Arg {
            read: |ctx, arg, what| {
                Some(Check::TokenChanged(match arg.as_str() {
                    Some(s) => TokenChangedArgs {
                        since: s.to_string(),
                    },
                    None => ctx.typed(arg, what)?,
                }))
            },
            schema: |g| json!({"anyOf": [{"type": "string"}, sub::<TokenChangedArgs>(g)]}),
        },
    },
    CheckSyntax {
        name: "cookie_attributes",
        takes: Takes::Nothing(|| Check::CookieAttributes),
    },
    CheckSyntax {
        name: "no_token_in_url",
        takes: Takes::Nothing(|| Check::NoTokenInUrl),
    },
    CheckSyntax {
        name: "no_token_in_storage",
        takes: Takes::Nothing(|| Check::NoTokenInStorage),
    },
    CheckSyntax {
        name: "no_token_in_referer",
        takes: Takes::Nothing(|| Check::NoTokenInReferer),
    },
    CheckSyntax {
        name: "http_status",
        takes: Takes::Arg {
            read: |ctx, arg, what| Some(Check::HttpStatus(ctx.typed(arg, what)?)),
            schema: sub::<HttpStatusArgs>,
        },
    },
    CheckSyntax {
        name: "header",
        takes: Takes::Arg {
            read: |ctx, arg, what| {
                let h: HeaderArgs = ctx.typed(arg, what)?;
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
                Some(Check::Header(h))
            },
            schema: sub::<HeaderArgs>,
        },
    },
    CheckSyntax {
        name: "not_acting_as",
        takes: Takes::Arg {
            read: |ctx, arg, what| Some(Check::NotActingAs(ctx.typed(arg, what)?)),
            schema: |_| json!({"type": "string", "description": "a persona whose account this session must not act as"}),
        },
    },
    CheckSyntax {
        name: "idle_timeout_at_most",
        takes: Takes::Nothing(|| Check::IdleTimeoutAtMost),
    },
    CheckSyntax {
        name: "absolute_timeout_at_most",
        takes: Takes::Nothing(|| Check::AbsoluteTimeoutAtMost),
    },
    CheckSyntax {
        name: "checkout_expires",
        takes: Takes::Nothing(|| Check::CheckoutExpires),
    },
    CheckSyntax {
        name: "concurrent_sessions_at_most",
        takes: Takes::Nothing(|| Check::ConcurrentSessionsAtMost),
    },
    CheckSyntax {
        name: "no_account_data",
        takes: Takes::Nothing(|| Check::NoAccountData),
    },
    CheckSyntax {
        name: "no_cacheable_pages",
        takes: Takes::Nothing(|| Check::NoCacheablePages),
    },
    CheckSyntax {
        name: "client_binding",
        takes: Takes::Nothing(|| Check::ClientBinding),
    },
    CheckSyntax {
        name: "entropy_at_least",
        takes: Takes::Nothing(|| Check::EntropyAtLeast),
    },
    CheckSyntax {
        name: "jwt_forgery",
        takes: Takes::Arg {
            read: |ctx, arg, what| Some(Check::JwtForgery(ctx.typed(arg, what)?)),
            schema: sub::<JwtForgeryArgs>,
        },
    },
    CheckSyntax {
        name: "jwt_lifetime",
        takes: Takes::Nothing(|| Check::JwtLifetime),
    },
    CheckSyntax {
        name: "jwt_payload_hygiene",
        takes: Takes::Nothing(|| Check::JwtPayloadHygiene),
    },
    CheckSyntax {
        name: "jwt_revoked_by",
        takes: Takes::Arg {
            read: |ctx, arg, what| Some(Check::JwtRevokedBy(ctx.typed(arg, what)?)),
            schema: |_| json!({"type": "string", "description": "a profile flow (e.g. logout, change_password) after which the persona's earlier access and refresh tokens must be refused"}),
        },
    },
    CheckSyntax {
        name: "jwt_refresh_rotates",
        takes: Takes::Nothing(|| Check::JwtRefreshRotates),
    },
    CheckSyntax {
        name: "jwt_refresh_reuse_detected",
        takes: Takes::Nothing(|| Check::JwtRefreshReuseDetected),
    },
];

/// Every check name, for suggestions and messages.
pub const CHECK_NAMES: [&str; CHECKS.len()] = {
    let mut out = [""; CHECKS.len()];
    let mut i = 0;
    while i < CHECKS.len() {
        out[i] = CHECKS[i].name;
        i += 1;
    }
    out
};

/// What `check` and `require` take: a bare name, or a one-key mapping for a check with arguments.
fn check_schema(g: &mut SchemaGenerator) -> serde_json::Value {
    let bare: Vec<&str> = (CHECKS.iter())
        .filter(|c| matches!(c.takes, Takes::Nothing(_)))
        .map(|c| c.name)
        .collect();
    let mut with_arg = serde_json::Map::new();
    for c in CHECKS {
        if let Takes::Arg { schema, .. } = &c.takes {
            with_arg.insert(c.name.to_string(), schema(g));
        }
    }
    json!({"anyOf": [
        {"enum": bare},
        {"type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1, "properties": with_arg}
    ]})
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
    fn otherwise_is_a_see_s_and_never_empty() {
        let (s, d) = one("see: {element: '#a', otherwise: '#login'}");
        assert!(d.is_empty(), "{d:?}");
        let Some(Action::See(e)) = s.map(|s| s.action) else {
            panic!("a see")
        };
        assert_eq!(e.otherwise.as_deref(), Some("#login"));
        for (yaml, says) in [
            (
                "wait_for: {element: '#a', otherwise: '#b'}",
                "takes no `otherwise`",
            ),
            (
                "not_see: {element: '#a', otherwise: '#b'}",
                "takes no `otherwise`",
            ),
            (
                "see: {element: '#a', otherwise: ' '}",
                "`otherwise` is empty",
            ),
        ] {
            let (s, d) = one(yaml);
            assert!(
                s.is_none() && d.iter().any(|m| m.contains(says)),
                "{yaml}: {d:?}"
            );
        }
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
