//! The Wasm binding: convert in, call the core, convert out. No logic lives here.
//! Typed structs cross the boundary through serde-wasm-bindgen; core errors become JS `Error`s
//! with `name = "EcaGuardError"` and `kind = <variant>` so the extension can branch on them.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::{pack, scopes};

/// Installs the panic hook once; a panic would otherwise die silently and take every tab's
/// checks with it.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn to_js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("EcaGuardError");
    // Setting a property on a fresh Error object cannot fail; ignore the Result deliberately.
    let _ = js_sys::Reflect::set(&err, &"kind".into(), &e.kind().into());
    err.into()
}

fn bad_input(what: &str, e: serde_wasm_bindgen::Error) -> JsValue {
    to_js_error(&Error::BadInput {
        what: what.into(),
        reason: e.to_string(),
    })
}

fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // Plain objects (not Maps) so JS reads fields with dot access.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            to_js_error(&Error::BadInput {
                what: "result".into(),
                reason: e.to_string(),
            })
        })
}

/// `check(snapshot, config)` → `{pack, packName, findings, counts, notes}`.
#[wasm_bindgen]
pub fn check(snapshot: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let snapshot: crate::Snapshot =
        serde_wasm_bindgen::from_value(snapshot).map_err(|e| bad_input("the page snapshot", e))?;
    let config: crate::Config = serde_wasm_bindgen::from_value(config).map_err(|e| bad_input("the settings", e))?;
    let result = crate::check_config(&snapshot, &config).map_err(|e| to_js_error(&e))?;
    out(&result)
}

/// `listPacks(customPacks)` → every pack (built-in first) in full.
#[wasm_bindgen(js_name = listPacks)]
pub fn list_packs(custom: JsValue) -> Result<JsValue, JsValue> {
    let custom: Vec<crate::Pack> = if custom.is_undefined() || custom.is_null() {
        Vec::new()
    } else {
        serde_wasm_bindgen::from_value(custom).map_err(|e| bad_input("the custom packs", e))?
    };
    pack::validate_custom(&custom).map_err(|e| to_js_error(&e))?;
    let all: Vec<&crate::Pack> = pack::built_in().iter().chain(custom.iter()).collect();
    out(&all)
}

/// `parsePack(jsonText)` → the validated pack, or an error naming the line and reason.
#[wasm_bindgen(js_name = parsePack)]
pub fn parse_pack(text: &str) -> Result<JsValue, JsValue> {
    let p = pack::parse(text).map_err(|e| to_js_error(&e))?;
    pack::validate_custom(std::slice::from_ref(&p)).map_err(|e| to_js_error(&e))?;
    out(&p)
}

/// `scopeCatalogue()` → every scope with label, protocol names and metadata tokens.
#[wasm_bindgen(js_name = scopeCatalogue)]
pub fn scope_catalogue() -> Result<JsValue, JsValue> {
    out(&scopes::SCOPES)
}

// ---- Pairing with an eca-guard-server and sealing credentials to it (src/pairing.rs) ----

fn now_secs() -> u64 {
    // Date.now() is milliseconds since the epoch, always positive.
    (js_sys::Date::now() / 1000.0) as u64
}

/// `pairingBegin(code)` → `{server, originPattern, infoUrl, pairUrl, fingerprint}`: what to
/// fetch next (and which host permission to request).
#[wasm_bindgen(js_name = pairingBegin)]
pub fn pairing_begin(code: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::begin(code).map_err(|e| to_js_error(&e))?)
}

/// `pairingRequest(code, serverPublicKey, label)` → `{url, body, pending}`: `serverPublicKey`
/// is `publicKey` from `GET infoUrl`; it must match the code's fingerprint. POST `body`; keep
/// `pending` (a string) in memory for `pairingComplete`.
#[wasm_bindgen(js_name = pairingRequest)]
pub fn pairing_request(code: &str, server_public_key: &str, label: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::pair_request(code, server_public_key, label).map_err(|e| to_js_error(&e))?)
}

/// `pairingComplete(pending, responseText)` (HTTP 200 only) →
/// `{keys, server, fingerprint, browserId, name, callbackUrls, pack}`: keep it in
/// chrome.storage.local; `keys` holds this browser's own key, never a consumer secret.
#[wasm_bindgen(js_name = pairingComplete)]
pub fn pairing_complete(pending: &str, response: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::pair_complete(pending, response).map_err(|e| to_js_error(&e))?)
}

/// `sealCredentials(keys, org, app, consumerKey, consumerSecret)` →
/// `{url, body, responseKey, messageId}`. POST `body`; open a 200 answer with `openReceipt`.
#[wasm_bindgen(js_name = sealCredentials)]
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

/// `openReceipt(responseKey, messageId, responseText)` (HTTP 200 only) →
/// `{id, org, app, keyPrefix, version, unchanged, server}`, or an error if it is not authentic.
#[wasm_bindgen(js_name = openReceipt)]
pub fn open_receipt(response_key: &str, message_id: &str, response: &str) -> Result<JsValue, JsValue> {
    out(&crate::pairing::open_receipt(response_key, message_id, response).map_err(|e| to_js_error(&e))?)
}

/// `orgFromHost(host)` → `{key, myDomain, sandbox, kind, surface, apiHost, notes}`, or `null`
/// for a host that is not a Salesforce org's.
#[wasm_bindgen(js_name = orgFromHost)]
pub fn org_from_host(host: &str) -> Result<JsValue, JsValue> {
    out(&crate::org::from_host(host))
}
