//! Server configuration: a TOML file, overridden by command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::SetupError;

/// Everything the server can be told. Every field has a default, so an empty file is valid.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Display name: the button on the Salesforce page reads "Send to <name>".
    pub name: String,
    /// Address to listen on. Loopback by default.
    pub listen: SocketAddr,
    /// The address browsers reach this server at, put in pairing codes
    /// (default: `http://<listen>`).
    pub public_url: Option<String>,
    /// Callback URLs the integration uses: published so the extension checks the ECA against them.
    pub callback_urls: Vec<String>,
    /// Rule pack the ECA must pass (`veeam-eca`, `delphix-crt-eca`, …).
    pub pack: Option<String>,
    /// How long a pairing code is valid, seconds.
    pub pairing_ttl_secs: u64,
    /// How far a message's timestamp may be from the server's clock, seconds.
    pub max_skew_secs: u64,
    /// Largest request body accepted, bytes.
    pub body_limit: usize,
    /// How long a client may take to send a request's headers (and how long an idle
    /// keep-alive connection stays open), seconds.
    pub header_timeout_secs: u64,
    /// How long a client may take to send a request's body, seconds.
    pub body_timeout_secs: u64,
    /// Connections served at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
    /// Idle seconds before TCP keepalive probes check that a peer is still there.
    pub tcp_keepalive_secs: u64,
    /// Command run after each new credential (`sh -c`), the credential as JSON on its stdin.
    pub hook: Option<String>,
    /// File rewritten atomically (mode 0600) with the current credential of every org and app.
    pub sink: Option<PathBuf>,
    /// Whether the store keeps each version's key and secret (`false`: only metadata, the
    /// replay log, and the sealed pending deliveries; needs the Vault sink).
    pub store_secrets: bool,
    /// The Vault sink (`[vault]`).
    pub vault: Option<crate::vault::VaultConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            name: "eca-guard-server".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            public_url: None,
            callback_urls: Vec::new(),
            pack: None,
            pairing_ttl_secs: 600,
            max_skew_secs: 300,
            body_limit: 16 * 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 10,
            max_connections: 256,
            tcp_keepalive_secs: 60,
            hook: None,
            sink: None,
            store_secrets: true,
            vault: None,
        }
    }
}

impl Config {
    /// Reads a TOML file.
    pub fn load(path: &Path) -> Result<Self, SetupError> {
        let text = std::fs::read_to_string(path).map_err(|source| SetupError::ReadConfig {
            path: path.to_path_buf(),
            source,
        })?;
        let c: Config = toml::from_str(&text).map_err(|e| SetupError::ParseConfig {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
        c.validate()?;
        Ok(c)
    }

    /// Checks what the types do not.
    pub fn validate(&self) -> Result<(), SetupError> {
        let invalid = |field, rule| Err(SetupError::Invalid { field, rule });
        if self.name.trim().is_empty() || self.name.chars().count() > 80 {
            return invalid("name", "must be 1 to 80 characters");
        }
        if let Some(u) = &self.public_url {
            normalise(u)?;
        }
        if self.body_limit < 1024 {
            return invalid("body_limit", "must be at least 1024 bytes");
        }
        if !(1..=86_400).contains(&self.max_skew_secs) {
            return invalid("max_skew_secs", "must be 1 to 86400 seconds");
        }
        if !(60..=86_400).contains(&self.pairing_ttl_secs) {
            return invalid("pairing_ttl_secs", "must be 60 to 86400 seconds");
        }
        for (field, secs) in [
            ("header_timeout_secs", self.header_timeout_secs),
            ("body_timeout_secs", self.body_timeout_secs),
            ("tcp_keepalive_secs", self.tcp_keepalive_secs),
        ] {
            if !(1..=3600).contains(&secs) {
                return invalid(field, "must be 1 to 3600 seconds");
            }
        }
        if !(1..=65_536).contains(&self.max_connections) {
            return invalid("max_connections", "must be 1 to 65536");
        }
        if !self.store_secrets && self.vault.is_none() {
            return invalid(
                "store_secrets",
                "may be false only with a `[vault]` sink, which then holds the secrets",
            );
        }
        if !self.store_secrets && self.sink.is_some() {
            return invalid(
                "sink",
                "is written from the stored secrets: it needs store_secrets = true",
            );
        }
        if let Some(v) = &self.vault {
            v.validate()?;
        }
        Ok(())
    }

    /// The origin that goes into pairing codes.
    pub fn public_origin(&self) -> Result<String, SetupError> {
        match &self.public_url {
            Some(u) => normalise(u),
            None if self.listen.ip().is_unspecified() => Err(SetupError::NoPublicUrl(self.listen)),
            None => normalise(&format!("http://{}", self.listen)),
        }
    }
}

fn normalise(url: &str) -> Result<String, SetupError> {
    eca_guard::pairing::normalise_server(url).map_err(|source| SetupError::PublicUrl {
        url: url.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_out_of_range_names_its_field() {
        let c = Config {
            header_timeout_secs: 0,
            ..Config::default()
        };
        assert!(matches!(
            c.validate(),
            Err(SetupError::Invalid {
                field: "header_timeout_secs",
                ..
            })
        ));
        let c = Config {
            public_url: Some("ftp://x".into()),
            ..Config::default()
        };
        let e = c.validate().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("`public_url` `ftp://x`: "), "{e}");
        let c = Config {
            listen: SocketAddr::from(([0, 0, 0, 0], 8787)),
            ..Config::default()
        };
        assert!(matches!(c.public_origin(), Err(SetupError::NoPublicUrl(_))));
        assert_eq!(
            Config::default().public_origin().ok().as_deref(),
            Some("http://127.0.0.1:8787")
        );
    }
}
