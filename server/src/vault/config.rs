//! The `[vault]` section of the configuration: where and how the sink writes (docs/server.md,
//! "Delivering into Vault").

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::SetupError;

/// Where each received credential is written as a new KV v2 version, and how the server
/// authenticates. Secrets (the token, the AppRole secret id) are only ever named by a file:
/// never a value in the configuration, a flag or the environment, which other users and
/// process listings can see.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct VaultConfig {
    /// `https://vault.acme.internal:8200` (plain `http://` only to a loopback address).
    pub address: String,
    /// The KV v2 mount (`secret`).
    pub mount: String,
    /// Path of each record under the mount; `{org}` and `{app}` are replaced by the org's API
    /// host and the app's API name or record id (both shape-checked: no `/`, no `..`).
    pub path_template: String,
    /// Vault Enterprise / OpenBao namespace (`X-Vault-Namespace`).
    pub namespace: Option<String>,
    /// PEM file of the CA that signed Vault's certificate; only that CA is then trusted.
    pub ca_file: Option<PathBuf>,
    /// A file holding a Vault token (for example one Vault Agent keeps fresh); read again
    /// when Vault refuses the token.
    pub token_file: Option<PathBuf>,
    /// AppRole role id (not secret: it names the role, like a user name).
    pub role_id: Option<String>,
    /// A file holding the AppRole secret id.
    pub secret_id_file: Option<PathBuf>,
    /// Where the AppRole auth method is mounted (`approle`).
    pub approle_mount: String,
    /// Each request to Vault must be answered within this, seconds.
    pub timeout_secs: u64,
    /// Longest wait between two delivery attempts of a pending credential, seconds.
    pub retry_max_secs: u64,
}

impl Default for VaultConfig {
    fn default() -> Self {
        VaultConfig {
            address: String::new(),
            mount: "secret".into(),
            path_template: "eca-guard/{org}/{app}".into(),
            namespace: None,
            ca_file: None,
            token_file: None,
            role_id: None,
            secret_id_file: None,
            approle_mount: "approle".into(),
            timeout_secs: 5,
            retry_max_secs: 300,
        }
    }
}

/// How the sink authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// A token read from a file.
    TokenFile(PathBuf),
    /// AppRole login with a role id and a secret id read from a file.
    AppRole {
        /// Role id.
        role_id: String,
        /// The secret id's file.
        secret_id_file: PathBuf,
    },
}

/// Path segments Vault and the policy both read literally: no `.` or `..`, no empty segment.
fn is_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

impl VaultConfig {
    /// Checks what the types do not, and that the secret files are there and private.
    pub fn validate(&self) -> Result<(), SetupError> {
        self.validate_shape()?;
        for (field, file) in [
            ("vault.token_file", &self.token_file),
            ("vault.secret_id_file", &self.secret_id_file),
        ] {
            if let Some(f) = file {
                check_secret_file(field, f)?;
            }
        }
        Ok(())
    }

    /// The checks that need no file.
    fn validate_shape(&self) -> Result<(), SetupError> {
        let invalid = |field, rule| Err(SetupError::Invalid { field, rule });
        let Ok(url) = url::Url::parse(&self.address) else {
            return invalid(
                "vault.address",
                "must be an https:// URL such as https://vault.acme.internal:8200",
            );
        };
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
        if !scheme_ok || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            // Plain http would carry the token and every secret in clear text.
            return invalid(
                "vault.address",
                "must be an https:// URL without query or user (plain http:// only to a loopback address)",
            );
        }
        if !is_path(&self.mount) {
            return invalid(
                "vault.mount",
                "must be a mount path such as `secret` (letters, digits, - _ . and /)",
            );
        }
        if !is_path(&self.approle_mount) {
            return invalid("vault.approle_mount", "must be a mount path such as `approle`");
        }
        if let Some(ns) = &self.namespace {
            if !is_path(ns) {
                return invalid("vault.namespace", "must be a namespace path such as `team/eca`");
            }
        }
        // Both placeholders, or two orgs (or two apps) would share one record.
        let t = &self.path_template;
        if !t.contains("{org}") || !t.contains("{app}") {
            return invalid("vault.path_template", "must contain both {org} and {app}");
        }
        if !is_path(&t.replace("{org}", "o").replace("{app}", "a")) {
            return invalid(
                "vault.path_template",
                "may hold only {org}, {app}, letters, digits, - _ . and / between non-empty segments",
            );
        }
        if !(1..=120).contains(&self.timeout_secs) {
            return invalid("vault.timeout_secs", "must be 1 to 120 seconds");
        }
        if !(1..=86_400).contains(&self.retry_max_secs) {
            return invalid("vault.retry_max_secs", "must be 1 to 86400 seconds");
        }
        self.auth()?;
        Ok(())
    }

    /// The authentication configured: a token file, or AppRole; exactly one.
    pub fn auth(&self) -> Result<Auth, SetupError> {
        match (&self.token_file, &self.role_id, &self.secret_id_file) {
            (Some(t), None, None) => Ok(Auth::TokenFile(t.clone())),
            (None, Some(r), Some(s)) if !r.trim().is_empty() => Ok(Auth::AppRole {
                role_id: r.trim().to_owned(),
                secret_id_file: s.clone(),
            }),
            _ => Err(SetupError::Invalid {
                field: "vault",
                rule: "needs either `token_file`, or `role_id` with `secret_id_file` (AppRole)",
            }),
        }
    }

    /// The record's path under the mount for an org and app (both already shape-checked by
    /// the core: a DNS host and an API name or record id, so neither holds `/` or `..`).
    pub fn path(&self, org: &str, app: &str) -> String {
        self.path_template.replace("{org}", org).replace("{app}", app)
    }

    /// The address without a trailing `/`.
    pub fn base(&self) -> &str {
        self.address.trim_end_matches('/')
    }
}

/// A file holding a secret must exist, and must not be readable by every user.
fn check_secret_file(field: &'static str, path: &Path) -> Result<(), SetupError> {
    let meta = std::fs::metadata(path).map_err(|source| SetupError::SecretFile {
        field,
        path: path.to_path_buf(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if meta.permissions().mode() & 0o007 != 0 {
            return Err(SetupError::SecretFile {
                field,
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "other users can read or write it (mode {:o}): chmod o-rwx",
                        meta.permissions().mode() & 0o7777
                    ),
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> VaultConfig {
        VaultConfig {
            address: "https://vault.acme.internal:8200/".into(),
            role_id: Some("r".into()),
            secret_id_file: Some("/dev/null".into()),
            ..VaultConfig::default()
        }
    }

    fn field(c: &VaultConfig) -> Option<&'static str> {
        match c.validate_shape() {
            Err(SetupError::Invalid { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn the_default_path_is_per_org_and_app() {
        let c = ok();
        assert_eq!(field(&c), None);
        assert_eq!(c.base(), "https://vault.acme.internal:8200");
        assert_eq!(
            c.path("acme.my.salesforce.com", "0xIfj0000009EQL"),
            "eca-guard/acme.my.salesforce.com/0xIfj0000009EQL"
        );
    }

    #[test]
    fn unsafe_addresses_paths_and_auth_are_refused() {
        for (c, f) in [
            (
                VaultConfig {
                    address: "http://vault.acme.internal:8200".into(),
                    ..ok()
                },
                "vault.address",
            ),
            (
                VaultConfig {
                    address: "vault:8200".into(),
                    ..ok()
                },
                "vault.address",
            ),
            (
                VaultConfig {
                    mount: "../sys".into(),
                    ..ok()
                },
                "vault.mount",
            ),
            (
                VaultConfig {
                    path_template: "eca-guard/{app}".into(),
                    ..ok()
                },
                "vault.path_template",
            ),
            (
                VaultConfig {
                    path_template: "x/../{org}/{app}".into(),
                    ..ok()
                },
                "vault.path_template",
            ),
            (
                VaultConfig {
                    path_template: "{org}/{app}/{who}".into(),
                    ..ok()
                },
                "vault.path_template",
            ),
            (
                VaultConfig {
                    namespace: Some("a//b".into()),
                    ..ok()
                },
                "vault.namespace",
            ),
            (
                VaultConfig {
                    token_file: Some("/dev/null".into()),
                    ..ok()
                },
                "vault",
            ),
            (VaultConfig { role_id: None, ..ok() }, "vault"),
        ] {
            assert_eq!(field(&c), Some(f), "{c:?}");
        }
        // Plain http to loopback is allowed (a local Vault Agent proxy, the tests).
        assert_eq!(
            field(&VaultConfig {
                address: "http://127.0.0.1:8200".into(),
                ..ok()
            }),
            None
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let f = dir.path().join("secret-id");
        std::fs::write(&f, "x").unwrap_or_else(|e| panic!("{e}"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
        let c = VaultConfig {
            secret_id_file: Some(f.clone()),
            ..ok()
        };
        let e = c.validate().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("vault.secret_id_file") && e.contains("mode 644"), "{e}");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.validate().is_ok());
    }
}
