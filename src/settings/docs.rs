//! Salesforce Help pages the table cites: the OAuth settings and policies pages, and Salesforce's
//! security controls for External Client Apps, one page per setting (docs/salesforce-facts.md,
//! "Salesforce baseline controls").

use super::Doc;

const fn doc(title: &'static str, url: &'static str) -> Doc {
    Doc { title, url }
}

/// The OAuth settings page (callback URL rules).
pub const OAUTH_SETTINGS: Doc = doc(
    "Salesforce Help: Configure the External Client App OAuth Settings",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.configure_external_client_app_oauth_settings.htm",
);
/// The OAuth policies page (permitted users, IP relaxation, refresh tokens).
pub const OAUTH_POLICIES: Doc = doc(
    "Salesforce Help: Manage External Client App OAuth Policies",
    "https://help.salesforce.com/s/articleView?id=xcloud.manage_external_client_app_oauth_policies.htm&type=5",
);
/// The index of Salesforce's ECA security controls.
pub const SECURITY_CONTROLS: Doc = doc(
    "Salesforce Help: Review External Client Apps (security controls)",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_external_client_apps.htm",
);
/// Control: require PKCE.
pub const PKCE: Doc = doc(
    "Salesforce Help: Security: Require Proof Key for Code Exchange (PKCE) Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_security_require_proof_key_for_code_exchange_pkce.htm",
);
/// Control: require secret for the web server flow.
pub const SECRET_WEB_SERVER: Doc = doc(
    "Salesforce Help: Security: Require Secret for Web Server Flow Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_security_require_secret_for_web_server_flow.htm",
);
/// Control: require secret for the refresh token flow.
pub const SECRET_REFRESH: Doc = doc(
    "Salesforce Help: Security: Require Secret for Refresh Token Flow Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_security_require_secret_for_refresh_token_flow.htm",
);
/// Control: disable the client credentials flow.
pub const NO_CLIENT_CREDENTIALS: Doc = doc(
    "Salesforce Help: OAuth Flow Enablement: Disable Client Credentials Flow Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_oauth_flow_enablement_disable_client_credentials_flow.htm",
);
/// Control: refresh token rotation.
pub const ROTATION: Doc = doc(
    "Salesforce Help: Security: Enable Refresh Token Rotation Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_security_enable_refresh_token_rotation.htm",
);
/// JWT-based access tokens (how to turn them on; the control itself is listed in the index).
pub const JWT_ACCESS_TOKENS: Doc = doc(
    "Salesforce Help: Configure an External Client App to Issue JWT-Based Access Tokens",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.jwt_eca_configuration.htm",
);
/// Control: least-privilege scopes (and admin-approved users).
pub const LEAST_PRIVILEGE: Doc = doc(
    "Salesforce Help: Configure the External Client App OAuth Settings: OAuth Scope Least Privilege",
    "https://help.salesforce.com/s/articleView?id=xcloud.shr_configure_the_external_client_app_oauth_settings_oauth_scope_least_privilege.htm&type=5",
);
/// Control: IP relaxation "Enforce IP Restrictions" (the Connected App control; no ECA page
/// exists, and ECAs use the same policy values).
pub const IP_RELAXATION: Doc = doc(
    "Salesforce Help: Manage OAuth Access Policies for a Connected App: IP Relaxation Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_manage_oauth_access_policies_for_a_connected_app_ip_relaxation.htm",
);
/// Control: session settings (lock sessions to the IP address).
pub const SESSION_CONTROL: Doc = doc(
    "Salesforce Help: Session Settings Control",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.shr_session_settings.htm",
);
/// Session security settings.
pub const SESSIONS: Doc = doc(
    "Salesforce Help: Modify Session Security Settings",
    "https://help.salesforce.com/s/articleView?id=sf.admin_sessions.htm&type=5",
);
/// Trusted IP ranges.
pub const NETWORK: Doc = doc(
    "Salesforce Help: Set Trusted IP Ranges for Your Org",
    "https://help.salesforce.com/s/articleView?id=sf.security_networkaccess.htm&type=5",
);
/// IP relaxation against "Enforce login IP ranges on every request", and the JWT and SAML
/// bearer flows, which always enforce IP restrictions.
pub const CONTINUOUS_IP: Doc = doc(
    "Salesforce Help: Connected App IP Relaxation and Continuous IP Enforcement",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.connected_app_continuous_ip.htm",
);
/// The 30-day idle limit for refresh tokens.
pub const IDLE_REFRESH: Doc = doc(
    "Salesforce Help: Limit the Idle Refresh Token TTL in External Client Apps",
    "https://help.salesforce.com/s/articleView?id=xcloud.eca_limit_idle_refresh_token_ttl.htm&type=5",
);
/// The JWT bearer flow for External Client Apps.
pub const JWT_BEARER: Doc = doc(
    "Salesforce Help: Configure a JWT Bearer Flow",
    "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.configure_oauth_jwt_flow_external_client_apps.htm",
);
