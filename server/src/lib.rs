//! `eca-guard-server`: receives consumer keys and secrets from paired browsers, sealed with
//! HPKE (see `eca_guard::pairing`), stores them durably in SQLite and hands them to the
//! integration (hook command or file sink).
//!
//! [`app`] builds the router (testable with `tower::ServiceExt::oneshot`); [`State::open`]
//! prepares the data directory (keys, database) and starts the store's writer thread.

pub mod api;
pub mod config;
pub mod error;
pub mod handoff;
pub mod host;
pub mod http;
pub mod setup;
pub mod store;
pub mod text;
pub mod vault;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eca_guard::pairing::{self, KeyPair, ServerInfo};

pub use api::{app, app_on, is_extension_origin};
pub use config::Config;
pub use error::AppError;
pub use http::{serve, serve_on};
pub use setup::{ensure_data_dir, load_or_create_key, open_db, SetupError};

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// File names inside the data directory.
pub const KEY_FILE: &str = "server.key";
/// The database.
pub const DB_FILE: &str = "store.sqlite3";

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct State(Arc<Inner>);

struct Inner {
    config: Config,
    keys: KeyPair,
    writer: store::Writer,
    /// Reads (browser lookups) on their own connection: WAL readers never wait for the
    /// writer's fsync. Queries take microseconds, so a plain mutex is enough.
    reader: std::sync::Mutex<rusqlite::Connection>,
    info: ServerInfo,
    data_dir: PathBuf,
    sink_lock: tokio::sync::Mutex<()>,
    /// Keys derived from the server's own: the pending queue's seal, the local fingerprints.
    local_keys: vault::seal::LocalKeys,
    /// The Vault sink, when configured.
    vault: Option<Arc<vault::Sink>>,
}

impl State {
    /// Prepares the data directory and starts the writer.
    pub fn open(data_dir: &Path, config: Config) -> Result<Self, SetupError> {
        config.validate()?;
        if let Some(sink) = &config.sink {
            let dir = sink
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            handoff::check_private_dir(dir).map_err(SetupError::SinkDir)?;
        }
        ensure_data_dir(data_dir)?;
        let vault = config.vault.as_ref().map(vault::Sink::new).transpose()?.map(Arc::new);
        let keys = load_or_create_key(data_dir)?;
        let local_keys = vault::seal::LocalKeys::derive(keys.secret());
        let conn = open_db(data_dir)?;
        let writer = store::Writer::start(conn).map_err(SetupError::Writer)?;
        let reader = std::sync::Mutex::new(open_db(data_dir)?);
        let info = ServerInfo {
            v: pairing::VERSION,
            name: config.name.clone(),
            public_key: pairing::b64(keys.public()),
            fingerprint: pairing::short_fingerprint(&pairing::fingerprint(keys.public())),
            callback_urls: config.callback_urls.clone(),
            pack: config.pack.clone(),
        };
        Ok(State(Arc::new(Inner {
            config,
            keys,
            writer,
            reader,
            info,
            data_dir: data_dir.to_path_buf(),
            sink_lock: tokio::sync::Mutex::new(()),
            local_keys,
            vault,
        })))
    }

    /// The published info.
    pub fn info(&self) -> &ServerInfo {
        &self.0.info
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// Starts delivering the pending versions to the Vault sink in the background (the
    /// server does at start; tests that drive the router alone call it). Needs a runtime.
    pub fn start_deliveries(&self) {
        if let Some(sink) = &self.0.vault {
            tokio::spawn(vault::run_retrier(self.clone(), sink.clone()));
        }
    }
}
