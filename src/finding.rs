//! Findings: what a check reports, in the shape of docs/contract.md ("Findings").

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::settings::Field;

/// How bad a finding is. Ordered from least to most severe, so `max()` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context worth knowing; nothing to change.
    Info,
    /// The integration requires a setting weaker than Salesforce's own baseline, and the page
    /// has it: correct for this integration, but say so.
    Deviation,
    /// Works, but is not what the integration or least privilege asks for.
    Warning,
    /// The integration will fail, or the setting contradicts the pack.
    Error,
}

impl Severity {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Deviation => "deviation",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A document, by title and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocRef {
    /// Title.
    pub title: String,
    /// URL.
    pub url: String,
}

/// One problem (or notable fact) about one control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Rule id from the contract (`scope-missing`, `pkce`, …). Borrowed from the core's own
    /// constants when the core made the finding (no allocation per finding).
    pub rule: Cow<'static, str>,
    /// Severity.
    pub severity: Severity,
    /// Which control; none for a finding about the page as a whole (`labels-unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    /// What is wrong, in words an admin trusts.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// URL of the document the requirement comes from.
    pub source: String,
    /// Title of that document.
    pub source_title: String,
    /// For a deviation: Salesforce's page that recommends the stronger setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<DocRef>,
    /// The fix is in ECA Guard's own options, not on the Setup page (the panel links to them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fix_in_options: bool,
}

/// Counts by severity, as the page panel shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Findings of severity `error`.
    pub errors: u32,
    /// Findings of severity `warning`.
    pub warnings: u32,
    /// Findings of severity `deviation`.
    pub deviations: u32,
    /// Findings of severity `info`.
    pub infos: u32,
}

impl Counts {
    /// Counts a list of findings.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Deviation => c.deviations += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}
