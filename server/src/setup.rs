//! Preparing to serve: the data directory, the server key, the store; and every way that can
//! fail, as [`SetupError`] (the binary prints it and exits 2).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use eca_guard::pairing::{self, KeyPair};

use crate::store::{self, StoreError};
use crate::{handoff, DB_FILE, KEY_FILE};

/// Why the configuration, the data directory, the key, the store or the listener could not be
/// set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The configuration file cannot be read.
    #[error("cannot read {path}: {source}")]
    ReadConfig {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML for [`crate::Config`].
    #[error("{path}: {source}")]
    ParseConfig {
        /// The file.
        path: PathBuf,
        /// What the parser says (line, column, field).
        source: Box<toml::de::Error>,
    },
    /// A configuration value out of its range.
    #[error("`{field}` {rule}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What it must be.
        rule: &'static str,
    },
    /// `public_url` (or `--url`) is not an http(s) origin.
    #[error("`public_url` `{url}`: {source}")]
    PublicUrl {
        /// As given.
        url: String,
        /// What is wrong with it.
        source: eca_guard::Error,
    },
    /// Listening on all addresses, with no `public_url` to put in pairing codes.
    #[error(
        "the server listens on {0} (all addresses): set `public_url` in the config (or --url) to the address \
         browsers use"
    )]
    NoPublicUrl(SocketAddr),
    /// A file named by the configuration as holding a secret is missing or open to others.
    #[error("`{field}` {}: {source}", path.display())]
    SecretFile {
        /// The field.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The Vault CA file cannot be read or holds no certificate.
    #[error("`vault.ca_file` {}: {detail}", path.display())]
    VaultCa {
        /// The file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The Vault client cannot be built.
    #[error("the Vault client: {0}")]
    VaultClient(String),
    /// The sink's directory is not private to this user (or cannot be checked).
    #[error("`sink`: {0}")]
    SinkDir(std::io::Error),
    /// The data directory cannot be created.
    #[error("cannot create {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The server key cannot be read.
    #[error("cannot read {path}: {source}")]
    ReadKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file does not hold a key.
    #[error("{path} does not hold a server key: {source}")]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: eca_guard::Error,
    },
    /// No key could be generated (no randomness).
    #[error("cannot create the server key: {0}")]
    NewKey(eca_guard::Error),
    /// The new key cannot be written.
    #[error("cannot write {path}: {source}")]
    WriteKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The store cannot be opened.
    #[error("cannot open the store in {path}: {source}")]
    Store {
        /// The data directory.
        path: PathBuf,
        /// Why.
        source: StoreError,
    },
    /// The store's writer thread cannot start.
    #[error("cannot start the store: {0}")]
    Writer(std::io::Error),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Creates the data directory (and any missing parent) with mode 0700. An existing directory
/// is left as it is: it may be shared, and its mode is its owner's decision; the files the
/// server puts in it are 0600 either way.
pub fn ensure_data_dir(dir: &Path) -> Result<(), SetupError> {
    if dir.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(dir) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::debug!(path = %dir.display(), "the data directory is open to other users; its files are 0600");
                }
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| SetupError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// Loads the server's X25519 key from the data directory, creating it (mode 0600) on first use.
pub fn load_or_create_key(dir: &Path) -> Result<KeyPair, SetupError> {
    let path = dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(raw) => KeyPair::from_secret(&raw).map_err(|source| SetupError::BadKey { path, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let kp = KeyPair::generate().map_err(SetupError::NewKey)?;
            handoff::write_private_atomic(&path, kp.secret()).map_err(|source| SetupError::WriteKey {
                path: path.clone(),
                source,
            })?;
            tracing::info!(path = %path.display(), fingerprint = %pairing::short_fingerprint(&pairing::fingerprint(kp.public())), "created the server key");
            Ok(kp)
        }
        Err(source) => Err(SetupError::ReadKey { path, source }),
    }
}

/// Opens the database in the data directory.
pub fn open_db(dir: &Path) -> Result<rusqlite::Connection, SetupError> {
    store::open(&dir.join(DB_FILE)).map_err(|source| SetupError::Store {
        path: dir.to_path_buf(),
        source,
    })
}
