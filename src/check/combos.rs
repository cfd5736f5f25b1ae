//! Combinations that fail at run time although each setting looks fine on its own. Checked
//! whatever the pack says, and only when the snapshot holds every setting involved (a false
//! error costs more trust than a missed one). Each is one finding naming both settings.

use super::{Ctx, Src};
use crate::finding::Severity;
use crate::settings::{docs, Field};
use crate::snapshot::{Page, Snapshot};

/// IP relaxation values that relax something (every value but `Enforce`).
fn relaxed(value: &str) -> bool {
    value != "Enforce"
}

/// Runs every combination check.
pub fn check(ctx: &mut Ctx<'_>, snap: &Snapshot) {
    let spec = |f: Field| f.spec();
    let on = |f: Field| snap.bool(f) == Some(true);
    let ip = snap
        .text(Field::IpRelaxation)
        .and_then(|t| spec(Field::IpRelaxation).choice_value(t));

    // Client credentials act as the Run As user: none, and every token request fails.
    if on(Field::ClientCredentialsFlow)
        && snap
            .text(Field::ClientCredentialsUser)
            .is_some_and(|u| u.trim().is_empty())
    {
        let (flow, user) = (
            ctx.label(Field::ClientCredentialsFlow),
            ctx.label(Field::ClientCredentialsUser),
        );
        ctx.push(
            "client-credentials-user",
            Severity::Error,
            Some(Field::ClientCredentialsUser),
            format!("\"{flow}\" is on but \"{user}\" is empty: the client credentials flow signs in as that user, so every token request fails."),
            format!("Enter the integration user in \"{user}\" (a user with the API Only User permission, and only the access the integration needs)."),
            Src::Doc(docs::OAUTH_POLICIES),
        );
    }

    // The JWT bearer flow signs assertions with an uploaded certificate's key.
    if on(Field::JwtBearerFlow)
        && snap
            .text(Field::JwtBearerCertificate)
            .is_some_and(|c| c.trim().is_empty())
    {
        let flow = ctx.label(Field::JwtBearerFlow);
        ctx.push(
            "jwt-bearer-flow",
            Severity::Error,
            Some(Field::JwtBearerCertificate),
            format!("\"{flow}\" is on but no certificate is uploaded: Salesforce cannot verify the integration's signed JWTs, so every sign-in fails with invalid_grant."),
            "Upload the certificate whose private key the integration signs its JWTs with.".into(),
            Src::Doc(docs::OAUTH_SETTINGS),
        );
    }

    // JWT (and SAML) bearer flows always enforce the user's login IP restrictions.
    if let Some(v) = ip.filter(|v| relaxed(v) && on(Field::JwtBearerFlow)) {
        let (flow, relax) = (ctx.label(Field::JwtBearerFlow), ctx.label(Field::IpRelaxation));
        ctx.push(
            "jwt-bearer-ip-relaxation",
            Severity::Warning,
            Some(Field::IpRelaxation),
            format!(
                "\"{relax}\" is \"{}\", but \"{flow}\" is on, and the JWT bearer flow always enforces the user's login IP ranges whatever IP Relaxation says: sign-ins from outside them still fail.",
                spec(Field::IpRelaxation).choice_label(v)
            ),
            "Add the integration's addresses to the integration user's profile Login IP Ranges; relaxing IP restrictions does not help this flow.".into(),
            Src::Doc(docs::CONTINUOUS_IP),
        );
    }

    // Relaxed IP restrictions are partly undone by enforcing login IP ranges on every request.
    if let Some(v) = ip.filter(|v| relaxed(v) && on(Field::EnforceIpRangesEveryRequest)) {
        let (relax, every) = (
            ctx.label(Field::IpRelaxation),
            ctx.label(Field::EnforceIpRangesEveryRequest),
        );
        ctx.push(
            "ip-relaxation-every-request",
            Severity::Warning,
            Some(Field::IpRelaxation),
            format!(
                "\"{relax}\" is \"{}\", but Session Settings has \"{every}\" on: with both, Salesforce blocks some of the app's access from outside the login IP ranges.",
                spec(Field::IpRelaxation).choice_label(v)
            ),
            format!("Add the integration's addresses to the login IP ranges, or turn off \"{every}\" if the org can."),
            Src::Doc(docs::CONTINUOUS_IP),
        );
    }

    // Admin approval with nobody assigned: nobody can use the app.
    let admin = snap
        .text(Field::PermittedUsers)
        .and_then(|t| spec(Field::PermittedUsers).choice_value(t))
        == Some("AdminApprovedPreAuthorized");
    if admin
        && snap
            .list(Field::PermittedUsersAssignment)
            .is_some_and(<[String]>::is_empty)
    {
        let users = ctx.label(Field::PermittedUsers);
        ctx.push(
            "permitted-users-assignment",
            Severity::Error,
            Some(Field::PermittedUsersAssignment),
            format!("\"{users}\" is \"Admin approved users are pre-authorized\", but no profile or permission set is assigned to the app: nobody can use it, and sign-ins fail with invalid_grant (user hasn't approved this consumer)."),
            "Assign the integration user's profile or a permission set to the app (Manage Profiles / Manage Permission Sets on the app's policies).".into(),
            Src::Doc(docs::OAUTH_POLICIES),
        );
    }

    // With the idle limit on, Salesforce does not update the file's refreshTokenPolicyType.
    if snap.page == Page::Metadata
        && on(Field::RefreshTokenIdleLimit)
        && snap.text(Field::RefreshTokenPolicy) == Some("Infinite")
    {
        ctx.push(
            "refresh-token-policy",
            Severity::Info,
            Some(Field::RefreshTokenPolicy),
            "The file says refresh tokens are valid until revoked, but the 30-day idle limit is on: Salesforce does not update refreshTokenPolicyType when the limit is turned on, so the file is stale and idle refresh tokens do expire.".into(),
            "Trust the idle limit; retrieve the app again after changing its refresh token policy in Setup.".into(),
            Src::Doc(docs::IDLE_REFRESH),
        );
    }
}
