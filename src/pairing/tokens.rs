//! The opaque strings the extension keeps between calls: the pending pairing (in memory,
//! between the pair request and its reply) and the pairing's keys (in extension storage).
//! Both are [`codec`](super::codec) tokens; their layout is fixed by the first release (a test
//! decodes strings it wrote).

use super::code::normalise_server;
use super::codec::{Reader, Writer};
use super::error::PairingError;
use super::response::ResponseKey;
use crate::error::Error;

const PENDING_PREFIX: &str = "ecagp1.";
const KEYS_PREFIX: &str = "ecagk1.";

/// Carried between the pair request and its reply (the worker keeps it in memory as an opaque
/// string: `ecagp1.<base64url(server key ‖ browser secret ‖ response key ‖ origin)>`).
#[derive(Clone, PartialEq, Eq)]
pub struct PairPending {
    /// Server origin.
    pub server: String,
    /// Server public key (verified against the code).
    pub server_key: [u8; 32],
    /// Browser secret key.
    pub browser_secret: [u8; 32],
    /// Opens the reply.
    pub response_key: ResponseKey,
}

impl std::fmt::Debug for PairPending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairPending")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl PairPending {
    /// The opaque string form.
    pub fn to_token(&self) -> String {
        Writer::default()
            .bytes(&self.server_key)
            .bytes(&self.browser_secret)
            .bytes(&self.response_key.0)
            .bytes(self.server.as_bytes())
            .finish(PENDING_PREFIX)
    }

    /// From the opaque string form.
    pub fn from_token(token: &str) -> Result<Self, Error> {
        let raw = Reader::decode(token, PENDING_PREFIX).ok_or(PairingError::PendingDamaged)?;
        let mut r = Reader::new(&raw);
        let (server_key, browser_secret, response_key, server) =
            (|| Some((r.fixed()?, r.fixed()?, r.fixed()?, r.rest_str()?)))().ok_or(PairingError::PendingDamaged)?;
        Ok(PairPending {
            server: normalise_server(server).map_err(|_| PairingError::PendingDamaged)?,
            server_key,
            browser_secret,
            response_key: ResponseKey(response_key),
        })
    }
}

/// What sealing needs: the pinned server key and this browser's key and id. Its string form
/// (`ecagk1.…`) is what the extension keeps: the browser's own secret key, never a consumer
/// secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PairedKeys {
    /// Server origin.
    pub server: String,
    /// Server public key (pinned).
    pub server_key: [u8; 32],
    /// This browser's static secret key.
    pub browser_secret: [u8; 32],
    /// This browser's id at the server.
    pub browser_id: String,
}

impl std::fmt::Debug for PairedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairedKeys")
            .field("server", &self.server)
            .field("browser_id", &self.browser_id)
            .finish_non_exhaustive()
    }
}

impl PairedKeys {
    /// The opaque string form: `ecagk1.<base64url(server key ‖ browser secret ‖ id length ‖ id ‖ origin)>`.
    pub fn to_token(&self) -> String {
        Writer::default()
            .bytes(&self.server_key)
            .bytes(&self.browser_secret)
            .short(self.browser_id.as_bytes())
            .bytes(self.server.as_bytes())
            .finish(KEYS_PREFIX)
    }

    /// From the opaque string form.
    pub fn from_token(token: &str) -> Result<Self, Error> {
        let raw = Reader::decode(token, KEYS_PREFIX).ok_or(PairingError::KeysDamaged)?;
        let mut r = Reader::new(&raw);
        let (server_key, browser_secret, id, server) =
            (|| Some((r.fixed()?, r.fixed()?, r.short()?, r.rest_str()?)))().ok_or(PairingError::KeysDamaged)?;
        Ok(PairedKeys {
            server: normalise_server(server).map_err(|_| PairingError::KeysDamaged)?,
            server_key,
            browser_secret,
            browser_id: String::from_utf8(id.to_vec()).map_err(|_| PairingError::KeysDamaged)?,
        })
    }
}
