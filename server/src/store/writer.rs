//! The writer: one thread owns the connection; concurrent requests are committed in groups
//! (one fsync for many), each in its own savepoint, and each answered only after the commit.

use rusqlite::{Connection, TransactionBehavior};

use super::queries::{pair, store, NewCredential};
use super::{StoreError, StoreOutcome};

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
            Done::Store(tx, _) => tx.send(Err(err())).map_err(|_| ()),
        };
    }

    fn send(self) {
        let _ = match self {
            Done::Pair(tx, r) => tx.send(r).map_err(|_| ()),
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
