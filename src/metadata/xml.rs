//! The metadata files' XML shapes (serde + quick-xml), and a well-formedness pass that names
//! the line of a syntax error, the root element and any element this reader does not know.
//!
//! Scalars are read as text and converted by [`boolean`], so a bad value (`<isPkceRequired>yes`)
//! makes that one field unreadable instead of the whole file.

use serde::Deserialize;

/// What the structure pass found.
#[derive(Debug, Default)]
pub struct Outline {
    /// The root element's local name.
    pub root: String,
    /// Child elements this reader does not know, as `parent/child` paths (first few only).
    pub unknown: Vec<String>,
}

/// Element names known per parent, for the unknown-element report. `None` = not checked.
fn known_children(kind: super::Part, parent: &str) -> Option<&'static [&'static str]> {
    use super::Part;
    let list: &'static [&'static str] = match (kind, parent) {
        (Part::Eca, "") => &[
            "contactEmail",
            "contactPhone",
            "description",
            "distributionState",
            "iconUrl",
            "infoUrl",
            "isProtected",
            "label",
            "logoUrl",
            "managedType",
            "orgScopedExternalApp",
            "fullName",
        ],
        (Part::Policies, "") => &[
            "externalClientApplication",
            "isCanvasPluginEnabled",
            "isEnabled",
            "isMobilePluginEnabled",
            "isNotificationPluginEnabled",
            "isOauthPluginEnabled",
            "isPushPluginEnabled",
            "isSamlPluginEnabled",
            "label",
            "startPage",
            "startUrl",
            "fullName",
        ],
        (Part::GlobalOauth, "") => &[
            "callbackUrl",
            "certificate",
            "consumerKey",
            "consumerSecret",
            "externalClientApplication",
            "idTokenConfig",
            "isClientCredentialsFlowEnabled",
            "isCodeCredFlowEnabled",
            "isCodeCredPostOnly",
            "isConsumerSecretOptional",
            "isDeviceFlowEnabled",
            "isIntrospectAllTokens",
            "isNamedUserJwtEnabled",
            "isPkceRequired",
            "isRefreshTokenRotationEnabled",
            "isSecretRequiredForRefreshToken",
            "isSecretRequiredForTokenExchange",
            "isTokenExchangeEnabled",
            "label",
            "shouldRotateConsumerKey",
            "shouldRotateConsumerSecret",
            "fullName",
        ],
        (Part::OauthPolicies, "") => &[
            "apexHandler",
            "clientCredentialsFlowUser",
            "commaSeparatedCustomScopes",
            "commaSeparatedPermissionSet",
            "commaSeparatedProfile",
            "customAttributes",
            "executeHandlerAs",
            "externalClientApplication",
            "guestJwtTimeout",
            "guestJwtSessionTimeoutType",
            "ipRelaxationPolicyType",
            "isClientCredentialsFlowEnabled",
            "isGuestCodeCredFlowEnabled",
            "isNamedUserJwtEnabled",
            "isTokenExchangeFlowEnabled",
            "label",
            "namedUserJwtTimeout",
            "namedUserJwtSessionTimeoutType",
            "permittedUsersPolicyType",
            "policyAction",
            "refreshTokenPolicyType",
            "refreshTokenValidityPeriod",
            "refreshTokenValidityUnit",
            "requiredSessionLevel",
            "sessionTimeoutInMinutes",
            "singleLogoutUrl",
            "startUrl",
            "fullName",
        ],
        (Part::OauthSettings, "") => &[
            "areAttributesIncludedInAssetToken",
            "areCustomPermsIncludedInAssetToken",
            "assetTokenAudiences",
            "assetTokenSigningCertificate",
            "assetTokenValidity",
            "clientAssertionCertificate",
            "commaSeparatedOauthScopes",
            "customAttributes",
            "externalClientApplication",
            "isFirstPartyAppEnabled",
            "label",
            "oauthLink",
            "singleLogoutUrl",
            "trustedIpRanges",
            "fullName",
        ],
        (Part::ConnectedApp, "") => &[
            "attributes",
            "canvas",
            "canvasConfig",
            "contactEmail",
            "contactPhone",
            "description",
            "iconUrl",
            "infoUrl",
            "ipRanges",
            "label",
            "logoUrl",
            "mobileAppConfig",
            "mobileStartUrl",
            "oauthConfig",
            "oauthPolicy",
            "permissionSetName",
            "plugin",
            "pluginExecutionUser",
            "profileName",
            "samlConfig",
            "sessionPolicy",
            "startUrl",
            "fullName",
        ],
        (Part::ConnectedApp, "oauthConfig") => &[
            "assetTokenConfig",
            "callbackUrl",
            "certificate",
            "consumerKey",
            "consumerSecret",
            "idTokenConfig",
            "isAdminApproved",
            "isClientCredentialEnabled",
            "isCodeCredentialEnabled",
            "isCodeCredentialPostOnly",
            "isConsumerSecretOptional",
            "isIntrospectAllTokens",
            "isNamedUserJwtEnabled",
            "isPkceRequired",
            "isRefreshTokenRotationEnabled",
            "isSecretRequiredForRefreshToken",
            "isTokenExchangeEnabled",
            "oauthClientCredentialUser",
            "scopes",
            "singleLogoutUrl",
        ],
        (Part::ConnectedApp, "oauthPolicy") => &[
            "ipRelaxation",
            "isTokenExchangeFlowEnabled",
            "refreshTokenPolicy",
            "singleLogoutUrl",
        ],
        _ => return None,
    };
    Some(list)
}

/// Converts a byte offset to a 1-based line number.
fn line_at(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Checks well-formedness and collects the root name and unknown elements (depth 1, and
/// depth 2 below the containers [`known_children`] lists).
pub fn outline(text: &str, kind: super::Part) -> Result<Outline, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = Outline::default();
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("malformed XML at line {}: {e}", line_at(text, reader.error_position())))?;
        let (name, is_start) = match &event {
            Event::Start(e) => (Some(e.local_name().as_ref().to_string()), true),
            Event::Empty(e) => (Some(e.local_name().as_ref().to_string()), false),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Text(t) if stack.is_empty() => {
                if t.chars().any(|c| !c.is_whitespace()) {
                    return Err(format!(
                        "text outside the root element at line {}",
                        line_at(text, reader.buffer_position())
                    ));
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let Some(name) = name else { continue };
        if stack.is_empty() {
            if !out.root.is_empty() {
                return Err(format!(
                    "a second root element <{name}> at line {}",
                    line_at(text, reader.buffer_position())
                ));
            }
            out.root = name.clone();
        } else {
            let parent = if stack.len() == 1 {
                Some("")
            } else if stack.len() == 2 {
                stack.get(1).map(String::as_str)
            } else {
                None
            };
            if let Some(list) = parent.and_then(|p| known_children(kind, p)) {
                if !list.contains(&name.as_str()) && out.unknown.len() < 8 {
                    let path = match parent {
                        Some("") | None => name.clone(),
                        Some(p) => format!("{p}/{name}"),
                    };
                    if !out.unknown.contains(&path) {
                        out.unknown.push(path);
                    }
                }
            }
        }
        if is_start {
            stack.push(name);
        }
    }
    if out.root.is_empty() {
        return Err("no XML element in the file".into());
    }
    if !stack.is_empty() {
        return Err(format!("the file ends inside <{}>", stack.join("> <")));
    }
    Ok(out)
}

/// Deserializes a file body (after [`outline`] accepted it).
pub fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    quick_xml::de::from_str(text).map_err(|e| format!("unexpected content: {e}"))
}

/// Reads a metadata boolean. `Err` names the value.
pub fn boolean(field: &str, value: &Option<String>) -> Result<Option<bool>, String> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(other) => Err(format!("<{field}> is `{other}`, not true or false")),
    }
}

/// Trimmed, non-empty text.
pub fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `ExternalClientApplication` (`NAME.eca-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Eca {
    pub label: Option<String>,
    pub contact_email: Option<String>,
    pub distribution_state: Option<String>,
}

/// `ExtlClntAppConfigurablePolicies` (`NAME_plcy.ecaPlcy-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policies {
    pub external_client_application: Option<String>,
    pub is_enabled: Option<String>,
    pub is_oauth_plugin_enabled: Option<String>,
}

/// `ExtlClntAppGlobalOauthSettings` (`NAME_glbloauth.ecaGlblOauth-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalOauth {
    pub external_client_application: Option<String>,
    pub callback_url: Option<String>,
    pub consumer_secret: Option<String>,
    pub is_consumer_secret_optional: Option<String>,
    pub is_secret_required_for_refresh_token: Option<String>,
    pub is_pkce_required: Option<String>,
    pub is_code_cred_flow_enabled: Option<String>,
    pub is_client_credentials_flow_enabled: Option<String>,
}

/// `ExtlClntAppOauthSettings` (`NAME_oauth.ecaOauth-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OauthSettings {
    pub external_client_application: Option<String>,
    pub comma_separated_oauth_scopes: Option<String>,
}

/// `ExtlClntAppOauthConfigurablePolicies` (`NAME_oauthPlcy.ecaOauthPlcy-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OauthPolicies {
    pub external_client_application: Option<String>,
    pub permitted_users_policy_type: Option<String>,
    pub ip_relaxation_policy_type: Option<String>,
    pub refresh_token_policy_type: Option<String>,
}

/// `SecuritySettings` (`settings/Security.settings-meta.xml`), the parts the packs check.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    pub network_access: Option<NetworkAccess>,
    pub session_settings: Option<SessionSettings>,
}

/// `SecuritySettings > networkAccess`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAccess {
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
}

/// One trusted IP range.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// `SecuritySettings > sessionSettings`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSettings {
    pub lock_sessions_to_ip: Option<String>,
    pub lock_sessions_to_domain: Option<String>,
    pub enforce_ip_ranges_every_request: Option<String>,
}

/// `ConnectedApp` (`connectedApps/NAME.connectedApp-meta.xml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedApp {
    pub label: Option<String>,
    pub contact_email: Option<String>,
    pub oauth_config: Option<ConnectedAppOauthConfig>,
    pub oauth_policy: Option<ConnectedAppOauthPolicy>,
}

/// `ConnectedApp > oauthConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedAppOauthConfig {
    pub callback_url: Option<String>,
    pub consumer_secret: Option<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub is_admin_approved: Option<String>,
    pub is_consumer_secret_optional: Option<String>,
    pub is_secret_required_for_refresh_token: Option<String>,
    pub is_pkce_required: Option<String>,
    pub is_code_credential_enabled: Option<String>,
    pub is_client_credential_enabled: Option<String>,
}

/// `ConnectedApp > oauthPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedAppOauthPolicy {
    pub ip_relaxation: Option<String>,
    pub refresh_token_policy: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::super::Part;
    use super::*;

    #[test]
    fn outline_names_the_line_of_a_syntax_error() {
        let err = outline("<a>\n<b>\n</c>\n</a>", Part::Eca).err().unwrap_or_default();
        assert!(err.starts_with("malformed XML at line 3"), "{err}");
        let err = outline("<a>\n<b>", Part::Eca).err().unwrap_or_default();
        assert!(err.contains("ends inside"), "{err}");
        assert!(outline("", Part::Eca).is_err());
        assert!(outline("just text", Part::Eca).is_err());
    }

    #[test]
    fn outline_reports_unknown_elements_only() {
        let o = outline(
            "<ExternalClientApplication><label>x</label><isShiny>true</isShiny></ExternalClientApplication>",
            Part::Eca,
        )
        .unwrap_or_default();
        assert_eq!(o.root, "ExternalClientApplication");
        assert_eq!(o.unknown, vec!["isShiny".to_string()]);
        let o = outline(
            "<ConnectedApp><oauthConfig><scopes>Full</scopes><isShiny/></oauthConfig></ConnectedApp>",
            Part::ConnectedApp,
        )
        .unwrap_or_default();
        assert_eq!(o.unknown, vec!["oauthConfig/isShiny".to_string()]);
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("x", &Some(" true ".into())), Ok(Some(true)));
        assert_eq!(boolean("x", &Some("0".into())), Ok(Some(false)));
        assert_eq!(boolean("x", &None), Ok(None));
        assert!(boolean("x", &Some("yes".into())).is_err());
    }

    #[test]
    fn parses_repeated_and_escaped_values() {
        let ca: ConnectedApp = parse(
            "<ConnectedApp><oauthConfig><callbackUrl>https://a?x=1&amp;y=2</callbackUrl><scopes>Full</scopes><isAdminApproved>true</isAdminApproved><scopes>RefreshToken</scopes></oauthConfig></ConnectedApp>",
        )
        .unwrap_or_default();
        let c = ca.oauth_config.unwrap_or_default();
        assert_eq!(c.callback_url.as_deref(), Some("https://a?x=1&y=2"));
        assert_eq!(c.scopes, vec!["Full".to_string(), "RefreshToken".to_string()]);
    }
}
