//! Helpers shared by the test modules.

use eca_guard::pack::{self, Params};
use eca_guard::snapshot::{Page, Snapshot};
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

fn strings(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|s| s.to_string()).collect())
}

/// The New ECA form filled exactly as Veeam 3.2+ documents it.
pub fn veeam_good() -> Snapshot {
    Snapshot {
        page: Page::NewEca,
        name: Some("Veeam Backup".into()),
        api_name: Some("Veeam_Backup".into()),
        contact_email: Some("admin@acme.example".into()),
        distribution_state: Some("Local".into()),
        oauth_enabled: Some(true),
        callback_url: Some(VEEAM_URLS.join("\n")),
        scopes: strings(&[
            "Full access (full)",
            "Perform requests at any time (refresh_token, offline_access)",
        ]),
        client_credentials_flow: Some(false),
        code_credentials_flow: Some(false),
        require_secret_web_server: Some(true),
        require_secret_refresh: Some(true),
        require_pkce: Some(false),
        ..Snapshot::default()
    }
}

/// The New ECA form filled exactly as Delphix CRT 2026.1+ documents it.
pub fn delphix_good() -> Snapshot {
    Snapshot {
        page: Page::NewEca,
        name: Some("Delphix CRT".into()),
        distribution_state: Some("Local".into()),
        oauth_enabled: Some(true),
        callback_url: Some("http://localhost:33333".into()),
        scopes: strings(&[
            "Manage user data via APIs (api)",
            "Perform requests at any time (refresh_token, offline_access)",
            "Access the Salesforce API Platform (sfap_api)",
        ]),
        code_credentials_flow: Some(true),
        require_secret_web_server: Some(false),
        require_secret_refresh: Some(false),
        require_pkce: Some(false),
        ..Snapshot::default()
    }
}

/// The classic Connected App form filled as Veeam before 3.2 documents it.
pub fn veeam_ca_good() -> Snapshot {
    Snapshot {
        page: Page::ConnectedAppEdit,
        name: Some("Veeam".into()),
        oauth_enabled: Some(true),
        callback_url: Some(VEEAM_URLS.join("\n")),
        scopes: strings(&[
            "Full access (full)",
            "Perform requests on your behalf at any time (refresh_token, offline_access)",
        ]),
        ..Snapshot::default()
    }
}
