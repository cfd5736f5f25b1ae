//! Boolean and choice settings against the pack, with Salesforce's baseline from the settings
//! table: a pack that needs a weaker value than the baseline makes a page that has it a
//! `deviation`, not an error ("this integration requires a deviation from Salesforce's baseline").

use super::{Ctx, Src};
use crate::finding::Severity;
use crate::pack::{BoolRule, ChoiceRule};
use crate::settings::{BaseValue, Field};

/// " (not set in the file; Salesforce's default is …)" for a value that is a documented default.
fn default_note(ctx: &Ctx<'_>, f: Field, shown: &str) -> String {
    if ctx.snap.defaulted.contains(&f) {
        format!(" (Not set in the file; Salesforce's default is {shown}.)")
    } else {
        String::new()
    }
}

/// How strongly the pack asks: a rule of severity warning or info is a recommendation.
/// (needs, requires, a required, required)
fn asks(severity: Option<Severity>) -> (&'static str, &'static str, &'static str, &'static str) {
    match severity {
        Some(Severity::Warning | Severity::Info) => ("recommends", "recommends", "a recommended", "recommended"),
        _ => ("needs", "requires", "a required", "required"),
    }
}

/// ": why" after a deviation's words, or "." when the pack gives no reason.
fn because(why: &str) -> String {
    if why.is_empty() {
        ".".into()
    } else {
        format!(": {why}")
    }
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

/// A boolean setting: off where the pack needs it on, or the reverse.
pub fn check_bool(ctx: &mut Ctx<'_>, f: Field, rule: &BoolRule) {
    let Some(actual) = ctx.snap.bool(f) else { return };
    let spec = f.spec();
    let baseline = spec.baseline.filter(|b| b.value != BaseValue::Bool(rule.expect));
    let why = rule.why.as_deref().unwrap_or_default();
    if actual != rule.expect {
        let (needs, _, kind, _) = asks(rule.severity);
        let mut message = format!(
            "It is {}; this integration {needs} it {}.",
            on_off(actual),
            on_off(rule.expect)
        );
        message.push_str(&default_note(ctx, f, on_off(actual)));
        if baseline.is_some() {
            message.push_str(&format!(
                " This is {kind} deviation from Salesforce's baseline ({}){}",
                on_off(!rule.expect),
                because(why)
            ));
        } else if !why.is_empty() {
            message.push(' ');
            message.push_str(why);
        }
        let fix = if rule.expect { "Select it." } else { "Clear it." }.to_string();
        ctx.push(
            spec.rule,
            rule.severity.unwrap_or(Severity::Error),
            Some(f),
            message,
            fix,
            Src::Pack(&rule.source),
        );
    } else if let Some(b) = baseline {
        let (_, requires, _, requires_past) = asks(rule.severity);
        let note = default_note(ctx, f, on_off(actual));
        ctx.push_deviation(
            spec.rule,
            f,
            format!(
                "It is {}, as this integration {requires}.{note} Salesforce's baseline is {}; the deviation is {requires_past}{}",
                on_off(actual),
                on_off(!actual),
                because(why)
            ),
            format!("Keep it {} for this integration, and limit who can use the app.", on_off(actual)),
            &rule.source,
            b.doc,
        );
    }
}

/// A choice setting: a value the pack does not accept, or one ECA Guard cannot recognise.
pub fn check_choice(ctx: &mut Ctx<'_>, f: Field, rule: &ChoiceRule) {
    let Some(shown) = ctx.snap.text(f) else { return };
    let spec = f.spec();
    let first = rule.expect.first().map(String::as_str).unwrap_or_default();
    let Some(value) = spec.choice_value(shown) else {
        ctx.push(
            spec.rule,
            Severity::Warning,
            Some(f),
            format!("It shows \"{shown}\", which ECA Guard does not recognise, so it cannot tell whether this integration works with it."),
            format!("Choose \"{}\".", spec.choice_label(first)),
            Src::Pack(&rule.source),
        );
        return;
    };
    let wanted: Vec<&str> = rule.expect.iter().map(|v| spec.choice_label(v)).collect();
    let baseline = spec.baseline.and_then(|b| match b.value {
        BaseValue::Choice(v) => Some((v, b.doc)),
        BaseValue::Bool(_) => None,
    });
    let why = rule.why.as_deref().unwrap_or_default();
    if !rule.expect.iter().any(|v| v == value) {
        let (needs, _, kind, _) = asks(rule.severity);
        let mut message = format!(
            "It is \"{}\"; this integration {needs} \"{}\".",
            spec.choice_label(value),
            wanted.join("\" or \"")
        );
        message.push_str(&default_note(ctx, f, &format!("\"{}\"", spec.choice_label(value))));
        match baseline {
            Some((b, _)) if !rule.expect.iter().any(|v| v == b) => message.push_str(&format!(
                " This is {kind} deviation from Salesforce's baseline (\"{}\"){}",
                spec.choice_label(b),
                because(why)
            )),
            _ if !why.is_empty() => {
                message.push(' ');
                message.push_str(why);
            }
            _ => {}
        }
        ctx.push(
            spec.rule,
            rule.severity.unwrap_or(Severity::Error),
            Some(f),
            message,
            format!("Choose \"{}\".", wanted.first().copied().unwrap_or_default()),
            Src::Pack(&rule.source),
        );
    } else if let Some((b, doc)) = baseline.filter(|(b, _)| *b != value) {
        let (_, requires, _, requires_past) = asks(rule.severity);
        let note = default_note(ctx, f, &format!("\"{}\"", spec.choice_label(value)));
        ctx.push_deviation(
            spec.rule,
            f,
            format!(
                "It is \"{}\", as this integration {requires}.{note} Salesforce recommends \"{}\"; the deviation is {requires_past}{}",
                spec.choice_label(value),
                spec.choice_label(b),
                because(why)
            ),
            "Keep it for this integration; make sure only the integration's users can use the app.".into(),
            &rule.source,
            doc,
        );
    }
}
