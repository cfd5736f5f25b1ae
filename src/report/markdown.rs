//! The report as a Markdown checklist, for a change ticket: what to fix on the page (unticked),
//! the deviations with the integration's reason, the org's checks with when and where each
//! value was read. Every text that is not this file's own goes through `text::inline` (page and
//! pack text made inert), and links only to `https://` addresses.

use std::fmt::Write;

use super::text::inline;
use super::{DocRef, OrgCheck, Report};
use crate::finding::Severity;
use crate::org::OrgKind;
use crate::org_status::Status;

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Deviation => "Deviation",
        Severity::Info => "Info",
    }
}

fn kind_word(k: OrgKind) -> &'static str {
    match k {
        OrgKind::Production => "production",
        OrgKind::Sandbox => "sandbox",
        OrgKind::Developer => "Developer Edition",
        OrgKind::Scratch => "scratch org",
        OrgKind::Trailblaze => "Trailhead playground",
        OrgKind::Demo => "demo org",
        OrgKind::Free => "free org",
        OrgKind::Patch => "patch org",
    }
}

/// The words for an org check's verdict (the popup's pill).
pub fn status_word(c: &OrgCheck) -> &'static str {
    match (c.status, c.no_requirement) {
        (Status::Pass, true) => "No requirement",
        (Status::Pass, false) => "Pass",
        (Status::Fail, _) => "Fail",
        (Status::Deviation, _) => "Deviation",
        (Status::Unknown, _) => "Unknown",
    }
}

/// `[text](<url>)` for an https address a renderer takes as one destination; otherwise the text
/// and the address as inert text.
fn link(text: &str, url: &str) -> String {
    let clean = url.starts_with("https://")
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '\\' | '`'));
    let shown = if text.is_empty() { url } else { text };
    if clean {
        format!("[{}](<{url}>)", inline(shown))
    } else {
        format!("{} ({})", inline(shown), inline(url))
    }
}

fn source(d: &DocRef) -> String {
    link(&d.title, &d.url)
}

/// " on [this page](…)": where a value was read.
fn read_on(from: Option<&str>) -> String {
    from.map(|u| format!(" on {}", link("this page", u)))
        .unwrap_or_default()
}

/// A rule id in a code span (ids are the core's; a backtick could only come from a custom pack).
fn code(id: &str) -> String {
    format!("`{}`", id.replace('`', ""))
}

fn plural(n: u32, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl Report {
    /// The Markdown checklist (what "Copy checklist" copies and "Download report" saves as .md).
    pub fn markdown(&self) -> String {
        let mut md = String::with_capacity(4096);
        self.head(&mut md);
        self.page_part(&mut md);
        self.org_part(&mut md);
        if !self.notes.is_empty() {
            md.push_str("\n## Notes\n\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {}", inline(n));
            }
        }
        let _ = write!(
            md,
            "\n---\n\nMade by ECA Guard {} (report format `{}`). It holds no secret and no value typed into the page \
             beyond what a finding quotes; text shaped like a key or secret is cut to its first {} characters.\n",
            self.eca_guard_version,
            self.format,
            super::text::PREFIX
        );
        md
    }

    fn head(&self, md: &mut String) {
        let p = &self.pack;
        let _ = writeln!(md, "# ECA Guard report: {}\n", inline(&p.name));
        let _ = writeln!(
            md,
            "- **Pack:** {} ({}), rules checked {}; covers {}",
            inline(&p.name),
            code(&p.id),
            inline(&p.checked),
            inline(&p.covers)
        );
        let _ = writeln!(md, "- **Time:** {}", self.generated_at);
        let o = &self.org;
        let _ = writeln!(
            md,
            "- **Org:** {} ({}; integrations call the API at {})",
            inline(&o.host),
            kind_word(o.kind),
            inline(&o.api_host)
        );
        match &self.page {
            Some(pg) => {
                let _ = writeln!(
                    md,
                    "- **Page:** {} (`{}`), checked {}",
                    pg.title,
                    kind_name(pg),
                    pg.checked_at
                );
                let _ = writeln!(md, "- **Address:** {}", inline(&pg.url));
                let c = &self.counts;
                let _ = writeln!(
                    md,
                    "- **Findings:** {}, {}, {}, {}",
                    plural(c.errors, "error"),
                    plural(c.warnings, "warning"),
                    plural(c.deviations, "deviation"),
                    plural(c.infos, "note")
                );
            }
            None => md.push_str("- **Page:** none checked in this tab\n"),
        }
    }

    fn page_part(&self, md: &mut String) {
        if self.page.is_none() {
            return;
        }
        md.push_str("\n## To fix on this page\n\n");
        let to_fix: Vec<_> = self
            .findings
            .iter()
            .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
            .collect();
        if to_fix.is_empty() {
            md.push_str("Nothing: no error or warning on this page.\n");
        }
        for f in to_fix {
            let _ = writeln!(
                md,
                "- [ ] **{}** · **{}** ({}): {}",
                severity_word(f.severity),
                inline(&f.label),
                code(&f.rule),
                inline(&f.message)
            );
            let where_ = if f.fix_in_options {
                " (in ECA Guard's options)"
            } else {
                ""
            };
            let _ = writeln!(md, "  - Fix{where_}: {}", inline(&f.fix));
            let _ = writeln!(md, "  - Source: {}", source(&f.source));
        }
        if !self.deviations.is_empty() {
            md.push_str("\n## Deviations\n\nSettings the integration requires weaker than Salesforce's baseline, with its reason.\n\n");
            for d in &self.deviations {
                let why = if d.reason.is_empty() {
                    "the pack gives no reason".to_string()
                } else {
                    inline(&d.reason)
                };
                let _ = writeln!(md, "- **{}** ({}): {}", inline(&d.label), code(&d.rule), why);
                let baseline = d
                    .baseline
                    .as_ref()
                    .map(|b| format!("; Salesforce's baseline: {}", source(b)));
                let _ = writeln!(md, "  - Source: {}{}", source(&d.source), baseline.unwrap_or_default());
            }
        }
        let infos: Vec<_> = self.findings.iter().filter(|f| f.severity == Severity::Info).collect();
        if !infos.is_empty() {
            md.push_str("\n## Also on this page\n\n");
            for f in infos {
                let _ = writeln!(
                    md,
                    "- **{}** ({}): {}",
                    inline(&f.label),
                    code(&f.rule),
                    inline(&f.message)
                );
            }
        }
    }

    fn org_part(&self, md: &mut String) {
        if self.org_checks.is_empty() {
            return;
        }
        md.push_str("\n## Org checks\n\nFrom what the org's Setup pages showed when they were last opened.\n\n");
        for c in &self.org_checks {
            let tick = match (c.status, c.no_requirement) {
                (_, true) => "-",
                (Status::Pass | Status::Deviation, _) => "- [x]",
                _ => "- [ ]",
            };
            let title = match &c.app {
                Some(app) => format!("{}: {}", inline(&c.title), inline(app)),
                None => inline(&c.title),
            };
            let _ = writeln!(md, "{tick} **{title}** ({}): {}", code(&c.rule), status_word(c));
            for r in &c.readings {
                let at = format!("{}: {}, at {}", inline(r.label), inline(&r.shown), r.read_at);
                let _ = writeln!(md, "  - Read: {at}{}", read_on(r.from.as_deref()));
            }
            for n in &c.could_not_read {
                let what = format!("{}: {}", inline(n.field.label()), inline(&n.reason));
                let _ = writeln!(md, "  - Could not read {what}{}", read_on(n.from.as_deref()));
            }
            if !c.why.is_empty() {
                let _ = writeln!(md, "  - Why: {}", inline(&c.why));
            }
            if !c.fix.is_empty() {
                let _ = writeln!(md, "  - Fix: {}", inline(&c.fix));
            }
            let _ = writeln!(
                md,
                "  - Fix in Setup: {}; source: {}",
                link(&c.setup.label, &c.setup.url),
                source(&c.source)
            );
        }
    }
}

/// The page kind's wire name (`new-eca`).
fn kind_name(p: &super::PageInfo) -> &'static str {
    use crate::snapshot::Page;
    match p.kind {
        Page::NewEca => "new-eca",
        Page::EcaDetail => "eca-detail",
        Page::ConnectedAppEdit => "connected-app-edit",
        Page::ConnectedAppDetail => "connected-app-detail",
        Page::SessionSettings => "session-settings",
        Page::NetworkAccess => "network-access",
        Page::Metadata => "metadata",
    }
}
