//! Reads and writes of records, each in the caller's connection or transaction.

use rusqlite::{params, Connection, OptionalExtension};

use super::deliveries;
use super::{
    Browser, CredentialSummary, DeliveryState, DeliveryStatus, NewDelivery, PairingCodeInfo, StoreError, StoreOutcome,
    StoredCredential,
};

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
    /// Keyed fingerprint of the credential (`LocalKeys::local_fingerprint`): answers
    /// "unchanged" when the key and secret themselves are not kept.
    pub fingerprint: &'a [u8],
    /// Whether the key and secret are kept (`store_secrets`).
    pub keep_secret: bool,
    /// The delivery to the Vault sink, when there is one.
    pub delivery: Option<&'a NewDelivery>,
}

/// Stores one message in the caller's transaction: replay check, then a new version unless
/// the credentials equal the current one (compared by fingerprint, or by value for versions an
/// older release stored without one).
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
    type Current = (i64, u32, Option<String>, Option<String>, Option<Vec<u8>>);
    let current: Option<Current> = conn
        .query_row(
            "SELECT seq, version, consumer_key, consumer_secret, fingerprint FROM credentials WHERE org = ?1 AND app = ?2
             ORDER BY version DESC LIMIT 1",
            params![m.org, m.app],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    if let Some((seq, v, k, s, fp)) = &current {
        let same = match (fp, k, s) {
            (Some(fp), _, _) => fp.as_slice() == m.fingerprint,
            (None, Some(k), Some(s)) => k == m.consumer_key && s == m.consumer_secret,
            _ => false,
        };
        if same {
            let mut delivery = deliveries::delivery_of(conn, *seq)?;
            let mut delivery_added = false;
            // A version stored before the Vault sink was configured: sending it again delivers it.
            if let (None, Some(d)) = (&delivery, m.delivery) {
                deliveries::insert(conn, *seq, d, now)?;
                delivery = deliveries::delivery_of(conn, *seq)?;
                delivery_added = true;
            }
            return Ok(StoreOutcome {
                version: *v,
                unchanged: true,
                seq: *seq,
                delivery,
                delivery_added,
            });
        }
    }
    let version = current.map_or(1, |c| c.1 + 1);
    let (key, secret) = if m.keep_secret {
        (Some(m.consumer_key), Some(m.consumer_secret))
    } else {
        (None, None)
    };
    conn.execute(
        "INSERT INTO credentials (org, app, version, consumer_key, consumer_secret, key_prefix, fingerprint, browser_id,
                                  message_id, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            m.org,
            m.app,
            version,
            key,
            secret,
            eca_guard::pairing::key_prefix(m.consumer_key),
            m.fingerprint,
            m.browser_id,
            m.message_id,
            now
        ],
    )?;
    let seq = conn.last_insert_rowid();
    let mut delivery = None;
    if let Some(d) = m.delivery {
        deliveries::insert(conn, seq, d, now)?;
        delivery = deliveries::delivery_of(conn, seq)?;
    }
    Ok(StoreOutcome {
        version,
        unchanged: false,
        seq,
        delivery_added: delivery.is_some(),
        delivery,
    })
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CredentialSummary> {
    let delivery = match r.get::<_, Option<String>>(6)? {
        Some(state) => Some(DeliveryStatus {
            state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
            path: r.get(7)?,
            vault_version: r.get::<_, Option<i64>>(8)?.and_then(|v| u64::try_from(v).ok()),
            problem: r.get(9)?,
            attempts: r.get(10)?,
        }),
        None => None,
    };
    Ok(CredentialSummary {
        org: r.get(0)?,
        app: r.get(1)?,
        version: r.get(2)?,
        key_prefix: r.get(3)?,
        stored_at: r.get(4)?,
        browser_id: r.get(5)?,
        delivery,
    })
}

const SUMMARY_COLS: &str = "c.org, c.app, c.version, c.key_prefix, c.stored_at, c.browser_id, d.state, d.path,
                            d.vault_version, d.problem, d.attempts";

/// Current version of every org+app (optionally one org), sorted, with its delivery.
pub fn list(conn: &Connection, org: Option<&str>) -> Result<Vec<CredentialSummary>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM credentials c LEFT JOIN deliveries d ON d.seq = c.seq
         WHERE c.version = (SELECT MAX(version) FROM credentials e WHERE e.org = c.org AND e.app = c.app)
           AND (?1 IS NULL OR c.org = ?1)
         ORDER BY c.org, c.app"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![org], summary_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every version of one org+app, oldest first, with its delivery (never a secret).
pub fn history_summary(conn: &Connection, org: &str, app: &str) -> Result<Vec<CredentialSummary>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM credentials c LEFT JOIN deliveries d ON d.seq = c.seq
         WHERE c.org = ?1 AND c.app = ?2 ORDER BY c.version"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![org, app], summary_row)?;
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

/// One org+app: the current version, or a given one; only a version whose secret is kept here.
pub fn get(
    conn: &Connection,
    org: &str,
    app: &str,
    version: Option<u32>,
) -> Result<Option<StoredCredential>, StoreError> {
    let sql = format!(
        "SELECT {CRED_COLS} FROM credentials WHERE org = ?1 AND app = ?2 AND (?3 IS NULL OR version = ?3)
           AND consumer_secret IS NOT NULL
         ORDER BY version DESC LIMIT 1"
    );
    Ok(conn.query_row(&sql, params![org, app, version], cred_row).optional()?)
}

/// Every version of one org+app whose secret is kept here, oldest first.
pub fn history(conn: &Connection, org: &str, app: &str) -> Result<Vec<StoredCredential>, StoreError> {
    let sql = format!(
        "SELECT {CRED_COLS} FROM credentials WHERE org = ?1 AND app = ?2 AND consumer_secret IS NOT NULL ORDER BY version"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![org, app], cred_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The current version of every org+app (for the sink).
pub fn current_all(conn: &Connection) -> Result<Vec<StoredCredential>, StoreError> {
    let sql = format!(
        "SELECT {CRED_COLS} FROM credentials c
         WHERE version = (SELECT MAX(version) FROM credentials d WHERE d.org = c.org AND d.app = c.app)
           AND consumer_secret IS NOT NULL
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
