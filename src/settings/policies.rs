//! OAuth Policies (the app's Policies tab, set after the app is created): rows of the settings
//! table. Labels of the values: docs/salesforce-facts.md ("ExtlClntAppOauthConfigurablePolicies").

use super::{docs, pages, BaseValue, Baseline, Choice, Field, Kind, Requirement, Scope, Setting};

const fn policy(field: Field, name: &'static str, rule: &'static str, kind: Kind, label: &'static str) -> Setting {
    Setting {
        field,
        name,
        rule,
        kind,
        label,
        pack: None,
        baseline: None,
        scope: Scope::App,
        setup: Some(pages::ECA_MANAGER),
        meaning: "",
        doc: docs::OAUTH_POLICIES,
    }
}

/// Permitted Users (`permittedUsersPolicyType`). "All users can self-authorize" is an older
/// wording (docs/salesforce-facts.md, "Policy values and Setup's labels").
pub const PERMITTED_USERS_VALUES: &[Choice] = &[
    Choice {
        value: "AllSelfAuthorized",
        labels: &["All users may self-authorize", "All users can self-authorize"],
        prefix: false,
    },
    Choice {
        value: "AdminApprovedPreAuthorized",
        labels: &["Admin approved users are pre-authorized"],
        prefix: false,
    },
];

pub const PERMITTED_USERS: Setting = Setting {
    pack: Some(("permittedUsers", Requirement::Choice)),
    baseline: Some(Baseline {
        value: BaseValue::Choice("AdminApprovedPreAuthorized"),
        doc: docs::LEAST_PRIVILEGE,
    }),
    meaning: "Who may use the app: anyone who approves it, or only users whose profile or permission set is assigned.",
    ..policy(
        Field::PermittedUsers,
        "permittedUsers",
        "permitted-users",
        Kind::Choice(PERMITTED_USERS_VALUES),
        "Permitted Users",
    )
};

pub const PERMITTED_USERS_ASSIGNMENT: Setting = Setting {
    meaning: "The profiles and permission sets whose users are pre-authorized; with admin approval and none assigned, nobody can use the app.",
    ..policy(
        Field::PermittedUsersAssignment,
        "permittedUsersAssignment",
        "permitted-users-assignment",
        Kind::Names,
        "Profiles and Permission Sets",
    )
};

/// IP Relaxation (`ipRelaxationPolicyType`). "Relax IP restrictions with second factor" is the
/// older wording of `Bypass_2factor`.
pub const IP_RELAXATION_VALUES: &[Choice] = &[
    Choice {
        value: "Enforce",
        labels: &["Enforce IP restrictions"],
        prefix: false,
    },
    Choice {
        value: "Enforce_RelaxRefresh",
        labels: &["Enforce IP restrictions, but relax for refresh tokens"],
        prefix: false,
    },
    Choice {
        value: "Bypass_2factor",
        labels: &[
            "Relax IP restrictions for activated devices",
            "Relax IP restrictions with second factor",
        ],
        prefix: false,
    },
    Choice {
        value: "Bypass",
        labels: &["Relax IP restrictions"],
        prefix: false,
    },
];

pub const IP_RELAXATION: Setting = Setting {
    pack: Some(("ipRelaxation", Requirement::Choice)),
    baseline: Some(Baseline {
        value: BaseValue::Choice("Enforce"),
        doc: docs::IP_RELAXATION,
    }),
    meaning: "Whether the users' login IP ranges apply to the app's tokens.",
    ..policy(
        Field::IpRelaxation,
        "ipRelaxation",
        "ip-relaxation",
        Kind::Choice(IP_RELAXATION_VALUES),
        "IP Relaxation",
    )
};

/// Refresh Token Policy (`refreshTokenPolicyType`). Two labels are followed by a number and a
/// unit on the page ("Expire refresh token if not used for 30 Day(s)").
pub const REFRESH_TOKEN_POLICIES: &[Choice] = &[
    Choice {
        value: "Infinite",
        labels: &["Refresh token is valid until revoked"],
        prefix: false,
    },
    Choice {
        value: "Zero",
        labels: &["Immediately expire refresh token"],
        prefix: false,
    },
    Choice {
        value: "SpecificInactivity",
        labels: &["Expire refresh token if not used for"],
        prefix: true,
    },
    Choice {
        value: "SpecificLifetime",
        labels: &["Expire refresh token after"],
        prefix: true,
    },
];

pub const REFRESH_TOKEN_POLICY: Setting = Setting {
    pack: Some(("refreshTokenPolicy", Requirement::Choice)),
    meaning: "How long a refresh token stays valid.",
    ..policy(
        Field::RefreshTokenPolicy,
        "refreshTokenPolicy",
        "refresh-token-policy",
        Kind::Choice(REFRESH_TOKEN_POLICIES),
        "Refresh Token Policy",
    )
};

/// With the idle limit on, Setup no longer offers "valid until revoked", but the metadata's
/// `refreshTokenPolicyType` is not updated (docs/salesforce-facts.md, "ECA settings added").
pub const REFRESH_TOKEN_IDLE_LIMIT: Setting = Setting {
    kind: Kind::Bool,
    pack: Some(("refreshTokenIdleLimit", Requirement::Bool)),
    baseline: Some(Baseline {
        value: BaseValue::Bool(true),
        doc: docs::IDLE_REFRESH,
    }),
    meaning: "Refresh tokens expire after 30 days without use.",
    doc: docs::IDLE_REFRESH,
    ..policy(
        Field::RefreshTokenIdleLimit,
        "refreshTokenIdleLimit",
        "refresh-token-policy",
        Kind::Bool,
        "Expire refresh tokens after 30 days of inactivity",
    )
};
