//! The retrier: delivers the pending versions when they are due (oldest first; a record whose
//! oldest pending version fails waits with all its later ones), sleeping until the next one is
//! due or a request wakes it. It starts with the server, so pending versions left by a stopped
//! or killed server are delivered after a restart.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::deliver::Job;
use super::receive::attempt;
use super::{now_ms, Provenance, Sink};
use crate::store::{self, StoreError};
use crate::State;

/// The longest sleep between two looks at the queue.
const IDLE: Duration = Duration::from_secs(60);
/// Pending versions read per look.
const BATCH: usize = 64;

/// Runs until the runtime stops.
pub async fn run(state: State, sink: Arc<Sink>) {
    loop {
        if let Err(e) = round(&state, &sink).await {
            tracing::error!(error = %e, "Vault retrier: the store failed; trying again later");
        }
        let next = {
            let conn = state.0.reader.lock().map_err(|_| StoreError::Closed);
            conn.and_then(|c| store::next_due_ms(&c)).ok().flatten()
        };
        let wait = next.map_or(IDLE, |t| {
            Duration::from_millis(u64::try_from(t.saturating_sub(now_ms())).unwrap_or(0)).min(IDLE)
        });
        if wait.is_zero() {
            // Due already (a failed round, or a new send): a short pause keeps a broken store
            // from spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = sink.wake.notified() => {}
        }
    }
}

async fn round(state: &State, sink: &Sink) -> Result<(), StoreError> {
    let due = {
        let conn = state.0.reader.lock().map_err(|_| StoreError::Closed)?;
        store::pending_due(&conn, now_ms(), BATCH)?
    };
    let mut waiting: HashSet<String> = HashSet::new();
    for p in due {
        if waiting.contains(&p.path) {
            continue;
        }
        let _record = sink.lock(&p.path).await;
        // The request that stored it, or an earlier round, may have delivered it meanwhile.
        let fresh = {
            let conn = state.0.reader.lock().map_err(|_| StoreError::Closed)?;
            match store::pending(&conn, p.seq)? {
                Some(f) if store::earlier_pending(&conn, &f.path, f.seq)?.is_none() => Some(f),
                Some(_) => {
                    waiting.insert(p.path.clone());
                    None
                }
                None => None,
            }
        };
        let Some(p) = fresh else { continue };
        let credentials = match state.0.local_keys.open(&p.message_id, &p.org, &p.app, &p.sealed) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(org = %p.org, app = %p.app, error = %e, "Vault retrier: a pending credential cannot be opened");
                let (seq, attempts) = (p.seq, p.attempts.saturating_add(1));
                let next = now_ms() + super::backoff_ms(attempts, sink.config.retry_max_secs);
                state
                    .0
                    .writer
                    .change(move |c| store::fail_delivery(c, seq, "unreadable", attempts, next))
                    .await?;
                waiting.insert(p.path.clone());
                continue;
            }
        };
        let provenance = Provenance {
            browser_id: p.browser_id.clone(),
            message_id: p.message_id.clone(),
            received_at: p.received_at,
            server: state.config().name.clone(),
        };
        let mut job = Job {
            seq: p.seq,
            path: &p.path,
            credentials: &credentials,
            provenance: &provenance,
            attempt_cas: p.attempt_cas,
        };
        let status = attempt(state, sink, &mut job, None, p.attempts).await?;
        if status.state == store::DeliveryState::Pending {
            waiting.insert(p.path.clone());
        }
    }
    Ok(())
}
