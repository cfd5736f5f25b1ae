//! Opening the database: its files 0600 from creation, WAL with `synchronous=FULL`, the
//! tables, and migrations from older versions.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

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
const SCHEMA_VERSION: i64 = 3;

/// Brings a store written by an older version up to [`SCHEMA_VERSION`], once, under a write
/// lock (the CLI and the server may open the store at the same time).
/// 2: pairing codes can be cancelled, and codes and browsers carry an org scope.
/// 3: a credential's key and secret may be absent (`store_secrets = false`), each version
/// carries its key prefix and a keyed fingerprint, and deliveries to a Vault sink are recorded
/// (docs/server.md, "Delivering into Vault").
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
        if version(conn)? < 3 {
            to_v3(conn)?;
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

/// SQLite cannot drop a NOT NULL: the credentials table is rebuilt (its rows copied with their
/// `seq`), then every existing version gets its key prefix.
fn to_v3(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE credentials_v3 (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             org TEXT NOT NULL,
             app TEXT NOT NULL,
             version INTEGER NOT NULL,
             consumer_key TEXT,
             consumer_secret TEXT,
             key_prefix TEXT NOT NULL DEFAULT '',
             fingerprint BLOB,
             browser_id TEXT NOT NULL REFERENCES browsers(id),
             message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
             stored_at INTEGER NOT NULL,
             UNIQUE (org, app, version)
         );
         INSERT INTO credentials_v3 (seq, org, app, version, consumer_key, consumer_secret, browser_id, message_id, stored_at)
             SELECT seq, org, app, version, consumer_key, consumer_secret, browser_id, message_id, stored_at FROM credentials;
         DROP TABLE credentials;
         ALTER TABLE credentials_v3 RENAME TO credentials;
         CREATE TABLE deliveries (
             seq INTEGER PRIMARY KEY REFERENCES credentials(seq),
             path TEXT NOT NULL,
             state TEXT NOT NULL,
             sealed BLOB,
             received_at INTEGER NOT NULL,
             attempts INTEGER NOT NULL DEFAULT 0,
             next_attempt_ms INTEGER NOT NULL DEFAULT 0,
             attempt_cas INTEGER,
             problem TEXT,
             vault_version INTEGER,
             done_at INTEGER
         );
         CREATE INDEX deliveries_pending ON deliveries (state, next_attempt_ms);
         CREATE INDEX deliveries_path ON deliveries (path, state, seq);",
    )?;
    let rows: Vec<(i64, String)> = {
        let mut st = conn.prepare("SELECT seq, consumer_key FROM credentials WHERE consumer_key IS NOT NULL")?;
        let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        r.collect::<Result<_, _>>()?
    };
    for (seq, key) in rows {
        conn.execute(
            "UPDATE credentials SET key_prefix = ?1 WHERE seq = ?2",
            rusqlite::params![eca_guard::pairing::key_prefix(&key), seq],
        )?;
    }
    Ok(())
}
