//! The evidence report for a change ticket: what ECA Guard found on a page and in the org, with
//! the pack, the time and where each reading came from, as JSON ([`Report`]'s serialisation) and
//! as a Markdown checklist ([`Report::markdown`]). docs/contract.md, "Evidence report", names
//! its fields.
//!
//! What it never holds: a secret, a consumer key beyond its first characters, or a value of a
//! field on the page. Its inputs are the page's check result (findings as the checker worded
//! them), the page's kind and labels (never its values: [`PageMeta`] reads only those two keys
//! of a snapshot), the org's status (the popup's rows, as the checker module's `orgStatus` gave
//! them to the worker: src/org_status/) and the page's address without query values. Taking
//! both results as given keeps the checker's code out of the on-demand module, which builds the
//! report (src/wasm/pages.rs). Every text that comes from
//! the page, or from a pack, passes through `text.rs` (credential-shaped tokens cut; Markdown made
//! inert).

mod input;
mod markdown;
pub mod text;

pub use input::*;

use serde::Serialize;

use crate::error::Error;
use crate::finding::{Counts, DocRef, Severity};
use crate::org::OrgKind;
use crate::org_status::{Link, Status};
use crate::pack::{self, Config, Pack, Rule};
use crate::settings::Field;
use crate::snapshot::Page;
use text::{iso_utc, plain, safe_url};

/// The format's name and version (the JSON's `format`); a change that renames or removes a
/// field makes it `/2`.
pub const FORMAT: &str = "eca-guard-report/1";

/// The pack, as the report names it (packs carry no version number: `checked` is the date their
/// rules were last checked against their sources, which is what a reviewer needs).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Which versions of the integration it covers.
    pub covers: String,
    /// When its rules were last checked (YYYY-MM-DD).
    pub checked: String,
}

/// The org, from the tab's host.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgInfo {
    /// The tab's host.
    pub host: String,
    /// The org's key (My Domain, sandbox).
    pub key: String,
    /// production, sandbox, …
    pub kind: OrgKind,
    /// The API host integrations use.
    pub api_host: String,
}

/// The checked page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// Its kind (`new-eca`, `eca-detail`, …; the snapshot's `page`).
    pub kind: Page,
    /// Its kind in words.
    pub title: &'static str,
    /// Its address, without query values.
    pub url: String,
    /// When it was checked.
    pub checked_at: String,
}

/// One finding of the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingEntry {
    /// error, warning, deviation, info.
    pub severity: Severity,
    /// Rule id.
    pub rule: String,
    /// The setting (wire name), none for the page as a whole.
    pub field: Option<Field>,
    /// The setting's label as the page shows it (else Setup's English label; "This page").
    pub label: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
    /// The fix is in ECA Guard's options.
    pub fix_in_options: bool,
    /// Where the requirement comes from.
    pub source: DocRef,
}

/// A deviation: correct for the integration, weaker than Salesforce's baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviationEntry {
    /// Rule id.
    pub rule: String,
    /// The setting.
    pub field: Option<Field>,
    /// Its label.
    pub label: String,
    /// The integration's reason (the pack's `why`; "" when the pack gives none).
    pub reason: String,
    /// The integration's document.
    pub source: DocRef,
    /// Salesforce's page that recommends the stronger setting.
    pub baseline: Option<DocRef>,
}

/// One value of an org check, with when and where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadingEntry {
    /// The setting.
    pub field: Field,
    /// Its label.
    pub label: &'static str,
    /// The value in Setup's words.
    pub shown: String,
    /// When (ISO 8601 UTC).
    pub read_at: String,
    /// Where (the page's address without query values).
    pub from: Option<String>,
}

/// A setting of an org check that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotReadEntry {
    /// The setting.
    pub field: Field,
    /// Why.
    pub reason: String,
    /// Where.
    pub from: Option<String>,
}

/// One org check (a popup row).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgCheck {
    /// Rule id.
    pub rule: String,
    /// What it checks.
    pub title: String,
    /// pass, fail, deviation, unknown (as the popup's `data-status`).
    pub status: Status,
    /// The pack has no requirement here (then `status` is `pass`).
    pub no_requirement: bool,
    /// The app a policy row is for.
    pub app: Option<String>,
    /// Why.
    pub why: String,
    /// What to do.
    pub fix: String,
    /// Where to fix it.
    pub setup: Link,
    /// The document behind it.
    pub source: DocRef,
    /// What was read.
    pub readings: Vec<ReadingEntry>,
    /// What could not be read.
    pub could_not_read: Vec<NotReadEntry>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// [`FORMAT`].
    pub format: &'static str,
    /// When it was made (ISO 8601 UTC).
    pub generated_at: String,
    /// ECA Guard's version.
    pub eca_guard_version: &'static str,
    /// The pack.
    pub pack: PackInfo,
    /// The org.
    pub org: OrgInfo,
    /// The checked page, if any.
    pub page: Option<PageInfo>,
    /// The page's counts.
    pub counts: Counts,
    /// Every finding of the page, in page order.
    pub findings: Vec<FindingEntry>,
    /// The deviations among them, with the integration's reason.
    pub deviations: Vec<DeviationEntry>,
    /// The org's checks, from its remembered readings.
    pub org_checks: Vec<OrgCheck>,
    /// The pack's and the page's notes.
    pub notes: Vec<String>,
}

/// A page kind in words.
fn page_title(p: Page) -> &'static str {
    match p {
        Page::NewEca => "New External Client App form",
        Page::EcaDetail => "External Client App detail page",
        Page::ConnectedAppEdit => "Connected App edit page",
        Page::ConnectedAppDetail => "Connected App detail page",
        Page::SessionSettings => "Session Settings",
        Page::NetworkAccess => "Network Access or a profile's Login IP Ranges",
        Page::Metadata => "metadata files",
    }
}

/// A document a pack or the core cites: its address keeps its query (Salesforce Help's `?id=`).
fn doc(d: &DocRef) -> DocRef {
    DocRef {
        title: plain(&d.title),
        url: text::redact(&d.url),
    }
}

/// The pack's reason for a setting's value (its rule's `why`).
fn reason(pack: &Pack, field: Option<Field>) -> String {
    let why = match field.and_then(|f| pack.rules.for_field(f)) {
        Some(Rule::Bool(r)) => r.why.as_deref(),
        Some(Rule::Choice(r)) => r.why.as_deref(),
        _ => None,
    };
    plain(why.unwrap_or_default())
}

/// Builds the report for the settings' pack from a tab's latest check and the org's readings.
pub fn build(config: &Config, input: &Input) -> Result<Report, Error> {
    pack::validate_custom(&config.custom_packs)?;
    let pack = pack::find(&config.pack, &config.custom_packs)?;
    let org = crate::org::from_host(&input.host).ok_or_else(|| Error::BadInput {
        what: "the report's host".into(),
        reason: "it is not a Salesforce org's host".into(),
    })?;
    let mut notes: Vec<String> = Vec::new();
    let (page, counts, findings, deviations) = match &input.page {
        // A page checked with another pack (the settings changed since) is not this pack's.
        Some(p) if p.result.pack != pack.id => {
            notes.push(format!(
                "The page was last checked with another pack ({}); reload it to check it with {}.",
                plain(&p.result.pack),
                plain(&pack.name)
            ));
            (None, Counts::default(), Vec::new(), Vec::new())
        }
        Some(p) => {
            let (findings, deviations) = page_findings(pack, p);
            notes.extend(p.result.notes.iter().map(|n| plain(n)));
            let info = PageInfo {
                kind: p.snapshot.page,
                title: page_title(p.snapshot.page),
                url: safe_url(&p.url),
                checked_at: iso_utc(p.checked_at),
            };
            (Some(info), p.result.counts, findings, deviations)
        }
        None => {
            notes.extend(pack.notes.iter().map(|n| plain(n)));
            (None, Counts::default(), Vec::new(), Vec::new())
        }
    };
    Ok(Report {
        format: FORMAT,
        generated_at: iso_utc(input.now),
        eca_guard_version: env!("CARGO_PKG_VERSION"),
        pack: PackInfo {
            id: plain(&pack.id),
            name: plain(&pack.name),
            covers: plain(&pack.covers),
            checked: plain(&pack.checked),
        },
        org: OrgInfo {
            host: plain(&input.host.to_ascii_lowercase()),
            key: org.key,
            kind: org.kind,
            api_host: org.api_host,
        },
        page,
        counts,
        findings,
        deviations,
        org_checks: input.org_status.rows.iter().map(org_check).collect(),
        notes,
    })
}

fn page_findings(pack: &Pack, p: &PageInput) -> (Vec<FindingEntry>, Vec<DeviationEntry>) {
    let label = |field: Option<Field>| match field {
        Some(f) => plain(p.snapshot.labels.get(f.name()).map_or(f.label(), String::as_str)),
        None => "This page".to_string(),
    };
    let findings: Vec<FindingEntry> = p
        .result
        .findings
        .iter()
        .map(|f| FindingEntry {
            severity: f.severity,
            rule: plain(&f.rule),
            field: f.field,
            label: label(f.field),
            message: plain(&f.message),
            fix: plain(&f.fix),
            fix_in_options: f.fix_in_options,
            source: doc(&DocRef {
                title: f.source_title.clone(),
                url: f.source.clone(),
            }),
        })
        .collect();
    let deviations = p
        .result
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Deviation)
        .map(|f| DeviationEntry {
            rule: plain(&f.rule),
            field: f.field,
            label: label(f.field),
            reason: reason(pack, f.field),
            source: doc(&DocRef {
                title: f.source_title.clone(),
                url: f.source.clone(),
            }),
            baseline: f.baseline.as_ref().map(doc),
        })
        .collect();
    (findings, deviations)
}

fn org_check(r: &RowIn) -> OrgCheck {
    OrgCheck {
        rule: plain(&r.rule),
        title: plain(&r.title),
        status: r.status,
        no_requirement: r.no_requirement,
        app: r.app.as_deref().map(plain),
        why: plain(&r.why),
        fix: plain(&r.fix),
        setup: Link {
            url: safe_url(&r.setup.url),
            label: plain(&r.setup.label),
        },
        source: doc(&r.source),
        readings: r
            .values
            .iter()
            .map(|v| ReadingEntry {
                field: v.field,
                label: v.field.label(),
                shown: plain(&v.shown),
                read_at: iso_utc(v.read_at),
                from: v.from.as_deref().map(safe_url),
            })
            .collect(),
        could_not_read: r
            .could_not_read
            .iter()
            .map(|c| NotReadEntry {
                field: c.field,
                reason: plain(&c.reason),
                from: c.from.as_deref().map(safe_url),
            })
            .collect(),
    }
}

impl Report {
    /// The report as JSON (pretty, for a ticket attachment a person may open).
    pub fn json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|e| Error::BadInput {
            what: "the report".into(),
            reason: e.to_string(),
        })
    }

    /// The file name for a download: `eca-guard-<org>-<pack>-<time>.<md|json>`, of safe
    /// characters only.
    pub fn filename(&self, ext: &str) -> String {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect()
        };
        let time: String = self.generated_at.chars().filter(|c| c.is_ascii_digit()).collect();
        let (date, clock) = time.split_at(time.len().min(8));
        format!(
            "eca-guard-{}-{}-{date}T{clock}Z.{}",
            safe(&self.org.key),
            safe(&self.pack.id),
            safe(ext)
        )
    }
}
