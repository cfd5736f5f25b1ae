//! Org-wide settings (Session Settings, Network Access, profiles) that an integration depends
//! on whatever the app: rows of the settings table.

use super::{docs, pages, BaseValue, Baseline, Field, Kind, Requirement, Scope, Setting, SetupPage};

const fn org(
    field: Field,
    name: &'static str,
    rule: &'static str,
    kind: Kind,
    label: &'static str,
    setup: SetupPage,
) -> Setting {
    Setting {
        field,
        name,
        rule,
        kind,
        label,
        pack: Some((name, Requirement::Bool)),
        baseline: None,
        scope: Scope::Org,
        setup: Some(setup),
        meaning: "",
        doc: docs::SESSIONS,
    }
}

/// Salesforce recommends locking sessions to their IP (its Session Settings control; Health Check
/// reports it as `SessionSettings.lockSessionsToIpDisabled`); Veeam and Fivetran need it off.
pub const LOCK_SESSIONS_TO_IP: Setting = Setting {
    baseline: Some(Baseline {
        value: BaseValue::Bool(true),
        doc: docs::SESSION_CONTROL,
    }),
    meaning: "A session stops working when its requests come from another IP address than the one it started from.",
    ..org(
        Field::LockSessionsToIp,
        "lockSessionsToIp",
        "session-lock-ip",
        Kind::Bool,
        "Lock sessions to the IP address from which they originated",
        pages::SESSION_SETTINGS,
    )
};

pub const LOCK_SESSIONS_TO_DOMAIN: Setting = Setting {
    meaning: "A session stops working on another domain than the one it was first used on.",
    ..org(
        Field::LockSessionsToDomain,
        "lockSessionsToDomain",
        "session-lock-domain",
        Kind::Bool,
        "Lock sessions to the domain in which they were first used",
        pages::SESSION_SETTINGS,
    )
};

pub const ENFORCE_IP_RANGES_EVERY_REQUEST: Setting = Setting {
    meaning: "Login IP ranges are checked on every request, not only at login.",
    ..org(
        Field::EnforceIpRangesEveryRequest,
        "enforceIpRangesEveryRequest",
        "session-enforce-ip-ranges",
        Kind::Bool,
        "Enforce login IP ranges on every request",
        pages::SESSION_SETTINGS,
    )
};

pub const TRUSTED_IP_RANGES: Setting = Setting {
    pack: Some(("loginIpRange", Requirement::Fixed)),
    meaning: "Addresses from which users sign in without an identity check.",
    doc: docs::NETWORK,
    ..org(
        Field::TrustedIpRanges,
        "trustedIpRanges",
        "login-ip-range",
        Kind::Ranges,
        "Network Access: Trusted IP Ranges",
        pages::NETWORK_ACCESS,
    )
};

pub const LOGIN_IP_RANGES: Setting = Setting {
    pack: Some(("loginIpRange", Requirement::Fixed)),
    meaning: "Addresses from which the integration user's profile may log in at all.",
    doc: docs::NETWORK,
    ..org(
        Field::LoginIpRanges,
        "loginIpRanges",
        "login-ip-range",
        Kind::Ranges,
        "Login IP Ranges",
        pages::PROFILES,
    )
};
