//! The Vault sink: each received credential becomes a new KV v2 version in Vault or OpenBao,
//! acknowledged to the browser only once Vault acknowledged it; while Vault cannot take it,
//! it waits sealed in the local store and is retried with backoff (docs/server.md,
//! "Delivering into Vault").
//!
//! `config` is the `[vault]` section, `client` the HTTP requests, `error` their failures, `seal` the pending queue's
//! encryption and the fingerprints, `deliver` the check-and-set decision and one delivery,
//! `receive` the request's own attempt, `retry` the background retrier.

pub mod client;
pub mod config;
mod deliver;
pub mod error;
mod receive;
mod retry;
pub mod seal;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use eca_guard::pairing::{self, Credentials};
use serde::Serialize;

pub use config::VaultConfig;
pub use deliver::{decide, Decision, Described};
pub use receive::receive;
pub use retry::run as run_retrier;

use crate::SetupError;

/// The sink: its client, its configuration, one lock per record (deliveries of a record go
/// one at a time and in order), and the retrier's wake-up.
pub struct Sink {
    client: client::Client,
    config: VaultConfig,
    locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    wake: tokio::sync::Notify,
}

impl Sink {
    /// Builds the sink (checks the configuration, reads the CA file).
    pub fn new(config: &VaultConfig) -> Result<Self, SetupError> {
        config.validate()?;
        Ok(Sink {
            client: client::Client::new(config)?,
            config: config.clone(),
            locks: std::sync::Mutex::new(HashMap::new()),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &VaultConfig {
        &self.config
    }

    async fn lock(&self, path: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            locks.entry(path.to_owned()).or_default().clone()
        };
        m.lock_owned().await
    }
}

/// Who sent a credential, and when it arrived: written beside it in Vault.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The paired browser.
    pub browser_id: String,
    /// The message.
    pub message_id: String,
    /// Unix seconds, this server's clock.
    pub received_at: i64,
    /// This server's display name.
    pub server: String,
}

/// One version's data in Vault: the credential, and where it came from (KV v2 keeps custom
/// metadata per record, not per version, so each version's own provenance lives here).
#[derive(Serialize)]
struct VersionData<'a> {
    consumer_key: &'a str,
    consumer_secret: &'a str,
    org: &'a str,
    app: &'a str,
    key_prefix: String,
    browser: &'a str,
    message: &'a str,
    received_at: String,
    server: &'a str,
}

impl<'a> VersionData<'a> {
    fn new(c: &'a Credentials, p: &'a Provenance) -> Self {
        VersionData {
            consumer_key: &c.consumer_key,
            consumer_secret: &c.consumer_secret,
            org: &c.org,
            app: &c.app,
            key_prefix: pairing::key_prefix(&c.consumer_key),
            browser: &p.browser_id,
            message: &p.message_id,
            received_at: crate::text::time(p.received_at),
            server: &p.server,
        }
    }
}

/// The record's custom metadata: the description of its current version, with the version
/// number it describes (a description of an older version is recognised as such).
fn describe(version: u64, c: &Credentials, p: &Provenance) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("version".into(), version.to_string()),
        ("org".into(), c.org.clone()),
        ("app".into(), c.app.clone()),
        ("key_prefix".into(), pairing::key_prefix(&c.consumer_key)),
        ("browser".into(), p.browser_id.clone()),
        ("message".into(), p.message_id.clone()),
        ("received_at".into(), crate::text::time(p.received_at)),
        ("server".into(), p.server.clone()),
        ("fingerprint".into(), seal::vault_fingerprint(c)),
    ])
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s, … up to `max_secs`, ±20 % so that
/// many servers waiting on one Vault do not all come back at the same instant.
fn backoff_ms(attempts: u32, max_secs: u64) -> i64 {
    let base = 1000u64
        .saturating_mul(1u64 << attempts.saturating_sub(1).min(20))
        .min(max_secs.saturating_mul(1000));
    let mut r = [0u8; 1];
    let jitter = if pairing::random(&mut r).is_ok() {
        u64::from(r[0])
    } else {
        128
    };
    // 80 % .. 120 % of base.
    let ms = base * (204 + jitter * 102 / 255) / 255;
    i64::try_from(ms.max(100)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_with_jitter() {
        for (attempts, lo, hi) in [(1, 800, 1200), (2, 1600, 2400), (4, 6400, 9600), (30, 8000, 12000)] {
            let ms = backoff_ms(attempts, 10);
            assert!((lo..=hi).contains(&ms), "attempt {attempts}: {ms} ms");
        }
    }
}
