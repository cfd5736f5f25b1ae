//! The checker: a snapshot and a pack in, findings out. It walks the settings table
//! (`settings/`): for each setting the page shows and the pack has a rule on, it compares by the
//! setting's kind (`values.rs`, `scopes.rs`, the callback linter in `callback.rs`, `ip.rs`), and
//! then looks for combinations that fail at run time although each setting looks fine
//! (`combos.rs`). Salesforce's baseline comes from the table, so a pack that needs a weaker value
//! gets a `deviation` where the page has it.

mod combos;
mod ip;
pub mod options;
mod scopes;
mod values;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use ip::{in_ranges, server_addresses};

use crate::error::Error;
use crate::finding::{Counts, DocRef, Finding, Severity};
use crate::pack::{self, Config, Pack, Params, Rule};
use crate::settings::{Doc, Field, Kind};
use crate::snapshot::{Page, Snapshot};

/// Where a finding's source comes from.
#[derive(Debug, Clone, Copy)]
pub enum Src<'a> {
    /// A source id of the pack.
    Pack(&'a str),
    /// One of Salesforce's documents the core itself cites.
    Doc(Doc),
}

/// Collects findings for one pack.
///
/// A finding's message and fix do not repeat the setting's label or the pack's name: `field`
/// says which setting (the page panel heads each setting's findings with the label the page
/// shows, the command line prints it before the message), and both name the pack once. They
/// say "it" for the setting and "this integration" for the pack; a finding about several
/// settings (the combinations, `section-hidden`) names them.
pub struct Ctx<'a> {
    pack: &'a Pack,
    snap: &'a Snapshot,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    /// Adds a finding, resolving its source.
    pub fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        field: Option<Field>,
        message: String,
        fix: String,
        source: Src<'_>,
    ) {
        let (title, url) = match source {
            Src::Pack(id) => self.pack.source_parts(id),
            Src::Doc(d) => (d.title, d.url),
        };
        self.findings.push(Finding {
            rule: Cow::Borrowed(rule),
            severity,
            field,
            message,
            fix,
            source: url.to_string(),
            source_title: title.to_string(),
            baseline: None,
            fix_in_options: false,
        });
    }

    /// Adds a finding whose fix is in ECA Guard's own options (what it knows about the
    /// integration), not on the page.
    pub fn push_options(
        &mut self,
        rule: &'static str,
        severity: Severity,
        field: Option<Field>,
        message: String,
        fix: String,
        source: Src<'_>,
    ) {
        self.push(rule, severity, field, message, fix, source);
        if let Some(f) = self.findings.last_mut() {
            f.fix_in_options = true;
        }
    }

    /// Adds a deviation finding that also cites Salesforce's baseline page.
    fn push_deviation(
        &mut self,
        rule: &'static str,
        field: Field,
        message: String,
        fix: String,
        source: &str,
        baseline: Doc,
    ) {
        self.push(rule, Severity::Deviation, Some(field), message, fix, Src::Pack(source));
        if let Some(f) = self.findings.last_mut() {
            f.baseline = Some(DocRef {
                title: baseline.title.to_string(),
                url: baseline.url.to_string(),
            });
        }
    }

    /// The label to quote for a setting (the page's own, else English).
    pub fn label(&self, field: Field) -> &'a str {
        self.snap.label(field)
    }
}

/// The result of checking a snapshot, with the pack it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// Pack id.
    pub pack: String,
    /// Pack display name.
    pub pack_name: String,
    /// Findings, in page order.
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub counts: Counts,
    /// The pack's notes (always true, whatever the page says).
    pub notes: Vec<String>,
}

/// Checks a snapshot against the pack chosen in the settings.
pub fn check_config(snapshot: &Snapshot, config: &Config) -> Result<CheckResult, Error> {
    pack::validate_custom(&config.custom_packs)?;
    check_validated(snapshot, config)
}

/// [`check_config`] for settings whose custom packs already passed [`pack::validate_custom`]
/// (the Wasm binding validates each distinct settings text once, not on every check).
pub fn check_validated(snapshot: &Snapshot, config: &Config) -> Result<CheckResult, Error> {
    let pack = pack::find(&config.pack, &config.custom_packs)?;
    let findings = check(snapshot, pack, &config.params);
    Ok(CheckResult {
        pack: pack.id.clone(),
        pack_name: pack.name.clone(),
        counts: Counts::of(&findings),
        findings,
        notes: notes(snapshot, pack),
    })
}

/// What Setup says about legacy Connected Apps, shown on their pages whatever the pack
/// (docs/salesforce-facts.md: Spring '26; "remoteaccess_request_approve": five approvals per user).
pub const CONNECTED_APP_NOTE: &str = "New Connected Apps can no longer be created since Spring '26 (existing ones keep working; External Client Apps replace them). Use one Connected App per integration installation: a Connected App allows five approvals per user, and a sixth revokes the oldest.";

/// The pack's notes, plus notes the page itself calls for.
fn notes(snapshot: &Snapshot, pack: &Pack) -> Vec<String> {
    let mut out = pack.notes.clone();
    let connected_app_page = matches!(snapshot.page, Page::ConnectedAppEdit | Page::ConnectedAppDetail);
    // A Connected App pack says this in its own words already.
    if connected_app_page && pack.app_type != pack::AppType::ConnectedApp {
        out.push(CONNECTED_APP_NOTE.to_string());
    }
    out
}

/// Whether a setting sits in the OAuth section, which Setup hides while OAuth is off: the table
/// lists those settings from the callback field to DPoP (settings/mod.rs, `Field`).
fn in_oauth_section(f: Field) -> bool {
    (Field::CallbackUrl..=Field::Dpop).contains(&f)
}

/// Whether the pack states a requirement for a setting (or the setting takes part in a
/// combination the core checks whatever the pack).
fn pack_checks(pack: &Pack, f: Field) -> bool {
    pack.rules.for_field(f).is_some()
}

/// Checks a snapshot against a pack.
pub fn check(snap: &Snapshot, pack: &Pack, params: &Params) -> Vec<Finding> {
    let mut ctx = Ctx {
        pack,
        snap,
        findings: Vec::new(),
    };
    page_state(&mut ctx, snap, pack);
    let oauth_on = snap.bool(Field::OauthEnabled) != Some(false);
    for (f, _) in snap.values() {
        if in_oauth_section(f) && !oauth_on {
            continue; // with OAuth off, Setup hides the OAuth section: nothing in it is checked
        }
        match (f.spec().kind, pack.rules.for_field(f)) {
            (Kind::Bool, Some(Rule::Bool(rule))) => values::check_bool(&mut ctx, f, rule),
            (Kind::Choice(_), Some(Rule::Choice(rule))) => values::check_choice(&mut ctx, f, rule),
            (Kind::Callback, Some(Rule::Callback(rule))) => {
                if let Some(text) = snap.text(f) {
                    callback_field(&mut ctx, text, rule, params);
                }
            }
            (Kind::Scopes, Some(Rule::Scopes(rule))) => {
                if let Some(shown) = snap.list(f) {
                    scopes::check(&mut ctx, rule, params, shown);
                }
            }
            _ => {}
        }
    }
    combos::check(&mut ctx, snap);
    if let Some(rule) = pack.rules.get("loginIpRange") {
        ip::check(&mut ctx, rule.source(), params, snap);
    }
    ctx.findings
}

/// What the page could not give: unreadable settings, settings behind a collapsed section or an
/// unopened tab, labels in an unknown language. Only for settings the pack checks.
fn page_state(ctx: &mut Ctx<'_>, snap: &Snapshot, pack: &Pack) {
    let first_source = pack.sources.first().map(|s| s.id.as_str()).unwrap_or("");
    let (surface, fix) = if snap.page == Page::Metadata {
        (
            "from the metadata",
            "Fix or add the file named in the message (see the read errors above), or check this setting by hand.",
        )
    } else {
        (
            "on this page",
            "Check this setting by hand against the pack, or reload the page.",
        )
    };
    for u in &snap.unreadable {
        if !pack_checks(pack, u.field) {
            continue;
        }
        ctx.push(
            "field-unreadable",
            Severity::Warning,
            Some(u.field),
            format!(
                "ECA Guard could not read it {surface} ({}), so it is not checked.",
                u.reason
            ),
            fix.into(),
            Src::Pack(first_source),
        );
    }
    let mut sections: Vec<(&str, Vec<Field>)> = Vec::new();
    for h in snap.hidden.iter().filter(|h| pack_checks(pack, h.field)) {
        match sections.iter_mut().find(|(s, _)| *s == h.section) {
            Some((_, fields)) => fields.push(h.field),
            None => sections.push((&h.section, vec![h.field])),
        }
    }
    for (section, fields) in sections {
        let names: Vec<String> = fields.iter().map(|f| format!("\"{}\"", ctx.label(*f))).collect();
        ctx.push(
            "section-hidden",
            Severity::Info,
            fields.first().copied(),
            format!(
                "{} {} in \"{section}\", which is not open, so ECA Guard has not checked {}.",
                names.join(", "),
                if fields.len() == 1 { "is" } else { "are" },
                if fields.len() == 1 { "it" } else { "them" }
            ),
            format!("Open \"{section}\"; ECA Guard checks it as soon as it is shown."),
            Src::Pack(first_source),
        );
    }
    if let Some(lang) = &snap.labels_unknown {
        ctx.push(
            "labels-unknown",
            Severity::Warning,
            None,
            format!(
                "This Setup page is in a language whose labels ECA Guard does not know yet ({lang}): it checks only what it recognises without them (such as OAuth scopes by their protocol names, and PKCE), and none of the other settings."
            ),
            "Check the settings by hand, or switch your Salesforce language to English (Settings › Language & Time Zone) while you set up the app. Use \"Copy page outline\" in ECA Guard's toolbar popup to report the page.".into(),
            Src::Pack(first_source),
        );
    }
}

/// The callback field: the URLs the pack fixes plus the parameters', linted line by line. A
/// URL from ECA Guard's options that the same rules refuse is not asked for (the form would ask
/// for a line it then flags): the finding says the mistake is in the options.
fn callback_field(ctx: &mut Ctx<'_>, text: &str, rule: &pack::CallbackRule, params: &Params) {
    let mut wanted = ctx.pack.callbacks(params);
    for (i, url) in params.callback_urls.iter().enumerate() {
        let refused = crate::callback::line_problems(i + 1, url.trim(), rule)
            .into_iter()
            .find(|p| p.severity == Severity::Error);
        if let Some(p) = refused {
            wanted.all.retain(|w| w != url);
            ctx.push_options(
                "options-invalid",
                Severity::Warning,
                Some(Field::CallbackUrl),
                format!(
                    "{} ECA Guard does not ask for it on this page until it is corrected.",
                    options::in_options(&p.message)
                ),
                options::in_options(&p.fix),
                Src::Pack(&rule.source),
            );
        }
    }
    if wanted.all.is_empty() && wanted.any_of.is_empty() && !wanted.unknown.is_empty() {
        ctx.push_options(
            "callback-unverified",
            Severity::Warning,
            Some(Field::CallbackUrl),
            "ECA Guard does not know the addresses this integration uses, so it cannot check that these callback URLs match exactly.".into(),
            "Enter the integration's callback URLs, or choose its client, environment or region (ECA Guard's options; the command line: --callback URL or --param NAME=VALUE).".into(),
            Src::Pack(&rule.source),
        );
    }
    crate::callback::lint(ctx, text, rule, &wanted);
}
