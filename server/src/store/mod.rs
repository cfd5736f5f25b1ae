//! The SQLite store: WAL journal with `synchronous=FULL`, so a transaction that has committed
//! (and only then is acknowledged) survives `kill -9` and power loss.
//!
//! One record per org and app, with every version kept: a rotation adds a version, nothing is
//! overwritten. Replay memory is the `messages` table: each accepted message id once, forever.
//!
//! `schema` opens the database (file modes, durability settings, migrations), `queries` reads
//! and writes records, `writer` is the one thread that commits, in groups.

mod credentials;
mod deliveries;
mod queries;
mod schema;
mod writer;

use serde::Serialize;

pub use credentials::{current_all, get, has_message, history, history_summary, list, store, NewCredential};
pub use deliveries::{
    delivery_of, earlier_pending, fail_delivery, finish_delivery, last_vault_version, next_due_ms, pending,
    pending_due, retry_now, set_attempt_cas, Pending,
};
pub use queries::{browser, browsers, cancel_pairing_code, create_pairing_code, pair, pairing_codes, revoke};
pub use schema::open;
pub use writer::{Change, Incoming, Job, Writer};

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The database files could not be created or narrowed to 0600.
    #[error("database file: {0}")]
    Io(std::io::Error),
    /// The pairing code is not known.
    #[error("unknown pairing code")]
    CodeUnknown,
    /// The pairing code has expired.
    #[error("expired pairing code")]
    CodeExpired,
    /// The pairing code was already used.
    #[error("pairing code already used")]
    CodeUsed,
    /// The pairing code was cancelled (`pair cancel`).
    #[error("pairing code cancelled")]
    CodeCancelled,
    /// This browser key is already paired.
    #[error("browser already paired")]
    AlreadyPaired,
    /// The message id was seen before.
    #[error("replayed message")]
    Replayed,
    /// No such browser.
    #[error("unknown browser")]
    UnknownBrowser,
    /// A pending credential could not be sealed.
    #[error("sealing a pending credential: {0}")]
    Seal(String),
    /// The store task is gone (shutting down).
    #[error("the store is shutting down")]
    Closed,
}

/// A paired browser.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Browser {
    /// Id (derived from its key).
    pub id: String,
    /// Raw X25519 public key.
    #[serde(skip)]
    pub public_key: Vec<u8>,
    /// Label it gave.
    pub label: String,
    /// Unix seconds.
    pub paired_at: i64,
    /// Unix seconds, when revoked.
    pub revoked_at: Option<i64>,
    /// Unix seconds of the last accepted message.
    pub last_seen_at: Option<i64>,
    /// The orgs it may store credentials for (`pair --org`); `None`: any org.
    pub orgs: Option<Vec<String>>,
}

/// One stored credential version.
#[derive(Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoredCredential {
    /// Org.
    pub org: String,
    /// App.
    pub app: String,
    /// 1, 2, … (rotations).
    pub version: u32,
    /// Consumer key.
    pub consumer_key: String,
    /// Consumer secret.
    pub consumer_secret: String,
    /// Which browser sent it.
    pub browser_id: String,
    /// Unix seconds when stored.
    pub stored_at: i64,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("org", &self.org)
            .field("app", &self.app)
            .field("version", &self.version)
            .field("key", &eca_guard::pairing::key_prefix(&self.consumer_key))
            .finish_non_exhaustive()
    }
}

/// What storing one message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOutcome {
    /// The org+app version that is now current.
    pub version: u32,
    /// True when the credentials equalled the current version (no new version written).
    pub unchanged: bool,
    /// The current version's row.
    pub seq: i64,
    /// The current version's delivery to the Vault sink, if it has one.
    pub delivery: Option<DeliveryStatus>,
    /// Whether this message recorded that delivery (a new version, or a version stored before
    /// the sink was configured), so the receiving request delivers it.
    pub delivery_added: bool,
}

/// Where a version's delivery to the Vault sink stands (docs/server.md, "Delivering into Vault").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not acknowledged by Vault yet: kept sealed, retried with backoff.
    Pending,
    /// Vault acknowledged the write (or already held this very credential).
    Delivered,
    /// Not written: Vault already holds a newer credential for this record.
    Superseded,
}

impl DeliveryState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Superseded => "superseded",
        }
    }

    /// From the stored text.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "superseded" => Some(DeliveryState::Superseded),
            _ => None,
        }
    }
}

/// A version's delivery, as `creds list` and the receipt show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryStatus {
    /// Where it stands.
    pub state: DeliveryState,
    /// The record's path under the KV mount.
    pub path: String,
    /// The KV version in Vault (delivered or superseded).
    pub vault_version: Option<u64>,
    /// Why the last attempt failed (a `VaultError::problem` code), while pending.
    pub problem: Option<String>,
    /// Attempts so far.
    pub attempts: u32,
}

/// A new version's delivery, recorded in the same transaction as the version itself.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// The record's path under the KV mount.
    pub path: String,
    /// Pending, or already decided by the read before the store.
    pub state: DeliveryState,
    /// The sealed credential (pending only).
    pub sealed: Option<Vec<u8>>,
    /// The check-and-set version about to be written, if known.
    pub attempt_cas: Option<u64>,
    /// The KV version, if decided.
    pub vault_version: Option<u64>,
    /// Why it is pending, if known already.
    pub problem: Option<String>,
    /// Attempts so far (1 when the read before the store failed).
    pub attempts: u32,
    /// When the retrier should try, milliseconds since the epoch.
    pub next_attempt_ms: i64,
    /// When the credential was received, Unix seconds.
    pub received_at: i64,
}

/// A listing row: one org+app with its current version.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CredentialSummary {
    /// Org.
    pub org: String,
    /// App.
    pub app: String,
    /// Current version (= number of versions).
    pub version: u32,
    /// Key prefix of the current version.
    pub key_prefix: String,
    /// Unix seconds of the current version.
    pub stored_at: i64,
    /// The browser that sent the current version.
    pub browser_id: String,
    /// Its delivery to the Vault sink, if any.
    pub delivery: Option<DeliveryStatus>,
}

/// A pairing code as `pair list` shows it: never its token.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeInfo {
    /// Short id: the first 8 hex digits of the token's SHA-256 (not secret).
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Unix seconds, once used.
    pub used_at: Option<i64>,
    /// Unix seconds, if cancelled.
    pub cancelled_at: Option<i64>,
    /// The orgs a browser paired with it may store credentials for; `None`: any org.
    pub orgs: Option<Vec<String>>,
}

impl PairingCodeInfo {
    /// `open`, `used`, `cancelled` or `expired` at `now`.
    pub fn state(&self, now: i64) -> &'static str {
        if self.used_at.is_some() {
            "used"
        } else if self.cancelled_at.is_some() {
            "cancelled"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "open"
        }
    }
}
