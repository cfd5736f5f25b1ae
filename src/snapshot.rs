//! A typed snapshot of what a Setup page (or a metadata file) shows.
//!
//! One shape serves every surface: the New ECA form, the ECA detail tabs, the legacy Connected
//! App pages, Session Settings, Network Access and metadata files. It holds a value for each
//! setting the surface shows (typed by the settings table, `settings/`); a setting the surface
//! does not have is absent and not checked; one that is there but could not be read goes into
//! `unreadable`, one in a collapsed section or an unopened tab into `hidden`, and the check
//! reports them instead of guessing a pass.
//!
//! On the wire (the content scripts send it as JSON) it is one flat object:
//! `{"page": "new-eca", "requirePkce": false, "scopes": ["Full access (full)"], "unreadable": […]}`.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::settings::Field;
use crate::settings::Kind;

/// Which surface a snapshot was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Page {
    /// The New External Client App form.
    #[default]
    NewEca,
    /// The ECA detail page (Settings and Policies tabs), after creation.
    EcaDetail,
    /// The classic New/Edit Connected App page.
    ConnectedAppEdit,
    /// The classic Connected App detail page.
    ConnectedAppDetail,
    /// Setup › Session Settings.
    SessionSettings,
    /// Setup › Network Access (trusted IP ranges) or a profile's Login IP Ranges.
    NetworkAccess,
    /// ECA metadata files (the CLI).
    Metadata,
}

/// An IPv4/IPv6 range as Setup lists it (start and end address, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IpRange {
    /// Start address.
    pub start: String,
    /// End address.
    pub end: String,
}

/// A setting that is on the page but could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unreadable {
    /// The setting.
    pub field: Field,
    /// Why it could not be read ("label found, no checkbox next to it").
    pub reason: String,
}

/// A setting the page has but does not show yet: its section is collapsed or its tab unopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Hidden {
    /// The setting.
    pub field: Field,
    /// The section or tab to open, as the page names it ("OAuth Settings", "Policies").
    pub section: String,
}

/// The value of one setting, of the shape its kind gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// On or off.
    Bool(bool),
    /// Text: free text, a choice (label or metadata value), the callback field.
    Text(String),
    /// A list: scopes as shown, profile and permission set names.
    List(Vec<String>),
    /// IP ranges.
    Ranges(Vec<IpRange>),
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::List(v)
    }
}
impl From<&[&str]> for Value {
    fn from(v: &[&str]) -> Self {
        Value::List(v.iter().map(|s| s.to_string()).collect())
    }
}
impl<const N: usize> From<[&str; N]> for Value {
    fn from(v: [&str; N]) -> Self {
        Value::List(v.iter().map(|s| s.to_string()).collect())
    }
}
impl From<Vec<IpRange>> for Value {
    fn from(v: Vec<IpRange>) -> Self {
        Value::Ranges(v)
    }
}

/// What one page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The surface it was read from.
    pub page: Page,
    /// The values read, in page order (at most one per field).
    values: Vec<(Field, Value)>,
    /// Settings on the page that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Settings in a collapsed section or an unopened tab.
    pub hidden: Vec<Hidden>,
    /// The labels the page itself shows for settings (in its language), so that messages quote
    /// what the admin sees; settings without one are quoted by their English label.
    pub labels: Vec<(Field, String)>,
    /// A page ECA Guard recognised whose labels are in a language it does not know: that
    /// language (the page's `lang`), and so nothing could be read.
    pub labels_unknown: Option<String>,
    /// Settings a metadata file leaves out, whose value is Salesforce's documented default.
    pub defaulted: Vec<Field>,
}

impl Snapshot {
    /// An empty snapshot of a surface.
    pub fn new(page: Page) -> Self {
        Snapshot {
            page,
            ..Snapshot::default()
        }
    }

    /// Sets a value (builder form, for tests and the metadata reader).
    pub fn with(mut self, field: Field, value: impl Into<Value>) -> Self {
        self.set(field, value);
        self
    }

    /// Sets (or replaces) a value.
    pub fn set(&mut self, field: Field, value: impl Into<Value>) {
        let value = value.into();
        match self.values.binary_search_by_key(&field, |(f, _)| *f) {
            Ok(i) => self.values[i].1 = value,
            Err(i) => self.values.insert(i, (field, value)),
        }
    }

    /// Removes a value, returning it.
    pub fn remove(&mut self, field: Field) -> Option<Value> {
        let i = self.values.binary_search_by_key(&field, |(f, _)| *f).ok()?;
        Some(self.values.remove(i).1)
    }

    /// The value of a field, when the page shows it.
    pub fn get(&self, field: Field) -> Option<&Value> {
        let i = self.values.binary_search_by_key(&field, |(f, _)| *f).ok()?;
        Some(&self.values[i].1)
    }

    /// Every value, in page order.
    pub fn values(&self) -> impl Iterator<Item = (Field, &Value)> {
        self.values.iter().map(|(f, v)| (*f, v))
    }

    /// A boolean setting's value.
    pub fn bool(&self, field: Field) -> Option<bool> {
        match self.get(field) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// A text setting's value.
    pub fn text(&self, field: Field) -> Option<&str> {
        match self.get(field) {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// A list setting's value.
    pub fn list(&self, field: Field) -> Option<&[String]> {
        match self.get(field) {
            Some(Value::List(l)) => Some(l),
            _ => None,
        }
    }

    /// An IP range setting's value.
    pub fn ranges(&self, field: Field) -> Option<&[IpRange]> {
        match self.get(field) {
            Some(Value::Ranges(r)) => Some(r),
            _ => None,
        }
    }

    /// Records a setting that could not be read (dropping any value it had).
    pub fn unreadable(&mut self, field: Field, reason: impl Into<String>) {
        self.remove(field);
        if !self.unreadable.iter().any(|u| u.field == field) {
            self.unreadable.push(Unreadable {
                field,
                reason: reason.into(),
            });
        }
    }

    /// Whether a setting was reported as unreadable.
    pub fn is_unreadable(&self, field: Field) -> bool {
        self.unreadable.iter().any(|u| u.field == field)
    }

    /// The label to quote for a setting: the page's own, else the English one.
    pub fn label(&self, field: Field) -> &str {
        self.labels
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field.label(), |(_, l)| l.as_str())
    }
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("page", &self.page)?;
        for (f, v) in &self.values {
            match v {
                Value::Bool(b) => m.serialize_entry(f.name(), b)?,
                Value::Text(t) => m.serialize_entry(f.name(), t)?,
                Value::List(l) => m.serialize_entry(f.name(), l)?,
                Value::Ranges(r) => m.serialize_entry(f.name(), r)?,
            }
        }
        m.serialize_entry("unreadable", &self.unreadable)?;
        if !self.hidden.is_empty() {
            m.serialize_entry("hidden", &self.hidden)?;
        }
        if !self.labels.is_empty() {
            let labels: Vec<(&str, &str)> = self.labels.iter().map(|(f, l)| (f.name(), l.as_str())).collect();
            m.serialize_entry("labels", &Labels(&labels))?;
        }
        if let Some(lang) = &self.labels_unknown {
            m.serialize_entry("labelsUnknown", lang)?;
        }
        if !self.defaulted.is_empty() {
            m.serialize_entry("defaulted", &self.defaulted)?;
        }
        m.end()
    }
}

struct Labels<'a>(&'a [(&'a str, &'a str)]);

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The value of `field` as the next map value, of the shape its kind gives it (`null` = absent).
fn value<'de, A: MapAccess<'de>>(map: &mut A, field: Field) -> Result<Option<Value>, A::Error> {
    Ok(match field.spec().kind {
        Kind::Bool => map.next_value::<Option<bool>>()?.map(Value::Bool),
        Kind::Text | Kind::Choice(_) | Kind::Callback => map.next_value::<Option<String>>()?.map(Value::Text),
        Kind::Scopes | Kind::Names => map.next_value::<Option<Vec<String>>>()?.map(Value::List),
        Kind::Ranges => map.next_value::<Option<Vec<IpRange>>>()?.map(Value::Ranges),
    })
}

struct SnapshotVisitor;

impl<'de> Visitor<'de> for SnapshotVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page snapshot (an object of settings)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let mut snap = Snapshot::default();
        // The page-state keys read so far: given twice, `labels` would hold a setting twice and
        // the snapshot would not write back out to itself (a repeated setting is refused below).
        let mut seen: Vec<&'static str> = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            const STATE: [&str; 6] = ["page", "unreadable", "hidden", "labelsUnknown", "defaulted", "labels"];
            if let Some(k) = STATE.into_iter().find(|k| *k == key.as_ref()) {
                if seen.contains(&k) {
                    return Err(de::Error::custom(format_args!("duplicate field `{k}`")));
                }
                seen.push(k);
            }
            match key.as_ref() {
                "page" => snap.page = map.next_value()?,
                "unreadable" => snap.unreadable = map.next_value()?,
                "hidden" => snap.hidden = map.next_value()?,
                "labelsUnknown" => snap.labels_unknown = map.next_value()?,
                "defaulted" => snap.defaulted = map.next_value()?,
                "labels" => {
                    let labels: crate::json::Pairs<String> = map.next_value()?;
                    for (name, label) in labels.0 {
                        let field = Field::from_name(&name)
                            .ok_or_else(|| de::Error::custom(format_args!("labels: unknown field `{name}`")))?;
                        snap.labels.push((field, label));
                    }
                }
                name => {
                    let field = Field::from_name(name)
                        .ok_or_else(|| de::Error::custom(format_args!("unknown field `{name}`")))?;
                    if snap.get(field).is_some() {
                        return Err(de::Error::custom(format_args!("duplicate field `{name}`")));
                    }
                    if let Some(v) = value(&mut map, field)? {
                        snap.set(field, v);
                    }
                }
            }
        }
        Ok(snap)
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SnapshotVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_one_flat_object() {
        let snap = Snapshot::new(Page::EcaDetail)
            .with(Field::RequirePkce, false)
            .with(Field::Scopes, ["Full access (full)"])
            .with(Field::IpRelaxation, "Relax IP restrictions");
        let text = serde_json::to_string(&snap).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"page":"eca-detail","scopes":["Full access (full)"],"requirePkce":false,"ipRelaxation":"Relax IP restrictions","unreadable":[]}"#
        );
        assert_eq!(crate::json::from_str::<Snapshot>(&text).ok(), Some(snap));
    }

    #[test]
    fn values_are_typed_by_the_table() {
        let err = |t: &str| {
            crate::json::from_str::<Snapshot>(t)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            err(r#"{"requirePkce": "yes"}"#).contains("expected a boolean"),
            "{}",
            err(r#"{"requirePkce": "yes"}"#)
        );
        assert!(err(r#"{"scopes": "Full"}"#).contains("expected a sequence"));
        assert!(err(r#"{"requirePKCE": true}"#).contains("unknown field `requirePKCE`"));
        assert!(err(r#"{"requirePkce": true, "requirePkce": false}"#).contains("duplicate field"));
        // Written back out, `labels` twice was a map with a repeated key, which does not read.
        let twice = r#"{"labels": {"requirePkce": "A"}, "labels": {"requirePkce": "B"}}"#;
        assert!(err(twice).contains("duplicate field `labels`"), "{}", err(twice));
        assert!(err(r#"{"page": "new-eca", "page": "eca-detail"}"#).contains("duplicate field `page`"));
        let s = crate::json::from_str::<Snapshot>(r#"{"requirePkce": null, "labels": {"requirePkce": "PKCE"}}"#);
        assert_eq!(s.as_ref().ok().and_then(|s| s.bool(Field::RequirePkce)), None);
        assert_eq!(s.as_ref().map(|s| s.label(Field::RequirePkce)).ok(), Some("PKCE"));
    }
}
