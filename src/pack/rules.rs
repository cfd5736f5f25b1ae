//! A pack's `rules`: one entry per setting it has an opinion on, keyed by the setting's pack key
//! (settings table, `settings/`), each of the shape that setting's kind calls for. A missing
//! entry means "no opinion".

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::finding::Severity;
use crate::json::Pairs;
use crate::settings::{self, Field, Requirement};

/// A setting that must have one boolean value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoolRule {
    /// The value the integration needs.
    pub expect: bool,
    /// Source id.
    pub source: String,
    /// Why the integration needs it (shown with required deviations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Severity when the page differs (default `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// A setting that must be one of some values (metadata spellings: `Local`, `Bypass`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChoiceRule {
    /// Acceptable values, preferred first.
    pub expect: Vec<String>,
    /// Source id.
    pub source: String,
    /// Why the integration needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Severity when the page differs (default `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Which scopes the integration needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeRule {
    /// Protocol names that must be selected (`full`, `refresh_token`).
    pub require: Vec<String>,
    /// Extra required scopes when a boolean parameter is true (`salesforceIdp` → `openid`).
    #[serde(default)]
    pub require_when: Pairs<Vec<String>>,
    /// Severity of a selected scope the pack does not need (default `warning`; `null` = allowed).
    #[serde(default = "default_extra")]
    pub extra: Option<Severity>,
    /// Scopes that must not be selected (least privilege: `full`), reported as `scope-extra`
    /// with the `extra` severity (warning when `extra` is `null`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forbid: Vec<String>,
    /// Source id.
    pub source: String,
}

/// A string or a list of strings (a visitor of its own: serde's untagged enums buffer the value
/// in a generic form, which costs the Wasm module several KB).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a parameter name or a list of them")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                out.push(s);
            }
            Ok(out)
        }
    }
    d.deserialize_any(V)
}

fn default_extra() -> Option<Severity> {
    Some(Severity::Warning)
}

/// Whether a trailing slash is allowed on callback lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum TrailingSlash {
    /// `https://host/` is an error when `https://host` is required.
    #[default]
    Forbid,
    /// No opinion.
    Allow,
}

/// What the callback field must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackRule {
    /// URLs that must all be present, exactly (fixed by the integration).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Take the required URLs from these parameters as well: `callbackUrls` (the admin's list)
    /// or a choice the pack declares (the chosen value's URLs). One name or a list.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub from_param: Vec<String>,
    /// Severity of a required URL that is missing (default `error`; `warning` where the
    /// integration's main flow does not use the callback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Trailing slash policy.
    #[serde(default)]
    pub trailing_slash: TrailingSlash,
    /// Severity of a callback line that is not among the required ones (default: allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Severity>,
    /// Source id.
    pub source: String,
}

/// A rule that only needs a source (the check is fixed, e.g. login IP ranges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceOnly {
    /// Source id.
    pub source: String,
}

/// One entry of `rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// For a boolean setting.
    Bool(BoolRule),
    /// For a choice setting.
    Choice(ChoiceRule),
    /// For the scopes.
    Scopes(ScopeRule),
    /// For the callback field.
    Callback(CallbackRule),
    /// A fixed check (IP ranges).
    Fixed(SourceOnly),
}

impl Rule {
    /// The source id it cites.
    pub fn source(&self) -> &str {
        match self {
            Rule::Bool(r) => &r.source,
            Rule::Choice(r) => &r.source,
            Rule::Scopes(r) => &r.source,
            Rule::Callback(r) => &r.source,
            Rule::Fixed(r) => &r.source,
        }
    }
}

/// The rules of a pack, in the file's order, at most one per key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules(Vec<(&'static str, Rule)>);

impl Rules {
    /// The rule under a pack key (`requirePkce`).
    pub fn get(&self, key: &str) -> Option<&Rule> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, r)| r)
    }

    /// The rule that applies to a setting.
    pub fn for_field(&self, field: Field) -> Option<&Rule> {
        self.get(field.spec().pack?.0)
    }

    /// A boolean setting's rule.
    pub fn bool(&self, field: Field) -> Option<&BoolRule> {
        match self.for_field(field) {
            Some(Rule::Bool(r)) => Some(r),
            _ => None,
        }
    }

    /// A choice setting's rule.
    pub fn choice(&self, field: Field) -> Option<&ChoiceRule> {
        match self.for_field(field) {
            Some(Rule::Choice(r)) => Some(r),
            _ => None,
        }
    }

    /// The scope rule.
    pub fn scopes(&self) -> Option<&ScopeRule> {
        match self.for_field(Field::Scopes) {
            Some(Rule::Scopes(r)) => Some(r),
            _ => None,
        }
    }

    /// The callback rule.
    pub fn callback(&self) -> Option<&CallbackRule> {
        match self.for_field(Field::CallbackUrl) {
            Some(Rule::Callback(r)) => Some(r),
            _ => None,
        }
    }

    /// Every entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Rule)> {
        self.0.iter().map(|(k, r)| (*k, r))
    }

    /// Sets a rule (tests and tools that build packs).
    pub fn set(&mut self, key: &str, rule: Rule) -> Result<(), String> {
        let known = settings::pack_keys();
        let key = known
            .into_iter()
            .find(|k| *k == key)
            .ok_or_else(|| format!("unknown rule key `{key}`"))?;
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, rule));
        Ok(())
    }
}

impl Serialize for Rules {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, r) in &self.0 {
            match r {
                Rule::Bool(r) => m.serialize_entry(k, r)?,
                Rule::Choice(r) => m.serialize_entry(k, r)?,
                Rule::Scopes(r) => m.serialize_entry(k, r)?,
                Rule::Callback(r) => m.serialize_entry(k, r)?,
                Rule::Fixed(r) => m.serialize_entry(k, r)?,
            }
        }
        m.end()
    }
}

struct RulesVisitor;

impl<'de> Visitor<'de> for RulesVisitor {
    type Value = Rules;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of rules")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Rules, A::Error> {
        let mut out: Vec<(&'static str, Rule)> = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let keys = settings::pack_keys();
            let Some(k) = keys.iter().copied().find(|k| *k == key.as_ref()) else {
                return Err(de::Error::custom(format_args!(
                    "unknown field `{key}`, expected one of {}",
                    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                )));
            };
            if out.iter().any(|(o, _)| *o == k) {
                return Err(de::Error::custom(format_args!("duplicate field `{k}`")));
            }
            let rule = match settings::pack_key(k) {
                Some(Requirement::Bool) => Rule::Bool(map.next_value()?),
                Some(Requirement::Choice) => Rule::Choice(map.next_value()?),
                Some(Requirement::Scopes) => Rule::Scopes(map.next_value()?),
                Some(Requirement::Callback) => Rule::Callback(map.next_value()?),
                Some(Requirement::Fixed) | None => Rule::Fixed(map.next_value()?),
            };
            out.push((k, rule));
        }
        Ok(Rules(out))
    }
}

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RulesVisitor)
    }
}
