//! Flow Enablement: the OAuth flows an app allows, rows of the settings table.

use super::{docs, BaseValue, Baseline, Field, Kind, Requirement, Scope, Setting};

const fn flow(
    field: Field,
    name: &'static str,
    rule: &'static str,
    label: &'static str,
    meaning: &'static str,
) -> Setting {
    Setting {
        field,
        name,
        rule,
        kind: Kind::Bool,
        label,
        pack: Some((name, Requirement::Bool)),
        baseline: None,
        scope: Scope::App,
        setup: None,
        meaning,
        doc: docs::OAUTH_SETTINGS,
    }
}

/// Off unless the integration needs it: the flow signs in as the Run As user without anyone
/// present (Salesforce's security controls for External Client Apps).
pub const CLIENT_CREDENTIALS_FLOW: Setting = Setting {
    baseline: Some(Baseline {
        value: BaseValue::Bool(false),
        doc: docs::NO_CLIENT_CREDENTIALS,
    }),
    ..flow(
        Field::ClientCredentialsFlow,
        "clientCredentialsFlow",
        "client-credentials-flow",
        "Enable Client Credentials Flow",
        "The app signs in with its key and secret alone, as its Run As user, with nobody present.",
    )
};

pub const CLIENT_CREDENTIALS_USER: Setting = Setting {
    kind: Kind::Text,
    pack: None,
    doc: docs::OAUTH_POLICIES,
    ..flow(
        Field::ClientCredentialsUser,
        "clientCredentialsUser",
        "client-credentials-user",
        "Run As (Username)",
        "The user the client credentials flow acts as; without one the flow fails.",
    )
};

pub const CODE_CREDENTIALS_FLOW: Setting = flow(
    Field::CodeCredentialsFlow,
    "codeCredentialsFlow",
    "code-credentials-flow",
    "Enable Authorization Code and Credentials Flow",
    "The app may send a user's credentials to obtain an authorization code (headless sign-in).",
);

/// Salesforce's controls "Enable Authorization Code and Credentials Flow" and "Enable JWT Bearer
/// Flow" recommend these flows over password-based ones for headless integrations; they are not
/// a value every app should have, so neither has a baseline here.
pub const JWT_BEARER_FLOW: Setting = Setting {
    doc: docs::JWT_BEARER,
    ..flow(
        Field::JwtBearerFlow,
        "jwtBearerFlow",
        "jwt-bearer-flow",
        "Enable JWT Bearer Flow",
        "The app signs in with a JWT signed by the key of an uploaded certificate, without a browser.",
    )
};

pub const JWT_BEARER_CERTIFICATE: Setting = Setting {
    kind: Kind::Text,
    pack: None,
    doc: docs::JWT_BEARER,
    ..flow(
        Field::JwtBearerCertificate,
        "jwtBearerCertificate",
        "jwt-bearer-flow",
        "Upload Files",
        "The certificate whose key signs the JWT bearer flow's assertions.",
    )
};

pub const DEVICE_FLOW: Setting = flow(
    Field::DeviceFlow,
    "deviceFlow",
    "device-flow",
    "Enable Device Flow",
    "Devices without a browser (a CLI, a TV) sign in by showing a code the user enters elsewhere.",
);

pub const TOKEN_EXCHANGE_FLOW: Setting = flow(
    Field::TokenExchangeFlow,
    "tokenExchangeFlow",
    "token-exchange-flow",
    "Enable Token Exchange Flow",
    "The app may exchange a token from another identity provider for a Salesforce token.",
);
