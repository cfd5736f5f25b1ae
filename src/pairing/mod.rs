//! Pairing with an `eca-guard-server` and sealing credentials to it, shared by the browser (Wasm)
//! and the server (native).
//!
//! No new cryptography: HPKE (RFC 9180) with the suite X25519-HKDF-SHA256 / HKDF-SHA256 /
//! ChaCha20-Poly1305 from the `hpke` crate.
//!
//! * **Pairing code** `ecag1.<base64url(fingerprint[32] ‖ token[16] ‖ server origin)>`: the
//!   SHA-256 fingerprint of the server's X25519 public key, a one-time token, the server's origin.
//!   The browser fetches `GET /v1/info`, and keeps the public key only if its fingerprint equals
//!   the one in the code (pinning; the code travelled out of band, from the admin's terminal).
//! * **Pair request** (`POST /v1/pair`): HPKE Base mode to the pinned server key; the plaintext
//!   carries the token and the browser's fresh static X25519 public key.
//! * **Credentials** (`POST /v1/credentials`): HPKE Auth mode from the browser's static key to the
//!   server's key, so only a paired browser can produce a message the server opens. The
//!   plaintext carries a random message id and a timestamp (replay protection on the server) and
//!   the envelope's browser id is bound as additional authenticated data.
//! * **Responses** to both are sealed with ChaCha20-Poly1305 under a key exported from the same
//!   HPKE context (RFC 9180 §5.3), so only the server holding the private key can produce a
//!   receipt the browser accepts: a man in the middle can neither read nor forge either way.
//!
//! Files by concern: `codec` (base64url and the binary token reader and writer), `keys`,
//! `code` (the pairing code and server addresses), `tokens` (what the extension keeps between
//! calls), `wire` (the JSON that crosses the network), `names` (what an org, an app and a label
//! may look like), `response` (sealed answers), `browser` and `server` (each side's steps),
//! `error`.

mod browser;
mod code;
mod codec;
mod error;
mod keys;
mod names;
mod response;
mod server;
mod tokens;
mod wire;

#[cfg(test)]
mod names_tests;
#[cfg(test)]
mod tests;

pub use browser::{
    open_receipt, open_receipt_json, pair_complete, pair_complete_json, pair_request, seal_credentials, PairRequest,
    Pairing, SealedCredentials,
};
pub use code::{begin, normalise_server, PairingCode, PairingStart};
pub use codec::{b64, unb64};
pub use error::{OpenError, PairingError};
pub use keys::{browser_id, fingerprint, is_browser_id, random, short_fingerprint, KeyPair, BROWSER_ID_LEN};
pub use names::{clean_label, is_app_name, is_format, is_org_host, key_prefix, CredentialsError};
pub use response::ResponseKey;
pub use server::{open_credentials, open_pair, seal_pair_reply, seal_receipt, OpenedPair};
pub use tokens::{PairPending, PairedKeys};
pub use wire::{
    Credentials, CredentialsPlain, Delivery, DeliveryState, Envelope, ErrorBody, ErrorDetail, PairPlain, PairReply,
    Receipt, ServerInfo,
};

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Suite = hpke::aead::ChaCha20Poly1305;

/// Protocol version carried in every envelope.
pub const VERSION: u32 = 1;
/// Prefix of a pairing code (the `1` is the code format's version).
pub const CODE_PREFIX: &str = "ecag1.";
/// Length of the one-time pairing token, bytes.
pub const TOKEN_LEN: usize = 16;
/// Length of a message id, bytes.
pub const MESSAGE_ID_LEN: usize = 16;
/// Longest browser label kept, characters.
pub const MAX_NAME: usize = 255;
/// Longest consumer key or secret accepted, characters.
pub const MAX_CREDENTIAL: usize = 512;

const INFO_PAIR: &[u8] = b"eca-guard/v1/pair";
const INFO_CREDENTIALS: &[u8] = b"eca-guard/v1/credentials";
const AAD_PAIR: &[u8] = b"eca-guard/v1/pair";
const EXPORT_RESPONSE: &[u8] = b"eca-guard/v1/response";
const AAD_PAIR_REPLY: &[u8] = b"eca-guard/v1/pair-reply";
/// Prefix of a sealed response body (`ecagr1.<base64url(ChaCha20-Poly1305 ciphertext)>`).
/// Refusals are JSON instead (`{"error": …}`), so the two never look alike.
pub const RESPONSE_PREFIX: &str = "ecagr1.";
const BROWSER_ID_DOMAIN: &[u8] = b"eca-guard/v1/browser-id";
