//! The JSON Schema of profiles and scenarios (`usher schema`, kept in `schema/usher.schema.json` and
//! checked for drift in CI). Each step's and check's argument schema sits in the same row of
//! `convert::STEPS` / `convert::CHECKS` as the code that reads it, built from the same typed argument
//! structs, so the schema cannot say something the loader does not accept.

use super::locator::LocatorDoc;
use super::policy::PolicyDoc;
use super::profile::{DefaultsDoc, PersonaDoc, TokenDoc};
use schemars::generate::SchemaGenerator;
use serde_json::{Value, json};

fn step_schema(g: &mut SchemaGenerator) -> Value {
    // `Expect` first: its definition has always led `$defs`, and the schema file is kept byte for byte.
    g.subschema_for::<super::step::Expect>();
    let bare: Vec<&str> = super::convert::bare_keywords().collect();
    let mut variants: Vec<Value> = vec![json!({
        "enum": bare,
        "description": "a step without argument"
    })];
    for syntax in super::convert::STEPS {
        let (name, arg) = (syntax.keyword, (syntax.schema)(g));
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
            "api": g.subschema_for::<super::api::ApiDoc>().to_value(),
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
