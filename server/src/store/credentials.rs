//! Reads and writes of credential versions, each in the caller's connection or transaction.

use rusqlite::{params, Connection, OptionalExtension};

use super::deliveries;
use super::{
    CredentialSummary, DeliveryState, DeliveryStatus, NewDelivery, StoreError, StoreOutcome, StoredCredential,
};

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
