//! Salesforce's own security baseline for the settings packs touch, and English labels.
//!
//! When a pack needs a value weaker than the baseline, a page that has it is correct but gets a
//! `deviation` finding, so the admin sees "this integration requires a deviation from
//! Salesforce's baseline" apart from "this is wrong" (salesforce-facts.md, "Who asks for what").

use crate::pack::Source;
use crate::snapshot::field;

/// Title of the document behind Salesforce's baseline.
pub const SOURCE_TITLE: &str =
    "Salesforce Help: Configure the External Client App OAuth Settings; Security Health Check session settings";
/// Its URL.
pub const SOURCE_URL: &str =
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.configure_external_client_app_oauth_settings.htm";

/// Salesforce's recommendations for External Client Apps and session security.
pub fn source() -> Source {
    Source {
        id: "salesforce-baseline".into(),
        title: SOURCE_TITLE.into(),
        url: SOURCE_URL.into(),
    }
}

/// The baseline value of a boolean setting, when Salesforce recommends one.
pub fn bool_baseline(field_name: &str) -> Option<bool> {
    match field_name {
        field::REQUIRE_SECRET_WEB_SERVER | field::REQUIRE_SECRET_REFRESH | field::REQUIRE_PKCE => Some(true),
        field::LOCK_SESSIONS_TO_IP => Some(true),
        _ => None,
    }
}

/// The baseline value of a choice setting (metadata spelling).
pub fn choice_baseline(field_name: &str) -> Option<&'static str> {
    match field_name {
        field::IP_RELAXATION => Some("Enforce"),
        field::PERMITTED_USERS => Some("AdminApprovedPreAuthorized"),
        _ => None,
    }
}

/// The English label of a control, as Setup shows it.
pub fn label(field_name: &str) -> &'static str {
    match field_name {
        field::NAME => "External Client App Name",
        field::API_NAME => "API Name",
        field::CONTACT_EMAIL => "Contact Email",
        field::DISTRIBUTION_STATE => "Distribution State",
        field::OAUTH_ENABLED => "Enable OAuth",
        field::CALLBACK_URL => "Callback URL",
        field::SCOPES => "Selected OAuth Scopes",
        field::CLIENT_CREDENTIALS_FLOW => "Enable Client Credentials Flow",
        field::CODE_CREDENTIALS_FLOW => "Enable Authorization Code and Credentials Flow",
        field::REQUIRE_SECRET_WEB_SERVER => "Require secret for Web Server Flow",
        field::REQUIRE_SECRET_REFRESH => "Require secret for Refresh Token Flow",
        field::REQUIRE_PKCE => "Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows",
        field::PERMITTED_USERS => "Permitted Users",
        field::IP_RELAXATION => "IP Relaxation",
        field::REFRESH_TOKEN_POLICY => "Refresh Token Policy",
        field::LOCK_SESSIONS_TO_IP => "Lock sessions to the IP address from which they originated",
        field::LOCK_SESSIONS_TO_DOMAIN => "Lock sessions to the domain in which they were first used",
        field::ENFORCE_IP_RANGES_EVERY_REQUEST => "Enforce login IP ranges on every request",
        field::TRUSTED_IP_RANGES => "Network Access: Trusted IP Ranges",
        field::LOGIN_IP_RANGES => "Login IP Ranges",
        _ => "this setting",
    }
}

/// The English label of a choice value (metadata spelling → Setup label).
pub fn choice_label(value: &str) -> &str {
    match value {
        "Enforce" => "Enforce IP restrictions",
        "Enforce_RelaxRefresh" => "Enforce IP restrictions, but relax for refresh tokens",
        "Bypass_2factor" => "Relax IP restrictions for activated devices",
        "Bypass" => "Relax IP restrictions",
        "AllSelfAuthorized" => "All users may self-authorize",
        "AdminApprovedPreAuthorized" => "Admin approved users are pre-authorized",
        other => other,
    }
}

/// Maps what a page shows (a label or a metadata value) to the metadata value.
pub fn choice_value(shown: &str) -> Option<&'static str> {
    let s = shown.trim();
    const ALL: &[(&str, &[&str])] = &[
        ("Enforce", &["Enforce IP restrictions"]),
        (
            "Enforce_RelaxRefresh",
            &["Enforce IP restrictions, but relax for refresh tokens"],
        ),
        (
            "Bypass_2factor",
            &[
                "Relax IP restrictions for activated devices",
                "Relax IP restrictions with second factor",
            ],
        ),
        ("Bypass", &["Relax IP restrictions"]),
        ("AllSelfAuthorized", &["All users may self-authorize"]),
        (
            "AdminApprovedPreAuthorized",
            &["Admin approved users are pre-authorized"],
        ),
        ("Local", &[]),
        ("Packaged", &[]),
        ("AutoInstalled", &[]),
    ];
    ALL.iter()
        .find(|(value, labels)| value.eq_ignore_ascii_case(s) || labels.iter().any(|l| l.eq_ignore_ascii_case(s)))
        .map(|(value, _)| *value)
}
