//! The `serve` command's Vault flags (docs/server.md, "Delivering into Vault").

use std::path::PathBuf;

use eca_guard_server::Config;

/// The Vault sink's flags (each overrides the `[vault]` section; `--vault-address` alone
/// turns the sink on with the section's defaults). No flag takes a secret: only files do.
#[derive(clap::Args)]
pub struct VaultArgs {
    /// Vault or OpenBao address (https://vault.acme.internal:8200).
    #[arg(long = "vault-address", value_name = "URL")]
    address: Option<String>,
    /// KV v2 mount (default `secret`).
    #[arg(long = "vault-mount", value_name = "MOUNT")]
    mount: Option<String>,
    /// Record path under the mount (default `eca-guard/{org}/{app}`).
    #[arg(long = "vault-path-template", value_name = "TEMPLATE")]
    path_template: Option<String>,
    /// Namespace (X-Vault-Namespace).
    #[arg(long = "vault-namespace", value_name = "NS")]
    namespace: Option<String>,
    /// PEM file of the CA that signed Vault's certificate.
    #[arg(long = "vault-ca-file", value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// File holding a Vault token.
    #[arg(long = "vault-token-file", value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// AppRole role id.
    #[arg(long = "vault-role-id", value_name = "ID")]
    role_id: Option<String>,
    /// File holding the AppRole secret id.
    #[arg(long = "vault-secret-id-file", value_name = "FILE")]
    secret_id_file: Option<PathBuf>,
}

impl VaultArgs {
    pub fn apply(self, config: &mut Config) {
        let any = self.address.is_some()
            || self.mount.is_some()
            || self.path_template.is_some()
            || self.namespace.is_some()
            || self.ca_file.is_some()
            || self.token_file.is_some()
            || self.role_id.is_some()
            || self.secret_id_file.is_some();
        if !any {
            return;
        }
        let v = config.vault.get_or_insert_with(Default::default);
        let set = |slot: &mut String, val: Option<String>| {
            if let Some(x) = val {
                *slot = x;
            }
        };
        set(&mut v.address, self.address);
        set(&mut v.mount, self.mount);
        set(&mut v.path_template, self.path_template);
        if self.namespace.is_some() {
            v.namespace = self.namespace;
        }
        if self.ca_file.is_some() {
            v.ca_file = self.ca_file;
        }
        // One way to authenticate: a flag for one replaces the other from the file.
        if self.token_file.is_some() {
            v.token_file = self.token_file;
            v.role_id = None;
            v.secret_id_file = None;
        }
        if self.role_id.is_some() || self.secret_id_file.is_some() {
            v.token_file = None;
            if self.role_id.is_some() {
                v.role_id = self.role_id;
            }
            if self.secret_id_file.is_some() {
                v.secret_id_file = self.secret_id_file;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(address: Option<&str>, token_file: Option<&str>) -> VaultArgs {
        VaultArgs {
            address: address.map(Into::into),
            mount: None,
            path_template: None,
            namespace: None,
            ca_file: None,
            token_file: token_file.map(Into::into),
            role_id: None,
            secret_id_file: None,
        }
    }

    #[test]
    fn flags_turn_the_sink_on_and_one_way_to_log_in_replaces_the_other() {
        let mut c = Config::default();
        args(None, None).apply(&mut c);
        assert_eq!(c.vault, None, "no flag, no sink");
        c.vault = Some(eca_guard_server::vault::VaultConfig {
            address: "https://a".into(),
            role_id: Some("r".into()),
            secret_id_file: Some("/s".into()),
            ..Default::default()
        });
        args(Some("https://b"), Some("/t")).apply(&mut c);
        let v = c.vault.unwrap_or_default();
        assert_eq!(v.address, "https://b");
        assert_eq!(
            (v.token_file, v.role_id, v.secret_id_file),
            (Some("/t".into()), None, None)
        );
        assert_eq!(v.mount, "secret", "the section's defaults stay");
    }
}
