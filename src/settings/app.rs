//! Basic information and the OAuth switch, callback and scopes: rows of the settings table.

use super::{docs, Choice, Field, Kind, Requirement, Scope, Setting};

const fn app(field: Field, name: &'static str, rule: &'static str, kind: Kind, label: &'static str) -> Setting {
    Setting {
        field,
        name,
        rule,
        kind,
        label,
        pack: None,
        baseline: None,
        scope: Scope::App,
        setup: None,
        meaning: "",
        doc: docs::OAUTH_SETTINGS,
    }
}

pub const NAME: Setting = Setting {
    meaning: "The app's name as Setup shows it.",
    ..app(Field::Name, "name", "", Kind::Text, "External Client App Name")
};

pub const API_NAME: Setting = Setting {
    meaning: "The app's API name, which its metadata files are named after.",
    ..app(Field::ApiName, "apiName", "", Kind::Text, "API Name")
};

pub const CONTACT_EMAIL: Setting = Setting {
    meaning: "Who Salesforce contacts about the app.",
    ..app(Field::ContactEmail, "contactEmail", "", Kind::Text, "Contact Email")
};

/// Distribution states (ExternalClientApplication.distributionState; docs/salesforce-facts.md).
pub const DISTRIBUTION_STATES: &[Choice] = &[
    Choice {
        value: "Local",
        labels: &["Local"],
        prefix: false,
    },
    Choice {
        value: "Packaged",
        labels: &["Packaged"],
        prefix: false,
    },
    Choice {
        value: "AutoInstalled",
        labels: &["Auto Installed", "AutoInstalled"],
        prefix: false,
    },
];

pub const DISTRIBUTION_STATE: Setting = Setting {
    pack: Some(("distributionState", Requirement::Choice)),
    meaning: "Whether the app lives in this org only (Local) or is packaged for other orgs.",
    ..app(
        Field::DistributionState,
        "distributionState",
        "distribution-state",
        Kind::Choice(DISTRIBUTION_STATES),
        "Distribution State",
    )
};

pub const OAUTH_ENABLED: Setting = Setting {
    pack: Some(("oauthEnabled", Requirement::Bool)),
    meaning: "Whether the app can be used for OAuth at all; with it off, Setup hides the OAuth settings.",
    ..app(
        Field::OauthEnabled,
        "oauthEnabled",
        "oauth-disabled",
        Kind::Bool,
        "Enable OAuth",
    )
};

pub const CALLBACK_URL: Setting = Setting {
    pack: Some(("callbackUrl", Requirement::Callback)),
    meaning:
        "The URLs Salesforce may redirect to after sign-in; the integration's redirect must match one line exactly.",
    ..app(
        Field::CallbackUrl,
        "callbackUrl",
        "callback-mismatch",
        Kind::Callback,
        "Callback URL",
    )
};

pub const SCOPES: Setting = Setting {
    pack: Some(("scopes", Requirement::Scopes)),
    // Least privilege (Salesforce's security controls): no single baseline value; extra scopes
    // are checked against the pack as `scope-extra`.
    meaning: "What a token for this app may do; every extra scope widens what a leaked token can do.",
    ..app(
        Field::Scopes,
        "scopes",
        "scope-missing",
        Kind::Scopes,
        "Selected OAuth Scopes",
    )
};
