//! The pairing module's exports: pairing with an eca-guard-server and sealing credentials to it
//! (src/pairing/). Loaded only to pair or to send (src/wasm/mod.rs).

use wasm_bindgen::prelude::*;

use super::{out, to_js_error};
use crate::error::Error;
use crate::pairing::PairingError;

fn now_secs() -> u64 {
    // Date.now() is milliseconds since the epoch, always positive.
    (js_sys::Date::now() / 1000.0) as u64
}

/// JSON text from the core (already authenticated) to a JS value, without serde.
fn json_out(text: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(text).map_err(|_| to_js_error(&Error::Pairing(PairingError::AnswerNotUnderstood)))
}

// `pairingBegin(code)` → `{server, originPattern, infoUrl, pairUrl, fingerprint}`: what to
// fetch next (and which host permission to request).
#[wasm_bindgen(js_name = pairingBegin, skip_jsdoc)]
pub fn pairing_begin(code: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::begin(code).map_err(|e| to_js_error(&e))?)
}

// `pairingRequest(code, serverPublicKey, label)` → `{url, body, pending}`: `serverPublicKey`
// is `publicKey` from `GET infoUrl`; it must match the code's fingerprint. POST `body`; keep
// `pending` (a string) in memory for `pairingComplete`.
#[wasm_bindgen(js_name = pairingRequest, skip_jsdoc)]
pub fn pairing_request(code: &str, server_public_key: &str, label: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::pair_request(code, server_public_key, label).map_err(|e| to_js_error(&e))?)
}

// `pairingComplete(pending, responseText)` (HTTP 200 only) →
// `{keys, server, fingerprint, browserId, reply: {name, callbackUrls, pack, …}}`: keep it in
// chrome.storage.local; `keys` holds this browser's own key, never a consumer secret.
#[wasm_bindgen(js_name = pairingComplete, skip_jsdoc)]
pub fn pairing_complete(pending: &str, response: &str) -> Result<JsValue, JsValue> {
    json_out(&crate::pairing::pair_complete_json(pending, response).map_err(|e| to_js_error(&e))?)
}

// `sealCredentials(keys, org, app, consumerKey, consumerSecret)` →
// `{url, body, responseKey, messageId}`. POST `body`; open a 200 answer with `openReceipt`.
#[wasm_bindgen(js_name = sealCredentials, skip_jsdoc)]
pub fn seal_credentials(
    keys: &str,
    org: String,
    app: String,
    consumer_key: String,
    consumer_secret: String,
) -> Result<JsValue, JsValue> {
    let c = crate::pairing::Credentials {
        org,
        app,
        consumer_key,
        consumer_secret,
    };
    out(&crate::pairing::seal_credentials(keys, &c, now_secs()).map_err(|e| to_js_error(&e))?)
}

// `openReceipt(responseKey, messageId, responseText)` (HTTP 200 only) →
// `{id, org, app, keyPrefix, version, unchanged, server}`, or an error if it is not authentic.
#[wasm_bindgen(js_name = openReceipt, skip_jsdoc)]
pub fn open_receipt(response_key: &str, message_id: &str, response: &str) -> Result<JsValue, JsValue> {
    json_out(&crate::pairing::open_receipt_json(response_key, message_id, response).map_err(|e| to_js_error(&e))?)
}
