//! Security: secrets, PKCE and token options, rows of the settings table.

use super::{docs, BaseValue, Baseline, Field, Kind, Requirement, Scope, Setting};

const fn security(
    field: Field,
    name: &'static str,
    rule: &'static str,
    label: &'static str,
    baseline: bool,
    doc: super::Doc,
    meaning: &'static str,
) -> Setting {
    Setting {
        field,
        name,
        rule,
        kind: Kind::Bool,
        label,
        pack: Some((name, Requirement::Bool)),
        baseline: Some(Baseline {
            value: BaseValue::Bool(baseline),
            doc,
        }),
        scope: Scope::App,
        setup: None,
        meaning,
        doc,
    }
}

pub const REQUIRE_SECRET_WEB_SERVER: Setting = security(
    Field::RequireSecretWebServer,
    "requireSecretWebServer",
    "secret-web-server-flow",
    "Require secret for Web Server Flow",
    true,
    docs::SECRET_WEB_SERVER,
    "The web server flow must present the consumer secret with the authorization code.",
);

pub const REQUIRE_SECRET_REFRESH: Setting = security(
    Field::RequireSecretRefresh,
    "requireSecretRefresh",
    "secret-refresh-token-flow",
    "Require secret for Refresh Token Flow",
    true,
    docs::SECRET_REFRESH,
    "A refresh token is exchanged only together with the consumer secret.",
);

pub const REQUIRE_PKCE: Setting = security(
    Field::RequirePkce,
    "requirePkce",
    "pkce",
    "Require Proof Key for Code Exchange (PKCE) Extension for Supported Authorization Flows",
    true,
    docs::PKCE,
    "An authorization code is exchanged only with the code verifier of the sign-in that asked for it.",
);

pub const REFRESH_TOKEN_ROTATION: Setting = security(
    Field::RefreshTokenRotation,
    "refreshTokenRotation",
    "refresh-token-rotation",
    "Enable Refresh Token Rotation",
    true,
    docs::ROTATION,
    "Each refresh returns a new refresh token and retires the old one, so a stolen one stops working.",
);

pub const JWT_ACCESS_TOKENS: Setting = security(
    Field::JwtAccessTokens,
    "jwtAccessTokens",
    "jwt-access-tokens",
    "Issue JSON Web Token (JWT)-based access tokens for named users",
    true,
    docs::JWT_ACCESS_TOKENS,
    "Access tokens are signed JWTs instead of opaque session ids.",
);

pub const DPOP: Setting = Setting {
    baseline: None,
    ..security(
        Field::Dpop,
        "dpop",
        "dpop",
        "Require Demonstrating Proof of Possession (DPoP) for tokens",
        false,
        docs::SECURITY_CONTROLS,
        "Tokens are bound to a key the client holds, so a copied token is useless without it.",
    )
};
