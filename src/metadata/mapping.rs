//! Where each setting lives in metadata files: the metadata half of the settings table. An
//! exhaustive match, so a new [`Field`] does not compile until it says where (or that it is
//! nowhere) in metadata. Element names and documented defaults: docs/salesforce-facts.md,
//! "External Client App metadata" and "Metadata values checked against the Metadata API guide".

use super::Part;
use crate::settings::Field;

/// How an element's text becomes a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    /// `true`/`false`; `default` is Salesforce's documented default when the element is absent
    /// or `xsi:nil` (`None`: no documented default, so the setting is unverified).
    Bool {
        /// Salesforce's documented default.
        default: Option<bool>,
    },
    /// The negation of a boolean element ("Require secret" = not `isConsumerSecretOptional`).
    NotBool {
        /// Salesforce's documented default of the element (before the negation).
        default: Option<bool>,
    },
    /// Trimmed text, as is.
    Text,
    /// Text mapped to the ECA spelling the packs use (`(file value, value)`, case-insensitive);
    /// other text passes through for the checker to call unrecognised.
    Values {
        /// `(file value, value)` pairs.
        values: &'static [(&'static str, &'static str)],
        /// Salesforce's documented default (a file value), when the element is absent.
        default: Option<&'static str>,
    },
    /// A comma-separated list (`commaSeparatedOauthScopes`).
    CommaList,
    /// A repeated element, one item each (`oauthConfig/scopes`).
    Repeated,
    /// Whether the element is there with content (a certificate, a section).
    Present,
    /// A boolean element that stands for one of two choice values (`isAdminApproved`).
    BoolChoice {
        /// The value when true.
        on: &'static str,
        /// The value when false.
        off: &'static str,
        /// The element's documented default.
        default: bool,
    },
    /// Repeated `start`/`end` pairs.
    Ranges,
}

/// One element a setting is read from (and written to), in one file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Map {
    /// The file kind.
    pub part: Part,
    /// The element's path below the root (`oauthConfig/isPkceRequired`).
    pub path: &'static str,
    /// How its text converts.
    pub conv: Conv,
}

const fn m(part: Part, path: &'static str, conv: Conv) -> Map {
    Map { part, path, conv }
}

const fn b(part: Part, path: &'static str, default: Option<bool>) -> Map {
    m(part, path, Conv::Bool { default })
}

/// Connected App `oauthPolicy/ipRelaxation` values (Metadata API guide, ConnectedApp; `ENFORCE`
/// is the documented default: docs/salesforce-facts.md, "Metadata values checked").
const CA_IP_RELAXATION: &[(&str, &str)] = &[
    ("ENFORCE", "Enforce"),
    ("BYPASS", "Bypass"),
    ("BYPASS_2FACTOR", "Bypass_2factor"),
    ("ENFORCE_RELAXREFRESH", "Enforce_RelaxRefresh"),
];

/// Connected App `oauthPolicy/refreshTokenPolicy`: only `infinite` is confirmed (in real
/// retrieves); other values pass through and are reported as not recognised if a pack checks it.
const CA_REFRESH_POLICY: &[(&str, &str)] = &[("infinite", "Infinite")];

/// Where a field is read, in precedence order: the first file that has it gives the value; a
/// later file that disagrees is reported. Several elements in the same file combine (all must be
/// true; lists are joined).
pub fn mapping(field: Field) -> &'static [Map] {
    use Part::{
        ConnectedApp as Ca, Eca, GlobalOauth as G, OauthPolicies as Op, OauthSettings as Os, Policies as P,
        Security as S,
    };
    match field {
        Field::Name => const { &[m(Eca, "label", Conv::Text), m(Ca, "label", Conv::Text)] },
        Field::ApiName => const { &[] },
        Field::ContactEmail => const { &[m(Eca, "contactEmail", Conv::Text), m(Ca, "contactEmail", Conv::Text)] },
        Field::DistributionState => const { &[m(Eca, "distributionState", Conv::Text)] },
        // The OAuth plugin of the app's policies; a Connected App has OAuth when it has an
        // oauthConfig. (An ECA without a policies file: see read.rs.)
        Field::OauthEnabled => {
            const {
                &[
                    b(P, "isOauthPluginEnabled", Some(true)),
                    b(P, "isEnabled", Some(true)),
                    m(Ca, "oauthConfig", Conv::Present),
                ]
            }
        }
        Field::CallbackUrl => {
            const {
                &[
                    m(G, "callbackUrl", Conv::Text),
                    m(Ca, "oauthConfig/callbackUrl", Conv::Text),
                ]
            }
        }
        Field::Scopes => {
            const {
                &[
                    m(Os, "commaSeparatedOauthScopes", Conv::CommaList),
                    m(Ca, "oauthConfig/scopes", Conv::Repeated),
                ]
            }
        }
        // Both the global settings and the policies carry the switch; the global one is the flow
        // enablement and wins (docs/salesforce-facts.md, "ECA settings added").
        Field::ClientCredentialsFlow => {
            const {
                &[
                    b(G, "isClientCredentialsFlowEnabled", None),
                    b(Op, "isClientCredentialsFlowEnabled", Some(false)),
                    b(Ca, "oauthConfig/isClientCredentialEnabled", Some(false)),
                ]
            }
        }
        Field::ClientCredentialsUser => {
            const {
                &[
                    m(Op, "clientCredentialsFlowUser", Conv::Text),
                    m(Ca, "oauthConfig/oauthClientCredentialUser", Conv::Text),
                ]
            }
        }
        Field::CodeCredentialsFlow => {
            const {
                &[
                    b(G, "isCodeCredFlowEnabled", Some(false)),
                    b(Ca, "oauthConfig/isCodeCredentialEnabled", Some(false)),
                ]
            }
        }
        // "When provided, [the certificate] enables the JWT Bearer flow" (ExtlClntAppGlobalOauthSettings).
        Field::JwtBearerFlow => {
            const {
                &[
                    m(G, "certificate", Conv::Present),
                    m(Ca, "oauthConfig/certificate", Conv::Present),
                ]
            }
        }
        Field::JwtBearerCertificate => const { &[] },
        Field::DeviceFlow => const { &[b(G, "isDeviceFlowEnabled", None)] },
        Field::TokenExchangeFlow => {
            const {
                &[
                    b(G, "isTokenExchangeEnabled", None),
                    b(Op, "isTokenExchangeFlowEnabled", Some(false)),
                    b(Ca, "oauthConfig/isTokenExchangeEnabled", None),
                ]
            }
        }
        Field::RequireSecretWebServer => {
            const {
                &[
                    m(G, "isConsumerSecretOptional", Conv::NotBool { default: Some(false) }),
                    m(
                        Ca,
                        "oauthConfig/isConsumerSecretOptional",
                        Conv::NotBool { default: Some(false) },
                    ),
                ]
            }
        }
        Field::RequireSecretRefresh => {
            const {
                &[
                    b(G, "isSecretRequiredForRefreshToken", Some(true)),
                    b(Ca, "oauthConfig/isSecretRequiredForRefreshToken", Some(true)),
                ]
            }
        }
        Field::RequirePkce => {
            const {
                &[
                    b(G, "isPkceRequired", Some(true)),
                    b(Ca, "oauthConfig/isPkceRequired", Some(false)),
                ]
            }
        }
        Field::RefreshTokenRotation => {
            const {
                &[
                    b(G, "isRefreshTokenRotationEnabled", None),
                    b(Ca, "oauthConfig/isRefreshTokenRotationEnabled", None),
                ]
            }
        }
        Field::JwtAccessTokens => {
            const {
                &[
                    b(G, "isNamedUserJwtEnabled", Some(false)),
                    b(Ca, "oauthConfig/isNamedUserJwtEnabled", Some(false)),
                ]
            }
        }
        // Written by current retrieves, not yet in the v67 guide: no documented default.
        Field::Dpop => const { &[b(G, "isDPopEnabled", None)] },
        Field::PermittedUsers => {
            const {
                &[
                    m(Op, "permittedUsersPolicyType", Conv::Text),
                    m(
                        Ca,
                        "oauthConfig/isAdminApproved",
                        Conv::BoolChoice {
                            on: "AdminApprovedPreAuthorized",
                            off: "AllSelfAuthorized",
                            default: false,
                        },
                    ),
                ]
            }
        }
        Field::PermittedUsersAssignment => {
            const {
                &[
                    m(Op, "commaSeparatedProfile", Conv::CommaList),
                    m(Op, "commaSeparatedPermissionSet", Conv::CommaList),
                    m(Ca, "profileName", Conv::Repeated),
                    m(Ca, "permissionSetName", Conv::Repeated),
                ]
            }
        }
        Field::IpRelaxation => {
            const {
                &[
                    m(Op, "ipRelaxationPolicyType", Conv::Text),
                    m(
                        Ca,
                        "oauthPolicy/ipRelaxation",
                        Conv::Values {
                            values: CA_IP_RELAXATION,
                            default: Some("ENFORCE"),
                        },
                    ),
                ]
            }
        }
        Field::RefreshTokenPolicy => {
            const {
                &[
                    m(Op, "refreshTokenPolicyType", Conv::Text),
                    m(
                        Ca,
                        "oauthPolicy/refreshTokenPolicy",
                        Conv::Values {
                            values: CA_REFRESH_POLICY,
                            default: None,
                        },
                    ),
                ]
            }
        }
        Field::RefreshTokenIdleLimit => const { &[b(G, "isEnforceRefreshTokenTTL", None)] },
        Field::LockSessionsToIp => const { &[b(S, "sessionSettings/lockSessionsToIp", None)] },
        Field::LockSessionsToDomain => const { &[b(S, "sessionSettings/lockSessionsToDomain", None)] },
        Field::EnforceIpRangesEveryRequest => const { &[b(S, "sessionSettings/enforceIpRangesEveryRequest", None)] },
        Field::TrustedIpRanges => const { &[m(S, "networkAccess/ipRanges", Conv::Ranges)] },
        Field::LoginIpRanges => const { &[] },
    }
}

/// The fields a file kind holds, in page order.
pub fn fields_of(part: Part) -> impl Iterator<Item = Field> {
    Field::ALL
        .into_iter()
        .filter(move |f| mapping(*f).iter().any(|m| m.part == part))
}
