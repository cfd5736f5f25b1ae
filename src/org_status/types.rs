//! The popup's rows as data: the readings the worker remembers (in) and the rows with their
//! status, values and links (out). Their names are the contract's (docs/contract.md, "On the
//! page").

use serde::{Deserialize, Serialize};

use crate::finding::DocRef;
use crate::json::Pairs;
use crate::settings::Field;
use crate::snapshot::Snapshot;

/// When and where a remembered value was read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadAt {
    /// The page it was read on (without its query), for a link.
    #[serde(default)]
    pub from: Option<String>,
    /// When, ms since the epoch (an integer: reading JSON floats would add float parsing to the
    /// Wasm module).
    #[serde(default)]
    pub read_at: u64,
}

/// What the worker remembers of one org.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Readings {
    /// The values and unreadable settings, as one snapshot.
    pub snapshot: Snapshot,
    /// Where and when each was read.
    #[serde(default)]
    pub read: Pairs<ReadAt>,
    /// The app whose policies were read last.
    #[serde(default)]
    pub app: Option<String>,
}

/// One Setup page to fix a row in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Full URL on the org's Setup host.
    pub url: String,
    /// Its name.
    pub label: String,
}

/// A remembered value, shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shown {
    /// The setting.
    pub field: Field,
    /// Its label, when the row shows more than one setting.
    pub label: Option<&'static str>,
    /// The value as Setup words it.
    pub shown: String,
    /// When it was read (ms since the epoch).
    pub read_at: u64,
    /// "just now", "5 minutes ago".
    pub read_ago: String,
    /// Where.
    pub from: Option<String>,
}

/// A remembered setting that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotRead {
    /// The setting.
    pub field: Field,
    /// Why.
    pub reason: String,
    /// Where.
    pub from: Option<String>,
}

/// A row's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// As the pack needs (or no requirement).
    Pass,
    /// Not as the pack needs.
    Fail,
    /// As the pack needs, weaker than Salesforce's baseline.
    Deviation,
    /// Not read yet, or not readable.
    Unknown,
}

/// One popup row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    /// Rule id (contract: `data-rule`).
    pub rule: &'static str,
    /// What it checks.
    pub title: String,
    /// The verdict (contract: `data-status`).
    pub status: Status,
    /// The pack has no requirement here (shown for reference).
    pub no_requirement: bool,
    /// Why, in words.
    pub why: String,
    /// What to do ("" when nothing).
    pub fix: String,
    /// Where it is fixed.
    pub setup: Link,
    /// Other pages to fix it in.
    pub setup_more: Vec<Link>,
    /// The document behind it.
    pub source: DocRef,
    /// What was read.
    pub values: Vec<Shown>,
    /// What could not be read.
    pub could_not_read: Vec<NotRead>,
    /// The app whose policy this is (policy rows).
    pub app: Option<String>,
}

/// The popup's answer for one org.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgStatus {
    /// The pack's id and name.
    pub pack: PackName,
    /// The rows.
    pub rows: Vec<Row>,
    /// How many rows fail (the action badge).
    pub failing: usize,
    /// The pack's notes.
    pub pack_notes: Vec<String>,
}

/// A pack's id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackName {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}
