//! The JSON Schema of profiles and scenarios (`usher schema`, kept in `schema/usher.schema.json` and
//! checked for drift in CI). Steps are built from the same typed argument structs the loader uses, so
//! the schema cannot say something the loader does not accept.

use super::locator::LocatorDoc;
use super::policy::PolicyDoc;
use super::profile::{DefaultsDoc, PersonaDoc, TokenDoc};
use super::step::*;
use schemars::generate::SchemaGenerator;
use serde_json::{Value, json};

fn arg_schemas(g: &mut SchemaGenerator) -> Vec<(&'static str, Value)> {
    let s = |v: schemars::Schema| v.to_value();
    let string = json!({"type": "string"});
    let duration =
        json!({"type": "string", "description": "a duration with a unit: 500ms, 30s, 15m, 8h"});
    let optional_persona =
        json!({"type": ["string", "null"], "description": "a persona (default: the step's)"});
    let expect = json!({"anyOf": [{"type": "string", "description": "CSS selector"}, s(g.subschema_for::<Expect>())]});
    vec![
        (
            "open",
            json!({"type": "string", "description": "a path on the base URL, or a full URL"}),
        ),
        ("click", s(g.subschema_for::<LocatorDoc>())),
        ("fill", s(g.subschema_for::<FillArgs>())),
        ("select", s(g.subschema_for::<SelectArgs>())),
        ("submit", s(g.subschema_for::<LocatorDoc>())),
        ("wait_for", expect.clone()),
        ("see", expect.clone()),
        ("not_see", expect),
        (
            "run",
            json!({"anyOf": [
                {"type": "string", "description": "a flow of the profile"},
                s(g.subschema_for::<RunPartArgs>())
            ]}),
        ),
        ("get_cookie", s(g.subschema_for::<GetCookieArgs>())),
        ("set_cookie", s(g.subschema_for::<SetCookieArgs>())),
        ("delete_cookie", string.clone()),
        ("clear_cookies", json!({"type": "null"})),
        ("get_storage", s(g.subschema_for::<GetStorageArgs>())),
        ("set_storage", s(g.subschema_for::<SetStorageArgs>())),
        ("clear_storage", s(g.subschema_for::<Area>())),
        (
            "eval",
            json!({"anyOf": [string.clone(), s(g.subschema_for::<EvalArgs>())]}),
        ),
        ("back", json!({"type": "null"})),
        ("back_to", s(g.subschema_for::<super::step::BackTarget>())),
        ("refresh", json!({"type": "null"})),
        (
            "context",
            json!({"type": "string", "description": "an Appium context (NATIVE_APP, WEBVIEW_1) or a prefix of one (WEBVIEW)"}),
        ),
        ("screenshot", json!({"type": ["string", "null"]})),
        ("idle", duration),
        ("steal", s(g.subschema_for::<StealArgs>())),
        ("plant", s(g.subschema_for::<PlantArgs>())),
        (
            "capture",
            json!({"anyOf": [string, s(g.subschema_for::<CaptureArgs>())]}),
        ),
        ("replay", s(g.subschema_for::<ReplayArgs>())),
        ("fresh", optional_persona.clone()),
        ("forget", optional_persona),
        ("parallel", s(g.subschema_for::<ParallelArgs>())),
        (
            "browse",
            json!({"type": "null", "description": "visit the authenticated pages: the profile's `browse` flow, else a crawl of links from the oracle's page"}),
        ),
        ("check", check_schema(g)),
        (
            "set_var",
            json!({"type": "object", "additionalProperties": {"type": "string"}, "description": "variables for later steps"}),
        ),
        (
            "login_http",
            json!({"anyOf": [{"type": "null"}, s(g.subschema_for::<LoginHttpArgs>())]}),
        ),
        ("require", check_schema(g)),
        (
            "variants",
            json!({
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
                "description": "named step lists judged together: FAIL if any shows the flaw, PASS if those that could run do not, ERROR if none could run"
            }),
        ),
    ]
}

fn check_schema(g: &mut SchemaGenerator) -> Value {
    let bare: Vec<&str> = Check::NAMES
        .iter()
        .copied()
        .filter(|n| {
            !matches!(
                *n,
                "token_changed" | "http_status" | "header" | "not_acting_as"
            )
        })
        .collect();
    json!({"anyOf": [
        {"enum": bare},
        {"type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1, "properties": {
            "token_changed": {"anyOf": [{"type": "string"}, g.subschema_for::<TokenChangedArgs>().to_value()]},
            "http_status": g.subschema_for::<HttpStatusArgs>().to_value(),
            "header": g.subschema_for::<HeaderArgs>().to_value(),
            "not_acting_as": {"type": "string", "description": "a persona whose account this session must not act as"},
        }}
    ]})
}

fn step_schema(g: &mut SchemaGenerator) -> Value {
    let mut variants: Vec<Value> = vec![json!({
        "enum": ["back", "refresh", "screenshot", "clear_cookies", "fresh", "forget", "login_http", "browse"],
        "description": "a step without argument"
    })];
    for (name, arg) in arg_schemas(g) {
        variants.push(json!({
            "type": "object",
            "additionalProperties": false,
            "required": [name],
            "properties": {
                name: arg,
                "as": {"type": "string", "description": "the persona performing the step"},
                "timeout": {"type": "string", "description": "bound on this step, e.g. 30s"},
                "name": {"type": "string", "description": "label in reports"}
            }
        }));
    }
    json!({"anyOf": variants})
}

pub fn json_schema() -> Value {
    let mut g = SchemaGenerator::default();
    let step = step_schema(&mut g);
    let steps = json!({"type": "array", "items": {"$ref": "#/$defs/Step"}});
    let profile = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["app", "token", "personas", "flows"],
        "properties": {
            "app": {"type": "string"},
            "base_url": {"type": "string"},
            "browser": {"enum": ["chrome", "firefox"]},
            "capabilities": {"type": "object", "description": "WebDriver/Appium capabilities, passed through"},
            "mobile_emulation": g.subschema_for::<super::mobile::MobileEmulationDoc>().to_value(),
            "token": {"anyOf": [{"const": "auto"}, g.subschema_for::<TokenDoc>().to_value()]},
            "identity": {
                "description": "the element that shows who is logged in: its text (textContent, trimmed) is compared for equality with a persona's username",
                "allOf": [g.subschema_for::<LocatorDoc>().to_value()]
            },
            "personas": {"type": "object", "additionalProperties": g.subschema_for::<PersonaDoc>().to_value()},
            "vars": {"type": "object", "additionalProperties": {"type": "string"}},
            "policy": g.subschema_for::<PolicyDoc>().to_value(),
            "defaults": g.subschema_for::<DefaultsDoc>().to_value(),
            "anonymous_sessions": {"type": "boolean", "description": "false: the app issues no session id before login; scenarios that `requires: [anonymous_session]` are SKIPPED"},
            "flows": {
                "type": "object",
                "required": ["login", "logged_in"],
                "additionalProperties": steps.clone()
            }
        }
    });
    let scenario = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["scenario", "steps"],
        "properties": {
            "scenario": {"type": "string"},
            "description": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "personas": {"type": "array", "items": {"type": "string"}},
            "profile": {"type": "string"},
            "requires": {"type": "array", "items": g.subschema_for::<super::requirement::Requirement>().to_value(), "description": "preconditions beyond the flows it runs; unmet ones make the scenario SKIPPED"},
            "steps": steps
        }
    });
    let mut defs = g.take_definitions(true);
    defs.insert("Step".into(), step);
    defs.insert("Profile".into(), profile);
    defs.insert("Scenario".into(), scenario);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/usher/usher/schema/usher.schema.json",
        "title": "usher profile or scenario",
        "anyOf": [{"$ref": "#/$defs/Profile"}, {"$ref": "#/$defs/Scenario"}],
        "$defs": defs
    })
}
