//! A credentials request with the Vault sink on: read the record's metadata, store the
//! version with its delivery (sealed while pending) in one transaction, then deliver it before
//! answering; whatever Vault says, the answer is only sent once the store holds the outcome.

use eca_guard::pairing::CredentialsPlain;

use super::deliver::{self, Decision, Job, Outcome};
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
    let decided = |s: DeliveryState, v: u64| NewDelivery {
        path: path.clone(),
        state: s,
        sealed: None,
        attempt_cas: None,
        vault_version: Some(v),
        problem: None,
        attempts: 1,
        next_attempt_ms: 0,
        received_at,
    };
    let vfp = super::seal::vault_fingerprint(c);
    // `first`: the metadata read for an attempt made by this request.
    let (delivery, first) = match earlier {
        // An older version of this record is still pending: it goes first, this one after it.
        Some(problem) => (pending(problem, 0, 0, None), None),
        None => match sink.client.read_meta(&path).await {
            Ok(meta) => match deliver::decide(&meta, &vfp, received_at, None) {
                Decision::Already(v) => (decided(DeliveryState::Delivered, v), None),
                Decision::Superseded(v) => (decided(DeliveryState::Superseded, v), None),
                Decision::Write(cas) => (pending(None, 0, now_ms(), Some(cas)), Some(meta)),
                Decision::Ours(_) => (pending(None, 0, now_ms(), None), Some(meta)),
            },
            Err(e) => {
                tracing::warn!(org = %c.org, app = %c.app, path = %path, problem = e.problem(), error = %e,
                    "Vault delivery pending: the credential is kept sealed and retried");
                let next = now_ms() + backoff_ms(1, sink.config.retry_max_secs);
                (pending(Some(e.problem().to_owned()), 1, next, None), None)
            }
        },
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
    match (outcome.delivery_added, pending_now, first) {
        (true, true, Some(meta)) => {
            let mut job = Job {
                seq: outcome.seq,
                path: &path,
                credentials: c,
                provenance: &provenance,
                attempt_cas,
            };
            let status = attempt(state, sink, &mut job, Some(meta), 0).await?;
            outcome.delivery = Some(status);
        }
        (added, true, _) => {
            if !added {
                // The same credential sent again while its delivery waits: try it now.
                let p = path.clone();
                state.0.writer.change(move |conn| store::retry_now(conn, &p)).await?;
            }
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
    first: Option<super::client::Meta>,
    attempts: u32,
) -> Result<DeliveryStatus, StoreError> {
    let c = job.credentials;
    let attempts = attempts.saturating_add(1);
    let seq = job.seq;
    match deliver::deliver(state, sink, job, first).await {
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
