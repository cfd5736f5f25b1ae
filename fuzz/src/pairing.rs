//! The pairing's parsers under fuzzing (src/pairing/): what an admin pastes, what the extension
//! keeps, what the server is posted and what the browser is answered. Four entries:
//!
//! - [`pairing_code`]: a pasted code and a server address;
//! - [`tokens`]: the pending pairing and the pairing's keys as the extension hands them back;
//! - [`request_body`]: a body posted to `/v1/pair` or `/v1/credentials`, opened as the server's
//!   handlers open it (server/src/api.rs: `Envelope::parse`, then `open_pair` or
//!   `open_credentials`, before any lookup);
//! - [`sealed_response`]: a server's answer opened by the browser (`pair_complete`,
//!   `pair_complete_json`, `open_receipt`, `open_receipt_json`).
//!
//! Random bytes never open under a key, so the last two also take the input as the *plaintext*
//! of a well-sealed message (the first byte picks the shape): the parsers behind the crypto
//! meet hostile text too, as they would from a paired browser or server that misbehaves. The
//! keys are fixed, so every input replays. The sealing here follows the core's wire format
//! (src/pairing/mod.rs: the HPKE suite, its info strings, the response AEAD); a replay test
//! checks that what it seals opens (tests/core/fuzz_replay.rs), so a drift is caught.

use chacha20poly1305::aead::{Aead as _, Payload};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit as _};
use eca_guard::pairing::{
    self, b64, browser_id, clean_label, is_app_name, is_browser_id, is_org_host, key_prefix, Credentials, Envelope,
    KeyPair, PairPending, PairedKeys, PairingCode, Receipt, ResponseKey, MAX_NAME, RESPONSE_PREFIX, VERSION,
};
use std::sync::OnceLock;

use hpke::{Deserializable as _, OpModeS, Serializable as _};

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Suite = hpke::aead::ChaCha20Poly1305;

// The core's wire constants (src/pairing/mod.rs; private there).
const INFO_PAIR: &[u8] = b"eca-guard/v1/pair";
const AAD_PAIR: &[u8] = b"eca-guard/v1/pair";
const INFO_CREDENTIALS: &[u8] = b"eca-guard/v1/credentials";
const AAD_PAIR_REPLY: &[u8] = b"eca-guard/v1/pair-reply";

/// Fixed keys: the server's, a paired browser's, the response key of one request.
const SERVER_SECRET: [u8; 32] = [0x11; 32];
const BROWSER_SECRET: [u8; 32] = [0x22; 32];
const RESPONSE_KEY: [u8; 32] = [0x33; 32];
/// The message id a receipt is opened for (base64url of 16 bytes).
pub const MESSAGE_ID: &str = "AAECAwQFBgcICQoLDA0ODw";
const SERVER: &str = "https://eca-guard.acme.example:8443";

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The server's and the browser's key pairs, made once (each costs a scalar multiplication,
/// and the crypto is most of what an execution costs here).
pub fn keys() -> &'static (KeyPair, KeyPair) {
    static KEYS: OnceLock<(KeyPair, KeyPair)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pair = |s: &[u8; 32]| KeyPair::from_secret(s).unwrap_or_else(|e| panic!("fixed key: {e}"));
        (pair(&SERVER_SECRET), pair(&BROWSER_SECRET))
    })
}

/// The browser's id at the server.
fn our_browser_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| browser_id(keys().1.public()))
}

/// An origin the core made: what `pair_complete_json` writes into JSON without escaping it
/// (src/pairing/browser.rs), so it must hold nothing JSON or a URL would read differently.
fn assert_origin(what: &str, o: &str) {
    let rest = o.strip_prefix("http://").or_else(|| o.strip_prefix("https://"));
    let rest = rest.unwrap_or_else(|| panic!("{what}: not http(s): {o:?}"));
    assert!(
        o.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'),
        "{what}: {o:?}"
    );
    assert!(
        !rest.is_empty() && !rest.contains(['/', '?', '#', '@']),
        "{what}: more than scheme://host[:port]: {o:?}"
    );
    assert_eq!(
        pairing::normalise_server(o).ok().as_deref(),
        Some(o),
        "{what}: normalising it again changes it"
    );
}

/// Fuzz target `pairing_code`: any text as a pasted pairing code and as a server address.
pub fn pairing_code(data: &[u8]) {
    let t = text(data);
    if let Ok(code) = PairingCode::decode(&t) {
        assert_origin("code's server", &code.server);
        let again =
            PairingCode::decode(&code.encode()).unwrap_or_else(|e| panic!("{t:?}: its own encoding fails: {e}"));
        assert!(again == code, "{t:?}: encode then decode gives another code");
        let start = pairing::begin(&t).unwrap_or_else(|e| panic!("{t:?}: decodes, but begin fails: {e}"));
        assert_eq!(start.pair_url, format!("{}/v1/pair", code.server));
        assert_eq!(start.origin_pattern, format!("{}/*", code.server));
    } else {
        assert!(pairing::begin(&t).is_err(), "{t:?}: begin takes a code decode refuses");
    }
    if let Ok(origin) = pairing::normalise_server(&t) {
        assert_origin("normalised address", &origin);
    }
}

/// Fuzz target `tokens`: any text as the pending pairing (`ecagp1.…`) and as the pairing's keys
/// (`ecagk1.…`); a token that reads writes back out to itself, and sealing with any keys token
/// fails cleanly or gives an envelope of the right shape.
pub fn tokens(data: &[u8]) {
    let t = text(data);
    if let Ok(p) = PairPending::from_token(&t) {
        assert_origin("pending's server", &p.server);
        let back = PairPending::from_token(&p.to_token()).unwrap_or_else(|e| panic!("{t:?}: its own token fails: {e}"));
        assert!(
            back == p,
            "{t:?}: the pending pairing does not write back out to itself"
        );
    }
    if let Ok(k) = PairedKeys::from_token(&t) {
        assert_origin("keys' server", &k.server);
        let back = PairedKeys::from_token(&k.to_token()).unwrap_or_else(|e| panic!("{t:?}: its own token fails: {e}"));
        assert!(back == k, "{t:?}: the keys do not write back out to themselves");
    }
    let creds = Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: "3MVG9fuzzConsumerKey0123".into(),
        consumer_secret: "FUZZSECRET0123456789".into(),
    };
    if let Ok(sealed) = pairing::seal_credentials(&t, &creds, 1_767_225_600) {
        let k = PairedKeys::from_token(&t).unwrap_or_else(|e| panic!("{t:?}: seals with keys that do not read: {e}"));
        assert_eq!(sealed.url, format!("{}/v1/credentials", k.server));
        let env = Envelope::parse(sealed.body.as_bytes())
            .unwrap_or_else(|e| panic!("{t:?}: sealed an envelope that does not parse: {e:?}"));
        assert_eq!(env.browser.as_deref(), Some(k.browser_id.as_str()));
        assert!(!sealed.body.contains(&creds.consumer_secret), "the secret in the clear");
    }
}

/// Seals `plain` to the server as a pair request (HPKE Base mode).
pub fn seal_pair_plain(server: &KeyPair, plain: &[u8]) -> String {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(server.public()).unwrap_or_else(|_| panic!("fixed key"));
    let (enc, mut ctx) =
        hpke::setup_sender::<Suite, Kdf, Kem>(&OpModeS::Base, &pk, INFO_PAIR).unwrap_or_else(|_| panic!("seal"));
    let ct = ctx.seal(plain, AAD_PAIR).unwrap_or_else(|_| panic!("seal"));
    envelope(None, &enc.to_bytes(), &ct)
}

/// Seals `plain` to the server as a credentials message from `browser` (HPKE Auth mode, the
/// browser id as additional data).
pub fn seal_credentials_plain(server: &KeyPair, browser: &KeyPair, plain: &[u8]) -> String {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(server.public()).unwrap_or_else(|_| panic!("fixed key"));
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(browser.secret()).unwrap_or_else(|_| panic!("fixed key"));
    let bpk = <Kem as hpke::Kem>::PublicKey::from_bytes(browser.public()).unwrap_or_else(|_| panic!("fixed key"));
    let id = browser_id(browser.public());
    let (enc, mut ctx) = hpke::setup_sender::<Suite, Kdf, Kem>(&OpModeS::Auth((sk, bpk)), &pk, INFO_CREDENTIALS)
        .unwrap_or_else(|_| panic!("seal"));
    let ct = ctx.seal(plain, id.as_bytes()).unwrap_or_else(|_| panic!("seal"));
    envelope(Some(id), &enc.to_bytes(), &ct)
}

fn envelope(browser: Option<String>, enc: &[u8], ct: &[u8]) -> String {
    let env = Envelope {
        v: VERSION,
        browser,
        enc: b64(enc),
        ct: b64(ct),
    };
    serde_json::to_string(&env).unwrap_or_else(|e| panic!("envelope: {e}"))
}

/// Fuzz target `request_body`: a body posted to the server. First byte: 0–1 the rest is the
/// body as posted; 2 the rest is a pair request's plaintext, 3 a credentials message's,
/// each sealed as a browser would. Every body is opened both ways, as each handler would.
pub fn request_body(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (server, browser) = keys();
    let body = match mode % 4 {
        2 => seal_pair_plain(server, rest).into_bytes(),
        3 => seal_credentials_plain(server, browser, rest).into_bytes(),
        _ => rest.to_vec(),
    };
    let Ok(env) = Envelope::parse(&body) else {
        return;
    };
    if let Ok(p) = pairing::open_pair(server, &env) {
        // What the pair handler stores and logs (server/src/api.rs).
        assert_eq!(p.browser_id, browser_id(&p.browser_key));
        assert!(is_browser_id(&p.browser_id), "{:?}", p.browser_id);
        assert!(
            p.label.chars().count() <= MAX_NAME,
            "label of {} characters",
            p.label.chars().count()
        );
        assert_eq!(clean_label(&p.label), p.label, "the label is not clean");
        assert!(
            !p.label.chars().any(|c| c.is_control() || pairing::is_format(c)),
            "{:?}",
            p.label
        );
        // The reply sealed for it opens for the browser that asked, and only under its key.
        let reply = pairing::PairReply {
            browser_id: p.browser_id.clone(),
            name: "Veeam prod".into(),
            callback_urls: vec![],
            pack: None,
        };
        let sealed = pairing::seal_pair_reply(&p.response, &reply).unwrap_or_else(|e| panic!("seal the reply: {e}"));
        assert!(sealed.starts_with(RESPONSE_PREFIX));
    }
    if let Ok((plain, response)) = pairing::open_credentials(server, browser.public(), &env) {
        let c = &plain.credentials;
        assert!(c.validate().is_ok(), "opened credentials that do not validate");
        assert!(is_org_host(&c.org) && is_app_name(&c.app), "{c:?}");
        assert_eq!(env.browser.as_deref(), Some(our_browser_id()));
        // The receipt the handler seals from them opens, for this message id only.
        let receipt = Receipt {
            id: plain.id.clone(),
            org: c.org.clone(),
            app: c.app.clone(),
            key_prefix: key_prefix(&c.consumer_key),
            version: 1,
            unchanged: false,
            server: "Veeam prod".into(),
            delivery: None,
        };
        let sealed = pairing::seal_receipt(&response, &receipt).unwrap_or_else(|e| panic!("seal the receipt: {e}"));
        let opened = pairing::open_receipt(&response.to_b64(), &plain.id, &sealed)
            .unwrap_or_else(|e| panic!("own receipt: {e}"));
        assert!(opened == receipt, "the receipt does not open to itself");
        assert!(
            pairing::open_receipt(&response.to_b64(), &format!("{}x", plain.id), &sealed).is_err(),
            "opens for another id"
        );
    }
}

/// Seals `plain` (any bytes) as a response under the fixed response key, bound to `aad`.
pub fn seal_response(plain: &[u8], aad: &[u8]) -> String {
    let cipher = ChaCha20Poly1305::new(&RESPONSE_KEY.into());
    let ct = cipher
        .encrypt(&[0u8; 12].into(), Payload { msg: plain, aad })
        .unwrap_or_else(|_| panic!("seal"));
    format!("{RESPONSE_PREFIX}{}", b64(&ct))
}

/// The pending pairing the answer is opened with, as the extension holds it.
pub fn pending_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        PairPending {
            server: SERVER.into(),
            server_key: *keys().0.public(),
            browser_secret: BROWSER_SECRET,
            response_key: ResponseKey::from_b64(&b64(&RESPONSE_KEY)).unwrap_or_else(|e| panic!("key: {e}")),
        }
        .to_token()
    })
}

/// Fuzz target `sealed_response`: a server's answer, opened by the browser. First byte: 0 the
/// rest is the body as received; 1 the rest is a pair reply's plaintext, 2 a receipt's, each
/// sealed under the request's response key (a paired server that answers oddly).
pub fn sealed_response(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let body = match mode % 3 {
        1 => seal_response(rest, AAD_PAIR_REPLY),
        2 => seal_response(rest, MESSAGE_ID.as_bytes()),
        _ => text(rest).into_owned(),
    };
    let pending = pending_token();
    let typed = pairing::pair_complete(pending, &body);
    let json = pairing::pair_complete_json(pending, &body);
    if let Ok(p) = &typed {
        assert!(json.is_ok(), "the typed completion opens, the JSON one does not");
        assert_eq!(p.server, SERVER);
        assert_eq!(p.browser_id, our_browser_id(), "paired as another browser");
    }
    if let Ok(j) = &json {
        // Built with format! (src/pairing/browser.rs): it must still be one JSON object, whose
        // own fields are ours and not the server's text.
        let v: serde_json::Value = serde_json::from_str(j).unwrap_or_else(|e| panic!("not JSON ({e}): {j}"));
        assert_eq!(v["server"], SERVER, "{j}");
        assert_eq!(v["browserId"], our_browser_id(), "{j}");
        assert!(v["reply"].is_object(), "{j}");
        if let Ok(p) = &typed {
            assert_eq!(v["keys"], p.keys.as_str());
        }
    }
    let rk = b64(&RESPONSE_KEY);
    let receipt = pairing::open_receipt(&rk, MESSAGE_ID, &body);
    let text = pairing::open_receipt_json(&rk, MESSAGE_ID, &body);
    if let Ok(r) = &receipt {
        let t = text
            .as_ref()
            .unwrap_or_else(|e| panic!("the typed receipt opens, the text one does not: {e}"));
        assert!(eca_guard::json::from_str::<Receipt>(t).is_ok_and(|again| &again == r));
    }
    if text.is_err() {
        assert!(receipt.is_err());
    }
}
