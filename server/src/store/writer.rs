//! The writer: one thread owns the connection; concurrent requests are committed in groups
//! (one fsync for many), each in its own savepoint, and each answered only after the commit.

use rusqlite::{Connection, TransactionBehavior};

use super::credentials::{store, NewCredential};
use super::queries::pair;
use super::{NewDelivery, StoreError, StoreOutcome};

/// A received credential, as the writer stores it.
pub struct Incoming {
    /// Message id.
    pub message_id: String,
    /// Sender.
    pub browser_id: String,
    /// Message timestamp.
    pub sent_at: i64,
    /// Credentials.
    pub credentials: eca_guard::pairing::Credentials,
    /// Keyed fingerprint (`LocalKeys::local_fingerprint`).
    pub fingerprint: Vec<u8>,
    /// Whether the key and secret are kept (`store_secrets`).
    pub keep_secret: bool,
    /// The delivery to the Vault sink, when there is one.
    pub delivery: Option<NewDelivery>,
}

/// A change run in the writer's transaction (delivery updates).
pub type Change = Box<dyn FnOnce(&Connection) -> Result<(), StoreError> + Send>;

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
        /// What was received.
        incoming: Box<Incoming>,
        /// Answer.
        reply: tokio::sync::oneshot::Sender<Result<StoreOutcome, StoreError>>,
    },
    /// Run a change (committed with the group, in its own savepoint).
    Change {
        /// The change.
        change: Change,
        /// Answer.
        reply: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
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
    Change(
        tokio::sync::oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
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
            Done::Change(tx, _) => tx.send(Err(err())).map_err(|_| ()),
        };
    }

    fn send(self) {
        let _ = match self {
            Done::Pair(tx, r) => tx.send(r).map_err(|_| ()),
            Done::Store(tx, r) => tx.send(r).map_err(|_| ()),
            Done::Change(tx, r) => tx.send(r).map_err(|_| ()),
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
                    Job::Change { reply, .. } => Done::Change(reply, Err(StoreError::Closed)),
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
            Job::Store { incoming, reply } => {
                let i = &*incoming;
                let m = NewCredential {
                    message_id: &i.message_id,
                    browser_id: &i.browser_id,
                    sent_at: i.sent_at,
                    org: &i.credentials.org,
                    app: &i.credentials.app,
                    consumer_key: &i.credentials.consumer_key,
                    consumer_secret: &i.credentials.consumer_secret,
                    fingerprint: &i.fingerprint,
                    keep_secret: i.keep_secret,
                    delivery: i.delivery.as_ref(),
                };
                let r = in_savepoint(&mut tx, |c| store(c, &m, t));
                Done::Store(reply, r)
            }
            Job::Change { change, reply } => Done::Change(reply, in_savepoint(&mut tx, change)),
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
    pub async fn store(&self, incoming: Incoming) -> Result<StoreOutcome, StoreError> {
        self.ask(|reply| Job::Store {
            incoming: Box::new(incoming),
            reply,
        })
        .await
    }

    /// Runs a change in the writer's next group; returns after the commit is durable.
    pub async fn change(
        &self,
        change: impl FnOnce(&Connection) -> Result<(), StoreError> + Send + 'static,
    ) -> Result<(), StoreError> {
        self.ask(|reply| Job::Change {
            change: Box::new(change),
            reply,
        })
        .await
    }
}
