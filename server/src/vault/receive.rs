//! A credentials request with the Vault sink on: store the version with its delivery (sealed
//! while pending) in one transaction, then deliver it before answering, writing with the
//! check-and-set version this server last saw at the record; whatever Vault says, the answer
//! is only sent once the store holds the outcome.

use eca_guard::pairing::CredentialsPlain;

use super::deliver::{self, Job, Outcome};
use super::{backoff_ms, now_ms, Provenance, Sink};
use crate::store::{self, DeliveryState, DeliveryStatus, Incoming, NewDelivery, StoreError, StoreOutcome};
use crate::State;

/// Stores `plain` and delivers it to Vault (or leaves it pending, sealed, for the retrier).
pub async fn receive(
    state: &State,
    sink: &Sink,
    plain: &CredentialsPlain,
    browser_id: &str,
    fingerprint: Vec<u8>,
) -> Result<StoreOutcome, StoreError> {
    let c = &plain.credentials;
    let path = sink.config.path(&c.org, &c.app);
    // Deliveries of one record go one at a time (this request or the retrier), in order.
    let _record = sink.lock(&path).await;
    let received_at = i64::try_from(crate::now_secs()).unwrap_or(i64::MAX);
    let provenance = Provenance {
        browser_id: browser_id.to_owned(),
        message_id: plain.id.clone(),
        received_at,
        server: state.config().name.clone(),
    };
    let sealed = state
        .0
        .local_keys
        .seal(&plain.id, c)
        .map_err(|e| StoreError::Seal(e.to_string()))?;
    let earlier = {
        let conn = state.0.reader.lock().map_err(|_| StoreError::Closed)?;
        store::earlier_pending(&conn, &path, i64::MAX)?
    };
    let pending =
        |problem: Option<String>, attempts: u32, next_attempt_ms: i64, attempt_cas: Option<u64>| NewDelivery {
            path: path.clone(),
            state: DeliveryState::Pending,
            sealed: Some(sealed.clone()),
            attempt_cas,
            vault_version: None,
            problem,
            attempts,
            next_attempt_ms,
            received_at,
        };
    // `guess`: the check-and-set version this request writes with first, the one this server
    // last saw at the record (a conflict reads the record and decides: vault/deliver.rs).
    let (delivery, guess) = match earlier {
        // An older version of this record is still pending: it goes first, this one after it.
        Some(problem) => (pending(problem, 0, 0, None), None),
        None => {
            let cas = {
                let conn = state.0.reader.lock().map_err(|_| StoreError::Closed)?;
                store::last_vault_version(&conn, &path)?
            };
            (pending(None, 0, now_ms(), Some(cas)), Some(cas))
        }
    };
    let attempt_cas = delivery.attempt_cas;
    let mut outcome = state
        .0
        .writer
        .store(Incoming {
            message_id: plain.id.clone(),
            browser_id: browser_id.to_owned(),
            sent_at: i64::try_from(plain.ts).unwrap_or(i64::MAX),
            credentials: c.clone(),
            fingerprint,
            keep_secret: state.config().store_secrets,
            delivery: Some(delivery),
        })
        .await?;
    let pending_now = outcome
        .delivery
        .as_ref()
        .is_some_and(|d| d.state == DeliveryState::Pending);
    match (outcome.delivery_added, pending_now, guess) {
        (true, true, Some(cas)) => {
            let mut job = Job {
                seq: outcome.seq,
                path: &path,
                credentials: c,
                provenance: &provenance,
                attempt_cas,
            };
            let status = attempt(state, sink, &mut job, Some(cas), 0).await?;
            outcome.delivery = Some(status);
        }
        (_, true, _) => {
            // A send for a record whose delivery waits (the same credential again, or a newer
            // one queued behind an older): its pending versions are tried now.
            let p = path.clone();
            state.0.writer.change(move |conn| store::retry_now(conn, &p)).await?;
            sink.wake.notify_one();
        }
        _ => {}
    }
    Ok(outcome)
}

/// One delivery attempt of a pending version (this request's, or the retrier's), and its
/// outcome recorded in the store. `attempts` counts the earlier ones.
pub(super) async fn attempt(
    state: &State,
    sink: &Sink,
    job: &mut Job<'_>,
    guess: Option<u64>,
    attempts: u32,
) -> Result<DeliveryStatus, StoreError> {
    let c = job.credentials;
    let attempts = attempts.saturating_add(1);
    let seq = job.seq;
    match deliver::deliver(state, sink, job, guess).await {
        Ok(outcome) => {
            let (s, v) = match outcome {
                Outcome::Delivered(v) => (DeliveryState::Delivered, v),
                Outcome::Superseded(v) => (DeliveryState::Superseded, v),
            };
            let now = i64::try_from(crate::now_secs()).unwrap_or(i64::MAX);
            state
                .0
                .writer
                .change(move |conn| store::finish_delivery(conn, seq, s, v, attempts, now))
                .await?;
            if s == DeliveryState::Delivered {
                tracing::info!(org = %c.org, app = %c.app, path = %job.path, vault_version = v, attempts, "delivered to Vault");
            } else {
                tracing::warn!(org = %c.org, app = %c.app, path = %job.path, vault_version = v,
                    "not written to Vault: it already holds a newer credential for this record");
            }
            Ok(DeliveryStatus {
                state: s,
                path: job.path.to_owned(),
                vault_version: Some(v),
                problem: None,
                attempts,
            })
        }
        Err(e) => {
            let problem = e.problem();
            tracing::warn!(org = %c.org, app = %c.app, path = %job.path, problem, attempts, error = %e,
                "Vault delivery pending: the credential is kept sealed and retried");
            let next = now_ms() + backoff_ms(attempts, sink.config.retry_max_secs);
            state
                .0
                .writer
                .change(move |conn| store::fail_delivery(conn, seq, problem, attempts, next))
                .await?;
            sink.wake.notify_one();
            Ok(DeliveryStatus {
                state: DeliveryState::Pending,
                path: job.path.to_owned(),
                vault_version: None,
                problem: Some(problem.to_owned()),
                attempts,
            })
        }
    }
}
