//! The popup's rows: for the chosen pack and one org, one row per org-wide check (Session
//! Settings, IP ranges) and per app policy the admin has seen, from what the org's Setup pages
//! showed when they were last visited. The worker remembers those readings (values, never
//! secrets); this module decides what they mean, with the same checker the pages use.
//!
//! A row is `pass` (as the pack needs, or no requirement: then `noRequirement` says so), `fail`,
//! `deviation` (correct for the integration, weaker than Salesforce's baseline) or `unknown`
//! (not read yet, or could not be read); docs/contract.md, "On the page".

mod types;

pub use types::*;

use crate::error::Error;
use crate::finding::{DocRef, Finding, Severity};
use crate::pack::{self, Config, Pack};
use crate::settings::{pages, Field, Kind, Scope, SetupPage};
use crate::snapshot::{Page, Value};

/// The rows: one per org-wide setting (the two IP range lists share one), then the app
/// policies the popup shows when they were read or the pack has a rule on them.
fn row_fields() -> Vec<(&'static str, Vec<Field>, bool)> {
    let mut rows: Vec<(&'static str, Vec<Field>, bool)> = Vec::new();
    for f in Field::ALL.into_iter().filter(|f| f.spec().scope == Scope::Org) {
        match rows.iter_mut().find(|(r, _, _)| *r == f.spec().rule) {
            Some((_, fields, _)) => fields.push(f),
            None => rows.push((f.spec().rule, vec![f], false)),
        }
    }
    rows.push(("ip-relaxation", vec![Field::IpRelaxation], true));
    rows.push(("permitted-users", vec![Field::PermittedUsers], true));
    rows
}

/// A value in Setup's words.
fn show(field: Field, v: &Value) -> String {
    match v {
        Value::Bool(b) => (if *b { "On" } else { "Off" }).to_string(),
        Value::Text(t) if matches!(field.spec().kind, Kind::Choice(_)) => field.spec().choice_shown(t),
        Value::Text(t) => t.clone(),
        Value::List(l) => l.join(", "),
        Value::Ranges(r) if r.is_empty() => "no ranges".to_string(),
        Value::Ranges(r) => {
            let shown: Vec<String> = r
                .iter()
                .take(3)
                .map(|x| {
                    if x.start == x.end {
                        x.start.clone()
                    } else {
                        format!("{} – {}", x.start, x.end)
                    }
                })
                .collect();
            let more = if r.len() > 3 {
                format!(" and {} more", r.len() - 3)
            } else {
                String::new()
            };
            shown.join(", ") + &more
        }
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0).round() as u64;
    match s {
        0..90 => "just now".into(),
        90..5400 => format!("{} minutes ago", (s + 30) / 60),
        5400..129_600 => format!("{} hours ago", (s + 1800) / 3600),
        _ => format!("{} days ago", (s + 43_200) / 86_400),
    }
}

fn link(origin: &str, p: SetupPage) -> Link {
    Link {
        url: format!("{origin}{}", p.path),
        label: p.label.to_string(),
    }
}

/// The rows for one org: `setup_origin` is where its Setup pages are, `now` ms since the epoch.
pub fn org_status(config: &Config, readings: &Readings, setup_origin: &str, now: f64) -> Result<OrgStatus, Error> {
    pack::validate_custom(&config.custom_packs)?;
    let pack = pack::find(&config.pack, &config.custom_packs)?;
    let mut snap = readings.snapshot.clone();
    snap.page = Page::SessionSettings;
    let findings = crate::check::check(&snap, pack, &config.params);
    let rows: Vec<Row> = row_fields()
        .into_iter()
        .filter_map(|(rule, fields, optional)| {
            row(rule, &fields, optional, pack, readings, &findings, setup_origin, now)
        })
        .collect();
    Ok(OrgStatus {
        pack: PackName {
            id: pack.id.clone(),
            name: pack.name.clone(),
        },
        failing: rows.iter().filter(|r| r.status == Status::Fail).count(),
        rows,
        pack_notes: pack.notes.clone(),
    })
}

#[allow(clippy::too_many_arguments)] // Reason: one row from its parts; a struct would only rename them.
fn row(
    rule: &'static str,
    fields: &[Field],
    optional: bool,
    pack: &Pack,
    readings: &Readings,
    findings: &[Finding],
    origin: &str,
    now: f64,
) -> Option<Row> {
    let snap = &readings.snapshot;
    let first = fields[0].spec();
    let read = |f: Field| readings.read.get(f.name()).cloned().unwrap_or_default();
    let values: Vec<Shown> = fields
        .iter()
        .filter_map(|f| {
            let v = snap.get(*f)?;
            let r = read(*f);
            Some(Shown {
                field: *f,
                label: (fields.len() > 1).then(|| f.label()),
                shown: show(*f, v),
                read_at: r.read_at,
                read_ago: ago(now - r.read_at as f64),
                from: r.from,
            })
        })
        .collect();
    let could_not_read: Vec<NotRead> = snap
        .unreadable
        .iter()
        .filter(|u| fields.contains(&u.field))
        .map(|u| NotRead {
            field: u.field,
            reason: u.reason.clone(),
            from: read(u.field).from,
        })
        .collect();
    let has_rule = fields.iter().any(|f| pack.rules.for_field(*f).is_some());
    if optional && values.is_empty() && could_not_read.is_empty() && !has_rule {
        return None;
    }
    let mine: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == rule && f.field.is_some_and(|x| fields.contains(&x)))
        .collect();
    let setup_page = first.setup.unwrap_or(pages::ECA_MANAGER);
    let mut r = Row {
        rule,
        title: title(rule, fields),
        status: Status::Unknown,
        no_requirement: false,
        why: String::new(),
        fix: String::new(),
        setup: link(origin, setup_page),
        setup_more: fields
            .iter()
            .skip(1)
            .filter_map(|f| f.spec().setup)
            .filter(|p| *p != setup_page)
            .map(|p| link(origin, p))
            .collect(),
        source: pack_source(pack, fields).unwrap_or(DocRef {
            title: first.doc.title.into(),
            url: first.doc.url.into(),
        }),
        values,
        could_not_read,
        app: optional.then(|| readings.app.clone()).flatten(),
    };
    verdict(&mut r, fields, pack, &mine, has_rule, setup_page.label);
    Some(r)
}

fn title(rule: &str, fields: &[Field]) -> String {
    match rule {
        "login-ip-range" => "The integration server's addresses in the org's IP ranges".into(),
        _ if fields[0].spec().scope == Scope::App => format!("{} (app policy)", fields[0].label()),
        _ => fields[0].label().into(),
    }
}

fn pack_source(pack: &Pack, fields: &[Field]) -> Option<DocRef> {
    let rule = fields.iter().find_map(|f| pack.rules.for_field(*f))?;
    let s = pack.sources.iter().find(|s| s.id == rule.source())?;
    Some(DocRef {
        title: s.title.clone(),
        url: s.url.clone(),
    })
}

fn from_finding(r: &mut Row, status: Status, f: &Finding) {
    r.status = status;
    r.why = f.message.clone();
    r.fix = f.fix.clone();
    if !f.source.is_empty() {
        r.source = DocRef {
            title: f.source_title.clone(),
            url: f.source.clone(),
        };
    }
}

fn v_text(values: &[Shown], f: Field) -> String {
    values
        .iter()
        .find(|v| v.field == f)
        .map(|v| v.shown.clone())
        .unwrap_or_default()
}

/// For the IP ranges row: which of its two lists is not read yet, and where to read it.
fn ranges_tail(r: &Row) -> String {
    let has = |f: Field| r.values.iter().any(|v| v.field == f);
    let not_read = |f: Field| r.could_not_read.iter().find(|c| c.field == f).map(|c| c.reason.clone());
    let mut notes = Vec::new();
    if !has(Field::TrustedIpRanges) {
        notes.push(match not_read(Field::TrustedIpRanges) {
            Some(why) => format!("Trusted IP ranges could not be read ({why})."),
            None => "Trusted IP ranges not read yet (Network Access).".to_string(),
        });
    }
    if !has(Field::LoginIpRanges) {
        notes.push(match not_read(Field::LoginIpRanges) {
            Some(why) => format!("Profile Login IP Ranges could not be read ({why})."),
            None => {
                "The integration user's profile Login IP Ranges not read yet (open the profile in Setup › Profiles)."
                    .to_string()
            }
        });
    }
    notes.iter().map(|n| format!(" {n}")).collect()
}

fn verdict(r: &mut Row, fields: &[Field], pack: &Pack, mine: &[&Finding], has_rule: bool, page: &str) {
    let ranges = fields[0].spec().kind == Kind::Ranges;
    let worst = |s: Severity| mine.iter().copied().find(|f| f.severity == s);
    if r.values.is_empty() {
        r.status = Status::Unknown;
        if let Some(c) = r.could_not_read.first() {
            r.why = format!(
                "ECA Guard could not read this setting on {page} ({}). Check it by hand.",
                c.reason
            );
            r.fix = format!("Open {page} and check the setting by hand.");
        } else {
            r.why = format!("Not read yet: open {page} in this org and ECA Guard will remember what it shows.");
            r.fix = format!("Open {page}.");
        }
        if ranges {
            r.fix = "Open Network Access, and the integration user's profile, in this org.".into();
            let tail = ranges_tail(r);
            r.why.push_str(&tail);
        }
        return;
    }
    if !has_rule {
        r.status = Status::Pass;
        r.no_requirement = true;
        r.why = format!("No requirement from {}; shown for reference.", pack.name);
        return;
    }
    // A choice shown in words ECA Guard does not know is "cannot tell", not "wrong".
    let unrecognised = fields.iter().any(|f| {
        matches!(f.spec().kind, Kind::Choice(_))
            && r.values.iter().any(|v| v.field == *f)
            && f.spec().choice_value(&v_text(&r.values, *f)).is_none()
    });
    if let Some(f) = worst(Severity::Error).or_else(|| worst(Severity::Warning).filter(|_| !unrecognised)) {
        from_finding(r, Status::Fail, f);
        if ranges {
            let all: Vec<String> = mine
                .iter()
                .filter(|f| matches!(f.severity, Severity::Error | Severity::Warning))
                .map(|f| f.message.clone())
                .collect();
            r.why = all.join(" ");
        }
    } else if let Some(f) = worst(Severity::Warning).or_else(|| worst(Severity::Info)) {
        from_finding(r, Status::Unknown, f);
    } else if let Some(f) = worst(Severity::Deviation) {
        from_finding(r, Status::Deviation, f);
    } else if ranges && !r.values.iter().any(|v| v.field == Field::LoginIpRanges) {
        r.status = Status::Unknown;
        r.why = "The server's addresses are inside the trusted IP ranges; the integration user's profile Login IP Ranges are not read yet.".into();
        r.fix = "Open the integration user's profile in Setup so ECA Guard can read its Login IP Ranges.".into();
    } else {
        r.status = Status::Pass;
        r.why = match r.values.first() {
            Some(v) if !ranges => format!("Currently {}, as {} needs.", v.shown, pack.name),
            _ => "The server's addresses are inside the org's IP ranges.".into(),
        };
    }
    if ranges {
        let tail = ranges_tail(r);
        r.why.push_str(&tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_in_words() {
        assert_eq!(ago(10_000.0), "just now");
        assert_eq!(ago(5.0 * 60_000.0), "5 minutes ago");
        assert_eq!(ago(3.0 * 3_600_000.0), "3 hours ago");
        assert_eq!(ago(2.0 * 86_400_000.0), "2 days ago");
    }
}
