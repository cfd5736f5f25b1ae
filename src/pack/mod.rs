//! Rule packs: what an integration needs, as data. Each rule names the document it comes from.
//!
//! A pack says what each setting must be (`rules.rs`, keyed by the settings table's pack keys);
//! the checker (`check/`) knows how to compare, and the settings table what Salesforce's own
//! baseline is. Adding an integration
//! means writing a pack, not editing the checker. Built-in packs live in `src/packs/*.json`;
//! users add custom packs in the same JSON shape.

mod after_send;
mod builtin;
mod params;
mod rules;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
mod validate;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::json::Pairs;

pub use after_send::{after_send, get_command, is_app_id, is_host, shell_quote, Step, Steps};
pub use params::{ParamKind, ParamSpec, ParamValue, Params, FIXED as FIXED_PARAMS};
pub use rules::{BoolRule, CallbackRule, ChoiceRule, Rule, Rules, ScopeRule, SourceOnly, TrailingSlash};
pub use validate::{validate, validate_custom};

/// Which kind of app the pack is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum AppType {
    /// An External Client App.
    #[default]
    Eca,
    /// A legacy Connected App (none can be created since Spring '26).
    ConnectedApp,
}

/// A document a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// Short id the rules refer to.
    pub id: String,
    /// Document title.
    pub title: String,
    /// Where to read it.
    pub url: String,
}

/// A rule pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pack {
    /// Stable id (`veeam-eca`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who makes the integration ("Veeam", "Salesforce").
    #[serde(default)]
    pub vendor: String,
    /// Which versions of the integration the pack covers ("3.2 and later").
    #[serde(default)]
    pub covers: String,
    /// When the rules were last checked against their sources (YYYY-MM-DD).
    #[serde(default)]
    pub checked: String,
    /// One paragraph: what the integration is and what the pack checks.
    #[serde(default)]
    pub description: String,
    /// ECA or legacy Connected App.
    #[serde(default)]
    pub app_type: AppType,
    /// Parameters it takes (`callbackUrls`, `salesforceIdp`, `serverAddresses`).
    #[serde(default)]
    pub params: Pairs<ParamSpec>,
    /// Documents the rules cite.
    pub sources: Vec<Source>,
    /// The rules.
    pub rules: Rules,
    /// Things to tell the admin whatever the page says ("tokens take up to 10 minutes").
    #[serde(default)]
    pub notes: Vec<String>,
    /// What to do in the integration after the key and secret were sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_send: Option<AfterSend>,
}

/// The integration's steps after a send (`{getCommand}` in a step stands for the command that
/// prints the credential on the paired server; see [`crate::pack::after_send`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AfterSend {
    /// Heading ("Next, in Veeam Backup for Salesforce").
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<String>,
}

/// The extension's settings (contract: "Configuration"), as stored under `ecaGuard`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Pack id, built-in or custom.
    #[serde(default)]
    pub pack: String,
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Custom packs the user added.
    #[serde(default)]
    pub custom_packs: Vec<Pack>,
}

#[cfg(target_arch = "wasm32")]
pub use builtin::register_built_in;
pub use builtin::{built_in, built_in_json};

/// Finds a pack by id among the built-in and the given custom packs (custom packs may not
/// shadow a built-in id; [`validate`] rejects that).
pub fn find<'a>(id: &str, custom: &'a [Pack]) -> Result<&'a Pack, Error>
where
    'static: 'a,
{
    built_in()
        .iter()
        .chain(custom.iter())
        .find(|p| p.id == id)
        .ok_or_else(|| Error::UnknownPack {
            id: id.to_string(),
            known: built_in()
                .iter()
                .chain(custom.iter())
                .map(|p| p.id.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Parses and validates a pack from JSON text. Errors name the line and the reason.
pub fn parse(text: &str) -> Result<Pack, Error> {
    let pack: Pack = crate::json::from_str(text).map_err(|e| Error::PackSyntax {
        line: e.line(),
        column: e.column(),
        reason: strip_position(&e.to_string()),
    })?;
    validate(&pack).map_err(|(reason, needle)| Error::PackInvalid {
        pack: pack.id.clone(),
        line: needle.and_then(|n| line_of(text, &n)),
        reason,
    })?;
    Ok(pack)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// 1-based line of the first occurrence of `"needle"` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let quoted = format!("\"{needle}\"");
    text.find(&quoted).map(|at| text[..at].matches('\n').count() + 1)
}

/// The callback URLs an integration redirects to, as the pack and the admin's parameters say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Every one of these must be a line of the field.
    pub all: Vec<String>,
    /// One of each group must be (a client whose versions use different callbacks).
    pub any_of: Vec<Vec<String>>,
    /// Parameters the URLs come from that have no value yet (the check cannot be complete).
    pub unknown: Vec<String>,
}

impl Pack {
    /// The callback URLs the pack requires for these parameters.
    pub fn callbacks(&self, params: &Params) -> Wanted {
        let mut w = Wanted::default();
        let Some(rule) = self.rules.callback() else { return w };
        w.all.extend(rule.urls.iter().cloned());
        for name in &rule.from_param {
            if name == "callbackUrls" {
                if params.callback_urls.is_empty() {
                    w.unknown.push(name.clone());
                }
                for u in &params.callback_urls {
                    if !w.all.contains(u) {
                        w.all.push(u.clone());
                    }
                }
                continue;
            }
            let spec = self.params.get(name);
            let chosen = params
                .choice(name)
                .and_then(|v| spec.and_then(|s| s.values.iter().find(|x| x.value == v)));
            match chosen {
                None => w.unknown.push(name.clone()),
                Some(v) if v.any && !v.callback_urls.is_empty() => w.any_of.push(v.callback_urls.clone()),
                Some(v) => w.all.extend(
                    v.callback_urls
                        .iter()
                        .filter(|u| !w.all.contains(u))
                        .cloned()
                        .collect::<Vec<_>>(),
                ),
            }
        }
        // A choice whose value names no URL (a client with a per-tenant callback) leaves it to
        // `callbackUrls`: unknown only when that is empty too.
        if !w.all.is_empty() || !w.any_of.is_empty() {
            w.unknown.retain(|n| n != "callbackUrls");
        }
        w
    }

    /// The source with this id, or a placeholder naming the pack.
    pub fn source(&self, id: &str) -> Source {
        let (title, url) = self.source_parts(id);
        Source {
            id: id.to_string(),
            title: title.to_string(),
            url: url.to_string(),
        }
    }

    /// Title and URL of the source with this id, borrowed; the pack's name and no URL when the
    /// pack has no such source.
    pub fn source_parts(&self, id: &str) -> (&str, &str) {
        match self.sources.iter().find(|s| s.id == id) {
            Some(s) => (&s.title, &s.url),
            None => (&self.name, ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_packs_are_valid() {
        for (id, json) in builtin::BUILT_IN_JSON {
            let pack = parse(json).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&pack.id, id);
        }
        assert_eq!(built_in().len(), builtin::BUILT_IN_JSON.len());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("{\n  \"id\": \"x\",\n  \"name\": oops\n}").err();
        match err {
            Some(Error::PackSyntax { line, .. }) => assert_eq!(line, 3),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = r#"{"id":"x","name":"X","sources":[],"rules":{"pkce":{"expect":true,"source":"s"}}}"#;
        let msg = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("unknown field `pkce`"), "{msg}");
    }

    #[test]
    fn semantic_errors_name_the_line_and_reason() {
        let text = "{\"id\":\"acme\",\"name\":\"Acme\",\n\"sources\":[{\"id\":\"doc\",\"title\":\"Doc\",\"url\":\"https://acme.example/doc\"}],\n\"rules\":{\"scopes\":{\"require\":[\n\"fulll\"],\"source\":\"doc\"}}}";
        match parse(text) {
            Err(Error::PackInvalid { line, reason, .. }) => {
                assert_eq!(line, Some(4));
                assert!(reason.contains("`fulll` is not a scope"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn dangling_source_is_rejected() {
        let text =
            r#"{"id":"acme","name":"Acme","sources":[],"rules":{"requirePkce":{"expect":true,"source":"nowhere"}}}"#;
        let msg = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("cites source `nowhere`"), "{msg}");
    }

    #[test]
    fn custom_packs_cannot_shadow_built_ins() {
        let mut p = built_in()[0].clone();
        assert!(validate_custom(std::slice::from_ref(&p)).is_err());
        p.id = "my-veeam".into();
        assert!(validate_custom(std::slice::from_ref(&p)).is_ok());
        assert!(validate_custom(&[p.clone(), p]).is_err());
    }

    #[test]
    fn unknown_pack_lists_known_ids() {
        let msg = find("nope", &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("veeam-eca") && msg.contains("delphix-crt-eca"), "{msg}");
    }
}
