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

use chacha20poly1305::aead::Aead as _;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit as _};
use hpke::{Deserializable as _, Kem as _, OpModeR, OpModeS, Serializable as _};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::Error;

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

/// Why an incoming envelope was refused. The server maps these to HTTP answers; the browser
/// gets them as [`Error::Pairing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Not the expected shape (bad JSON, bad base64, wrong lengths). Fixed text: never what a
    /// parser says, which quotes the sender's bytes (docs/server.md, "logs").
    Malformed(&'static str),
    /// The credentials inside do not pass [`Credentials::validate`].
    Invalid(CredentialsError),
    /// The ciphertext does not open: tampered, sealed to another key, or not from this sender.
    Crypto,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Malformed(why) => write!(f, "malformed message: {why}"),
            OpenError::Invalid(why) => write!(f, "malformed message: {why}"),
            OpenError::Crypto => f.write_str("the message does not open (tampered, or not sealed by this peer)"),
        }
    }
}

impl From<OpenError> for Error {
    fn from(e: OpenError) -> Self {
        Error::Pairing(e.to_string())
    }
}

fn err(msg: impl Into<String>) -> Error {
    Error::Pairing(msg.into())
}

fn malformed(msg: &'static str) -> OpenError {
    OpenError::Malformed(msg)
}

const B64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5), the encoding of every binary field. Written out
/// here (a few lines) rather than a crate, to keep the Wasm module small.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(B64_ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url without padding; `None` for any other character, a dangling sixth of a
/// byte (length ≡ 1 mod 4) or non-zero trailing bits (so each byte string has one encoding).
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if t.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3 + 2);
    for chunk in t.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64_ALPHABET.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let keep = chunk.len() - 1;
        if bytes[1 + keep..].iter().any(|b| *b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[1..1 + keep]);
    }
    Some(out)
}

/// `N` bytes from base64url; `bad` says which field is not (fixed text, see [`OpenError`]).
fn unb64_fixed<const N: usize>(text: &str, bad: &'static str) -> Result<[u8; N], OpenError> {
    unb64(text).and_then(|v| v.try_into().ok()).ok_or(malformed(bad))
}

/// Fills `buf` from the system's CSPRNG (`crypto.getRandomValues` in the browser).
pub fn random(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| err(format!("no randomness available: {e}")))
}

/// SHA-256 of a raw X25519 public key: what a pairing code pins.
pub fn fingerprint(public_key: &[u8]) -> [u8; 32] {
    Sha256::digest(public_key).into()
}

/// The first 8 bytes of a fingerprint in hex, grouped by two bytes, for people to compare
/// (`3f2a-91c0-…`). Never used for verification: the code pins all 32 bytes.
pub fn short_fingerprint(fp: &[u8; 32]) -> String {
    let hex: Vec<String> = fp[..8].chunks(2).map(|c| format!("{:02x}{:02x}", c[0], c[1])).collect();
    hex.join("-")
}

/// Length of a browser id: base64url of 9 bytes.
pub const BROWSER_ID_LEN: usize = 12;

/// Whether `id` has the shape of a [`browser_id`]: checked before an id from the network is
/// looked up or logged, so it can carry nothing else.
pub fn is_browser_id(id: &str) -> bool {
    id.len() == BROWSER_ID_LEN && id.bytes().all(|b| B64_ALPHABET.contains(&b))
}

/// The id the server gives a browser: derived from its public key, so both sides compute it.
pub fn browser_id(public_key: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(BROWSER_ID_DOMAIN);
    h.update(public_key);
    let d = h.finalize();
    b64(&d[..9])
}

// ------------------------------------------------------------------------------------------
// Keys

/// A static X25519 key pair (the server's, or a browser's), raw 32-byte encodings.
#[derive(Clone)]
pub struct KeyPair {
    secret: [u8; 32],
    public: [u8; 32],
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &b64(&self.public))
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A fresh key pair from the system's CSPRNG.
    pub fn generate() -> Result<Self, Error> {
        let mut seed = [0u8; 32];
        random(&mut seed)?;
        Self::from_secret(&seed)
    }

    /// Rebuilds the pair from the 32-byte secret key.
    pub fn from_secret(secret: &[u8]) -> Result<Self, Error> {
        let sk =
            <Kem as hpke::Kem>::PrivateKey::from_bytes(secret).map_err(|_| err("a secret key must be 32 bytes"))?;
        let pk = Kem::sk_to_pk(&sk);
        let mut public = [0u8; 32];
        public.copy_from_slice(&pk.to_bytes());
        let mut s = [0u8; 32];
        s.copy_from_slice(&sk.to_bytes());
        Ok(KeyPair { secret: s, public })
    }

    /// The raw public key.
    pub fn public(&self) -> &[u8; 32] {
        &self.public
    }

    /// The raw secret key (to store it; the caller keeps it private).
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    fn hpke_secret(&self) -> Result<<Kem as hpke::Kem>::PrivateKey, OpenError> {
        <Kem as hpke::Kem>::PrivateKey::from_bytes(&self.secret).map_err(|_| OpenError::Crypto)
    }

    fn hpke_public(&self) -> Result<<Kem as hpke::Kem>::PublicKey, OpenError> {
        public_key(&self.public)
    }
}

fn public_key(raw: &[u8]) -> Result<<Kem as hpke::Kem>::PublicKey, OpenError> {
    <Kem as hpke::Kem>::PublicKey::from_bytes(raw).map_err(|_| malformed("a public key must be 32 bytes"))
}

// ------------------------------------------------------------------------------------------
// Pairing code

/// A decoded pairing code.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The server's origin, e.g. `http://127.0.0.1:8787`.
    pub server: String,
    /// SHA-256 of the server's public key.
    pub fingerprint: [u8; 32],
    /// The one-time token.
    pub token: [u8; TOKEN_LEN],
}

impl std::fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingCode")
            .field("server", &self.server)
            .field("fingerprint", &short_fingerprint(&self.fingerprint))
            .finish_non_exhaustive()
    }
}

/// Normalises a server address to its origin (`scheme://host[:port]`, host lower-cased, default
/// port dropped), refusing anything but http(s) with a plain host name, IPv4 or bracketed IPv6
/// address, an optional port, and nothing after it but one `/`. Deliberately strict and
/// self-contained (no URL parser): the address comes from a code the admin pastes.
pub fn normalise_server(address: &str) -> Result<String, Error> {
    let bad = |why: &str| err(format!("the server address `{address}` {why}"));
    let a = address.trim();
    let (scheme, rest) = a
        .split_once("://")
        .ok_or_else(|| bad("must start with http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad("must start with http:// or https://")),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad("has an unclosed `[`"))?;
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(bad("has an invalid IPv6 address"));
        }
        (
            format!("[{}]", h.to_ascii_lowercase()),
            after
                .strip_prefix(':')
                .map(str::to_owned)
                .or_else(|| (!after.is_empty()).then(|| "x".into())),
        )
    } else {
        let (h, p) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.to_owned())),
            None => (rest, None),
        };
        let ok = !h.is_empty()
            && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !h.starts_with(['.', '-']);
        if !ok {
            return Err(bad(
                "must be scheme://host[:port] with nothing else (no path, user or query)",
            ));
        }
        (h.to_ascii_lowercase(), p)
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("has an invalid port"))?,
        ),
    };
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

impl PairingCode {
    /// Encodes as `ecag1.<base64url>`.
    pub fn encode(&self) -> String {
        let mut raw = Vec::with_capacity(32 + TOKEN_LEN + self.server.len());
        raw.extend_from_slice(&self.fingerprint);
        raw.extend_from_slice(&self.token);
        raw.extend_from_slice(self.server.as_bytes());
        format!("{CODE_PREFIX}{}", b64(&raw))
    }

    /// Decodes a code as pasted (surrounding white space and line breaks are ignored).
    pub fn decode(code: &str) -> Result<Self, Error> {
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let body = compact
            .strip_prefix(CODE_PREFIX)
            .ok_or_else(|| err("this is not an ECA Guard pairing code (it must start with `ecag1.`)"))?;
        let raw = unb64(body).ok_or_else(|| err("the pairing code is damaged (not base64url); copy it again"))?;
        if raw.len() <= 32 + TOKEN_LEN {
            return Err(err("the pairing code is too short; copy it again"));
        }
        let server = std::str::from_utf8(&raw[32 + TOKEN_LEN..])
            .map_err(|_| err("the pairing code is damaged; copy it again"))?;
        let server = normalise_server(server)?;
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(&raw[..32]);
        let mut token = [0u8; TOKEN_LEN];
        token.copy_from_slice(&raw[32..32 + TOKEN_LEN]);
        Ok(PairingCode {
            server,
            fingerprint,
            token,
        })
    }
}

/// What the browser must do with a code before pairing: fetch `infoUrl`, check the key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PairingStart {
    /// The server's origin.
    pub server: String,
    /// Host permission pattern to request (`<origin>/*`).
    pub origin_pattern: String,
    /// `GET` this; its `publicKey` must match the code's fingerprint.
    pub info_url: String,
    /// `POST` the pair request here.
    pub pair_url: String,
    /// Short fingerprint for the user to compare with the server's `pair` output.
    pub fingerprint: String,
}

/// Decodes a code into what the browser fetches next.
pub fn begin(code: &str) -> Result<PairingStart, Error> {
    let c = PairingCode::decode(code)?;
    Ok(PairingStart {
        origin_pattern: format!("{}/*", c.server),
        info_url: format!("{}/v1/info", c.server),
        pair_url: format!("{}/v1/pair", c.server),
        fingerprint: short_fingerprint(&c.fingerprint),
        server: c.server,
    })
}

// ------------------------------------------------------------------------------------------
// Wire types

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

/// The first characters of a consumer key, for receipts and listings (`3MVG9abc…`).
pub fn key_prefix(key: &str) -> String {
    let p: String = key.chars().take(8).collect();
    if key.chars().count() > 8 {
        format!("{p}…")
    } else {
        p
    }
}

/// Why credentials are refused (both sides run [`Credentials::validate`]). Fixed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The org is not a lower-case host name ([`is_org_host`]).
    #[error("the org must be the org's lower-case host name, such as acme.my.salesforce.com")]
    Org,
    /// The app is neither an API name nor a record id ([`is_app_name`]).
    #[error(
        "the app must be its API name (a letter, then letters, digits or _, at most 80 characters) or its record id"
    )]
    App,
    /// The consumer key is empty, too long or not printable ASCII without spaces.
    #[error("the consumer key is empty, too long, or has characters a consumer key never has")]
    Key,
    /// The consumer secret is empty, too long or not printable ASCII without spaces.
    #[error("the consumer secret is empty, too long, or has characters a consumer secret never has")]
    Secret,
}

/// Unicode format characters (general category Cf: bidi controls, zero-width characters, tag
/// characters) and the line and paragraph separators: invisible, or they reorder or break the
/// text around them, so a name or log line would not read as what it is.
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// A browser's free label as kept and shown: without control or format characters, at most
/// [`MAX_NAME`] characters.
pub fn clean_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .take(MAX_NAME)
        .collect()
}

/// An org is the API host of its My Domain: a lower-case DNS host name (RFC 1123 labels of
/// `a-z`, `0-9` and inner `-`, 1 to 63 characters each; at least two labels; at most 253
/// characters). Nothing else can name a path, a shell word or a look-alike.
pub fn is_org_host(v: &str) -> bool {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    (1..=253).contains(&v.len()) && v.contains('.') && v.split('.').all(label_ok)
}

/// An app is its API name (a letter, then letters, digits or `_`; at most 80 characters, as
/// Salesforce allows) or its record id (15 or 18 characters, starting with a digit, e.g.
/// `0xI…`).
pub fn is_app_name(v: &str) -> bool {
    let b = v.as_bytes();
    let api_name = (1..=80).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let record_id = matches!(b.len(), 15 | 18) && b[0].is_ascii_digit() && b.iter().all(u8::is_ascii_alphanumeric);
    api_name || record_id
}

fn credential_ok(v: &str) -> bool {
    !v.is_empty() && v.len() <= MAX_CREDENTIAL && v.bytes().all(|b| b.is_ascii_graphic())
}

impl Credentials {
    /// Checks lengths and characters (both sides run this).
    pub fn validate(&self) -> Result<(), CredentialsError> {
        if !is_org_host(&self.org) {
            return Err(CredentialsError::Org);
        }
        if !is_app_name(&self.app) {
            return Err(CredentialsError::App);
        }
        if !credential_ok(&self.consumer_key) {
            return Err(CredentialsError::Key);
        }
        if !credential_ok(&self.consumer_secret) {
            return Err(CredentialsError::Secret);
        }
        Ok(())
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
}

// ------------------------------------------------------------------------------------------
// Response sealing (both directions use the exported key)

/// The key that seals (server) or opens (browser) the response to one request.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseKey([u8; 32]);

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
        Ok(ResponseKey(unb64_fixed::<32>(
            text,
            "the response key is not 32 bytes of base64url",
        )?))
    }

    /// Seals a response body (server side). `aad` binds it to its request: the message id for
    /// a receipt, so a receipt for one message never opens as the receipt for another.
    pub fn seal<T: Serialize>(&self, value: &T, aad: &[u8]) -> Result<String, Error> {
        let plain = serde_json::to_vec(value).map_err(|e| err(format!("cannot encode the response: {e}")))?;
        let cipher = ChaCha20Poly1305::new(&self.0.into());
        // The key is used for exactly one message, so a zero nonce is safe.
        let ct = cipher
            .encrypt(&[0u8; 12].into(), chacha20poly1305::aead::Payload { msg: &plain, aad })
            .map_err(|_| err("cannot seal the response"))?;
        Ok(format!("{RESPONSE_PREFIX}{}", b64(&ct)))
    }

    /// Opens a response body to its JSON text (browser side; the Wasm binding hands the text to
    /// `JSON.parse`, which keeps serde deserializers out of the module).
    pub fn open_text(&self, body: &str, aad: &[u8]) -> Result<String, Error> {
        let ct = body
            .trim()
            .strip_prefix(RESPONSE_PREFIX)
            .and_then(unb64)
            .ok_or_else(|| err("the server's answer is not an ECA Guard answer"))?;
        let cipher = ChaCha20Poly1305::new(&self.0.into());
        let plain = cipher
            .decrypt(&[0u8; 12].into(), chacha20poly1305::aead::Payload { msg: &ct, aad })
            .map_err(|_| {
                err("the server's answer is not authentic (not sealed by the paired server for this message)")
            })?;
        String::from_utf8(plain).map_err(|_| err("the server's answer is not text"))
    }

    /// Opens a response body into a typed value.
    pub fn open<T: DeserializeOwned>(&self, body: &str, aad: &[u8]) -> Result<T, Error> {
        let text = self.open_text(body, aad)?;
        crate::json::from_str(&text).map_err(|e| err(format!("the server's answer is not understood: {e}")))
    }
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

/// Text for a refusal: the server's error JSON (unauthenticated) or a generic line.
pub fn server_error_text(status: u16, body: &str) -> String {
    match crate::json::from_str::<ErrorBody>(body) {
        Ok(e) => format!("the server refused ({status}, {}): {}", e.error.code, e.error.message),
        Err(_) => format!("the server answered {status}, not as an ECA Guard server"),
    }
}

// ------------------------------------------------------------------------------------------
// Browser side

fn token_prefix<'a>(token: &'a str, prefix: &str, what: &str) -> Result<Vec<u8>, Error> {
    let body: &'a str = token
        .strip_prefix(prefix)
        .ok_or_else(|| err(format!("the {what} is damaged; pair again")))?;
    unb64(body).ok_or_else(|| err(format!("the {what} is damaged; pair again")))
}

fn split_server(raw: &[u8], what: &str) -> Result<String, Error> {
    let s = std::str::from_utf8(raw).map_err(|_| err(format!("the {what} is damaged; pair again")))?;
    normalise_server(s)
}

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
        let mut raw = Vec::with_capacity(96 + self.server.len());
        raw.extend_from_slice(&self.server_key);
        raw.extend_from_slice(&self.browser_secret);
        raw.extend_from_slice(&self.response_key.0);
        raw.extend_from_slice(self.server.as_bytes());
        format!("ecagp1.{}", b64(&raw))
    }

    /// From the opaque string form.
    pub fn from_token(token: &str) -> Result<Self, Error> {
        let raw = token_prefix(token, "ecagp1.", "pending pairing")?;
        if raw.len() <= 96 {
            return Err(err("the pending pairing is damaged; pair again"));
        }
        let mut k = [[0u8; 32]; 3];
        for (i, part) in k.iter_mut().enumerate() {
            part.copy_from_slice(&raw[32 * i..32 * (i + 1)]);
        }
        Ok(PairPending {
            server: split_server(&raw[96..], "pending pairing")?,
            server_key: k[0],
            browser_secret: k[1],
            response_key: ResponseKey(k[2]),
        })
    }
}

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

/// What sealing needs: the pinned server key and this browser's key and id. Its string form
/// (`ecagk1.…`) is what the extension keeps in chrome.storage.local: the browser's own secret
/// key, never a consumer secret.
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
        let mut raw = Vec::with_capacity(65 + self.browser_id.len() + self.server.len());
        raw.extend_from_slice(&self.server_key);
        raw.extend_from_slice(&self.browser_secret);
        raw.push(self.browser_id.len() as u8);
        raw.extend_from_slice(self.browser_id.as_bytes());
        raw.extend_from_slice(self.server.as_bytes());
        format!("ecagk1.{}", b64(&raw))
    }

    /// From the opaque string form.
    pub fn from_token(token: &str) -> Result<Self, Error> {
        let raw = token_prefix(token, "ecagk1.", "pairing")?;
        let damaged = || err("the pairing is damaged; pair again");
        let id_len = usize::from(*raw.get(64).ok_or_else(damaged)?);
        let id = raw.get(65..65 + id_len).ok_or_else(damaged)?;
        let server = raw.get(65 + id_len..).ok_or_else(damaged)?;
        let mut server_key = [0u8; 32];
        server_key.copy_from_slice(&raw[..32]);
        let mut browser_secret = [0u8; 32];
        browser_secret.copy_from_slice(&raw[32..64]);
        Ok(PairedKeys {
            server: split_server(server, "pairing")?,
            server_key,
            browser_secret,
            browser_id: String::from_utf8(id.to_vec()).map_err(|_| damaged())?,
        })
    }
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
    let server_key = unb64(server_public_key).ok_or_else(|| err("the server's public key is not base64url"))?;
    if fingerprint(&server_key) != c.fingerprint {
        return Err(err(format!(
            "the server at {} does not hold the key this code pins (expected {}): \
             someone may be in between, or the code is for another server",
            c.server,
            short_fingerprint(&c.fingerprint)
        )));
    }
    let pk = public_key(&server_key)?;
    let pk_raw: &[u8; 32] = server_key
        .as_slice()
        .try_into()
        .map_err(|_| err("the server key must be 32 bytes"))?;
    let browser = KeyPair::generate()?;
    let plain = PairPlain {
        token: b64(&c.token),
        browser_key: b64(browser.public()),
        label: clean_label(label),
    };
    let plain = serde_json::to_vec(&plain).map_err(|e| err(e.to_string()))?;
    random(&mut [0u8; 1])?; // the HPKE calls below draw from the same source and would panic
    let (enc, mut ctx) = hpke::setup_sender::<Suite, Kdf, Kem>(&OpModeS::Base, &pk, INFO_PAIR)
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let ct = ctx
        .seal(&plain, AAD_PAIR)
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let mut rk = [0u8; 32];
    ctx.export(EXPORT_RESPONSE, &mut rk)
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let env = Envelope {
        v: VERSION,
        browser: None,
        enc: b64(&enc.to_bytes()),
        ct: b64(&ct),
    };
    Ok(PairRequest {
        url: format!("{}/v1/pair", c.server),
        body: serde_json::to_string(&env).map_err(|e| err(e.to_string()))?,
        pending: PairPending {
            server: c.server,
            server_key: *pk_raw,
            browser_secret: *browser.secret(),
            response_key: ResponseKey(rk),
        }
        .to_token(),
    })
}

/// Seals the server's pair reply (server side).
pub fn seal_pair_reply(key: &ResponseKey, reply: &PairReply) -> Result<String, Error> {
    key.seal(reply, AAD_PAIR_REPLY)
}

/// Seals the server's receipt (server side), bound to the message id.
pub fn seal_receipt(key: &ResponseKey, receipt: &Receipt) -> Result<String, Error> {
    key.seal(receipt, receipt.id.as_bytes())
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
    let id: ReplyBrowserId = crate::json::from_str(&text).map_err(|_| err("the server's answer is not understood"))?;
    if id.browser_id != keys.browser_id {
        return Err(err("the server registered another key than this browser's"));
    }
    Ok((pending, keys, text))
}

/// Opens the server's pair reply (`pending` is [`PairRequest::pending`]).
pub fn pair_complete(pending: &str, body: &str) -> Result<Pairing, Error> {
    let (pending, keys, text) = open_pair_reply(pending, body)?;
    let reply: PairReply =
        crate::json::from_str(&text).map_err(|e| err(format!("the server's answer is not understood: {e}")))?;
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
    credentials.validate().map_err(|e| err(e.to_string()))?;
    let mut id = [0u8; MESSAGE_ID_LEN];
    random(&mut id)?;
    let plain = CredentialsPlain {
        id: b64(&id),
        ts: now,
        credentials: credentials.clone(),
    };
    let plain_bytes = serde_json::to_vec(&plain).map_err(|e| err(e.to_string()))?;
    let pk = public_key(&pairing.server_key)?;
    let me = KeyPair::from_secret(&pairing.browser_secret)?;
    let mode = OpModeS::Auth((me.hpke_secret()?, me.hpke_public()?));
    let (enc, mut ctx) = hpke::setup_sender::<Suite, Kdf, Kem>(&mode, &pk, INFO_CREDENTIALS)
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let ct = ctx
        .seal(&plain_bytes, pairing.browser_id.as_bytes())
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let mut rk = [0u8; 32];
    ctx.export(EXPORT_RESPONSE, &mut rk)
        .map_err(|e| err(format!("cannot seal: {e}")))?;
    let env = Envelope {
        v: VERSION,
        browser: Some(pairing.browser_id.clone()),
        enc: b64(&enc.to_bytes()),
        ct: b64(&ct),
    };
    Ok(SealedCredentials {
        url: format!("{}/v1/credentials", pairing.server),
        body: serde_json::to_string(&env).map_err(|e| err(e.to_string()))?,
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

// ------------------------------------------------------------------------------------------
// Server side

fn open_common(
    mode: &OpModeR<Kem>,
    server: &KeyPair,
    env: &Envelope,
    info: &[u8],
    aad: &[u8],
) -> Result<(Vec<u8>, ResponseKey), OpenError> {
    let enc_raw = unb64_fixed::<32>(&env.enc, "enc is not 32 bytes of base64url")?;
    let ct = unb64(&env.ct).ok_or_else(|| malformed("ct is not base64url"))?;
    let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc_raw).map_err(|_| malformed("enc is not a key"))?;
    let sk = server.hpke_secret()?;
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
    let token = unb64_fixed::<TOKEN_LEN>(&p.token, "the token is not 16 bytes of base64url")?;
    let browser_key = unb64_fixed::<32>(&p.browser_key, "the browser key is not 32 bytes of base64url")?;
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
    let mode = OpModeR::Auth(public_key(browser_key)?);
    let (plain, response) = open_common(&mode, server, env, INFO_CREDENTIALS, browser.as_bytes())?;
    let p: CredentialsPlain = serde_json::from_slice(&plain)
        .map_err(|_| malformed("the credentials message is not of the expected shape"))?;
    unb64_fixed::<MESSAGE_ID_LEN>(&p.id, "the message id is not 16 bytes of base64url")?;
    p.credentials.validate().map_err(OpenError::Invalid)?;
    Ok((p, response))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn server() -> (KeyPair, ServerInfo) {
        let kp = KeyPair::generate().unwrap();
        let info = ServerInfo {
            v: 1,
            name: "Veeam prod".into(),
            public_key: b64(kp.public()),
            fingerprint: short_fingerprint(&fingerprint(kp.public())),
            callback_urls: vec!["https://veeam.acme.internal".into()],
            pack: Some("veeam-eca".into()),
        };
        (kp, info)
    }

    fn code_for(kp: &KeyPair) -> (String, [u8; 16]) {
        let token = [7u8; 16];
        let c = PairingCode {
            server: "http://127.0.0.1:8787".into(),
            fingerprint: fingerprint(kp.public()),
            token,
        };
        (c.encode(), token)
    }

    fn paired() -> (KeyPair, Pairing, Vec<u8>) {
        let (kp, info) = server();
        let (code, token) = code_for(&kp);
        let req = pair_request(&code, &info.public_key, "test").unwrap();
        let env = Envelope::parse(req.body.as_bytes()).unwrap();
        let opened = open_pair(&kp, &env).unwrap();
        assert_eq!(opened.token, token);
        let reply = PairReply {
            browser_id: opened.browser_id.clone(),
            name: info.name.clone(),
            callback_urls: info.callback_urls.clone(),
            pack: info.pack.clone(),
        };
        let body = seal_pair_reply(&opened.response, &reply).unwrap();
        let pairing = pair_complete(&req.pending, &body).unwrap();
        (kp, pairing, opened.browser_key.to_vec())
    }

    fn creds() -> Credentials {
        Credentials {
            org: "acme.my.salesforce.com".into(),
            app: "Veeam_Backup".into(),
            consumer_key: "3MVG9abcdefghijklmnop".into(),
            consumer_secret: "S3CR3T-DO-NOT-LEAK-0123456789".into(),
        }
    }

    /// Strings written by the first release (before the module was split and its hand-written
    /// token formats became one codec): they must still decode to the same values, and
    /// encoding those values must give the same strings, byte for byte.
    #[test]
    fn tokens_and_codes_of_the_first_release_still_decode_byte_identically() {
        let b = |start: u8| -> [u8; 32] { std::array::from_fn(|i| start.wrapping_add(i as u8 * 7)) };
        let code = "ecag1.AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09rIycrLzM3Oz9DR0tPU1dbXaHR0cDovL3ZlZWFtLmFjbWUuaW50ZXJuYWw6ODc4Nw";
        let pending = "ecagp1.AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dwFDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3gkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1NviaHR0cHM6Ly9bOjoxXTo5NDQz";
        let keys = "ecagk1.CxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM_W3eQNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5gwteVEyeF9hQmNEZUZodHRwOi8vMTI3LjAuMC4xOjg3ODc";
        let response_key = "ERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4-o";
        let receipt_body = "ecagr1.uqMUG255e7HOZYVexZkowtIL-CCCY90F__P-4ze2q-z1f1eE-OMLa94TfvkFryio5Yz3wWq7j2HEjJaImIV94dviq-J5aq_PNvN9LmgwW7rijYfTljGYuR09jyC-yJ0UO0OEhrM-2gZ2-tjJyR68MQsn3YbQJpSZrfFUROyO0cwo5wbPcv1BoQAjDKwoUcvFQAkWTbX1c0HAHXx7Ja21TJfgp7m_0Nwu_NvR8V7z4b4o";

        let c = PairingCode::decode(code).unwrap();
        let want = PairingCode {
            server: "http://veeam.acme.internal:8787".into(),
            fingerprint: b(1),
            token: std::array::from_fn(|i| 200 + i as u8),
        };
        assert!(c == want);
        assert_eq!(want.encode(), code);

        let p = PairPending::from_token(pending).unwrap();
        let want = PairPending {
            server: "https://[::1]:9443".into(),
            server_key: b(3),
            browser_secret: b(5),
            response_key: ResponseKey(b(9)),
        };
        assert!(p == want);
        assert_eq!(want.to_token(), pending);

        let k = PairedKeys::from_token(keys).unwrap();
        let want = PairedKeys {
            server: "http://127.0.0.1:8787".into(),
            server_key: b(11),
            browser_secret: b(13),
            browser_id: "-yQ2x_aBcDeF".into(),
        };
        assert!(k == want);
        assert_eq!(want.to_token(), keys);

        let rk = ResponseKey::from_b64(response_key).unwrap();
        assert!(rk == ResponseKey(b(17)));
        assert_eq!(rk.to_b64(), response_key);
        let receipt = Receipt {
            id: "AAECAwQFBgcICQoLDA0ODw".into(),
            org: "acme.my.salesforce.com".into(),
            app: "Veeam_Backup".into(),
            key_prefix: "3MVG9abc…".into(),
            version: 2,
            unchanged: false,
            server: "Veeam prod".into(),
        };
        assert_eq!(open_receipt(response_key, &receipt.id, receipt_body).unwrap(), receipt);
        assert_eq!(seal_receipt(&rk, &receipt).unwrap(), receipt_body);
    }

    #[test]
    fn base64url_matches_rfc4648() {
        for (raw, enc) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"\xfb\xff", "-_8"),
        ] {
            assert_eq!(b64(raw), enc);
            assert_eq!(unb64(enc).unwrap(), raw);
        }
        assert!(unb64("Zh").is_none(), "non-zero trailing bits");
        assert!(unb64("Z").is_none());
        assert!(unb64("Zm9v=").is_none());
        assert!(unb64("Zm+v").is_none());
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unb64(&b64(&all)).unwrap(), all);
    }

    #[test]
    fn tokens_round_trip() {
        let (_, pairing, _) = paired();
        let k = PairedKeys::from_token(&pairing.keys).unwrap();
        assert_eq!(k.to_token(), pairing.keys);
        assert_eq!(k.browser_id, pairing.browser_id);
        assert!(PairedKeys::from_token("ecagk1.AAAA").is_err());
        assert!(PairPending::from_token("ecagk1.AAAA").is_err());
    }

    #[test]
    fn code_round_trip_and_begin() {
        let (kp, _) = server();
        let (code, _) = code_for(&kp);
        assert!(code.starts_with("ecag1."));
        let d = PairingCode::decode(&format!("  {}\n", code)).unwrap();
        assert_eq!(d.server, "http://127.0.0.1:8787");
        let s = begin(&code).unwrap();
        assert_eq!(s.info_url, "http://127.0.0.1:8787/v1/info");
        assert_eq!(s.origin_pattern, "http://127.0.0.1:8787/*");
        assert!(begin("ecag2.abc").is_err());
        assert!(begin("ecag1.!!!").is_err());
        assert!(begin("ecag1.AAAA").is_err());
    }

    #[test]
    fn normalise_refuses_paths_and_schemes() {
        assert_eq!(
            normalise_server("http://Example.com:80/").unwrap(),
            "http://example.com"
        );
        assert!(normalise_server("ftp://x").is_err());
        assert!(normalise_server("http://x/a").is_err());
        assert!(normalise_server("http://u:p@x").is_err());
        assert!(normalise_server("http://x?a").is_err());
        assert!(normalise_server("http://x:99999").is_err());
        assert!(normalise_server("http://x:").is_err());
        assert_eq!(normalise_server("HTTPS://X.Example:443").unwrap(), "https://x.example");
        assert_eq!(
            normalise_server("http://127.0.0.1:8787/").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert_eq!(normalise_server("http://[::1]:8787").unwrap(), "http://[::1]:8787");
        assert!(normalise_server("http://[::1]x").is_err());
    }

    #[test]
    fn wrong_server_key_is_refused() {
        let (kp, _) = server();
        let (_, other) = server();
        let (code, _) = code_for(&kp);
        let e = pair_request(&code, &other.public_key, "x").unwrap_err();
        assert!(e.to_string().contains("does not hold the key"), "{e}");
    }

    #[test]
    fn seal_open_receipt() {
        let (kp, pairing, bk) = paired();
        assert_eq!(pairing.name, "Veeam prod");
        let sealed = seal_credentials(&pairing.keys, &creds(), 1_700_000_000).unwrap();
        assert!(!sealed.body.contains("S3CR3T"));
        let env = Envelope::parse(sealed.body.as_bytes()).unwrap();
        let (plain, rk) = open_credentials(&kp, &bk, &env).unwrap();
        assert_eq!(plain.credentials, creds());
        assert_eq!(plain.ts, 1_700_000_000);
        let receipt = Receipt {
            id: plain.id.clone(),
            org: plain.credentials.org.clone(),
            app: plain.credentials.app.clone(),
            key_prefix: key_prefix(&plain.credentials.consumer_key),
            version: 1,
            unchanged: false,
            server: "Veeam prod".into(),
        };
        let body = seal_receipt(&rk, &receipt).unwrap();
        assert_eq!(
            open_receipt(&sealed.response_key, &sealed.message_id, &body).unwrap(),
            receipt
        );
        // A receipt from anyone else does not open.
        let forged = seal_receipt(&ResponseKey([9; 32]), &receipt).unwrap();
        assert!(open_receipt(&sealed.response_key, &sealed.message_id, &forged).is_err());
        // The right key but another message's id: refused (the receipt is bound to its message).
        let other = Receipt {
            id: b64(&[1; 16]),
            ..receipt.clone()
        };
        let misbound = seal_receipt(&rk, &other).unwrap();
        assert!(open_receipt(&sealed.response_key, &sealed.message_id, &misbound).is_err());
        // The JSON form carries the same receipt.
        let j: Receipt =
            serde_json::from_str(&open_receipt_json(&sealed.response_key, &sealed.message_id, &body).unwrap()).unwrap();
        assert_eq!(j, receipt);
        // Debug never shows the secret.
        assert!(!format!("{plain:?}").contains("S3CR3T"));
    }

    #[test]
    fn tamper_and_wrong_sender_fail() {
        let (kp, pairing, bk) = paired();
        let sealed = seal_credentials(&pairing.keys, &creds(), 1).unwrap();
        let env = Envelope::parse(sealed.body.as_bytes()).unwrap();
        let mut ct = unb64(&env.ct).unwrap();
        ct[3] ^= 1;
        let bad = Envelope {
            ct: b64(&ct),
            ..env.clone()
        };
        assert_eq!(open_credentials(&kp, &bk, &bad).unwrap_err(), OpenError::Crypto);
        let other = KeyPair::generate().unwrap();
        assert_eq!(
            open_credentials(&kp, other.public(), &env).unwrap_err(),
            OpenError::Crypto
        );
        let renamed = Envelope {
            browser: Some("someoneelse1".into()),
            ..env
        };
        assert_eq!(open_credentials(&kp, &bk, &renamed).unwrap_err(), OpenError::Crypto);
    }

    #[test]
    fn a_reply_for_another_browser_id_is_refused_by_both_completions() {
        let (kp, info) = server();
        let (code, _) = code_for(&kp);
        let req = pair_request(&code, &info.public_key, "test").unwrap();
        let opened = open_pair(&kp, &Envelope::parse(req.body.as_bytes()).unwrap()).unwrap();
        let reply = PairReply {
            browser_id: "AAAAAAAAAAAA".into(),
            name: info.name.clone(),
            callback_urls: vec![],
            pack: None,
        };
        let body = seal_pair_reply(&opened.response, &reply).unwrap();
        assert!(pair_complete(&req.pending, &body).is_err());
        // The Wasm binding's path (the one the extension runs) makes the same check.
        assert!(pair_complete_json(&req.pending, &body).is_err());
        let good = PairReply {
            browser_id: opened.browser_id.clone(),
            ..reply
        };
        let body = seal_pair_reply(&opened.response, &good).unwrap();
        let json: serde_json::Value = serde_json::from_str(&pair_complete_json(&req.pending, &body).unwrap()).unwrap();
        assert_eq!(json["browserId"], opened.browser_id.as_str());
        assert_eq!(json["reply"]["browserId"], opened.browser_id.as_str());
    }

    #[test]
    fn an_org_is_a_host_name_and_an_app_an_api_name_or_record_id() {
        let with = |org: &str, app: &str| {
            Credentials {
                org: org.into(),
                app: app.into(),
                ..creds()
            }
            .validate()
        };
        for org in [
            "acme.my.salesforce.com",
            "acme--dev.sandbox.my.salesforce.com",
            "a.b",
            "x1.example",
        ] {
            assert_eq!(with(org, "Veeam_Backup"), Ok(()), "{org}");
        }
        let long_label = format!("{}.example", "a".repeat(64));
        let long_host = format!("{}.example", "a.".repeat(124));
        for org in [
            "../../etc",
            "acme",
            "ACME.my.salesforce.com",
            "acme.my.salesforce.com\u{200b}",
            "acme\u{202e}.example",
            "a..b",
            ".a.b",
            "a.b.",
            "-a.b",
            "a-.b",
            "a b.c",
            "a;rm.c",
            "a$(x).c",
            "",
            &long_label,
            &long_host,
        ] {
            assert_eq!(with(org, "Veeam_Backup"), Err(CredentialsError::Org), "{org:?}");
        }
        let longest = format!("A{}", "b".repeat(79));
        for app in [
            "Veeam_Backup",
            "a",
            "Delphix_CRT",
            &longest,
            "0xIfj0000009EQL",
            "0xI000000000001AAA",
        ] {
            assert_eq!(with("acme.my.salesforce.com", app), Ok(()), "{app}");
        }
        let too_long = format!("A{}", "b".repeat(80));
        for app in [
            "Veeam Backup",
            "Veeam Backup\" $(touch pwned) \"",
            "../x",
            "_a",
            "a-b",
            "Veeam\u{202e}",
            "Veeam\u{200b}",
            "",
            &too_long,
            "0xI00000000001",
            "0xI000000000001AA",
            "0xI_00000000001",
            "0xI000000000001AAAA",
        ] {
            assert_eq!(
                with("acme.my.salesforce.com", app),
                Err(CredentialsError::App),
                "{app:?}"
            );
        }
    }

    #[test]
    fn bad_credentials_refused_before_sealing() {
        let (_, pairing, _) = paired();
        let mut c = creds();
        c.consumer_secret = "has space".into();
        assert!(seal_credentials(&pairing.keys, &c, 1).is_err());
        c = creds();
        c.org = String::new();
        assert!(seal_credentials(&pairing.keys, &c, 1).is_err());
    }
}
