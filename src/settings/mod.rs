//! The settings model: every setting an External Client App (or the org around it) has, in one
//! table. Each row says what the setting is called on the page and in findings, what kind of
//! value it holds, which rule id its findings carry, how a rule pack states a requirement for
//! it, what Salesforce recommends (its baseline, with the source) and whether it is org-wide.
//!
//! Adding a setting: add a [`Field`] variant, then let the compiler point at the rest: its row
//! in [`spec`] (one of the area files), its metadata mapping (`metadata/mapping.rs`, native
//! only) and its labels (`labels/*.json`). See docs/CONTRIBUTING.md.

mod app;
mod flows;
mod org;
mod policies;
mod security;

use serde::{Deserialize, Serialize};

/// One setting, by its identity. The order is the page order: findings come out in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// External Client App Name (or Connected App Name).
    Name,
    /// API Name.
    ApiName,
    /// Contact Email.
    ContactEmail,
    /// Distribution State.
    DistributionState,
    /// Enable OAuth.
    OauthEnabled,
    /// Callback URL (one URL per line).
    CallbackUrl,
    /// Selected OAuth Scopes.
    Scopes,
    /// Enable Client Credentials Flow.
    ClientCredentialsFlow,
    /// The client credentials flow's Run As user.
    ClientCredentialsUser,
    /// Enable Authorization Code and Credentials Flow.
    CodeCredentialsFlow,
    /// Enable JWT Bearer Flow.
    JwtBearerFlow,
    /// The JWT bearer flow's certificate (its name, when one is uploaded).
    JwtBearerCertificate,
    /// Enable Device Flow.
    DeviceFlow,
    /// Enable Token Exchange Flow.
    TokenExchangeFlow,
    /// Require secret for Web Server Flow.
    RequireSecretWebServer,
    /// Require secret for Refresh Token Flow.
    RequireSecretRefresh,
    /// Require Proof Key for Code Exchange (PKCE).
    RequirePkce,
    /// Enable Refresh Token Rotation.
    RefreshTokenRotation,
    /// Issue JSON Web Token (JWT)-based access tokens for named users.
    JwtAccessTokens,
    /// Demonstrating Proof of Possession (DPoP).
    Dpop,
    /// Permitted Users policy.
    PermittedUsers,
    /// The profiles and permission sets pre-authorized to use the app.
    PermittedUsersAssignment,
    /// IP Relaxation policy.
    IpRelaxation,
    /// Refresh Token Policy.
    RefreshTokenPolicy,
    /// The 30-day idle limit on refresh tokens.
    RefreshTokenIdleLimit,
    /// Session Settings: Lock sessions to the IP address from which they originated.
    LockSessionsToIp,
    /// Session Settings: Lock sessions to the domain in which they were first used.
    LockSessionsToDomain,
    /// Session Settings: Enforce login IP ranges on every request.
    EnforceIpRangesEveryRequest,
    /// Network Access: the org's trusted IP ranges.
    TrustedIpRanges,
    /// The integration user's profile Login IP Ranges.
    LoginIpRanges,
}

/// What kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names, the Run As user).
    Text,
    /// On or off.
    Bool,
    /// One of some values, each with its English labels.
    Choice(&'static [Choice]),
    /// The callback field: text, one URL per line.
    Callback,
    /// OAuth scopes, as shown (labels with protocol names, or metadata tokens).
    Scopes,
    /// A list of names (profiles, permission sets).
    Names,
    /// IP ranges.
    Ranges,
}

/// One value of a choice setting: its metadata spelling and the labels Setup shows for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The metadata value (`Enforce`), which packs use.
    pub value: &'static str,
    /// English labels, current first (older wordings after it).
    pub labels: &'static [&'static str],
    /// Whether Setup shows more after the label (a number and unit: "… not used for 30 days").
    pub prefix: bool,
}

impl Choice {
    /// The current English label.
    pub fn label(&self) -> &'static str {
        self.labels.first().copied().unwrap_or(self.value)
    }
}

/// Where a setting lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On the app (the New ECA form, the ECA detail page, the app's metadata).
    App,
    /// On the org (Session Settings, Network Access, profiles), whatever the app.
    Org,
}

/// How a rule pack states a requirement for a setting (the shape of its `rules.<key>` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// `{"expect": true|false, "source", "why"?, "severity"?}`.
    Bool,
    /// `{"expect": ["Value", …], "source", "why"?, "severity"?}`.
    Choice,
    /// `{"require": [protocol names], "requireWhen"?, "extra"?, "source"}`.
    Scopes,
    /// `{"urls"?, "fromParam"?, "trailingSlash"?, "extra"?, "source"}`.
    Callback,
    /// `{"source"}`: the check is fixed (the server's addresses in the IP ranges).
    Fixed,
}

/// A document a baseline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc {
    /// Title.
    pub title: &'static str,
    /// URL.
    pub url: &'static str,
}

/// What Salesforce recommends for a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseValue {
    /// This boolean value.
    Bool(bool),
    /// This choice value (metadata spelling).
    Choice(&'static str),
}

/// Salesforce's own recommendation for a setting, with its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baseline {
    /// The recommended value.
    pub value: BaseValue,
    /// Salesforce's page that recommends it.
    pub doc: Doc,
}

/// A Setup page where a setting is read and fixed (path on the org's Setup host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupPage {
    /// Path, e.g. `/lightning/setup/SecuritySession/home`.
    pub path: &'static str,
    /// Its name in Setup.
    pub label: &'static str,
}

/// One row of the settings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its identity.
    pub field: Field,
    /// Its name on the wire (snapshots, findings, page marks): camelCase.
    pub name: &'static str,
    /// The rule id its findings carry (docs/contract.md, "Rule ids"); several fields may share
    /// one (the JWT bearer flow and its certificate). Empty: no rule of its own.
    pub rule: &'static str,
    /// The kind of value.
    pub kind: Kind,
    /// The English label Setup shows (the first entry of `labels/en.json` for this field).
    pub label: &'static str,
    /// The key of a pack's `rules` entry for it, and that entry's shape. `None`: packs cannot
    /// state a requirement (it is checked only in combination with others).
    pub pack: Option<(&'static str, Requirement)>,
    /// Salesforce's recommendation, when it publishes one.
    pub baseline: Option<Baseline>,
    /// App or org.
    pub scope: Scope,
    /// Where it is set in Setup.
    pub setup: Option<SetupPage>,
    /// What it means, in one sentence (for `eca-guard explain` and the docs).
    pub meaning: &'static str,
    /// Salesforce's page about the setting (cited where no pack rule gives a source).
    pub doc: Doc,
}

impl Field {
    /// Every field, in page order.
    pub const ALL: [Field; 30] = [
        Field::Name,
        Field::ApiName,
        Field::ContactEmail,
        Field::DistributionState,
        Field::OauthEnabled,
        Field::CallbackUrl,
        Field::Scopes,
        Field::ClientCredentialsFlow,
        Field::ClientCredentialsUser,
        Field::CodeCredentialsFlow,
        Field::JwtBearerFlow,
        Field::JwtBearerCertificate,
        Field::DeviceFlow,
        Field::TokenExchangeFlow,
        Field::RequireSecretWebServer,
        Field::RequireSecretRefresh,
        Field::RequirePkce,
        Field::RefreshTokenRotation,
        Field::JwtAccessTokens,
        Field::Dpop,
        Field::PermittedUsers,
        Field::PermittedUsersAssignment,
        Field::IpRelaxation,
        Field::RefreshTokenPolicy,
        Field::RefreshTokenIdleLimit,
        Field::LockSessionsToIp,
        Field::LockSessionsToDomain,
        Field::EnforceIpRangesEveryRequest,
        Field::TrustedIpRanges,
        Field::LoginIpRanges,
    ];

    /// Its row of the table.
    pub fn spec(self) -> &'static Setting {
        spec(self)
    }

    /// Its wire name (`requirePkce`).
    pub fn name(self) -> &'static str {
        spec(self).name
    }

    /// The English label Setup shows.
    pub fn label(self) -> &'static str {
        spec(self).label
    }

    /// The field with this wire name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The table: one row per field. An exhaustive match, so a new [`Field`] does not compile
/// until it has its row.
pub fn spec(field: Field) -> &'static Setting {
    match field {
        Field::Name => &app::NAME,
        Field::ApiName => &app::API_NAME,
        Field::ContactEmail => &app::CONTACT_EMAIL,
        Field::DistributionState => &app::DISTRIBUTION_STATE,
        Field::OauthEnabled => &app::OAUTH_ENABLED,
        Field::CallbackUrl => &app::CALLBACK_URL,
        Field::Scopes => &app::SCOPES,
        Field::ClientCredentialsFlow => &flows::CLIENT_CREDENTIALS_FLOW,
        Field::ClientCredentialsUser => &flows::CLIENT_CREDENTIALS_USER,
        Field::CodeCredentialsFlow => &flows::CODE_CREDENTIALS_FLOW,
        Field::JwtBearerFlow => &flows::JWT_BEARER_FLOW,
        Field::JwtBearerCertificate => &flows::JWT_BEARER_CERTIFICATE,
        Field::DeviceFlow => &flows::DEVICE_FLOW,
        Field::TokenExchangeFlow => &flows::TOKEN_EXCHANGE_FLOW,
        Field::RequireSecretWebServer => &security::REQUIRE_SECRET_WEB_SERVER,
        Field::RequireSecretRefresh => &security::REQUIRE_SECRET_REFRESH,
        Field::RequirePkce => &security::REQUIRE_PKCE,
        Field::RefreshTokenRotation => &security::REFRESH_TOKEN_ROTATION,
        Field::JwtAccessTokens => &security::JWT_ACCESS_TOKENS,
        Field::Dpop => &security::DPOP,
        Field::PermittedUsers => &policies::PERMITTED_USERS,
        Field::PermittedUsersAssignment => &policies::PERMITTED_USERS_ASSIGNMENT,
        Field::IpRelaxation => &policies::IP_RELAXATION,
        Field::RefreshTokenPolicy => &policies::REFRESH_TOKEN_POLICY,
        Field::RefreshTokenIdleLimit => &policies::REFRESH_TOKEN_IDLE_LIMIT,
        Field::LockSessionsToIp => &org::LOCK_SESSIONS_TO_IP,
        Field::LockSessionsToDomain => &org::LOCK_SESSIONS_TO_DOMAIN,
        Field::EnforceIpRangesEveryRequest => &org::ENFORCE_IP_RANGES_EVERY_REQUEST,
        Field::TrustedIpRanges => &org::TRUSTED_IP_RANGES,
        Field::LoginIpRanges => &org::LOGIN_IP_RANGES,
    }
}

/// The settings a pack rule key applies to (`loginIpRange` → both IP range lists).
pub fn fields_of_pack_key(key: &str) -> impl Iterator<Item = Field> + '_ {
    Field::ALL
        .into_iter()
        .filter(move |f| f.spec().pack.is_some_and(|(k, _)| k == key))
}

/// The requirement shape of a pack rule key, if the key is known.
pub fn pack_key(key: &str) -> Option<Requirement> {
    Field::ALL
        .iter()
        .find_map(|f| f.spec().pack.filter(|(k, _)| *k == key).map(|(_, r)| r))
}

/// Every pack rule key, in table order, without repeats (for error messages and the schema).
pub fn pack_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for f in Field::ALL {
        if let Some((k, _)) = f.spec().pack {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

impl Setting {
    /// The choices of a choice setting (empty for others).
    pub fn choices(&self) -> &'static [Choice] {
        match self.kind {
            Kind::Choice(c) => c,
            _ => &[],
        }
    }

    /// The metadata value a shown label (or a metadata value) stands for, in English; other
    /// languages are mapped to values by the page readers (labels/*.json).
    pub fn choice_value(&self, shown: &str) -> Option<&'static str> {
        let s = shown.trim();
        self.choices()
            .iter()
            .find(|c| {
                c.value.eq_ignore_ascii_case(s)
                    || c.labels.iter().any(|l| {
                        l.eq_ignore_ascii_case(s)
                            || (c.prefix
                                && s.len() > l.len()
                                && s.is_char_boundary(l.len())
                                && s[..l.len()].eq_ignore_ascii_case(l))
                    })
            })
            .map(|c| c.value)
    }

    /// A choice as the popup and the report show it: Setup's current label for a metadata value
    /// (`AllSelfAuthorized` → "All users may self-authorize") or an older wording; a label that
    /// Setup follows with a number and unit ("… if not used for 30 Day(s)") as shown; text ECA
    /// Guard does not know as it is.
    pub fn choice_shown(&self, shown: &str) -> String {
        let s = shown.trim();
        match self
            .choice_value(s)
            .and_then(|v| self.choices().iter().find(|c| c.value == v))
        {
            Some(c)
                if c.prefix
                    && !c.value.eq_ignore_ascii_case(s)
                    && !c.labels.iter().any(|l| l.eq_ignore_ascii_case(s)) =>
            {
                s.to_string()
            }
            Some(c) => c.label().to_string(),
            None => s.to_string(),
        }
    }

    /// The current English label of a choice value (the value itself when unknown).
    pub fn choice_label<'a>(&self, value: &'a str) -> &'a str {
        self.choices()
            .iter()
            .find(|c| c.value == value)
            .map_or(value, |c| c.label())
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name: std::borrow::Cow<'de, str> = Deserialize::deserialize(d)?;
        Field::from_name(&name).ok_or_else(|| serde::de::Error::custom(format_args!("unknown field `{name}`")))
    }
}

/// Salesforce Help pages the table cites.
pub mod docs;
/// Setup pages the table links to.
pub mod pages;

#[cfg(test)]
mod tests;
