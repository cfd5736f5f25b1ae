//! Sealing the answer to a request: ChaCha20-Poly1305 under a key both sides export from the
//! request's HPKE context (RFC 9180 §5.3), so only the server that opened the request can
//! answer it, and the answer is bound to its request.

use chacha20poly1305::aead::Aead as _;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit as _};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::{b64, unb64, unb64_fixed};
use super::error::PairingError;
use super::RESPONSE_PREFIX;
use crate::error::Error;

/// The key that seals (server) or opens (browser) the response to one request.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseKey(pub(super) [u8; 32]);

impl std::fmt::Debug for ResponseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResponseKey(..)")
    }
}

impl ResponseKey {
    /// Base64url, to carry it through JS between the request and its response.
    pub fn to_b64(&self) -> String {
        b64(&self.0)
    }

    /// From base64url.
    pub fn from_b64(text: &str) -> Result<Self, Error> {
        Ok(ResponseKey(unb64_fixed(text).ok_or(PairingError::ResponseKey)?))
    }

    /// Seals a response body (server side). `aad` binds it to its request: the message id for
    /// a receipt, so a receipt for one message never opens as the receipt for another.
    pub fn seal<T: Serialize>(&self, value: &T, aad: &[u8]) -> Result<String, Error> {
        let plain = serde_json::to_vec(value).map_err(|_| PairingError::Seal)?;
        let cipher = ChaCha20Poly1305::new(&self.0.into());
        // The key is used for exactly one message, so a zero nonce is safe.
        let ct = cipher
            .encrypt(&[0u8; 12].into(), chacha20poly1305::aead::Payload { msg: &plain, aad })
            .map_err(|_| PairingError::Seal)?;
        Ok(format!("{RESPONSE_PREFIX}{}", b64(&ct)))
    }

    /// Opens a response body to its JSON text (browser side; the Wasm binding hands the text to
    /// `JSON.parse`, which keeps serde deserializers out of the module).
    pub fn open_text(&self, body: &str, aad: &[u8]) -> Result<String, Error> {
        let ct = body
            .trim()
            .strip_prefix(RESPONSE_PREFIX)
            .and_then(unb64)
            .ok_or(PairingError::ForeignAnswer)?;
        let cipher = ChaCha20Poly1305::new(&self.0.into());
        let plain = cipher
            .decrypt(&[0u8; 12].into(), chacha20poly1305::aead::Payload { msg: &ct, aad })
            .map_err(|_| PairingError::NotAuthentic)?;
        Ok(String::from_utf8(plain).map_err(|_| PairingError::AnswerNotUnderstood)?)
    }

    /// Opens a response body into a typed value.
    pub fn open<T: DeserializeOwned>(&self, body: &str, aad: &[u8]) -> Result<T, Error> {
        let text = self.open_text(body, aad)?;
        Ok(crate::json::from_str(&text).map_err(|_| PairingError::AnswerNotUnderstood)?)
    }
}
