//! The rule catalogue: every rule id a finding can carry, what it means, how to fix it and where
//! its requirement comes from (`eca-guard explain`, docs/contract.md "Rule ids"). Rules about one
//! setting come from the settings table; the others (callback lines, scopes, reading the page,
//! combinations) are listed here.

use crate::settings::{docs, Doc, Field};

/// Where a rule's requirement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The pack's rule for these settings (each pack cites its own source).
    Pack,
    /// Salesforce's own rule, whatever the pack.
    Salesforce(Doc),
    /// Not a requirement: ECA Guard could not read or see something.
    Reading,
}

/// One rule id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// The id (`pkce`).
    pub id: &'static str,
    /// What it means.
    pub meaning: String,
    /// How to fix it.
    pub fix: String,
    /// The settings it is about.
    pub fields: Vec<Field>,
    /// Where it comes from.
    pub origin: Origin,
}

/// (id, meaning, fix, fields, origin) of the rules that are not one setting's own.
const OTHER: &[(&str, &str, &str, &[Field], Origin)] = &[
    ("scope-extra", "A selected scope the integration does not need; every extra scope widens what a leaked token can do (least privilege).", "Move it back to Available OAuth Scopes.", &[Field::Scopes], Origin::Pack),
    ("scope-unknown", "A scope ECA Guard does not know, so it cannot tell whether it is needed.", "Remove it unless the integration's documentation asks for it.", &[Field::Scopes], Origin::Pack),
    ("callback-missing", "The Callback URL field is empty.", "Enter the integration's callback URLs, one per line.", &[Field::CallbackUrl], Origin::Pack),
    ("callback-trailing-slash", "A callback line ends with / where the pack forbids it; Salesforce compares exactly.", "Delete the trailing slash.", &[Field::CallbackUrl], Origin::Pack),
    ("callback-scheme", "A callback is not https, nor an allowed loopback http or custom scheme.", "Use https (or http://localhost for a local tool).", &[Field::CallbackUrl], Origin::Salesforce(docs::OAUTH_SETTINGS)),
    ("callback-invalid", "A line that is not a URL, contains a wildcard, or the field exceeds 2,000 characters.", "Fix or remove the line.", &[Field::CallbackUrl], Origin::Salesforce(docs::OAUTH_SETTINGS)),
    ("callback-duplicate", "A callback line is repeated.", "Delete the repeated line.", &[Field::CallbackUrl], Origin::Salesforce(docs::OAUTH_SETTINGS)),
    ("callback-whitespace", "A callback line has spaces around the URL.", "Delete the spaces.", &[Field::CallbackUrl], Origin::Salesforce(docs::OAUTH_SETTINGS)),
    ("callback-extra", "A callback line the integration does not use.", "Remove it unless another client needs it.", &[Field::CallbackUrl], Origin::Pack),
    ("options-invalid", "A value in ECA Guard's own options (a callback URL, a server address) that the rules this page is checked by would refuse; ECA Guard does not ask for it on the page.", "Correct it in ECA Guard's options (or the --callback you gave).", &[Field::CallbackUrl], Origin::Reading),
    ("callback-unverified", "The integration's callback URLs are not known, so exact matching cannot be checked.", "Give every address the integration uses (ECA Guard's options, or --callback URL).", &[Field::CallbackUrl], Origin::Pack),
    ("jwt-bearer-ip-relaxation", "The JWT bearer flow is on and IP restrictions are relaxed: the JWT (and SAML) bearer flows always enforce the user's login IP ranges, so the relaxation does not help.", "Add the integration's addresses to the integration user's profile Login IP Ranges.", &[Field::JwtBearerFlow, Field::IpRelaxation], Origin::Salesforce(docs::CONTINUOUS_IP)),
    ("ip-relaxation-every-request", "IP restrictions are relaxed while Session Settings enforces login IP ranges on every request: Salesforce then blocks some of the app's access from outside the ranges.", "Add the integration's addresses to the login IP ranges, or turn off \"Enforce login IP ranges on every request\".", &[Field::IpRelaxation, Field::EnforceIpRangesEveryRequest], Origin::Salesforce(docs::CONTINUOUS_IP)),
    ("field-unreadable", "A setting the pack checks could not be read (on the page, or from the metadata: a missing companion file, malformed XML, a bad value), so it is not checked.", "Fix what the message names, or check the setting by hand.", &[], Origin::Reading),
    ("section-hidden", "A setting the pack checks is in a collapsed section or an unopened tab, so it has not been checked yet.", "Open the section or tab the message names.", &[], Origin::Reading),
    ("labels-unknown", "ECA Guard recognises the page but not the language of its labels, so it reads only what does not depend on them (scopes by their protocol names, PKCE) and checks nothing else.", "Check by hand, or use Setup in English while setting up the app; report the page with \"Copy page outline\".", &[], Origin::Reading),
];

/// Extra words for rules of one setting that are about more than "differs from the pack".
fn setting_words(rule: &str) -> Option<(&'static str, &'static str)> {
    Some(match rule {
        "oauth-disabled" => ("Enable OAuth is off, so the integration cannot sign in.", "Select \"Enable OAuth\"."),
        "scope-missing" => ("A scope the pack requires is not selected.", "Move the scope to Selected OAuth Scopes."),
        "callback-mismatch" => (
            "A URL the pack requires is not among the callback lines (exact match); sign-in fails with redirect_uri_mismatch.",
            "Add the URL exactly as the integration sends it, on a line of its own.",
        ),
        "client-credentials-user" => (
            "The client credentials flow is on without a Run As user: every token request fails.",
            "Enter the integration user (API Only) as the Run As user.",
        ),
        "permitted-users-assignment" => (
            "\"Admin approved users are pre-authorized\" with no profile or permission set assigned: nobody can use the app.",
            "Assign the integration user's profile or a permission set to the app.",
        ),
        "login-ip-range" => (
            "The integration's server address is outside the org's IP ranges (login IP ranges refuse it; trusted ranges challenge it).",
            "Add a range that contains the server's address.",
        ),
        _ => return None,
    })
}

/// Every rule, settings first (in table order), then the others.
pub fn rules() -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = Vec::new();
    for f in Field::ALL {
        let s = f.spec();
        if s.rule.is_empty() {
            continue;
        }
        if let Some(r) = out.iter_mut().find(|r| r.id == s.rule) {
            r.fields.push(f);
            continue;
        }
        let (meaning, fix) = match setting_words(s.rule) {
            Some((m, x)) => (m.to_string(), x.to_string()),
            None => (
                format!("\"{}\" differs from what the pack needs. {}", s.label, s.meaning),
                "Set it as the pack says.".to_string(),
            ),
        };
        let origin = if s.pack.is_some() {
            Origin::Pack
        } else {
            Origin::Salesforce(s.doc)
        };
        out.push(RuleInfo {
            id: s.rule,
            meaning,
            fix,
            fields: vec![f],
            origin,
        });
    }
    for (id, meaning, fix, fields, origin) in OTHER {
        out.push(RuleInfo {
            id,
            meaning: (*meaning).to_string(),
            fix: (*fix).to_string(),
            fields: fields.to_vec(),
            origin: *origin,
        });
    }
    out
}

/// One rule by id.
pub fn explain(id: &str) -> Option<RuleInfo> {
    rules().into_iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_rule_is_explained() {
        // docs/contract.md, "Rule ids".
        for id in [
            "oauth-disabled",
            "scope-missing",
            "scope-extra",
            "callback-missing",
            "callback-mismatch",
            "callback-trailing-slash",
            "callback-scheme",
            "callback-invalid",
            "secret-web-server-flow",
            "secret-refresh-token-flow",
            "pkce",
            "code-credentials-flow",
            "distribution-state",
            "ip-relaxation",
            "permitted-users",
            "session-lock-ip",
            "login-ip-range",
            "client-credentials-flow",
            "client-credentials-user",
            "jwt-bearer-flow",
            "token-exchange-flow",
            "device-flow",
            "jwt-access-tokens",
            "refresh-token-rotation",
            "refresh-token-policy",
            "dpop",
            "permitted-users-assignment",
            "field-unreadable",
            "section-hidden",
            "labels-unknown",
        ] {
            assert!(explain(id).is_some(), "{id}");
        }
        let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
    }
}
