//! A typed snapshot of what a Setup page (or a metadata file) shows.
//!
//! One flat shape serves every surface: the New ECA form, the ECA detail tabs, the legacy
//! Connected App pages, Session Settings, Network Access and metadata files. A field that the
//! surface does not have stays `None` and is not checked; a field that is there but could not
//! be read goes into `unreadable`, and the check reports it instead of guessing a pass.

use serde::{Deserialize, Serialize};

/// Which surface a snapshot was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Page {
    /// The New External Client App form.
    #[default]
    NewEca,
    /// The ECA detail page (Settings and Policies tabs), after creation.
    EcaDetail,
    /// The classic New/Edit Connected App page.
    ConnectedAppEdit,
    /// The classic Connected App detail page.
    ConnectedAppDetail,
    /// Setup › Session Settings.
    SessionSettings,
    /// Setup › Network Access (trusted IP ranges) or a profile's Login IP Ranges.
    NetworkAccess,
    /// ECA metadata files (the CLI).
    Metadata,
}

/// An IPv4/IPv6 range as Setup lists it (start and end address, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IpRange {
    /// Start address.
    pub start: String,
    /// End address.
    pub end: String,
}

/// A field that is on the page but could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unreadable {
    /// The field name (as in [`Field`]).
    pub field: String,
    /// Why it could not be read ("label found, no checkbox next to it").
    pub reason: String,
}

/// What one page shows. Every field is optional: `None` means "not on this surface".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// The surface it was read from.
    #[serde(default)]
    pub page: Page,
    /// External Client App Name (or Connected App Name).
    pub name: Option<String>,
    /// API Name.
    pub api_name: Option<String>,
    /// Contact Email.
    pub contact_email: Option<String>,
    /// Distribution State (`Local`, `Packaged`, or a translated label).
    pub distribution_state: Option<String>,
    /// Enable OAuth.
    pub oauth_enabled: Option<bool>,
    /// Callback URL field, raw text (one URL per line).
    pub callback_url: Option<String>,
    /// Selected OAuth scopes as shown ("Full access (full)"), protocol names or metadata tokens.
    pub scopes: Option<Vec<String>>,
    /// Enable Client Credentials Flow.
    pub client_credentials_flow: Option<bool>,
    /// Enable Authorization Code and Credentials Flow.
    pub code_credentials_flow: Option<bool>,
    /// Require secret for Web Server Flow.
    pub require_secret_web_server: Option<bool>,
    /// Require secret for Refresh Token Flow.
    pub require_secret_refresh: Option<bool>,
    /// Require Proof Key for Code Exchange (PKCE).
    pub require_pkce: Option<bool>,
    /// Permitted Users policy (label or metadata value).
    pub permitted_users: Option<String>,
    /// IP Relaxation policy (label or metadata value).
    pub ip_relaxation: Option<String>,
    /// Refresh Token Policy (label or metadata value).
    pub refresh_token_policy: Option<String>,
    /// Session Settings: Lock sessions to the IP address from which they originated.
    pub lock_sessions_to_ip: Option<bool>,
    /// Session Settings: Lock sessions to the domain in which they were first used.
    pub lock_sessions_to_domain: Option<bool>,
    /// Session Settings: Enforce login IP ranges on every request.
    pub enforce_ip_ranges_every_request: Option<bool>,
    /// Network Access: the org's trusted IP ranges.
    pub trusted_ip_ranges: Option<Vec<IpRange>>,
    /// The integration user's profile Login IP Ranges.
    pub login_ip_ranges: Option<Vec<IpRange>>,
    /// Fields on the page that could not be read.
    #[serde(default)]
    pub unreadable: Vec<Unreadable>,
}

/// Field names as they appear in findings (`field`) and in `data-eca-guard` marks.
pub mod field {
    #![allow(missing_docs)]
    pub const NAME: &str = "name";
    pub const API_NAME: &str = "apiName";
    pub const CONTACT_EMAIL: &str = "contactEmail";
    pub const DISTRIBUTION_STATE: &str = "distributionState";
    pub const OAUTH_ENABLED: &str = "oauthEnabled";
    pub const CALLBACK_URL: &str = "callbackUrl";
    pub const SCOPES: &str = "scopes";
    pub const CLIENT_CREDENTIALS_FLOW: &str = "clientCredentialsFlow";
    pub const CODE_CREDENTIALS_FLOW: &str = "codeCredentialsFlow";
    pub const REQUIRE_SECRET_WEB_SERVER: &str = "requireSecretWebServer";
    pub const REQUIRE_SECRET_REFRESH: &str = "requireSecretRefresh";
    pub const REQUIRE_PKCE: &str = "requirePkce";
    pub const PERMITTED_USERS: &str = "permittedUsers";
    pub const IP_RELAXATION: &str = "ipRelaxation";
    pub const REFRESH_TOKEN_POLICY: &str = "refreshTokenPolicy";
    pub const LOCK_SESSIONS_TO_IP: &str = "lockSessionsToIp";
    pub const LOCK_SESSIONS_TO_DOMAIN: &str = "lockSessionsToDomain";
    pub const ENFORCE_IP_RANGES_EVERY_REQUEST: &str = "enforceIpRangesEveryRequest";
    pub const TRUSTED_IP_RANGES: &str = "trustedIpRanges";
    pub const LOGIN_IP_RANGES: &str = "loginIpRanges";
}
