//! Reads and writes of pairing codes and browsers, each in the caller's connection or
//! transaction (credentials: credentials.rs; deliveries: deliveries.rs).

use rusqlite::{params, Connection, OptionalExtension};

use super::{Browser, PairingCodeInfo, StoreError};

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
