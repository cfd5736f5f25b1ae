//! The Vault sink's delivery records: one per stored version, pending (the credential sealed
//! beside it) until Vault acknowledged it, then delivered or superseded with the sealed copy
//! removed (docs/server.md, "Delivering into Vault").

use rusqlite::{params, Connection, OptionalExtension};

use super::{DeliveryState, DeliveryStatus, NewDelivery, StoreError};

/// A pending delivery, as the retrier needs it.
#[derive(Clone)]
pub struct Pending {
    /// The version's row.
    pub seq: i64,
    /// Org.
    pub org: String,
    /// App.
    pub app: String,
    /// The record's path under the KV mount.
    pub path: String,
    /// The message that carried it (the seal's associated data).
    pub message_id: String,
    /// Who sent it.
    pub browser_id: String,
    /// When it was received, Unix seconds.
    pub received_at: i64,
    /// The sealed key and secret.
    pub sealed: Vec<u8>,
    /// The check-and-set version last attempted.
    pub attempt_cas: Option<u64>,
    /// Attempts so far.
    pub attempts: u32,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("seq", &self.seq)
            .field("path", &self.path)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Records a new version's delivery (in the caller's transaction).
pub(super) fn insert(conn: &Connection, seq: i64, d: &NewDelivery, now: i64) -> Result<(), StoreError> {
    let done = (d.state != DeliveryState::Pending).then_some(now);
    conn.execute(
        "INSERT INTO deliveries (seq, path, state, sealed, received_at, attempts, next_attempt_ms, attempt_cas, problem,
                                 vault_version, done_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            seq,
            d.path,
            d.state.as_str(),
            d.sealed.as_deref().filter(|_| d.state == DeliveryState::Pending),
            d.received_at,
            d.attempts,
            d.next_attempt_ms,
            d.attempt_cas.and_then(|c| i64::try_from(c).ok()),
            d.problem,
            d.vault_version.and_then(|v| i64::try_from(v).ok()),
            done
        ],
    )?;
    Ok(())
}

fn status_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryStatus> {
    let state: String = r.get(0)?;
    Ok(DeliveryStatus {
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        path: r.get(1)?,
        vault_version: r.get::<_, Option<i64>>(2)?.and_then(|v| u64::try_from(v).ok()),
        problem: r.get(3)?,
        attempts: r.get(4)?,
    })
}

/// The delivery of one version, if it has one.
pub fn delivery_of(conn: &Connection, seq: i64) -> Result<Option<DeliveryStatus>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT state, path, vault_version, problem, attempts FROM deliveries WHERE seq = ?1",
            params![seq],
            status_row,
        )
        .optional()?)
}

const PENDING_COLS: &str =
    "d.seq, c.org, c.app, d.path, c.message_id, c.browser_id, d.received_at, d.sealed, d.attempt_cas,
                            d.attempts";

fn pending_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Pending> {
    Ok(Pending {
        seq: r.get(0)?,
        org: r.get(1)?,
        app: r.get(2)?,
        path: r.get(3)?,
        message_id: r.get(4)?,
        browser_id: r.get(5)?,
        received_at: r.get(6)?,
        sealed: r.get::<_, Option<Vec<u8>>>(7)?.unwrap_or_default(),
        attempt_cas: r.get::<_, Option<i64>>(8)?.and_then(|v| u64::try_from(v).ok()),
        attempts: r.get(9)?,
    })
}

/// The oldest pending delivery of its record: only it may go next (versions go in order).
const HEAD: &str =
    "NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.state = 'pending' AND e.path = d.path AND e.seq < d.seq)";

/// Pending deliveries due at `now_ms` that are the oldest of their record, oldest first.
pub fn pending_due(conn: &Connection, now_ms: i64, limit: usize) -> Result<Vec<Pending>, StoreError> {
    let sql = format!(
        "SELECT {PENDING_COLS} FROM deliveries d JOIN credentials c ON c.seq = d.seq
         WHERE d.state = 'pending' AND d.next_attempt_ms <= ?1 AND {HEAD} ORDER BY d.seq LIMIT ?2"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)], pending_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One delivery if it is still pending.
pub fn pending(conn: &Connection, seq: i64) -> Result<Option<Pending>, StoreError> {
    let sql = format!(
        "SELECT {PENDING_COLS} FROM deliveries d JOIN credentials c ON c.seq = d.seq
         WHERE d.state = 'pending' AND d.seq = ?1"
    );
    Ok(conn.query_row(&sql, params![seq], pending_row).optional()?)
}

/// The problem of a pending delivery to `path` older than `seq` (`Some(None)`: one is pending
/// with no problem recorded yet), which must go first.
pub fn earlier_pending(conn: &Connection, path: &str, seq: i64) -> Result<Option<Option<String>>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT problem FROM deliveries WHERE state = 'pending' AND path = ?1 AND seq < ?2 ORDER BY seq LIMIT 1",
            params![path, seq],
            |r| r.get(0),
        )
        .optional()?)
}

/// The newest KV version this server delivered to (or found at) `path`: the check-and-set
/// version to try first, without reading the record (a conflict reads it).
pub fn last_vault_version(conn: &Connection, path: &str) -> Result<u64, StoreError> {
    let v: Option<i64> = conn.query_row(
        "SELECT MAX(vault_version) FROM deliveries WHERE path = ?1",
        params![path],
        |r| r.get(0),
    )?;
    Ok(v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
}

/// When the next pending delivery that may go (the oldest of its record) is due, milliseconds
/// since the epoch. A newer version waiting behind an older one does not count: the retrier
/// would only wake to skip it.
pub fn next_due_ms(conn: &Connection) -> Result<Option<i64>, StoreError> {
    let sql = format!("SELECT MIN(d.next_attempt_ms) FROM deliveries d WHERE d.state = 'pending' AND {HEAD}");
    Ok(conn.query_row(&sql, [], |r| r.get(0))?)
}

/// Makes the pending deliveries to `path` due now (a new send for the record arrived).
pub fn retry_now(conn: &Connection, path: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET next_attempt_ms = 0 WHERE state = 'pending' AND path = ?1",
        params![path],
    )?;
    Ok(())
}

/// Records the check-and-set version about to be written, before the write: after a crash
/// between Vault's acknowledgement and ours, the retry recognises its own version.
pub fn set_attempt_cas(conn: &Connection, seq: i64, cas: u64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET attempt_cas = ?1 WHERE seq = ?2",
        params![i64::try_from(cas).unwrap_or(i64::MAX), seq],
    )?;
    Ok(())
}

/// Delivered or superseded: the sealed copy is removed.
pub fn finish_delivery(
    conn: &Connection,
    seq: i64,
    state: DeliveryState,
    vault_version: u64,
    attempts: u32,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET state = ?1, vault_version = ?2, sealed = NULL, problem = NULL, attempts = ?3, done_at = ?4
         WHERE seq = ?5 AND state = 'pending'",
        params![
            state.as_str(),
            i64::try_from(vault_version).unwrap_or(i64::MAX),
            attempts,
            now,
            seq
        ],
    )?;
    Ok(())
}

/// A failed attempt: counted, with its problem and the time of the next one.
pub fn fail_delivery(
    conn: &Connection,
    seq: i64,
    problem: &str,
    attempts: u32,
    next_attempt_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE deliveries SET problem = ?1, attempts = ?2, next_attempt_ms = ?3 WHERE seq = ?4 AND state = 'pending'",
        params![problem, attempts, next_attempt_ms, seq],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_waiting_behind_an_older_one_is_neither_due_nor_a_reason_to_wake() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let conn = super::super::open(&dir.path().join("s.sqlite3")).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "INSERT INTO browsers (id, public_key, label, paired_at) VALUES ('b', x'00', '', 1);
             INSERT INTO messages VALUES ('m1', 'b', 1, 1), ('m2', 'b', 1, 1), ('m3', 'b', 1, 1);
             INSERT INTO credentials (seq, org, app, version, browser_id, message_id, stored_at)
                 VALUES (1, 'o', 'a', 1, 'b', 'm1', 1), (2, 'o', 'a', 2, 'b', 'm2', 1), (3, 'o', 'x', 1, 'b', 'm3', 1);
             INSERT INTO deliveries (seq, path, state, received_at, next_attempt_ms) VALUES
                 (1, 'p/a', 'pending', 1, 5000), (2, 'p/a', 'pending', 1, 0), (3, 'p/x', 'pending', 1, 7000);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let due = |now| {
            pending_due(&conn, now, 10)
                .unwrap_or_default()
                .iter()
                .map(|p| p.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(due(1000), Vec::<i64>::new(), "version 2 waits for version 1");
        assert_eq!(next_due_ms(&conn).ok().flatten(), Some(5000));
        assert_eq!(due(8000), vec![1, 3]);
        retry_now(&conn, "p/a").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(due(1000), vec![1]);
    }
}
