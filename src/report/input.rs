//! What the report is built from: the page's check result and kind, the org's status rows as
//! the checker module gave them, and the page's address. Each type reads only what the report
//! uses, so nothing else (a setting's value, a key) reaches it.

use serde::Deserialize;

use crate::check::CheckResult;
use crate::finding::DocRef;
use crate::json::Pairs;
use crate::org_status::{Link, Status};
use crate::settings::Field;
use crate::snapshot::Page;

/// From a page snapshot, only what the report uses: its kind and the labels it shows. Any other
/// key (a setting's value, or anything a page made a reader put there) is skipped unread.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PageMeta {
    /// Which surface.
    #[serde(default)]
    pub page: Page,
    /// The page's own labels, by field name.
    #[serde(default)]
    pub labels: Pairs<String>,
}

/// The page part of the input: the latest check of the tab (or frame).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInput {
    /// The frame's address (query values are dropped).
    pub url: String,
    /// When it was checked, ms since the epoch.
    #[serde(default)]
    pub checked_at: u64,
    /// Kind and labels.
    pub snapshot: PageMeta,
    /// The checker's result.
    pub result: CheckResult,
}

/// What the report is built from (the worker's message to the on-demand module).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Input {
    /// The tab's host.
    pub host: String,
    /// Now, ms since the epoch.
    pub now: u64,
    /// The page, when one was checked.
    #[serde(default)]
    pub page: Option<PageInput>,
    /// The org's rows (`orgStatus`'s reply; only `rows` is read).
    #[serde(default)]
    pub org_status: StatusIn,
}

/// The org's status as the checker module wrote it: the rows.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct StatusIn {
    /// The popup's rows.
    #[serde(default)]
    pub rows: Vec<RowIn>,
}

/// One popup row, as `orgStatus` writes it (src/org_status/ `Row`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowIn {
    /// Rule id.
    pub rule: String,
    /// What it checks.
    pub title: String,
    /// The verdict.
    pub status: Status,
    /// No requirement.
    #[serde(default)]
    pub no_requirement: bool,
    /// Why.
    #[serde(default)]
    pub why: String,
    /// What to do.
    #[serde(default)]
    pub fix: String,
    /// Where it is fixed.
    pub setup: Link,
    /// The document behind it.
    pub source: DocRef,
    /// What was read.
    #[serde(default)]
    pub values: Vec<ShownIn>,
    /// What could not be read.
    #[serde(default)]
    pub could_not_read: Vec<NotReadIn>,
    /// The app of a policy row.
    #[serde(default)]
    pub app: Option<String>,
}

/// A value a row shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownIn {
    /// The setting.
    pub field: Field,
    /// In Setup's words.
    pub shown: String,
    /// When it was read, ms since the epoch.
    #[serde(default)]
    pub read_at: u64,
    /// Where.
    #[serde(default)]
    pub from: Option<String>,
}

/// A setting a row could not read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotReadIn {
    /// The setting.
    pub field: Field,
    /// Why.
    pub reason: String,
    /// Where.
    #[serde(default)]
    pub from: Option<String>,
}
