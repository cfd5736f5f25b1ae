//! ECA Guard's own options against the pack, with the rules the Setup form is checked by: a
//! callback URL the form would refuse (a final slash the integration never sends, plain http to
//! a host that is not loopback) is refused in the options too, or the form would ask the admin
//! to add a line that it then flags (docs/salesforce-facts.md, "Callback URL rules"; "Login IP
//! ranges: which addresses are checked").

use serde::Serialize;

use super::ip;
use crate::callback;
use crate::finding::Severity;
use crate::pack::{CallbackRule, Pack, ParamKind, Params, TrailingSlash};

/// One problem with one option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionProblem {
    /// The parameter (`callbackUrls`, `serverAddresses`, a choice's name).
    pub param: String,
    /// The line of a list parameter, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// `error`: not saved; `warning`: saved, but checks stay incomplete or will not apply.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
}

/// One field of the options form, as the pack declares it (docs/contract.md, "Rule packs").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionField {
    /// The parameter's name (`callbackUrls`, `client`).
    pub name: String,
    /// Its kind (`urls`, `bool`, `addresses`, `choice`).
    pub kind: ParamKind,
    /// The field's label.
    pub label: String,
    /// What to enter.
    pub description: String,
    /// Whether checks are incomplete without it.
    pub required: bool,
    /// A choice's values: (value, label).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<(String, String)>,
}

/// The options form for a pack and what is wrong with the values in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionsReport {
    /// The fields, in the pack's order.
    pub fields: Vec<OptionField>,
    /// The problems, field by field.
    pub problems: Vec<OptionProblem>,
}

/// The label of a parameter the pack does not name.
fn default_label(name: &str) -> &str {
    match name {
        "callbackUrls" => "Callback URLs",
        "salesforceIdp" => "Salesforce is the identity provider",
        "serverAddresses" => "Server addresses",
        other => other,
    }
}

/// The fields `pack` asks for, and the problems with `params`.
pub fn options_report(pack: &Pack, params: &Params) -> OptionsReport {
    let fields = pack
        .params
        .iter()
        .filter_map(|(name, spec)| {
            Some(OptionField {
                name: name.clone(),
                kind: spec.kind_of(name)?,
                label: spec.label.clone().unwrap_or_else(|| default_label(name).to_string()),
                description: spec.description.clone(),
                required: spec.required,
                values: spec.values.iter().map(|v| (v.value.clone(), v.label.clone())).collect(),
            })
        })
        .collect();
    OptionsReport {
        fields,
        problems: check_options(pack, params),
    }
}

/// A callback line's message or fix ("Line 2 …", "Change line 2 …"), said of the callback URLs
/// ECA Guard was given (the extension's options, or the CLI's `--callback`).
pub fn in_options(text: &str) -> String {
    format!("In the callback URLs ECA Guard was given (its options, or --callback): {text}")
}

/// Every problem with `params` for `pack`; an empty list means they can be saved as they are.
pub fn check_options(pack: &Pack, params: &Params) -> Vec<OptionProblem> {
    let mut out = Vec::new();
    let mut push = |param: &str, line, severity, message: String, fix: String| {
        out.push(OptionProblem {
            param: param.to_string(),
            line,
            severity,
            message,
            fix,
        })
    };
    // A pack without a callback rule still gets Salesforce's rules, without the pack's own
    // trailing-slash requirement.
    let fallback = CallbackRule {
        urls: Vec::new(),
        from_param: Vec::new(),
        severity: None,
        trailing_slash: TrailingSlash::Allow,
        extra: None,
        source: String::new(),
    };
    let rule = pack.rules.callback().unwrap_or(&fallback);
    let mut seen: Vec<&str> = Vec::new();
    for (i, url) in params.callback_urls.iter().enumerate() {
        let n = i + 1;
        for p in callback::line_problems(n, url.trim(), rule) {
            push("callbackUrls", Some(n), p.severity, p.message, p.fix);
        }
        if seen.contains(&url.trim()) {
            push(
                "callbackUrls",
                Some(n),
                Severity::Warning,
                format!("Line {n} repeats {}.", url.trim()),
                "Delete the repeated line.".into(),
            );
        }
        seen.push(url.trim());
    }
    let (_, private) = ip::server_addresses(params);
    for (i, a) in params.server_addresses.iter().enumerate() {
        let n = i + 1;
        match ip::parse_ip(a) {
            None => push(
                "serverAddresses",
                Some(n),
                Severity::Error,
                format!("Line {n} ({}) is not an IP address.", a.trim()),
                "Enter one IPv4 or IPv6 address per line, such as 203.0.113.10 (a host name cannot be compared with IP ranges).".into(),
            ),
            Some(addr) if private.contains(&addr) => push(
                "serverAddresses",
                Some(n),
                Severity::Warning,
                format!("Line {n} ({addr}) is a private address: Salesforce never sees it, only the public address it is translated to, so it is not checked against IP ranges."),
                "Enter the public address the server reaches Salesforce from (ask your network team, or see what the paired server reports).".into(),
            ),
            Some(_) => {}
        }
    }
    for (name, spec) in pack.params.iter() {
        let label = spec.label.as_deref().unwrap_or_else(|| default_label(name));
        match spec.kind_of(name) {
            Some(ParamKind::Choice) => match params.choice(name) {
                None if spec.required => push(
                    name,
                    None,
                    Severity::Warning,
                    format!("{label} is not chosen, so ECA Guard cannot check the callback URLs exactly."),
                    format!("Choose the {label}."),
                ),
                Some(v) if !spec.values.iter().any(|x| x.value == v) => push(
                    name,
                    None,
                    Severity::Error,
                    format!("\"{v}\" is not one of this pack's values for {label}."),
                    format!(
                        "Choose one of: {}.",
                        spec.values
                            .iter()
                            .map(|x| x.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                _ => {}
            },
            Some(ParamKind::Urls | ParamKind::Addresses) if spec.required && params.list(name).is_empty() => push(
                name,
                None,
                Severity::Warning,
                format!("{label} is empty, so ECA Guard cannot check this pack's settings that depend on it."),
                format!("Enter the {label}: {}", spec.description),
            ),
            _ => {}
        }
    }
    out
}
