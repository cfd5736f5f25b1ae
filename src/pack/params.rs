//! Pack parameters: what a pack asks the admin for (declared in the pack, so the options page
//! builds its form from the pack), and the values the admin gave (docs/contract.md, "Rule packs"
//! and "Configuration").
//!
//! Three parameters have fixed meanings: `callbackUrls` (the URLs the integration redirects to),
//! `salesforceIdp` (Salesforce is the identity provider) and `serverAddresses` (the addresses the
//! integration connects from, for IP ranges). A pack may also declare choices (`client`,
//! `environment`, `region`), each value carrying the callback URLs it means.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::json::Pairs;

/// The parameters with a fixed meaning.
pub const FIXED: &[&str] = &["callbackUrls", "salesforceIdp", "serverAddresses"];

/// What kind of value a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamKind {
    /// A list of URLs.
    Urls,
    /// On or off.
    Bool,
    /// A list of IP addresses.
    Addresses,
    /// One of the declared values.
    Choice,
}

/// One value of a choice parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParamValue {
    /// The value stored (`claude`).
    pub value: String,
    /// What the options page shows ("Claude (web and desktop)").
    pub label: String,
    /// The callback URLs this value means: all of them must be there, or (with `any`) one.
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// One of `callbackUrls` is enough (a client whose versions use different callbacks).
    #[serde(default)]
    pub any: bool,
}

/// A parameter the pack takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParamSpec {
    /// Its kind; the fixed parameters have theirs, a choice must say so.
    #[serde(default)]
    pub kind: Option<ParamKind>,
    /// The field's label in the options page (default: the parameter's name).
    #[serde(default)]
    pub label: Option<String>,
    /// What to enter, shown under the field.
    #[serde(alias = "help")]
    pub description: String,
    /// Whether checks are incomplete without it.
    #[serde(default)]
    pub required: bool,
    /// The values of a choice.
    #[serde(default)]
    pub values: Vec<ParamValue>,
}

impl ParamSpec {
    /// The kind, with the fixed parameters' own.
    pub fn kind_of(&self, name: &str) -> Option<ParamKind> {
        self.kind.or(match name {
            "callbackUrls" => Some(ParamKind::Urls),
            "salesforceIdp" => Some(ParamKind::Bool),
            "serverAddresses" => Some(ParamKind::Addresses),
            _ => None,
        })
    }
}

/// Parameters from the user's settings (contract: `params`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// URLs the integration will use as redirect URIs.
    pub callback_urls: Vec<String>,
    /// Salesforce is the identity provider (Veeam: `openid` becomes required).
    pub salesforce_idp: bool,
    /// The addresses the integration connects to Salesforce from (for IP ranges).
    pub server_addresses: Vec<String>,
    /// The chosen value of each choice parameter (`client` → `claude`).
    pub choices: Pairs<String>,
}

impl Params {
    /// The value of a boolean parameter by its contract name.
    pub fn flag(&self, name: &str) -> bool {
        name == "salesforceIdp" && self.salesforce_idp
    }

    /// The value of a list parameter by its contract name.
    pub fn list(&self, name: &str) -> &[String] {
        match name {
            "callbackUrls" => &self.callback_urls,
            "serverAddresses" => &self.server_addresses,
            _ => &[],
        }
    }

    /// The chosen value of a choice parameter.
    pub fn choice(&self, name: &str) -> Option<&str> {
        self.choices.get(name).map(String::as_str)
    }
}

impl Serialize for Params {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("callbackUrls", &self.callback_urls)?;
        m.serialize_entry("salesforceIdp", &self.salesforce_idp)?;
        m.serialize_entry("serverAddresses", &self.server_addresses)?;
        for (k, v) in self.choices.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

struct ParamsVisitor;

impl<'de> Visitor<'de> for ParamsVisitor {
    type Value = Params;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of parameters")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
        let mut p = Params::default();
        let mut choices: Vec<(String, String)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "callbackUrls" => p.callback_urls = map.next_value()?,
                "salesforceIdp" => p.salesforce_idp = map.next_value()?,
                "serverAddresses" => p.server_addresses = map.next_value()?,
                name => {
                    let ok = name.len() <= 40
                        && name.chars().all(|c| c.is_ascii_alphanumeric())
                        && name.starts_with(|c: char| c.is_ascii_lowercase());
                    if !ok || choices.iter().any(|(k, _)| k == name) {
                        return Err(de::Error::custom(format_args!("unknown parameter `{name}`")));
                    }
                    let value: String = map.next_value().map_err(|_| {
                        de::Error::custom(format_args!(
                            "unknown parameter `{name}` (a pack's own parameter takes one of its values, as text)"
                        ))
                    })?;
                    choices.push((name.to_string(), value));
                }
            }
        }
        p.choices = Pairs(choices);
        Ok(p)
    }
}

impl<'de> Deserialize<'de> for Params {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ParamsVisitor)
    }
}
