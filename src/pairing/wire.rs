//! What crosses the network, as JSON: the server's info, the envelope, the plaintexts inside
//! it, the sealed replies' contents and the error body.

use serde::{Deserialize, Serialize};

use super::error::{malformed, OpenError};
use super::names::key_prefix;
use super::VERSION;

/// `GET /v1/info`: the server's public description. Unauthenticated except `publicKey`, which
/// the browser checks against the pinned fingerprint; the same details arrive authenticated in
/// the pair reply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// Protocol version.
    pub v: u32,
    /// Display name ("Send to <name>").
    pub name: String,
    /// Raw X25519 public key, base64url.
    pub public_key: String,
    /// Short fingerprint.
    pub fingerprint: String,
    /// Callback URLs the integration uses (the ECA must list them).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Rule pack id the ECA must pass.
    #[serde(default)]
    pub pack: Option<String>,
}

/// An HPKE envelope as posted: `enc` is the encapsulated key, `ct` the ciphertext.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// Protocol version.
    pub v: u32,
    /// The sender's browser id (credentials only; absent for pairing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// Encapsulated key, base64url (32 bytes).
    pub enc: String,
    /// Ciphertext, base64url.
    pub ct: String,
}

impl Envelope {
    /// Parses a posted body.
    pub fn parse(body: &[u8]) -> Result<Self, OpenError> {
        let e: Envelope = serde_json::from_slice(body).map_err(|_| malformed("not a sealed envelope"))?;
        if e.v != VERSION {
            return Err(malformed("unsupported protocol version"));
        }
        Ok(e)
    }
}

/// Pair request plaintext.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PairPlain {
    /// One-time token from the code, base64url.
    pub token: String,
    /// The browser's static public key, base64url.
    pub browser_key: String,
    /// Free label ("Chrome on admin laptop").
    #[serde(default)]
    pub label: String,
}

/// Pair reply plaintext (sealed): the server's details, authenticated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PairReply {
    /// The id the server registered the browser under.
    pub browser_id: String,
    /// Server display name.
    pub name: String,
    /// Callback URLs the integration uses.
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Rule pack id.
    #[serde(default)]
    pub pack: Option<String>,
}

/// What the browser sends: org, app and the two credentials.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credentials {
    /// The org: its My Domain API host, lower case ([`is_org_host`]).
    pub org: String,
    /// The External Client App (or Connected App): its API name or record id ([`is_app_name`]).
    pub app: String,
    /// Consumer key.
    pub consumer_key: String,
    /// Consumer secret.
    pub consumer_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("org", &self.org)
            .field("app", &self.app)
            .field("consumer_key", &key_prefix(&self.consumer_key))
            .finish_non_exhaustive()
    }
}

/// Credentials plaintext: the credentials plus replay protection.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialsPlain {
    /// Random message id, base64url of 16 bytes; the server stores each once.
    pub id: String,
    /// Seconds since the Unix epoch when sealed.
    pub ts: u64,
    /// The credentials.
    pub credentials: Credentials,
}

impl std::fmt::Debug for CredentialsPlain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsPlain")
            .field("id", &self.id)
            .field("ts", &self.ts)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// The server's sealed answer to a credentials message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The message id acknowledged.
    pub id: String,
    /// Org as stored.
    pub org: String,
    /// App as stored.
    pub app: String,
    /// First characters of the key.
    pub key_prefix: String,
    /// Version of this org+app record (1 = first; higher = rotation).
    pub version: u32,
    /// True when these exact credentials were already the current version.
    pub unchanged: bool,
    /// Server display name.
    pub server: String,
    /// Where the credential went beyond the server's own store, when the server delivers it
    /// into Vault. Absent from servers without that sink (and from older servers), so a
    /// receipt without it reads as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// A receipt's delivery: to the server's Vault sink, done or pending.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The sink (`vault`).
    pub sink: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// The KV version in Vault (delivered or superseded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Why it is pending (`unreachable`, `permission_denied`, …): the server retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Vault acknowledged the write.
    Delivered,
    /// Stored on the server, sealed; delivery to Vault pending (retried).
    Pending,
    /// Not written: Vault already held a newer credential for the record.
    Superseded,
    /// A state a newer server reports: shown as stored, without more.
    #[serde(other)]
    Other,
}

/// The server's error JSON (`{"error": {"code", "message"}}`), shown as unauthenticated text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorDetail {
    /// Stable code (`unknown_browser`, `replayed`, …).
    pub code: String,
    /// Human text.
    pub message: String,
}
