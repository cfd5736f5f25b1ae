//! Why pairing, sealing or opening failed. Each failure is a variant with a fixed message, so
//! the extension can branch on the variant (the Wasm binding puts its name in the JS error's
//! `variant`, src/wasm.rs) and nothing a peer sent is ever echoed back into a message.

use super::names::CredentialsError;

/// A pairing or sealing step that failed on this side (browser or server).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PairingError {
    /// The system has no randomness to give.
    #[error("no randomness is available")]
    NoRandomness,
    /// A stored secret key is not 32 bytes.
    #[error("a secret key must be 32 bytes")]
    SecretKey,
    /// A server address that is not `http(s)://host[:port]`; the text says what is wrong.
    #[error("the server address {0}")]
    ServerAddress(&'static str),
    /// Pasted text that is not a pairing code.
    #[error("this is not an ECA Guard pairing code (it must start with `ecag1.`)")]
    NotACode,
    /// A pairing code that does not decode.
    #[error("the pairing code is damaged; copy it again")]
    CodeDamaged,
    /// The server's public key (from `/v1/info`) is not 32 bytes of base64url.
    #[error("the server's public key is not a key")]
    ServerKey,
    /// The server's public key is not the one the code pins.
    #[error(
        "the server at {server} does not hold the key this code pins (expected {expected}): someone may be in \
         between, or the code is for another server"
    )]
    WrongServerKey {
        /// The server's origin (normalised).
        server: String,
        /// The short fingerprint the code pins.
        expected: String,
    },
    /// HPKE or the response cipher refused to seal.
    #[error("the message cannot be sealed")]
    Seal,
    /// The pending pairing kept between request and reply does not decode.
    #[error("the pending pairing is damaged; pair again")]
    PendingDamaged,
    /// The kept pairing (this browser's keys) does not decode.
    #[error("the pairing is damaged; pair again")]
    KeysDamaged,
    /// A response key does not decode.
    #[error("the response key is damaged")]
    ResponseKey,
    /// The answer is not a sealed ECA Guard answer.
    #[error("the server's answer is not an ECA Guard answer")]
    ForeignAnswer,
    /// The answer does not open under the key of this request.
    #[error("the server's answer is not authentic (not sealed by the paired server for this message)")]
    NotAuthentic,
    /// The answer opens, but is not the JSON expected.
    #[error("the server's answer is not understood")]
    AnswerNotUnderstood,
    /// The server registered another browser id than this browser's key gives.
    #[error("the server registered another key than this browser's")]
    OtherBrowser,
    /// The credentials do not pass validation.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
}

impl PairingError {
    /// The variant's name, for JS to branch on (`variant` on the JS error).
    pub fn variant(&self) -> &'static str {
        match self {
            PairingError::NoRandomness => "NoRandomness",
            PairingError::SecretKey => "SecretKey",
            PairingError::ServerAddress(_) => "ServerAddress",
            PairingError::NotACode => "NotACode",
            PairingError::CodeDamaged => "CodeDamaged",
            PairingError::ServerKey => "ServerKey",
            PairingError::WrongServerKey { .. } => "WrongServerKey",
            PairingError::Seal => "Seal",
            PairingError::PendingDamaged => "PendingDamaged",
            PairingError::KeysDamaged => "KeysDamaged",
            PairingError::ResponseKey => "ResponseKey",
            PairingError::ForeignAnswer => "ForeignAnswer",
            PairingError::NotAuthentic => "NotAuthentic",
            PairingError::AnswerNotUnderstood => "AnswerNotUnderstood",
            PairingError::OtherBrowser => "OtherBrowser",
            PairingError::Credentials(_) => "Credentials",
        }
    }
}

impl From<PairingError> for crate::Error {
    fn from(e: PairingError) -> Self {
        crate::Error::Pairing(e)
    }
}

/// Why an incoming envelope was refused (server side; the server maps these to HTTP answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Not the expected shape (bad JSON, bad base64, wrong lengths). Fixed text: never what a
    /// parser says, which quotes the sender's bytes (docs/server.md, "Every refusal").
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    /// The credentials inside do not pass validation.
    #[error("malformed message: {0}")]
    Invalid(CredentialsError),
    /// The ciphertext does not open: tampered, sealed to another key, or not from this sender.
    #[error("the message does not open (tampered, or not sealed by this peer)")]
    Crypto,
}

pub(super) fn malformed(msg: &'static str) -> OpenError {
    OpenError::Malformed(msg)
}
