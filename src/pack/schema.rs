//! The pack format as a JSON Schema (draft 2020-12), built from the settings table so that it
//! cannot drift from what the core accepts: each rule key with its shape, each choice with its
//! values, each scope by its protocol names. `docs/pack.schema.json` is this schema, written by
//! `eca-guard packs schema` (a test keeps the file current); vendors point their editors at it
//! and `eca-guard packs lint` reports every problem against it. Native only.

use serde_json::{json, Map, Value};

use super::params::FIXED;
use crate::settings::{self, Requirement};

fn severity() -> Value {
    json!({"enum": ["error", "warning", "deviation", "info"]})
}

fn common(props: &mut Map<String, Value>) {
    props.insert(
        "source".into(),
        json!({"type": "string", "description": "Id of one of the pack's sources."}),
    );
    props.insert(
        "why".into(),
        json!({"type": "string", "description": "Why the integration needs it (shown with deviations)."}),
    );
    props.insert("severity".into(), severity());
}

fn object(props: Map<String, Value>, required: &[&str]) -> Value {
    json!({"type": "object", "additionalProperties": false, "required": required, "properties": props})
}

fn rule_schema(key: &str, req: Requirement) -> Value {
    let mut p = Map::new();
    match req {
        Requirement::Bool => {
            p.insert("expect".into(), json!({"type": "boolean"}));
            common(&mut p);
            object(p, &["expect", "source"])
        }
        Requirement::Choice => {
            let values: Vec<&str> = settings::fields_of_pack_key(key)
                .flat_map(|f| f.spec().choices().iter().map(|c| c.value))
                .collect();
            p.insert(
                "expect".into(),
                json!({"type": "array", "minItems": 1, "items": {"enum": values}}),
            );
            common(&mut p);
            object(p, &["expect", "source"])
        }
        Requirement::Scopes => {
            let names: Vec<&str> = crate::scopes::SCOPES
                .iter()
                .flat_map(|s| s.protocol_names.iter().copied())
                .collect();
            let list = json!({"type": "array", "items": {"enum": names}});
            p.insert("require".into(), list.clone());
            p.insert(
                "requireWhen".into(),
                json!({"type": "object", "additionalProperties": false, "properties": {"salesforceIdp": list}}),
            );
            p.insert("extra".into(), json!({"anyOf": [severity(), {"type": "null"}]}));
            p.insert("forbid".into(), list);
            p.insert("source".into(), json!({"type": "string"}));
            object(p, &["require", "source"])
        }
        Requirement::Callback => {
            p.insert("urls".into(), json!({"type": "array", "items": {"type": "string"}}));
            p.insert(
                "fromParam".into(),
                json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
            );
            p.insert("trailingSlash".into(), json!({"enum": ["forbid", "allow"]}));
            p.insert("extra".into(), json!({"anyOf": [severity(), {"type": "null"}]}));
            p.insert("severity".into(), severity());
            p.insert("source".into(), json!({"type": "string"}));
            object(p, &["source"])
        }
        Requirement::Fixed => {
            p.insert("source".into(), json!({"type": "string"}));
            object(p, &["source"])
        }
    }
}

/// The schema.
pub fn schema() -> Value {
    let mut rules = Map::new();
    for key in settings::pack_keys() {
        if let Some(req) = settings::pack_key(key) {
            rules.insert(key.to_string(), rule_schema(key, req));
        }
    }
    let param_value = json!({
        "type": "object", "additionalProperties": false, "required": ["value", "label"],
        "properties": {
            "value": {"type": "string", "minLength": 1},
            "label": {"type": "string"},
            "callbackUrls": {"type": "array", "items": {"type": "string"}},
            "any": {"type": "boolean"}
        }
    });
    let param = json!({
        // `help` is the older name of `description` (params.rs): either one.
        "type": "object", "additionalProperties": false,
        "oneOf": [{"required": ["description"]}, {"required": ["help"]}],
        "properties": {
            "kind": {"enum": ["urls", "bool", "addresses", "choice"]},
            "label": {"type": "string"},
            "description": {"type": "string"},
            "help": {"type": "string"},
            "required": {"type": "boolean"},
            "values": {"type": "array", "items": param_value}
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://eca-guard.dev/pack.schema.json",
        "title": "ECA Guard rule pack",
        "description": "What an integration needs of a Salesforce External Client App, each rule citing its source (docs/CONTRIBUTING.md, \"Write a pack\").",
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "name", "sources", "rules"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"},
            "name": {"type": "string", "minLength": 1},
            "vendor": {"type": "string"},
            "covers": {"type": "string", "description": "Which versions of the integration the pack covers."},
            "checked": {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "When the rules were last checked against their sources."},
            "description": {"type": "string"},
            "appType": {"enum": ["eca", "connectedApp"]},
            "params": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z][A-Za-z0-9]{0,39}$"},
                "additionalProperties": param,
                "description": format!("Parameters the pack takes: {} have fixed meanings; others are choices.", FIXED.join(", "))
            },
            "sources": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["id", "title", "url"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string", "pattern": "^https?://"}}
            }},
            "rules": {"type": "object", "additionalProperties": false, "properties": rules},
            "notes": {"type": "array", "items": {"type": "string"}},
            "afterSend": {
                "type": "object", "additionalProperties": false, "required": ["title", "steps"],
                "properties": {"title": {"type": "string"}, "steps": {"type": "array", "items": {"type": "string"}}}
            }
        }
    })
}
