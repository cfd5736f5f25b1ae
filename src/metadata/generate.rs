//! Writes the metadata for one app that a pack accepts: an sf project (`sfdx-project.json`,
//! `manifest/package.xml`, `force-app/main/default/…`) ready for `sf project deploy start`.
//! Never a consumer key or secret: Salesforce creates them on deploy.
//!
//! The values come from the pack (`settings`); where the pack has no opinion, Salesforce's
//! documented default for a new app is written (or nothing, where it documents none). The
//! elements come from the settings' metadata mapping (`mapping.rs`), so a setting is written
//! where the reader reads it.

mod write;

use std::path::PathBuf;

use super::{mapping, Part};
use crate::check;
use crate::finding::Severity;
use crate::pack::{AppType, Pack, Params, Rule};
use crate::scopes;
use crate::settings::{Field, Kind, Scope};
use crate::snapshot::{Page, Snapshot, Value};

pub use write::{esc, files};

/// The Metadata API version written into `package.xml` and `sfdx-project.json`.
pub const API_VERSION: &str = "66.0";

/// Where the source files go inside the generated project.
pub const SOURCE_DIR: &str = "force-app/main/default";

/// What the app should be called and where it redirects.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// API name (`Veeam_Backup`): letters, digits and single underscores, starting with a letter.
    pub name: String,
    /// Label shown in Setup.
    pub label: String,
    /// Contact email.
    pub contact_email: String,
    /// Pack parameters (`callbackUrls`, `salesforceIdp`).
    pub params: Params,
    /// Metadata API version (default [`API_VERSION`]).
    pub api_version: Option<String>,
    /// Profiles to pre-authorize (admin-approved apps).
    pub profiles: Vec<String>,
    /// Permission sets to pre-authorize (admin-approved apps).
    pub permission_sets: Vec<String>,
    /// The client credentials flow's Run As user (its username).
    pub run_as: Option<String>,
    /// The JWT bearer flow's certificate (PEM text).
    pub certificate: Option<String>,
    /// How long refresh tokens stay valid under a timed refresh token policy
    /// (`refreshTokenValidityPeriod` and `…Unit`, docs/salesforce-facts.md, Metadata API).
    pub refresh_token_validity: Option<Validity>,
}

/// A refresh token validity: a period and its unit (the Metadata API's `Hours`, `Days`,
/// `Months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// How many units, at least 1.
    pub period: u32,
    /// `Hours`, `Days` or `Months`.
    pub unit: &'static str,
}

impl std::str::FromStr for Validity {
    type Err = String;

    /// `90d`, `12h`, `6M` (or `90 days`, `6 months`).
    fn from_str(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (n, unit) = t.split_at(split);
        let unit = match unit.trim() {
            "h" | "hour" | "hours" => "Hours",
            "d" | "day" | "days" => "Days",
            "M" | "month" | "months" => "Months",
            _ => {
                return Err(format!(
                    "`{text}`: write a number of hours, days or months, e.g. 90d, 12h, 6M"
                ))
            }
        };
        match n.parse::<u32>() {
            Ok(period) if period > 0 => Ok(Self { period, unit }),
            _ => Err(format!("`{text}`: the period must be a whole number above 0, e.g. 90d")),
        }
    }
}

/// What [`generate`] made: the files, and what the admin should know about choices it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The files, relative to the output folder.
    pub files: Vec<File>,
    /// Choices made for the admin (one sentence each).
    pub notes: Vec<String>,
}

/// One file to write, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path.
    pub path: PathBuf,
    /// Contents.
    pub contents: String,
}

/// Why no app was generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The API name is not one.
    #[error("--name `{0}` is not an API name: start with a letter; letters, digits and single underscores; no trailing underscore; at most 80 characters")]
    ApiName(String),
    /// No label.
    #[error("--label must not be empty")]
    Label,
    /// Not an email address.
    #[error("--contact-email `{0}` is not an email address")]
    Email(String),
    /// The pack takes its callback URLs from the user, and none were given.
    #[error("pack `{0}` needs the integration's callback URLs: pass --callback URL (once per URL), or --param NAME=VALUE for the pack's choice")]
    Callbacks(String),
    /// No callback at all.
    #[error("no callback URL: pass --callback URL")]
    NoCallback,
    /// A scope the pack names is not known.
    #[error("pack scope `{0}` is unknown")]
    Scope(String),
    /// A scope with no documented metadata token: writing a guessed one would fail the deploy.
    #[error("pack scope `{0}` has no metadata token in the Metadata API guide, so it cannot be written; for Data Cloud, require the documented scopes one by one (cdp_ingest_api, cdp_profile_api, cdp_query_api, cdp_segment_api, cdp_identityresolution_api, cdp_calculated_insight_api)")]
    NoMetadataToken(String),
    /// A pack rule on a setting that this app kind's files do not hold.
    #[error("pack `{pack}` has a rule on \"{setting}\", which a {kind} has no metadata element for; generate cannot write it (set it in Setup after the deploy, or remove the rule)")]
    Unwritable {
        /// Pack id.
        pack: String,
        /// The setting's label.
        setting: &'static str,
        /// "External Client App" or "Connected App".
        kind: &'static str,
    },
    /// A timed refresh token policy without its period.
    #[error("pack `{pack}` asks for the refresh token policy \"{policy}\", which needs a validity period: pass --refresh-token-validity (e.g. 90d, 12h, 6M)")]
    RefreshTokenPeriod {
        /// Pack id.
        pack: String,
        /// The policy's label.
        policy: String,
    },
    /// Client credentials without a Run As user.
    #[error("pack `{0}` turns on the client credentials flow: pass --run-as USERNAME (an integration user with the API Only User permission)")]
    RunAs(String),
    /// JWT bearer without a certificate.
    #[error("pack `{0}` turns on the JWT bearer flow: pass --certificate FILE (the X.509 certificate, PEM, whose key the integration signs with)")]
    Certificate(String),
    /// Admin approved with nobody assigned.
    #[error("pack `{0}` needs \"Admin approved users are pre-authorized\": pass --profile NAME or --permission-set NAME, or nobody can use the app")]
    Assignment(String),
    /// The app would not pass its own pack.
    #[error("the app would not pass pack `{pack}`:\n  {}", errors.join("\n  "))]
    WouldFail {
        /// Pack id.
        pack: String,
        /// `rule: message` of each error.
        errors: Vec<String>,
    },
}

/// Whether `name` is a valid API name.
pub fn valid_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

/// The value a generated app gets for a setting the pack (or the options) decide, else `None`.
fn decided(pack: &Pack, f: Field, opts: &Options) -> Option<Value> {
    let rule = pack.rules.for_field(f);
    let spec = f.spec();
    match (spec.kind, rule) {
        (Kind::Bool, Some(Rule::Bool(r))) => Some(Value::Bool(r.expect)),
        (Kind::Choice(_), Some(Rule::Choice(r))) => {
            // The first acceptable value that is also Salesforce's baseline, else the first.
            let base = spec.baseline.and_then(|b| match b.value {
                crate::settings::BaseValue::Choice(v) => Some(v),
                crate::settings::BaseValue::Bool(_) => None,
            });
            let pick = r.expect.iter().find(|v| Some(v.as_str()) == base).or(r.expect.first());
            pick.map(|v| Value::Text(v.clone()))
        }
        _ => match f {
            Field::Name => Some(Value::Text(opts.label.clone())),
            Field::ApiName => Some(Value::Text(opts.name.clone())),
            Field::ContactEmail => Some(Value::Text(opts.contact_email.trim().to_string())),
            Field::OauthEnabled => Some(Value::Bool(true)),
            Field::ClientCredentialsUser => opts.run_as.clone().map(Value::Text),
            Field::JwtBearerCertificate => opts.certificate.clone().map(Value::Text),
            Field::PermittedUsersAssignment => Some(Value::List(
                opts.profiles.iter().chain(&opts.permission_sets).cloned().collect(),
            )),
            _ => None,
        },
    }
}

/// The file kinds a generated app of this pack is made of.
pub fn parts(pack: &Pack) -> &'static [Part] {
    if pack.app_type == AppType::ConnectedApp {
        &[Part::ConnectedApp]
    } else {
        &[
            Part::Eca,
            Part::Policies,
            Part::GlobalOauth,
            Part::OauthSettings,
            Part::OauthPolicies,
        ]
    }
}

/// Refuses pack rules on app settings that the generated files cannot hold: the app would pass
/// generate's own check only because the setting is absent from its files.
fn writable(pack: &Pack) -> Result<(), GenerateError> {
    let parts = parts(pack);
    for f in Field::ALL {
        let spec = f.spec();
        let ruled = matches!(pack.rules.for_field(f), Some(Rule::Bool(_) | Rule::Choice(_)));
        if !ruled || spec.scope != Scope::App {
            continue;
        }
        if !mapping::mapping(f).iter().any(|m| parts.contains(&m.part)) {
            return Err(GenerateError::Unwritable {
                pack: pack.id.clone(),
                setting: spec.label,
                kind: if pack.app_type == AppType::ConnectedApp {
                    "Connected App"
                } else {
                    "External Client App"
                },
            });
        }
    }
    Ok(())
}

/// The settings the generated app gets, as a snapshot (also what `check` reads back).
pub fn settings(pack: &Pack, opts: &Options) -> Result<Snapshot, GenerateError> {
    settings_with_notes(pack, opts, &mut Vec::new())
}

fn settings_with_notes(pack: &Pack, opts: &Options, notes: &mut Vec<String>) -> Result<Snapshot, GenerateError> {
    writable(pack)?;
    let mut snap = Snapshot::new(Page::Metadata);
    for f in Field::ALL {
        if let Some(v) = decided(pack, f, opts) {
            snap.set(f, v);
        }
    }
    let connected_app = pack.app_type == AppType::ConnectedApp;
    if connected_app {
        snap.remove(Field::DistributionState);
    } else if snap.get(Field::DistributionState).is_none() {
        snap.set(Field::DistributionState, "Local");
    }
    // Who may use the app, without a pack rule: Salesforce's default for a new app.
    if snap.get(Field::PermittedUsers).is_none() {
        snap.set(Field::PermittedUsers, "AllSelfAuthorized");
    }
    if snap.get(Field::IpRelaxation).is_none() {
        snap.set(Field::IpRelaxation, "Enforce");
    }
    let wanted = pack.callbacks(&opts.params);
    if wanted.all.is_empty() && wanted.any_of.is_empty() && !wanted.unknown.is_empty() {
        return Err(GenerateError::Callbacks(pack.id.clone()));
    }
    // Every URL required, and every URL of a "one of" group: the field may hold both.
    let mut callbacks: Vec<String> = wanted.all.clone();
    for u in wanted.any_of.iter().flatten().chain(&opts.params.callback_urls) {
        if !callbacks.contains(u) {
            callbacks.push(u.clone());
        }
    }
    if callbacks.is_empty() {
        return Err(GenerateError::NoCallback);
    }
    snap.set(Field::CallbackUrl, callbacks.join("\n"));
    let mut wanted: Vec<&str> = Vec::new();
    match pack.rules.scopes() {
        Some(s) => {
            wanted.extend(s.require.iter().map(String::as_str));
            for (param, extra) in &s.require_when {
                if opts.params.flag(param) {
                    wanted.extend(extra.iter().map(String::as_str));
                }
            }
        }
        None => wanted.extend(["api", "refresh_token"]),
    }
    let mut tokens: Vec<String> = Vec::new();
    for w in wanted {
        let scope = scopes::by_protocol_name(w).ok_or_else(|| GenerateError::Scope(w.to_string()))?;
        let token = scope
            .metadata_tokens
            .first()
            .ok_or_else(|| GenerateError::NoMetadataToken(w.to_string()))?;
        if !tokens.iter().any(|t| t == token) {
            tokens.push((*token).to_string());
        }
    }
    snap.set(Field::Scopes, tokens);
    if snap.bool(Field::ClientCredentialsFlow) == Some(true) && opts.run_as.is_none() {
        return Err(GenerateError::RunAs(pack.id.clone()));
    }
    if snap.bool(Field::JwtBearerFlow) == Some(true) && opts.certificate.is_none() {
        return Err(GenerateError::Certificate(pack.id.clone()));
    }
    // The refresh token policy follows the pack; without a rule none is written (Salesforce's
    // own default applies). The two timed policies need a period, which the admin chooses.
    if let Some(policy @ ("SpecificInactivity" | "SpecificLifetime")) = snap.text(Field::RefreshTokenPolicy) {
        if opts.refresh_token_validity.is_none() {
            return Err(GenerateError::RefreshTokenPeriod {
                pack: pack.id.clone(),
                policy: format!("{} …", Field::RefreshTokenPolicy.spec().choice_label(policy)),
            });
        }
    }
    // Admin approval needs someone assigned; without anyone, a pack that also accepts
    // self-authorization gets that (nobody could use the app otherwise).
    let nobody = opts.profiles.is_empty() && opts.permission_sets.is_empty();
    if nobody && snap.text(Field::PermittedUsers) == Some("AdminApprovedPreAuthorized") {
        let also = pack
            .rules
            .choice(Field::PermittedUsers)
            .is_some_and(|r| r.expect.iter().any(|v| v == "AllSelfAuthorized"));
        if !also {
            return Err(GenerateError::Assignment(pack.id.clone()));
        }
        snap.set(Field::PermittedUsers, "AllSelfAuthorized");
        notes.push("Permitted Users: \"All users may self-authorize\", which the pack also accepts. For \"Admin approved users are pre-authorized\" pass --profile or --permission-set: admin approval with nobody assigned leaves the app usable by nobody.".into());
    } else if snap.text(Field::PermittedUsers) == Some("AdminApprovedPreAuthorized") {
        let names: Vec<&str> = opts
            .profiles
            .iter()
            .chain(&opts.permission_sets)
            .map(String::as_str)
            .collect();
        notes.push(format!(
            "Permitted Users: \"Admin approved users are pre-authorized\"; only users of {} can use the app.",
            names.join(", ")
        ));
    }
    Ok(snap)
}

/// The files for one app. Refuses (with every reason) when the pack would report an error on
/// them, e.g. a callback URL that is not https.
pub fn generate(pack: &Pack, opts: &Options) -> Result<Generated, GenerateError> {
    if !valid_api_name(&opts.name) {
        return Err(GenerateError::ApiName(opts.name.clone()));
    }
    if opts.label.trim().is_empty() {
        return Err(GenerateError::Label);
    }
    let email = opts.contact_email.trim();
    if email.len() < 3 || !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(GenerateError::Email(email.to_string()));
    }
    let mut notes = Vec::new();
    let snap = settings_with_notes(pack, opts, &mut notes)?;
    let errors: Vec<String> = check::check(&snap, pack, &opts.params)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    if !errors.is_empty() {
        return Err(GenerateError::WouldFail {
            pack: pack.id.clone(),
            errors,
        });
    }
    Ok(Generated {
        files: files(pack, opts, &snap),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names() {
        assert!(valid_api_name("Veeam_Backup1"));
        assert!(!valid_api_name("1Veeam"));
        assert!(!valid_api_name("Veeam__X"));
        assert!(!valid_api_name("Veeam_"));
        assert!(!valid_api_name("Vee-am"));
        assert!(!valid_api_name(""));
    }
}
