//! Reads and writes of records, each in the caller's connection or transaction.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Browser, CredentialSummary, PairingCodeInfo, StoreError, StoreOutcome, StoredCredential};

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
