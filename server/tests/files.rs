//! Files the server writes: the sink's temporary file, the directories it writes into, the
//! modes of the key and the store.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt as _;

use common::*;
use eca_guard_server::{handoff, Config, State};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

#[test]
fn the_sink_writer_does_not_follow_a_symlink_planted_at_its_temporary_name() {
    let dir = private_dir();
    let victim = dir.path().join("attacker-owned");
    std::fs::write(&victim, "").unwrap();
    let sink = dir.path().join("sink.json");
    // The name the writer used to pick (predictable: the process id), planted as a symlink.
    let planted = dir.path().join(format!(".sink.json.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();

    handoff::write_private_atomic(&sink, SECRET.as_bytes()).unwrap();

    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "",
        "the secret landed in the planted file"
    );
    let meta = std::fs::symlink_metadata(&sink).unwrap();
    assert!(meta.file_type().is_file(), "the sink is not a regular file");
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), SECRET);
    assert_eq!(mode(&sink), 0o600);
}

#[test]
fn a_sink_directory_that_others_can_write_is_refused() {
    for m in [0o777, 0o1777, 0o770] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(m)).unwrap();
        let sink = dir.path().join("sink.json");
        assert!(
            handoff::write_private_atomic(&sink, b"{}").is_err(),
            "wrote into a {m:o} directory"
        );
        assert!(!sink.exists());
        let data = tempfile::tempdir().unwrap();
        let refused = State::open(
            data.path(),
            Config {
                sink: Some(sink.clone()),
                ..Config::default()
            },
        );
        let Err(e) = refused else {
            panic!("a sink in a {m:o} directory was accepted")
        };
        assert!(matches!(e, eca_guard_server::SetupError::SinkDir(_)), "{e:?}");
        assert!(e.to_string().contains("others can write"), "{e}");
    }
}

#[tokio::test]
async fn the_key_and_every_store_file_are_0600() {
    let s = Server::new();
    let p = s.pair("laptop").await;
    let sealed = eca_guard::pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    assert_eq!(
        s.request("POST", "/v1/credentials", &sealed.body).await.0,
        axum::http::StatusCode::OK
    );
    for f in ["server.key", "store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"] {
        let path = s.dir.path().join(f);
        assert!(path.exists(), "{f} missing");
        assert_eq!(mode(&path), 0o600, "{f}");
    }
}

#[test]
fn an_existing_data_directory_keeps_its_mode_and_a_new_one_is_0700() {
    let shared = tempfile::tempdir().unwrap();
    std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    eca_guard_server::ensure_data_dir(shared.path()).unwrap();
    assert_eq!(mode(shared.path()), 0o755, "an existing directory was changed");

    let new = shared.path().join("a/b");
    eca_guard_server::ensure_data_dir(&new).unwrap();
    assert_eq!(mode(&new), 0o700);
    assert_eq!(mode(&shared.path().join("a")), 0o700, "a parent the server created");
}

#[test]
fn a_store_written_by_the_previous_version_opens_and_is_migrated() {
    let dir = private_dir();
    let path = dir.path().join("store.sqlite3");
    {
        // The schema of the first release (no user_version, no cancel or org scope columns).
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE pairing_codes (token_hash BLOB PRIMARY KEY, created_at INTEGER NOT NULL,
                 expires_at INTEGER NOT NULL, used_at INTEGER, browser_id TEXT);
             CREATE TABLE browsers (id TEXT PRIMARY KEY, public_key BLOB NOT NULL UNIQUE, label TEXT NOT NULL,
                 paired_at INTEGER NOT NULL, revoked_at INTEGER, last_seen_at INTEGER);
             CREATE TABLE messages (id TEXT PRIMARY KEY, browser_id TEXT NOT NULL REFERENCES browsers(id),
                 sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL);
             CREATE TABLE credentials (seq INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL, app TEXT NOT NULL,
                 version INTEGER NOT NULL, consumer_key TEXT NOT NULL, consumer_secret TEXT NOT NULL,
                 browser_id TEXT NOT NULL REFERENCES browsers(id), message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
                 stored_at INTEGER NOT NULL, UNIQUE (org, app, version));
             INSERT INTO browsers (id, public_key, label, paired_at) VALUES ('AAAAAAAAAAAA', x'00', 'old', 1);
             INSERT INTO messages VALUES ('m1', 'AAAAAAAAAAAA', 1, 1);
             INSERT INTO credentials (org, app, version, consumer_key, consumer_secret, browser_id, message_id, stored_at)
                 VALUES ('o.example.com', 'a', 1, '3MVG9OldKeyOfAnOldRelease', 'OldSecret', 'AAAAAAAAAAAA', 'm1', 1);",
        )
        .unwrap();
    }
    let conn = eca_guard_server::open_db(dir.path()).unwrap();
    let b = eca_guard_server::store::browser(&conn, "AAAAAAAAAAAA")
        .unwrap()
        .unwrap();
    assert_eq!((b.label.as_str(), b.orgs), ("old", None));
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 3);
    // Version 3 rebuilt the credentials table: the old version is there, with its key prefix.
    let got = eca_guard_server::store::get(&conn, "o.example.com", "a", None)
        .unwrap()
        .unwrap();
    assert_eq!((got.version, got.consumer_secret.as_str()), (1, "OldSecret"));
    let listed = eca_guard_server::store::list(&conn, None).unwrap();
    assert_eq!(listed[0].key_prefix, "3MVG9Old…");
    assert_eq!(listed[0].delivery, None);
    drop(conn);
    eca_guard_server::open_db(dir.path()).unwrap(); // and again: nothing left to do
}
