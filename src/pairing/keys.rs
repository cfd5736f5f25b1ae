//! Keys and the names derived from them: the X25519 key pairs, key fingerprints (what a
//! pairing code pins) and browser ids.

use hpke::{Deserializable as _, Kem as _, Serializable as _};
use sha2::{Digest as _, Sha256};

use super::codec::{b64, B64_ALPHABET};
use super::error::PairingError;
use super::{Kem, BROWSER_ID_DOMAIN};
use crate::error::Error;

/// Fills `buf` from the system's CSPRNG (`crypto.getRandomValues` in the browser).
pub fn random(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| PairingError::NoRandomness.into())
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
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret).map_err(|_| PairingError::SecretKey)?;
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

    /// The pair as HPKE keys (`None` cannot happen for a pair built by this type).
    pub(super) fn hpke(&self) -> Option<(HpkeSecret, HpkePublic)> {
        Some((HpkeSecret::from_bytes(&self.secret).ok()?, public_key(&self.public)?))
    }
}

/// HPKE's private key type for the suite.
pub(super) type HpkeSecret = <Kem as hpke::Kem>::PrivateKey;
/// HPKE's public key type for the suite.
pub(super) type HpkePublic = <Kem as hpke::Kem>::PublicKey;

/// A raw X25519 public key as HPKE's type; `None` if it is not 32 bytes.
pub(super) fn public_key(raw: &[u8]) -> Option<HpkePublic> {
    HpkePublic::from_bytes(raw).ok()
}
