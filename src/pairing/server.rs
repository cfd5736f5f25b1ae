//! The server's side: open pair requests and credentials messages with the server's key, and
//! seal the answers.

use hpke::{Deserializable as _, OpModeR};

use super::codec::{unb64, unb64_fixed};
use super::error::{malformed, OpenError};
use super::keys::{browser_id, is_browser_id, public_key, KeyPair};
use super::names::clean_label;
use super::response::ResponseKey;
use super::wire::{CredentialsPlain, Envelope, PairPlain, PairReply, Receipt};
use super::{Kdf, Kem, Suite, AAD_PAIR, AAD_PAIR_REPLY, EXPORT_RESPONSE, INFO_CREDENTIALS, INFO_PAIR};
use super::{MESSAGE_ID_LEN, TOKEN_LEN};
use crate::error::Error;

fn open_common(
    mode: &OpModeR<Kem>,
    server: &KeyPair,
    env: &Envelope,
    info: &[u8],
    aad: &[u8],
) -> Result<(Vec<u8>, ResponseKey), OpenError> {
    let enc_raw: [u8; 32] = unb64_fixed(&env.enc).ok_or(malformed("enc is not 32 bytes of base64url"))?;
    let ct = unb64(&env.ct).ok_or(malformed("ct is not base64url"))?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc_raw).map_err(|_| malformed("enc is not a key"))?;
    let (sk, _) = server.hpke().ok_or(OpenError::Crypto)?;
    let mut ctx = hpke::setup_receiver::<Suite, Kdf, Kem>(mode, &sk, &enc, info).map_err(|_| OpenError::Crypto)?;
    let plain = ctx.open(&ct, aad).map_err(|_| OpenError::Crypto)?;
    let mut rk = [0u8; 32];
    ctx.export(EXPORT_RESPONSE, &mut rk).map_err(|_| OpenError::Crypto)?;
    Ok((plain, ResponseKey(rk)))
}

/// An opened pair request.
pub struct OpenedPair {
    /// The token from the code.
    pub token: [u8; TOKEN_LEN],
    /// The browser's static public key.
    pub browser_key: [u8; 32],
    /// Its id.
    pub browser_id: String,
    /// Its label.
    pub label: String,
    /// Seals the reply.
    pub response: ResponseKey,
}

/// Opens a pair request with the server's key pair.
pub fn open_pair(server: &KeyPair, env: &Envelope) -> Result<OpenedPair, OpenError> {
    if env.browser.is_some() {
        return Err(malformed("a pair request carries no browser id"));
    }
    let (plain, response) = open_common(&OpModeR::Base, server, env, INFO_PAIR, AAD_PAIR)?;
    let p: PairPlain =
        serde_json::from_slice(&plain).map_err(|_| malformed("the pair request is not of the expected shape"))?;
    let token = unb64_fixed::<TOKEN_LEN>(&p.token).ok_or(malformed("the token is not 16 bytes of base64url"))?;
    let browser_key =
        unb64_fixed::<32>(&p.browser_key).ok_or(malformed("the browser key is not 32 bytes of base64url"))?;
    let label = clean_label(&p.label);
    Ok(OpenedPair {
        token,
        browser_id: browser_id(&browser_key),
        browser_key,
        label,
        response,
    })
}

/// Opens a credentials message from the browser whose registered public key is `browser_key`.
pub fn open_credentials(
    server: &KeyPair,
    browser_key: &[u8],
    env: &Envelope,
) -> Result<(CredentialsPlain, ResponseKey), OpenError> {
    let browser = env.browser.as_deref().ok_or(malformed("no browser id"))?;
    if !is_browser_id(browser) {
        return Err(malformed("the browser id is not well formed"));
    }
    let mode = OpModeR::Auth(public_key(browser_key).ok_or(malformed("a public key must be 32 bytes"))?);
    let (plain, response) = open_common(&mode, server, env, INFO_CREDENTIALS, browser.as_bytes())?;
    let p: CredentialsPlain = serde_json::from_slice(&plain)
        .map_err(|_| malformed("the credentials message is not of the expected shape"))?;
    unb64_fixed::<MESSAGE_ID_LEN>(&p.id).ok_or(malformed("the message id is not 16 bytes of base64url"))?;
    p.credentials.validate().map_err(OpenError::Invalid)?;
    Ok((p, response))
}

/// Seals the server's pair reply (server side).
pub fn seal_pair_reply(key: &ResponseKey, reply: &PairReply) -> Result<String, Error> {
    key.seal(reply, AAD_PAIR_REPLY)
}

/// Seals the server's receipt (server side), bound to the message id.
pub fn seal_receipt(key: &ResponseKey, receipt: &Receipt) -> Result<String, Error> {
    key.seal(receipt, receipt.id.as_bytes())
}
