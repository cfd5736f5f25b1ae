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
