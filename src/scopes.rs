//! The OAuth scope model: UI label ↔ protocol names ↔ metadata token.
//!
//! Setup shows scopes as "Label (protocol, names)". Labels drift between releases and are
//! translated; the parenthesised protocol names do not, so matching is by those names first
//! (docs/salesforce-facts.md, "OAuth scopes"). Metadata files use their own tokens
//! (`ExtlClntAppOauthSettings.commaSeparatedOauthScopes`, e.g. "Api, RefreshToken").

use serde::Serialize;

/// One selectable scope item as Setup lists it (one row of the dual listbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Canonical id: the first protocol name (`refresh_token` for "Perform requests at any time").
    pub id: &'static str,
    /// The current English label, without the parenthesised names.
    pub label: &'static str,
    /// Every protocol name the item grants, as shown in parentheses.
    pub protocol_names: &'static [&'static str],
    /// Metadata tokens; the first is the one `generate` writes.
    pub metadata_tokens: &'static [&'static str],
}

const fn s(
    id: &'static str,
    label: &'static str,
    protocol_names: &'static [&'static str],
    metadata_tokens: &'static [&'static str],
) -> Scope {
    Scope {
        id,
        label,
        protocol_names,
        metadata_tokens,
    }
}

/// Every scope Setup offers (docs/salesforce-facts.md, table "OAuth scopes").
pub const SCOPES: &[Scope] = &[
    s("full", "Full access", &["full"], &["Full"]),
    s("api", "Manage user data via APIs", &["api"], &["Api"]),
    s("web", "Manage user data via Web browsers", &["web"], &["Web"]),
    s(
        "refresh_token",
        "Perform requests at any time",
        &["refresh_token", "offline_access"],
        &["RefreshToken", "OfflineAccess"],
    ),
    s(
        "id",
        "Access the identity URL service",
        &["id", "profile", "email", "address", "phone"],
        &["Basic", "Profile", "Email", "Address", "Phone"],
    ),
    s("openid", "Access unique user identifiers", &["openid"], &["OpenID"]),
    s(
        "custom_permissions",
        "Access custom permissions",
        &["custom_permissions"],
        &["CustomPermissions"],
    ),
    s(
        "lightning",
        "Access Lightning applications",
        &["lightning"],
        &["Lightning"],
    ),
    s("content", "Access content resources", &["content"], &["Content"]),
    // The metadata token is inferred in the facts file.
    s(
        "visualforce",
        "Access Visualforce applications",
        &["visualforce"],
        &["CustomApplications"],
    ),
    s(
        "chatter_api",
        "Access Connect REST API resources",
        &["chatter_api"],
        &["Chatter"],
    ),
    s(
        "wave_api",
        "Access Analytics REST API resources",
        &["wave_api"],
        &["Wave"],
    ),
    s(
        "eclair_api",
        "Access Analytics REST API Charts Geodata resources",
        &["eclair_api"],
        &["Eclair"],
    ),
    s("pardot_api", "Manage Pardot services", &["pardot_api"], &["Pardot"]),
    s("chatbot_api", "Access chatbot services", &["chatbot_api"], &["Chatbot"]),
    s(
        "sfap_api",
        "Access the Salesforce API Platform",
        &["sfap_api"],
        &["SFApiPlatform"],
    ),
    s(
        "interaction_api",
        "Access Interaction API resources",
        &["interaction_api"],
        &["Interaction"],
    ),
    // Data Cloud: each documented metadata token is a scope of its own (Metadata API guide,
    // ExtlClntAppOauthSettings.commaSeparatedOauthScopes; docs/salesforce-facts.md, "Metadata
    // values checked"). "Access all Data Cloud API resources" has no documented token, so
    // `generate` refuses a pack that requires it rather than write a guessed one.
    s("cdp_api", "Access all Data Cloud API resources", &["cdp_api"], &[]),
    s(
        "cdp_ingest_api",
        "Manage Data Cloud Ingestion API data",
        &["cdp_ingest_api"],
        &["CDPIngest"],
    ),
    s(
        "cdp_profile_api",
        "Manage Data Cloud profile data",
        &["cdp_profile_api"],
        &["CDPProfile"],
    ),
    s(
        "cdp_query_api",
        "Perform ANSI SQL queries on Data Cloud data",
        &["cdp_query_api"],
        &["CDPQuery"],
    ),
    s(
        "cdp_segment_api",
        "Perform segmentation on Data Cloud data",
        &["cdp_segment_api"],
        &["CDPSegment"],
    ),
    s(
        "cdp_identityresolution_api",
        "Manage Data Cloud Identity Resolution",
        &["cdp_identityresolution_api"],
        &["CDPIdentityResolution"],
    ),
    s(
        "cdp_calculated_insight_api",
        "Manage Data Cloud Calculated Insight data",
        &["cdp_calculated_insight_api"],
        &["CDPCalculatedInsight"],
    ),
    s(
        "einstein_gpt_api",
        "Access Einstein GPT services",
        &["einstein_gpt_api"],
        &["EinsteinGPT"],
    ),
    s(
        "mcp_api",
        "Access Salesforce hosted MCP servers",
        &["mcp_api"],
        &["MCP"],
    ),
    // Headless identity APIs (the tokens' descriptions in the Metadata API guide name the APIs).
    s(
        "pwdless_login_api",
        "Access Headless Passwordless Login API",
        &["pwdless_login_api"],
        &["PwdlessLogin"],
    ),
    s(
        "forgot_password",
        "Access Headless Forgot Password API",
        &["forgot_password"],
        &["ForgotPassword"],
    ),
    s(
        "user_registration_api",
        "Access Headless Registration API",
        &["user_registration_api"],
        &["UserRegistration"],
    ),
    // The guide documents the token ("access to Service Cloud Real-Time features"); the label is
    // inferred from it, the protocol name is the one integrations request.
    s(
        "scrt_api",
        "Access Service Cloud Real-Time API",
        &["scrt_api"],
        &["SCRT"],
    ),
];

/// Older English labels seen in the wild, mapped to the canonical id.
const OLD_LABELS: &[(&str, &str)] = &[
    ("Access and manage your data", "api"),
    ("Perform requests on your behalf at any time", "refresh_token"),
    ("Provide access to your data via the Web", "web"),
    ("Access your basic information", "id"),
    ("Allow access to your unique identifier", "openid"),
    ("Provide access to custom applications", "visualforce"),
];

/// Looks a scope up by canonical id.
pub fn by_id(id: &str) -> Option<&'static Scope> {
    SCOPES.iter().find(|s| s.id == id)
}

/// Looks a scope up by any of its protocol names (`offline_access` → "Perform requests at any time").
pub fn by_protocol_name(name: &str) -> Option<&'static Scope> {
    let name = name.trim();
    SCOPES
        .iter()
        .find(|s| s.protocol_names.iter().any(|p| p.eq_ignore_ascii_case(name)))
}

/// Looks a scope up by metadata token (`RefreshToken`, `OfflineAccess`, `Api`, `CDPIngest`).
/// Only documented tokens are known: an undocumented one is reported as an unknown scope.
pub fn by_metadata_token(token: &str) -> Option<&'static Scope> {
    let token = token.trim();
    SCOPES
        .iter()
        .find(|s| s.metadata_tokens.iter().any(|t| t.eq_ignore_ascii_case(token)))
}

/// How a shown scope was recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recognised {
    /// A known scope.
    Known(&'static Scope),
    /// Text that names no scope we know (a new Salesforce scope, or a typo in a pack).
    Unknown(String),
}

/// Recognises one scope as any surface shows it: "Full access (full)", "Vollzugriff (full)",
/// "refresh_token", "RefreshToken", or an English label without parentheses.
pub fn recognise(text: &str) -> Recognised {
    let text = text.trim();
    // The parenthesised protocol names are authoritative; take the last parenthesised group,
    // since a translated label may itself contain parentheses.
    if let (Some(open), true) = (text.rfind('('), text.ends_with(')')) {
        let inner = &text[open + 1..text.len() - 1];
        let found = inner.split(',').find_map(by_protocol_name);
        if let Some(scope) = found {
            return Recognised::Known(scope);
        }
    }
    if let Some(scope) = by_protocol_name(text).or_else(|| by_metadata_token(text)) {
        return Recognised::Known(scope);
    }
    let label = text.trim_end_matches(|c: char| c == ')' || c.is_whitespace());
    let label = label.split(" (").next().unwrap_or(label);
    if let Some(scope) = SCOPES.iter().find(|s| s.label.eq_ignore_ascii_case(label)) {
        return Recognised::Known(scope);
    }
    if let Some((_, id)) = OLD_LABELS.iter().find(|(l, _)| l.eq_ignore_ascii_case(label)) {
        if let Some(scope) = by_id(id) {
            return Recognised::Known(scope);
        }
    }
    Recognised::Unknown(text.to_string())
}

/// The label Setup shows for a scope: "Full access (full)".
pub fn display(scope: &Scope) -> String {
    format!("{} ({})", scope.label, scope.protocol_names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(text: &str) -> Option<&'static str> {
        match recognise(text) {
            Recognised::Known(s) => Some(s.id),
            Recognised::Unknown(_) => None,
        }
    }

    #[test]
    fn recognises_every_surface_of_every_scope() {
        for scope in SCOPES {
            assert_eq!(id_of(&display(scope)), Some(scope.id), "display of {}", scope.id);
            assert_eq!(id_of(scope.label), Some(scope.id), "label of {}", scope.id);
            for p in scope.protocol_names {
                assert_eq!(id_of(p), Some(scope.id), "protocol {p}");
            }
            for t in scope.metadata_tokens {
                assert_eq!(id_of(t), Some(scope.id), "token {t}");
            }
        }
    }

    #[test]
    fn translated_labels_match_by_protocol_names() {
        assert_eq!(id_of("Vollzugriff (full)"), Some("full"));
        assert_eq!(
            id_of("Jederzeit Anfragen durchführen (refresh_token, offline_access)"),
            Some("refresh_token")
        );
        assert_eq!(id_of("Accès (complet) (api)"), Some("api"));
    }

    #[test]
    fn old_labels_are_known() {
        assert_eq!(id_of("Access and manage your data (api)"), Some("api"));
        assert_eq!(
            id_of("Perform requests on your behalf at any time (refresh_token, offline_access)"),
            Some("refresh_token")
        );
    }

    #[test]
    fn unknown_text_stays_unknown() {
        assert_eq!(
            recognise("Access the moon (moon_api)"),
            Recognised::Unknown("Access the moon (moon_api)".into())
        );
        assert_eq!(id_of(""), None);
        assert_eq!(id_of("()"), None);
    }

    #[test]
    fn every_documented_token_is_its_own_scope() {
        // docs/salesforce-facts.md, "Metadata values checked against the Metadata API guide".
        let documented = [
            ("CDPIngest", "cdp_ingest_api"),
            ("CDPProfile", "cdp_profile_api"),
            ("CDPQuery", "cdp_query_api"),
            ("CDPSegment", "cdp_segment_api"),
            ("CDPIdentityResolution", "cdp_identityresolution_api"),
            ("CDPCalculatedInsight", "cdp_calculated_insight_api"),
            ("PwdlessLogin", "pwdless_login_api"),
            ("ForgotPassword", "forgot_password"),
            ("UserRegistration", "user_registration_api"),
            ("SCRT", "scrt_api"),
            ("MCP", "mcp_api"),
            ("Basic", "id"),
        ];
        for (token, id) in documented {
            assert_eq!(by_metadata_token(token).map(|s| s.id), Some(id), "{token}");
        }
        // Never a token the guide does not list.
        assert_eq!(by_metadata_token("CDPApi"), None);
        assert!(SCOPES.iter().all(|s| !s.metadata_tokens.contains(&"CDPApi")));
        let mut ids: Vec<&str> = SCOPES.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SCOPES.len());
    }
}
