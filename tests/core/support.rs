//! Helpers shared by the test modules.

use eca_guard::pack::{self, Params};
use eca_guard::snapshot::{Page, Snapshot};
use eca_guard::Field;
use eca_guard::{Finding, Severity};

pub const VEEAM_URLS: [&str; 2] = ["https://172.12.0.1", "https://acme.internal.com"];

pub fn veeam_params() -> Params {
    Params {
        callback_urls: VEEAM_URLS.iter().map(|s| s.to_string()).collect(),
        ..Params::default()
    }
}

pub fn run(pack_id: &str, snap: &Snapshot, params: &Params) -> Vec<Finding> {
    let pack = pack::find(pack_id, &[]).unwrap_or_else(|e| panic!("{e}"));
    eca_guard::check(snap, pack, params)
}

/// (rule, severity) pairs, sorted, for compact assertions.
pub fn rules(findings: &[Finding]) -> Vec<(String, Severity)> {
    let mut v: Vec<_> = findings.iter().map(|f| (f.rule.to_string(), f.severity)).collect();
    v.sort();
    v
}

pub fn pairs(list: &[(&str, Severity)]) -> Vec<(String, Severity)> {
    let mut v: Vec<_> = list.iter().map(|(r, s)| (r.to_string(), *s)).collect();
    v.sort();
    v
}

/// A list value.
pub fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Adds one selected scope.
pub fn push_scope(s: &mut Snapshot, scope: &str) {
    let mut l = s.list(Field::Scopes).map(<[String]>::to_vec).unwrap_or_default();
    l.push(scope.to_string());
    s.set(Field::Scopes, l);
}

/// Keeps the selected scopes `keep` says yes to.
pub fn retain_scopes(s: &mut Snapshot, keep: impl Fn(&String) -> bool) {
    let mut l = s.list(Field::Scopes).map(<[String]>::to_vec).unwrap_or_default();
    l.retain(|x| keep(x));
    s.set(Field::Scopes, l);
}

/// The New ECA form filled exactly as Veeam 3.2+ documents it.
pub fn veeam_good() -> Snapshot {
    Snapshot::new(Page::NewEca)
        .with(Field::Name, "Veeam Backup")
        .with(Field::ApiName, "Veeam_Backup")
        .with(Field::ContactEmail, "admin@acme.example")
        .with(Field::DistributionState, "Local")
        .with(Field::OauthEnabled, true)
        .with(Field::CallbackUrl, VEEAM_URLS.join("\n"))
        .with(
            Field::Scopes,
            [
                "Full access (full)",
                "Perform requests at any time (refresh_token, offline_access)",
            ],
        )
        .with(Field::ClientCredentialsFlow, false)
        .with(Field::CodeCredentialsFlow, false)
        .with(Field::RequireSecretWebServer, true)
        .with(Field::RequireSecretRefresh, true)
        .with(Field::RequirePkce, false)
}

/// The New ECA form filled exactly as Delphix CRT 2026.1+ documents it.
pub fn delphix_good() -> Snapshot {
    Snapshot::new(Page::NewEca)
        .with(Field::Name, "Delphix CRT")
        .with(Field::DistributionState, "Local")
        .with(Field::OauthEnabled, true)
        .with(Field::CallbackUrl, "http://localhost:33333")
        .with(
            Field::Scopes,
            [
                "Manage user data via APIs (api)",
                "Perform requests at any time (refresh_token, offline_access)",
                "Access the Salesforce API Platform (sfap_api)",
            ],
        )
        .with(Field::CodeCredentialsFlow, true)
        .with(Field::RequireSecretWebServer, false)
        .with(Field::RequireSecretRefresh, false)
        .with(Field::RequirePkce, false)
}

/// The classic Connected App form filled as Veeam before 3.2 documents it.
pub fn veeam_ca_good() -> Snapshot {
    Snapshot::new(Page::ConnectedAppEdit)
        .with(Field::Name, "Veeam")
        .with(Field::OauthEnabled, true)
        .with(Field::CallbackUrl, VEEAM_URLS.join("\n"))
        .with(
            Field::Scopes,
            [
                "Full access (full)",
                "Perform requests on your behalf at any time (refresh_token, offline_access)",
            ],
        )
}
