//! The browser's side (the extension runs these in Wasm): build the pair request, complete the
//! pairing from the sealed reply, seal credentials, open the receipt.

use hpke::{OpModeS, Serializable as _};
use serde::{Deserialize, Serialize};

use super::code::PairingCode;
use super::codec::{b64, unb64};
use super::error::PairingError;
use super::keys::{browser_id, fingerprint, public_key, random, short_fingerprint, KeyPair};
use super::names::clean_label;
use super::response::ResponseKey;
use super::tokens::{PairPending, PairedKeys};
use super::wire::{Credentials, CredentialsPlain, Envelope, PairPlain, PairReply, Receipt};
use super::{Kdf, Kem, Suite, AAD_PAIR, AAD_PAIR_REPLY, EXPORT_RESPONSE, INFO_CREDENTIALS, INFO_PAIR};
use super::{MESSAGE_ID_LEN, VERSION};
use crate::error::Error;

/// A pair request ready to post.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PairRequest {
    /// `POST` here.
    pub url: String,
    /// JSON body.
    pub body: String,
    /// Keep in memory for [`pair_complete`] ([`PairPending::to_token`]).
    pub pending: String,
}

/// The outcome of pairing, for the extension to keep and show.
#[derive(Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Pairing {
    /// [`PairedKeys::to_token`]: keep it, pass it to `sealCredentials`.
    pub keys: String,
    /// Server origin.
    pub server: String,
    /// Short fingerprint of the pinned server key.
    pub fingerprint: String,
    /// This browser's id at the server.
    pub browser_id: String,
    /// Server display name.
    pub name: String,
    /// Callback URLs the integration uses.
    pub callback_urls: Vec<String>,
    /// Rule pack id.
    pub pack: Option<String>,
}

impl std::fmt::Debug for Pairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairing")
            .field("server", &self.server)
            .field("browser_id", &self.browser_id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Builds the pair request after checking the fetched `/v1/info` against the code.
/// `server_public_key` is `publicKey` from `GET /v1/info` (base64url).
pub fn pair_request(code: &str, server_public_key: &str, label: &str) -> Result<PairRequest, Error> {
    let c = PairingCode::decode(code)?;
    let server_key = unb64(server_public_key).ok_or(PairingError::ServerKey)?;
    if fingerprint(&server_key) != c.fingerprint {
        return Err(PairingError::WrongServerKey {
            server: c.server,
            expected: short_fingerprint(&c.fingerprint),
        }
        .into());
    }
    let pk = public_key(&server_key).ok_or(PairingError::ServerKey)?;
    let pk_raw: [u8; 32] = server_key.try_into().map_err(|_| PairingError::ServerKey)?;
    let browser = KeyPair::generate()?;
    let plain = PairPlain {
        token: b64(&c.token),
        browser_key: b64(browser.public()),
        label: clean_label(label),
    };
    let plain = serde_json::to_vec(&plain).map_err(|_| PairingError::Seal)?;
    random(&mut [0u8; 1])?; // the HPKE calls below draw from the same source and would panic
    let (enc, mut ctx) =
        hpke::setup_sender::<Suite, Kdf, Kem>(&OpModeS::Base, &pk, INFO_PAIR).map_err(|_| PairingError::Seal)?;
    let ct = ctx.seal(&plain, AAD_PAIR).map_err(|_| PairingError::Seal)?;
    let mut rk = [0u8; 32];
    ctx.export(EXPORT_RESPONSE, &mut rk).map_err(|_| PairingError::Seal)?;
    let env = Envelope {
        v: VERSION,
        browser: None,
        enc: b64(&enc.to_bytes()),
        ct: b64(&ct),
    };
    Ok(PairRequest {
        url: format!("{}/v1/pair", c.server),
        body: serde_json::to_string(&env).map_err(|_| PairingError::Seal)?,
        pending: PairPending {
            server: c.server,
            server_key: pk_raw,
            browser_secret: *browser.secret(),
            response_key: ResponseKey(rk),
        }
        .to_token(),
    })
}

fn complete_keys(pending: &PairPending) -> Result<PairedKeys, Error> {
    let browser = KeyPair::from_secret(&pending.browser_secret)?;
    Ok(PairedKeys {
        server: pending.server.clone(),
        server_key: pending.server_key,
        browser_secret: pending.browser_secret,
        browser_id: browser_id(browser.public()),
    })
}

/// The one field of the pair reply that [`open_pair_reply`] checks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplyBrowserId {
    browser_id: String,
}

/// Opens the server's pair reply and checks that the server registered this browser's key:
/// the one place both completions ([`pair_complete`], [`pair_complete_json`]) go through.
/// Returns the pending pairing, the keys to keep and the reply's JSON text.
fn open_pair_reply(pending: &str, body: &str) -> Result<(PairPending, PairedKeys, String), Error> {
    let pending = PairPending::from_token(pending)?;
    let text = pending.response_key.open_text(body, AAD_PAIR_REPLY)?;
    let keys = complete_keys(&pending)?;
    let id: ReplyBrowserId = crate::json::from_str(&text).map_err(|_| PairingError::AnswerNotUnderstood)?;
    if id.browser_id != keys.browser_id {
        return Err(PairingError::OtherBrowser.into());
    }
    Ok((pending, keys, text))
}

/// Opens the server's pair reply (`pending` is [`PairRequest::pending`]).
pub fn pair_complete(pending: &str, body: &str) -> Result<Pairing, Error> {
    let (pending, keys, text) = open_pair_reply(pending, body)?;
    let reply: PairReply = crate::json::from_str(&text).map_err(|_| PairingError::AnswerNotUnderstood)?;
    Ok(Pairing {
        keys: keys.to_token(),
        server: pending.server,
        fingerprint: short_fingerprint(&fingerprint(&pending.server_key)),
        browser_id: keys.browser_id,
        name: reply.name,
        callback_urls: reply.callback_urls,
        pack: reply.pack,
    })
}

/// [`pair_complete`] for the Wasm binding: JSON text
/// `{"keys", "server", "fingerprint", "browserId", "reply": {<the server's authenticated reply>}}`,
/// built without serde (every interpolated value is base64url, hex or a validated origin).
pub fn pair_complete_json(pending: &str, body: &str) -> Result<String, Error> {
    let (_, keys, reply) = open_pair_reply(pending, body)?;
    Ok(format!(
        r#"{{"keys":"{}","server":"{}","fingerprint":"{}","browserId":"{}","reply":{}}}"#,
        keys.to_token(),
        keys.server,
        short_fingerprint(&fingerprint(&keys.server_key)),
        keys.browser_id,
        reply
    ))
}

/// Credentials sealed and ready to post.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SealedCredentials {
    /// `POST` here.
    pub url: String,
    /// JSON body (an [`Envelope`]).
    pub body: String,
    /// Opens the receipt ([`open_receipt`]).
    pub response_key: String,
    /// The message id (matches the receipt's).
    pub message_id: String,
}

impl std::fmt::Debug for SealedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCredentials")
            .field("url", &self.url)
            .field("message_id", &self.message_id)
            .finish_non_exhaustive()
    }
}

/// Seals credentials from a paired browser to its server; `now` is seconds since the epoch.
/// `keys` is [`Pairing::keys`].
pub fn seal_credentials(keys: &str, credentials: &Credentials, now: u64) -> Result<SealedCredentials, Error> {
    let pairing = PairedKeys::from_token(keys)?;
    credentials.validate().map_err(PairingError::from)?;
    let mut id = [0u8; MESSAGE_ID_LEN];
    random(&mut id)?;
    let plain = CredentialsPlain {
        id: b64(&id),
        ts: now,
        credentials: credentials.clone(),
    };
    let plain_bytes = serde_json::to_vec(&plain).map_err(|_| PairingError::Seal)?;
    let pk = public_key(&pairing.server_key).ok_or(PairingError::KeysDamaged)?;
    let me = KeyPair::from_secret(&pairing.browser_secret)?
        .hpke()
        .ok_or(PairingError::KeysDamaged)?;
    let (enc, mut ctx) = hpke::setup_sender::<Suite, Kdf, Kem>(&OpModeS::Auth(me), &pk, INFO_CREDENTIALS)
        .map_err(|_| PairingError::Seal)?;
    let ct = ctx
        .seal(&plain_bytes, pairing.browser_id.as_bytes())
        .map_err(|_| PairingError::Seal)?;
    let mut rk = [0u8; 32];
    ctx.export(EXPORT_RESPONSE, &mut rk).map_err(|_| PairingError::Seal)?;
    let env = Envelope {
        v: VERSION,
        browser: Some(pairing.browser_id.clone()),
        enc: b64(&enc.to_bytes()),
        ct: b64(&ct),
    };
    Ok(SealedCredentials {
        url: format!("{}/v1/credentials", pairing.server),
        body: serde_json::to_string(&env).map_err(|_| PairingError::Seal)?,
        response_key: b64(&rk),
        message_id: plain.id,
    })
}

/// Opens the server's receipt for a credentials message (bound to its id).
pub fn open_receipt(response_key: &str, message_id: &str, body: &str) -> Result<Receipt, Error> {
    ResponseKey::from_b64(response_key)?.open(body, message_id.as_bytes())
}

/// [`open_receipt`] for the Wasm binding: the receipt's JSON text.
pub fn open_receipt_json(response_key: &str, message_id: &str, body: &str) -> Result<String, Error> {
    ResponseKey::from_b64(response_key)?.open_text(body, message_id.as_bytes())
}
