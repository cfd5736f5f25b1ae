//! The SQLite store: WAL journal with `synchronous=FULL`, so a transaction that has committed
//! (and only then is acknowledged) survives `kill -9` and power loss.
//!
//! One record per org and app, with every version kept: a rotation adds a version, nothing is
//! overwritten. Replay memory is the `messages` table: each accepted message id once, forever.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOutcome {
    /// The org+app version that is now current.
    pub version: u32,
    /// True when the credentials equalled the current version (no new version written).
    pub unchanged: bool,
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

/// Creates the database file with mode 0600 before SQLite opens it: SQLite creates its files
/// 0644 (less the umask), and gives the `-wal` and `-shm` files the database file's mode. Files
/// an older version left more open are narrowed to 0600 (docs/server.md, "Files").
fn private_files(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(StoreError::Io(e)),
        }
        let mut names = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            names.push(p.into());
        }
        for p in names {
            if let Ok(meta) = std::fs::symlink_metadata(&p) {
                if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(StoreError::Io)?;
                }
            }
        }
    }
    Ok(())
}

/// Opens (and creates) the database with the durability settings.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    private_files(path)?;
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL + FULL: a commit returns only after the WAL is fsynced.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS pairing_codes (
             token_hash BLOB PRIMARY KEY,
             created_at INTEGER NOT NULL,
             expires_at INTEGER NOT NULL,
             used_at INTEGER,
             browser_id TEXT
         );
         CREATE TABLE IF NOT EXISTS browsers (
             id TEXT PRIMARY KEY,
             public_key BLOB NOT NULL UNIQUE,
             label TEXT NOT NULL,
             paired_at INTEGER NOT NULL,
             revoked_at INTEGER,
             last_seen_at INTEGER
         );
         CREATE TABLE IF NOT EXISTS messages (
             id TEXT PRIMARY KEY,
             browser_id TEXT NOT NULL REFERENCES browsers(id),
             sent_at INTEGER NOT NULL,
             received_at INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS credentials (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             org TEXT NOT NULL,
             app TEXT NOT NULL,
             version INTEGER NOT NULL,
             consumer_key TEXT NOT NULL,
             consumer_secret TEXT NOT NULL,
             browser_id TEXT NOT NULL REFERENCES browsers(id),
             message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
             stored_at INTEGER NOT NULL,
             UNIQUE (org, app, version)
         );",
    )?;
    migrate(&conn)?;
    Ok(conn)
}

/// The schema version this code writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 2;

/// Brings a store written by an older version up to [`SCHEMA_VERSION`], once, under a write
/// lock (the CLI and the server may open the store at the same time).
/// 2: pairing codes can be cancelled, and codes and browsers carry an org scope.
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    if version(conn)? >= SCHEMA_VERSION {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let r = (|| {
        if version(conn)? < 2 {
            conn.execute_batch(
                "ALTER TABLE pairing_codes ADD COLUMN cancelled_at INTEGER;
                 ALTER TABLE pairing_codes ADD COLUMN orgs TEXT;
                 ALTER TABLE browsers ADD COLUMN orgs TEXT;",
            )?;
        }
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(())
    })();
    match r {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(_) => conn.execute_batch("ROLLBACK")?,
    }
    r
}

/// Org scopes are kept as one org per line (org names are host names: no newline in them).
fn orgs_to_text(orgs: &[String]) -> Option<String> {
    (!orgs.is_empty()).then(|| {
        let mut v = orgs.to_vec();
        v.sort();
        v.dedup();
        v.join("\n")
    })
}

fn orgs_from_text(text: Option<String>) -> Option<Vec<String>> {
    text.map(|t| t.lines().map(str::to_owned).collect())
}

fn short_id(token_hash: &[u8]) -> String {
    token_hash.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &[u8]) -> Vec<u8> {
    eca_guard::pairing::fingerprint(token).to_vec()
}

/// Records a new one-time pairing code valid until `now + ttl`, for a browser that may store
/// credentials of `orgs` only (any org if empty). Returns its short id.
pub fn create_pairing_code(
    conn: &Connection,
    token: &[u8],
    now: i64,
    ttl: i64,
    orgs: &[String],
) -> Result<String, StoreError> {
    let hash = token_hash(token);
    conn.execute(
        "INSERT INTO pairing_codes (token_hash, created_at, expires_at, orgs) VALUES (?1, ?2, ?3, ?4)",
        params![hash, now, now.saturating_add(ttl), orgs_to_text(orgs)],
    )?;
    Ok(short_id(&hash))
}

/// Pairing codes, newest first: the open ones, or all of them.
pub fn pairing_codes(conn: &Connection, all: bool, now: i64) -> Result<Vec<PairingCodeInfo>, StoreError> {
    let mut st = conn.prepare(
        "SELECT token_hash, created_at, expires_at, used_at, cancelled_at, orgs FROM pairing_codes
         WHERE ?1 OR (used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?2)
         ORDER BY created_at DESC, token_hash",
    )?;
    let rows = st.query_map(params![all, now], |r| {
        Ok(PairingCodeInfo {
            id: short_id(&r.get::<_, Vec<u8>>(0)?),
            created_at: r.get(1)?,
            expires_at: r.get(2)?,
            used_at: r.get(3)?,
            cancelled_at: r.get(4)?,
            orgs: orgs_from_text(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Cancels the open pairing code with this short id; `false` if there is none. (Two open codes
/// sharing a short id, a one-in-four-billion chance, are both cancelled: the safe side.)
pub fn cancel_pairing_code(conn: &Connection, id: &str, now: i64) -> Result<bool, StoreError> {
    let mut st = conn.prepare(
        "SELECT token_hash FROM pairing_codes WHERE used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?1",
    )?;
    let hashes: Vec<Vec<u8>> = st.query_map(params![now], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut n = 0;
    for h in hashes.iter().filter(|h| short_id(h) == id) {
        n += conn.execute(
            "UPDATE pairing_codes SET cancelled_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL",
            params![now, h],
        )?;
    }
    Ok(n > 0)
}

/// Consumes a pairing code and registers the browser, in the caller's transaction.
pub fn pair(
    conn: &Connection,
    token: &[u8],
    browser_id: &str,
    public_key: &[u8],
    label: &str,
    now: i64,
) -> Result<(), StoreError> {
    struct Code {
        expires_at: i64,
        used: bool,
        cancelled: bool,
        orgs: Option<String>,
    }
    let code = conn
        .query_row(
            "SELECT expires_at, used_at IS NOT NULL, cancelled_at IS NOT NULL, orgs FROM pairing_codes
             WHERE token_hash = ?1",
            params![token_hash(token)],
            |r| {
                Ok(Code {
                    expires_at: r.get(0)?,
                    used: r.get(1)?,
                    cancelled: r.get(2)?,
                    orgs: r.get(3)?,
                })
            },
        )
        .optional()?
        .ok_or(StoreError::CodeUnknown)?;
    if code.used {
        return Err(StoreError::CodeUsed);
    }
    if code.cancelled {
        return Err(StoreError::CodeCancelled);
    }
    if code.expires_at <= now {
        return Err(StoreError::CodeExpired);
    }
    let orgs = code.orgs;
    let exists: bool = conn
        .query_row("SELECT 1 FROM browsers WHERE id = ?1", params![browser_id], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Err(StoreError::AlreadyPaired);
    }
    let n = conn.execute(
        "UPDATE pairing_codes SET used_at = ?1, browser_id = ?2 WHERE token_hash = ?3 AND used_at IS NULL",
        params![now, browser_id, token_hash(token)],
    )?;
    if n != 1 {
        return Err(StoreError::CodeUsed);
    }
    conn.execute(
        "INSERT INTO browsers (id, public_key, label, paired_at, orgs) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![browser_id, public_key, label, now, orgs],
    )?;
    Ok(())
}

/// One browser by id.
pub fn browser(conn: &Connection, id: &str) -> Result<Option<Browser>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, public_key, label, paired_at, revoked_at, last_seen_at, orgs FROM browsers WHERE id = ?1",
            params![id],
            browser_row,
        )
        .optional()?)
}

fn browser_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Browser> {
    Ok(Browser {
        id: r.get(0)?,
        public_key: r.get(1)?,
        label: r.get(2)?,
        paired_at: r.get(3)?,
        revoked_at: r.get(4)?,
        last_seen_at: r.get(5)?,
        orgs: orgs_from_text(r.get(6)?),
    })
}

/// Every browser, oldest first.
pub fn browsers(conn: &Connection) -> Result<Vec<Browser>, StoreError> {
    let mut st = conn.prepare(
        "SELECT id, public_key, label, paired_at, revoked_at, last_seen_at, orgs FROM browsers ORDER BY paired_at, id",
    )?;
    let rows = st.query_map([], browser_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes a browser; `false` if no such browser (revoking twice keeps the first time).
pub fn revoke(conn: &Connection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE browsers SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2",
        params![now, id],
    )?;
    Ok(n == 1)
}

/// The message as the store sees it.
pub struct NewCredential<'a> {
    /// Message id.
    pub message_id: &'a str,
    /// Sender.
    pub browser_id: &'a str,
    /// The message's own timestamp.
    pub sent_at: i64,
    /// Org.
    pub org: &'a str,
    /// App.
    pub app: &'a str,
    /// Key.
    pub consumer_key: &'a str,
    /// Secret.
    pub consumer_secret: &'a str,
}

/// Stores one message in the caller's transaction: replay check, then a new version unless
/// the credentials equal the current one.
pub fn store(conn: &Connection, m: &NewCredential<'_>, now: i64) -> Result<StoreOutcome, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO messages (id, browser_id, sent_at, received_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(id) DO NOTHING",
        params![m.message_id, m.browser_id, m.sent_at, now],
    )?;
    if inserted == 0 {
        return Err(StoreError::Replayed);
    }
    conn.execute(
        "UPDATE browsers SET last_seen_at = ?1 WHERE id = ?2",
        params![now, m.browser_id],
    )?;
    let current: Option<(u32, String, String)> = conn
        .query_row(
            "SELECT version, consumer_key, consumer_secret FROM credentials WHERE org = ?1 AND app = ?2
             ORDER BY version DESC LIMIT 1",
            params![m.org, m.app],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((v, k, s)) = &current {
        if k == m.consumer_key && s == m.consumer_secret {
            return Ok(StoreOutcome {
                version: *v,
                unchanged: true,
            });
        }
    }
    let version = current.map_or(1, |c| c.0 + 1);
    conn.execute(
        "INSERT INTO credentials (org, app, version, consumer_key, consumer_secret, browser_id, message_id, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            m.org,
            m.app,
            version,
            m.consumer_key,
            m.consumer_secret,
            m.browser_id,
            m.message_id,
            now
        ],
    )?;
    Ok(StoreOutcome {
        version,
        unchanged: false,
    })
}

/// Current version of every org+app (optionally one org), sorted.
pub fn list(conn: &Connection, org: Option<&str>) -> Result<Vec<CredentialSummary>, StoreError> {
    let mut st = conn.prepare(
        "SELECT org, app, version, consumer_key, stored_at, browser_id FROM credentials c
         WHERE version = (SELECT MAX(version) FROM credentials d WHERE d.org = c.org AND d.app = c.app)
           AND (?1 IS NULL OR org = ?1)
         ORDER BY org, app",
    )?;
    let rows = st.query_map(params![org], |r| {
        let key: String = r.get(3)?;
        Ok(CredentialSummary {
            org: r.get(0)?,
            app: r.get(1)?,
            version: r.get(2)?,
            key_prefix: eca_guard::pairing::key_prefix(&key),
            stored_at: r.get(4)?,
            browser_id: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn cred_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCredential> {
    Ok(StoredCredential {
        org: r.get(0)?,
        app: r.get(1)?,
        version: r.get(2)?,
        consumer_key: r.get(3)?,
        consumer_secret: r.get(4)?,
        browser_id: r.get(5)?,
        stored_at: r.get(6)?,
    })
}

const CRED_COLS: &str = "org, app, version, consumer_key, consumer_secret, browser_id, stored_at";

/// One org+app: the current version, or a given one.
pub fn get(
    conn: &Connection,
    org: &str,
    app: &str,
    version: Option<u32>,
) -> Result<Option<StoredCredential>, StoreError> {
    let sql = format!(
        "SELECT {CRED_COLS} FROM credentials WHERE org = ?1 AND app = ?2 AND (?3 IS NULL OR version = ?3)
         ORDER BY version DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, params![org, app, version], cred_row).optional()?)
}

/// Every version of one org+app, oldest first.
pub fn history(conn: &Connection, org: &str, app: &str) -> Result<Vec<StoredCredential>, StoreError> {
    let sql = format!("SELECT {CRED_COLS} FROM credentials WHERE org = ?1 AND app = ?2 ORDER BY version");
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![org, app], cred_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The current version of every org+app (for the sink).
pub fn current_all(conn: &Connection) -> Result<Vec<StoredCredential>, StoreError> {
    let sql = format!(
        "SELECT {CRED_COLS} FROM credentials c
         WHERE version = (SELECT MAX(version) FROM credentials d WHERE d.org = c.org AND d.app = c.app)
         ORDER BY org, app"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map([], cred_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether a message id is stored (tests and the crash test use it).
pub fn has_message(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row("SELECT 1 FROM messages WHERE id = ?1", params![id], |_| Ok(()))
        .optional()?
        .is_some())
}

// ------------------------------------------------------------------------------------------
// The writer: one thread owns the connection; concurrent requests are committed in groups
// (one fsync for many), each in its own savepoint, and each answered only after the commit.

/// A job for the writer thread.
pub enum Job {
    /// Pair a browser.
    Pair {
        /// Token from the code.
        token: Vec<u8>,
        /// Browser id.
        browser_id: String,
        /// Browser key.
        public_key: Vec<u8>,
        /// Label.
        label: String,
        /// Answer.
        reply: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
    },
    /// Look a browser up.
    Browser {
        /// Id.
        id: String,
        /// Answer.
        reply: tokio::sync::oneshot::Sender<Result<Option<Browser>, StoreError>>,
    },
    /// Store credentials.
    Store {
        /// Message id.
        message_id: String,
        /// Sender.
        browser_id: String,
        /// Message timestamp.
        sent_at: i64,
        /// Credentials.
        credentials: eca_guard::pairing::Credentials,
        /// Answer.
        reply: tokio::sync::oneshot::Sender<Result<StoreOutcome, StoreError>>,
    },
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    tx: std::sync::mpsc::Sender<Job>,
}

/// Largest group committed at once.
const MAX_GROUP: usize = 256;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

enum Done {
    Pair(
        tokio::sync::oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
    ),
    Browser(
        tokio::sync::oneshot::Sender<Result<Option<Browser>, StoreError>>,
        Result<Option<Browser>, StoreError>,
    ),
    Store(
        tokio::sync::oneshot::Sender<Result<StoreOutcome, StoreError>>,
        Result<StoreOutcome, StoreError>,
    ),
}

impl Done {
    fn fail(self, e: &rusqlite::Error) {
        let err = || {
            StoreError::Db(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(1),
                Some(e.to_string()),
            ))
        };
        // A dropped receiver only means the client went away; nothing to do.
        let _ = match self {
            Done::Pair(tx, _) => tx.send(Err(err())).map_err(|_| ()),
            Done::Browser(tx, _) => tx.send(Err(err())).map_err(|_| ()),
            Done::Store(tx, _) => tx.send(Err(err())).map_err(|_| ()),
        };
    }

    fn send(self) {
        let _ = match self {
            Done::Pair(tx, r) => tx.send(r).map_err(|_| ()),
            Done::Browser(tx, r) => tx.send(r).map_err(|_| ()),
            Done::Store(tx, r) => tx.send(r).map_err(|_| ()),
        };
    }
}

fn in_savepoint<T>(
    tx: &mut rusqlite::Transaction<'_>,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let sp = tx.savepoint()?;
    match f(&sp) {
        Ok(v) => {
            sp.commit()?;
            Ok(v)
        }
        Err(e) => {
            // Dropping the savepoint rolls it back.
            drop(sp);
            Err(e)
        }
    }
}

fn run_group(conn: &mut Connection, jobs: Vec<Job>) {
    let t = now();
    let mut done = Vec::with_capacity(jobs.len());
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "store: cannot begin a transaction");
            for j in jobs {
                let d = match j {
                    Job::Pair { reply, .. } => Done::Pair(reply, Ok(())),
                    Job::Browser { reply, .. } => Done::Browser(reply, Ok(None)),
                    Job::Store { reply, .. } => Done::Store(reply, Err(StoreError::Closed)),
                };
                d.fail(&e);
            }
            return;
        }
    };
    for j in jobs {
        done.push(match j {
            Job::Pair {
                token,
                browser_id,
                public_key,
                label,
                reply,
            } => {
                let r = in_savepoint(&mut tx, |c| pair(c, &token, &browser_id, &public_key, &label, t));
                Done::Pair(reply, r)
            }
            Job::Browser { id, reply } => Done::Browser(reply, browser(&tx, &id)),
            Job::Store {
                message_id,
                browser_id,
                sent_at,
                credentials,
                reply,
            } => {
                let m = NewCredential {
                    message_id: &message_id,
                    browser_id: &browser_id,
                    sent_at,
                    org: &credentials.org,
                    app: &credentials.app,
                    consumer_key: &credentials.consumer_key,
                    consumer_secret: &credentials.consumer_secret,
                };
                let r = in_savepoint(&mut tx, |c| store(c, &m, t));
                Done::Store(reply, r)
            }
        });
    }
    match tx.commit() {
        Ok(()) => done.into_iter().for_each(Done::send),
        Err(e) => {
            tracing::error!(error = %e, "store: commit failed; nothing in this group is acknowledged");
            done.into_iter().for_each(|d| d.fail(&e));
        }
    }
}

impl Writer {
    /// Starts the writer thread on an open connection.
    pub fn start(mut conn: Connection) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new().name("store-writer".into()).spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut jobs = vec![first];
                while jobs.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                run_group(&mut conn, jobs);
            }
        })?;
        Ok(Writer { tx })
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(tokio::sync::oneshot::Sender<Result<T, StoreError>>) -> Job,
    ) -> Result<T, StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx.send(make(tx)).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Pairs a browser (consumes the code).
    pub async fn pair(
        &self,
        token: Vec<u8>,
        browser_id: String,
        public_key: Vec<u8>,
        label: String,
    ) -> Result<(), StoreError> {
        self.ask(|reply| Job::Pair {
            token,
            browser_id,
            public_key,
            label,
            reply,
        })
        .await
    }

    /// Looks a browser up.
    pub async fn browser(&self, id: String) -> Result<Option<Browser>, StoreError> {
        self.ask(|reply| Job::Browser { id, reply }).await
    }

    /// Stores credentials; returns after the commit is durable.
    pub async fn store(
        &self,
        message_id: String,
        browser_id: String,
        sent_at: i64,
        credentials: eca_guard::pairing::Credentials,
    ) -> Result<StoreOutcome, StoreError> {
        self.ask(|reply| Job::Store {
            message_id,
            browser_id,
            sent_at,
            credentials,
            reply,
        })
        .await
    }
}
