//! What the server keeps of a credential that Vault has not acknowledged yet, and the
//! fingerprints that tell two credentials apart without keeping them (docs/server.md,
//! "Delivering into Vault", sealed).
//!
//! **Sealed** means: the consumer key and secret, as JSON, encrypted with ChaCha20-Poly1305
//! under the *queue key*, a 256-bit key derived with HKDF-SHA256 from the server's own X25519
//! private key (`server.key`), with a fresh random 96-bit nonce per credential and the message
//! id as associated data (a sealed row moved to another record does not open). The store file
//! alone (a backup, a copy, its free pages) then holds no plaintext secret; whoever has
//! `server.key` as well can open it, as they could open every message sent to the server.

use chacha20poly1305::aead::Aead as _;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit as _};
use eca_guard::pairing::{self, Credentials};
use hmac::Mac as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

const INFO_QUEUE: &[u8] = b"eca-guard/v1/queue-key";
const INFO_LOCAL_FP: &[u8] = b"eca-guard/v1/local-fingerprint-key";
const AAD_QUEUE: &[u8] = b"eca-guard/v1/queue\0";
const VAULT_FP: &[u8] = b"eca-guard/v1/vault-fingerprint\0";
const NONCE_LEN: usize = 12;

/// Why a sealed credential could not be made or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// No randomness for the nonce.
    #[error("no randomness for the seal's nonce")]
    Random,
    /// Encrypting failed (never expected).
    #[error("cannot seal the credential")]
    Seal,
    /// The row does not open under this server's key: another server's store, or changed.
    #[error("a sealed credential does not open with this server's key (changed, or another server's store)")]
    Open,
}

/// The keys derived from the server's own private key.
pub struct LocalKeys {
    queue: [u8; 32],
    fingerprint: [u8; 32],
}

impl std::fmt::Debug for LocalKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalKeys(..)")
    }
}

#[derive(Serialize, Deserialize)]
struct SealedPlain {
    k: String,
    s: String,
}

impl LocalKeys {
    /// Derives the queue key and the local fingerprint key from the server's private key.
    pub fn derive(server_secret: &[u8; 32]) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(None, server_secret);
        let mut queue = [0u8; 32];
        let mut fingerprint = [0u8; 32];
        // 32 bytes are far below HKDF-SHA256's limit (255 × 32): expand cannot fail here.
        let _ = hk.expand(INFO_QUEUE, &mut queue);
        let _ = hk.expand(INFO_LOCAL_FP, &mut fingerprint);
        LocalKeys { queue, fingerprint }
    }

    /// Seals a credential's key and secret, bound to its message id: nonce ‖ ciphertext.
    pub fn seal(&self, message_id: &str, c: &Credentials) -> Result<Vec<u8>, SealError> {
        let plain = serde_json::to_vec(&SealedPlain {
            k: c.consumer_key.clone(),
            s: c.consumer_secret.clone(),
        })
        .map_err(|_| SealError::Seal)?;
        let mut nonce = [0u8; NONCE_LEN];
        pairing::random(&mut nonce).map_err(|_| SealError::Random)?;
        let aad = [AAD_QUEUE, message_id.as_bytes()].concat();
        let ct = ChaCha20Poly1305::new(&self.queue.into())
            .encrypt(
                &nonce.into(),
                chacha20poly1305::aead::Payload { msg: &plain, aad: &aad },
            )
            .map_err(|_| SealError::Seal)?;
        Ok([nonce.as_slice(), &ct].concat())
    }

    /// Opens what [`LocalKeys::seal`] made, into the credentials of `org` and `app`.
    pub fn open(&self, message_id: &str, org: &str, app: &str, sealed: &[u8]) -> Result<Credentials, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Open)?;
        let aad = [AAD_QUEUE, message_id.as_bytes()].concat();
        let plain = ChaCha20Poly1305::new(&self.queue.into())
            .decrypt(&nonce.into(), chacha20poly1305::aead::Payload { msg: ct, aad: &aad })
            .map_err(|_| SealError::Open)?;
        let p: SealedPlain = serde_json::from_slice(&plain).map_err(|_| SealError::Open)?;
        Ok(Credentials {
            org: org.to_owned(),
            app: app.to_owned(),
            consumer_key: p.k,
            consumer_secret: p.s,
        })
    }

    /// The local store's fingerprint of a credential (to answer "unchanged" without keeping
    /// the secret): HMAC-SHA256 under a key only this server has, so the store file alone
    /// cannot confirm a guessed secret.
    pub fn local_fingerprint(&self, c: &Credentials) -> Vec<u8> {
        mac(&self.fingerprint, c).to_vec()
    }
}

#[allow(clippy::expect_used)] // HMAC takes keys of any length (RFC 2104): new_from_slice cannot fail.
fn mac(key: &[u8], c: &Credentials) -> [u8; 32] {
    // Length-prefixed fields: no two different credentials give the same input.
    let mut m = <HmacSha256 as hmac::digest::KeyInit>::new_from_slice(key).expect("any key length");
    for part in [
        c.org.as_bytes(),
        c.app.as_bytes(),
        c.consumer_key.as_bytes(),
        c.consumer_secret.as_bytes(),
    ] {
        m.update(&(part.len() as u64).to_be_bytes());
        m.update(part);
    }
    m.finalize().into_bytes().into()
}

/// The fingerprint written into Vault's metadata beside each version, so that every server
/// writing to the same Vault can tell "the same key and secret" without reading the secret
/// (the sink's policy cannot). HMAC-SHA256 keyed with the consumer key, which the metadata
/// does not hold (only its first characters), over the org, app and secret: someone who can
/// read the metadata but not the secret learns nothing they could check a guessed secret
/// against without the full consumer key as well.
pub fn vault_fingerprint(c: &Credentials) -> String {
    let key = [VAULT_FP, c.consumer_key.as_bytes()].concat();
    pairing::b64(&mac(&key, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(secret: &str) -> Credentials {
        Credentials {
            org: "acme.my.salesforce.com".into(),
            app: "Veeam_Backup".into(),
            consumer_key: "3MVG9abcdef".into(),
            consumer_secret: secret.into(),
        }
    }

    #[test]
    fn a_sealed_credential_opens_only_with_its_key_and_message_id() {
        let k = LocalKeys::derive(&[7; 32]);
        let c = creds("S3cr3t");
        let sealed = k.seal("m1", &c).unwrap_or_default();
        assert!(
            !sealed.windows(6).any(|w| w == b"S3cr3t"),
            "the secret is not in the sealed bytes"
        );
        let opened = k.open("m1", &c.org, &c.app, &sealed).ok();
        assert_eq!(opened.as_ref().map(|o| o.consumer_secret.as_str()), Some("S3cr3t"));
        assert!(
            k.open("m2", &c.org, &c.app, &sealed).is_err(),
            "bound to its message id"
        );
        assert!(LocalKeys::derive(&[8; 32]).open("m1", &c.org, &c.app, &sealed).is_err());
        let mut changed = sealed.clone();
        if let Some(b) = changed.last_mut() {
            *b ^= 1;
        }
        assert!(k.open("m1", &c.org, &c.app, &changed).is_err());
        // A fresh nonce each time: the same credential seals differently.
        assert_ne!(k.seal("m1", &c).unwrap_or_default(), sealed);
    }

    #[test]
    fn fingerprints_tell_credentials_apart_and_the_local_one_is_keyed() {
        let (a, b) = (creds("one"), creds("two"));
        assert_eq!(vault_fingerprint(&a), vault_fingerprint(&creds("one")));
        assert_ne!(vault_fingerprint(&a), vault_fingerprint(&b));
        let k1 = LocalKeys::derive(&[1; 32]);
        let k2 = LocalKeys::derive(&[2; 32]);
        assert_eq!(k1.local_fingerprint(&a), k1.local_fingerprint(&creds("one")));
        assert_ne!(k1.local_fingerprint(&a), k1.local_fingerprint(&b));
        assert_ne!(k1.local_fingerprint(&a), k2.local_fingerprint(&a));
    }
}
