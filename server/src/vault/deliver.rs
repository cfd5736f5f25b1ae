//! One delivery: read the record's metadata, decide, write with check-and-set, describe the
//! new version; on a check-and-set conflict read again and decide again (docs/server.md,
//! "Several servers, one Vault").

use std::time::Duration;

use eca_guard::pairing::Credentials;

use super::client::{Meta, Written};
use super::error::VaultError;
use super::{describe, Provenance, Sink, VersionData};
use crate::store::{self, StoreError};
use crate::State;

/// What the current version of a record is, as far as its description tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Described<'a> {
    /// The description is of the current version.
    Current {
        /// Its fingerprint.
        fingerprint: &'a str,
        /// When the server that wrote it received it, Unix seconds.
        received_at: Option<i64>,
    },
    /// No description of the current version (none, or of an older one).
    Unknown {
        /// The version the description is of (0: none).
        described: u64,
    },
}

fn described(meta: &Meta) -> Described<'_> {
    let v = meta
        .custom
        .get("version")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    match meta.custom.get("fingerprint") {
        Some(fp) if v == meta.current_version => Described::Current {
            fingerprint: fp,
            received_at: meta.custom.get("received_at").and_then(|t| crate::text::parse_time(t)),
        },
        _ => Described::Unknown { described: v },
    }
}

/// What to do with a credential, given the record's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Write it as the next version, with this check-and-set version.
    Write(u64),
    /// Vault's current version already is this credential: delivered, nothing to write.
    Already(u64),
    /// The current version is the one this server wrote before it could record it (its
    /// description is missing): delivered; only the description is to be written.
    Ours(u64),
    /// Vault's current version is newer than this credential: not written.
    Superseded(u64),
}

/// The check-and-set decision. `received_at` is when this server received the credential,
/// `attempt_cas` the check-and-set version it last tried to write with.
pub fn decide(meta: &Meta, fingerprint: &str, received_at: i64, attempt_cas: Option<u64>) -> Decision {
    let v = meta.current_version;
    if v == 0 {
        return Decision::Write(0);
    }
    match described(meta) {
        Described::Current { fingerprint: fp, .. } if fp == fingerprint => Decision::Already(v),
        Described::Current {
            received_at: Some(theirs),
            ..
        } if theirs > received_at => Decision::Superseded(v),
        Described::Current { .. } => Decision::Write(v),
        // Written right after our own attempt, and not described since: our write, whose
        // acknowledgement we did not get to record.
        Described::Unknown { described } if attempt_cas == Some(v - 1) && described < v => Decision::Ours(v),
        // Nothing tells who wrote it: Vault's own time of the write decides.
        Described::Unknown { .. } if meta.current_created.is_some_and(|t| t > received_at) => Decision::Superseded(v),
        Described::Unknown { .. } => Decision::Write(v),
    }
}

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// In Vault as this KV version.
    Delivered(u64),
    /// Not written: Vault holds a newer credential (as this KV version).
    Superseded(u64),
}

/// Why a delivery is still pending.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// Vault could not take it.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Other servers kept writing the record between our reads and writes.
    #[error("the record kept changing under check-and-set; trying again later")]
    Conflict,
    /// The local store could not record the attempt.
    #[error("the store: {0}")]
    Store(#[from] StoreError),
}

impl DeliverError {
    /// The receipt's problem code.
    pub fn problem(&self) -> &'static str {
        match self {
            DeliverError::Vault(e) => e.problem(),
            DeliverError::Conflict => "conflict",
            DeliverError::Store(_) => "unavailable",
        }
    }
}

/// Reads, decisions and writes before a delivery gives up for now.
const ROUNDS: usize = 5;
/// How long an undescribed current version is given to be described by its writer (another
/// server between its write and its description) before the decision is made without it.
const DESCRIBE_GRACE: Duration = Duration::from_millis(200);

/// A credential to deliver.
pub struct Job<'a> {
    /// The version's row in the local store.
    pub seq: i64,
    /// The record's path.
    pub path: &'a str,
    /// The credential.
    pub credentials: &'a Credentials,
    /// Who sent it, when it arrived.
    pub provenance: &'a Provenance,
    /// The check-and-set version last attempted (recorded in the store before each write).
    pub attempt_cas: Option<u64>,
}

/// Delivers one credential. `guess`: a check-and-set version to write with at once, without
/// reading the record first (the version this server last saw there): if another writer came
/// in between, the write is refused as a conflict, and the record is read and decided on.
pub async fn deliver(
    state: &State,
    sink: &Sink,
    job: &mut Job<'_>,
    mut guess: Option<u64>,
) -> Result<Outcome, DeliverError> {
    let fp = super::seal::vault_fingerprint(job.credentials);
    let mut waited = false;
    for _ in 0..ROUNDS {
        let (meta, d) = match guess.take() {
            Some(cas) => (None, Decision::Write(cas)),
            None => {
                let m = sink.client.read_meta(job.path).await?;
                let d = decide(&m, &fp, job.provenance.received_at, job.attempt_cas);
                (Some(m), d)
            }
        };
        if matches!(d, Decision::Ours(_) | Decision::Superseded(_))
            && meta
                .as_ref()
                .is_some_and(|m| matches!(described(m), Described::Unknown { .. }))
            && !waited
        {
            waited = true;
            tokio::time::sleep(DESCRIBE_GRACE).await;
            continue;
        }
        match d {
            Decision::Already(v) => return Ok(Outcome::Delivered(v)),
            Decision::Superseded(v) => return Ok(Outcome::Superseded(v)),
            Decision::Ours(v) => {
                describe_version(sink, job, v).await;
                return Ok(Outcome::Delivered(v));
            }
            Decision::Write(cas) => {
                if job.attempt_cas != Some(cas) {
                    let seq = job.seq;
                    state
                        .0
                        .writer
                        .change(move |c| store::set_attempt_cas(c, seq, cas))
                        .await?;
                    job.attempt_cas = Some(cas);
                }
                let data = VersionData::new(job.credentials, job.provenance);
                match sink.client.write_data(job.path, cas, &data).await? {
                    Written::Version(v) => {
                        describe_version(sink, job, v).await;
                        return Ok(Outcome::Delivered(v));
                    }
                    Written::Conflict => {
                        tracing::debug!(path = %job.path, cas, "check-and-set conflict; reading the record again");
                    }
                }
            }
        }
    }
    Err(DeliverError::Conflict)
}

/// Writes the record's description of version `v`. The write itself is the delivery; a
/// description that cannot be written only makes later decisions rely on Vault's times.
async fn describe_version(sink: &Sink, job: &Job<'_>, v: u64) {
    let custom = describe(v, job.credentials, job.provenance);
    if let Err(e) = sink.client.write_custom(job.path, &custom).await {
        tracing::warn!(path = %job.path, version = v, error = %e, "Vault: the version is written, its description (custom metadata) is not");
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn meta(v: u64, custom: &[(&str, &str)], created: Option<i64>) -> Meta {
        Meta {
            current_version: v,
            custom: custom
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            current_created: created,
        }
    }

    const T: &str = "2026-12-01T10:00:00Z";

    #[test]
    fn a_new_record_is_written_with_cas_0() {
        assert_eq!(decide(&Meta::default(), "fp", 100, None), Decision::Write(0));
    }

    #[test]
    fn a_described_record_the_same_credential_newer_or_older() {
        let t = crate::text::parse_time(T).unwrap_or(0);
        let m = meta(3, &[("version", "3"), ("fingerprint", "fp"), ("received_at", T)], None);
        assert_eq!(decide(&m, "fp", t + 50, None), Decision::Already(3));
        assert_eq!(decide(&m, "other", t + 50, None), Decision::Write(3), "ours is newer");
        assert_eq!(
            decide(&m, "other", t - 50, None),
            Decision::Superseded(3),
            "theirs is newer"
        );
    }

    #[test]
    fn an_undescribed_version_is_ours_after_our_attempt_else_vaults_time_decides() {
        // Described up to 2, current 3, we attempted cas=2: our write.
        let m = meta(
            3,
            &[("version", "2"), ("fingerprint", "old"), ("received_at", T)],
            Some(500),
        );
        assert_eq!(decide(&m, "fp", 400, Some(2)), Decision::Ours(3));
        // Not our attempt: written after we received ours (500 > 400), so it is newer.
        assert_eq!(decide(&m, "fp", 400, None), Decision::Superseded(3));
        // Written before we received ours: ours is newer.
        assert_eq!(decide(&m, "fp", 600, None), Decision::Write(3));
        // A record written by hand (no description at all) before ours arrived.
        assert_eq!(decide(&meta(1, &[], Some(10)), "fp", 20, None), Decision::Write(1));
        assert_eq!(decide(&meta(1, &[], Some(10)), "fp", 20, Some(0)), Decision::Ours(1));
    }
}
