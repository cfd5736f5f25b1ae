//! The OAuth scopes against the pack (by protocol name; docs/salesforce-facts.md, "OAuth scopes").

use super::{Ctx, Src};
use crate::finding::Severity;
use crate::pack::{Params, ScopeRule};
use crate::scopes::{self, Recognised};
use crate::settings::Field;

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The selected scopes against the pack: the required ones present (one finding names all that
/// are missing), unknown ones named, and (least privilege) each one the pack does not need.
pub fn check(ctx: &mut Ctx<'_>, rule: &ScopeRule, params: &Params, shown: &[String]) {
    let mut selected: Vec<&'static scopes::Scope> = Vec::new();
    for text in shown {
        match scopes::recognise(text) {
            Recognised::Known(s) => {
                if !selected.contains(&s) {
                    selected.push(s)
                }
            }
            Recognised::Unknown(t) => ctx.push(
                "scope-unknown",
                Severity::Warning,
                Some(Field::Scopes),
                format!("ECA Guard does not know the scope \"{t}\"; it cannot tell whether it is needed."),
                "Remove it unless the integration's documentation asks for it.".into(),
                Src::Pack(&rule.source),
            ),
        }
    }
    let mut required: Vec<&str> = rule.require.iter().map(String::as_str).collect();
    for (param, extra) in &rule.require_when {
        if params.flag(param) {
            required.extend(extra.iter().map(String::as_str));
        }
    }
    let required: Vec<&'static scopes::Scope> = required.into_iter().filter_map(scopes::by_protocol_name).collect();
    // One finding lists every missing scope: moving three scopes is one fix, not three.
    let missing: Vec<&'static scopes::Scope> = required.iter().copied().filter(|s| !selected.contains(s)).collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|s| format!("\"{}\"", scopes::display(s))).collect();
        let idp = params.salesforce_idp && missing.iter().any(|s| s.id == "openid");
        let message = if let [one] = names.as_slice() {
            let why = if idp {
                " because Salesforce is the identity provider"
            } else {
                ""
            };
            format!("{one} is not selected; this integration needs it{why}.")
        } else {
            let why = if idp {
                " (openid because Salesforce is the identity provider)"
            } else {
                ""
            };
            format!(
                "{} are not selected; this integration needs them{why}.",
                and_list(&names)
            )
        };
        ctx.push(
            "scope-missing",
            Severity::Error,
            Some(Field::Scopes),
            message,
            format!(
                "Move {} from Available OAuth Scopes to Selected OAuth Scopes.",
                if missing.len() == 1 { "it" } else { "them" }
            ),
            Src::Pack(&rule.source),
        );
    }
    // Least privilege: scopes a pack forbids outright (Salesforce's baseline: never Full).
    let forbidden: Vec<&'static scopes::Scope> =
        rule.forbid.iter().filter_map(|n| scopes::by_protocol_name(n)).collect();
    for s in selected
        .iter()
        .filter(|s| forbidden.contains(s) && !required.contains(s))
    {
        ctx.push(
            "scope-extra",
            rule.extra.unwrap_or(Severity::Warning),
            Some(Field::Scopes),
            format!("\"{}\" is selected; this integration asks for narrower scopes, since a token with it can do anything its user can.", scopes::display(s)),
            "Move it back to Available OAuth Scopes and select only the scopes the integration needs.".into(),
            Src::Pack(&rule.source),
        );
    }
    if let Some(severity) = rule.extra {
        for s in selected.iter().filter(|s| !forbidden.contains(s)) {
            let optional_openid = s.id == "openid" && rule.require_when.values().flatten().any(|n| n == "openid");
            if !required.contains(s) && !optional_openid {
                ctx.push(
                    "scope-extra",
                    severity,
                    Some(Field::Scopes),
                    format!("\"{}\" is selected but this integration does not need it; every extra scope widens what a leaked token can do.", scopes::display(s)),
                    "Move it back to Available OAuth Scopes.".into(),
                    Src::Pack(&rule.source),
                );
            }
        }
    }
}
