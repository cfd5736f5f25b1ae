//! The Wasm binding: convert in, call the core, convert out. No logic lives here (the checker
//! only remembers the last settings it parsed and validated, see `valid_config_from_js`).
//!
//! Two modules are built from it (build.sh), both with `common.rs` (the URL parser, the built-in
//! packs, the settings): the checker (`checker.rs`: checks, the popup's rows, the live probe, org
//! hosts), which every worker start loads and which must stay within its size budget (100 KB
//! gzipped, README "Speed and size"), and the on-demand module (feature `wasm-pairing`, files
//! `eca_guard_pairing*`): pairing and sealing with the HPKE crypto (`pairing.rs`), and what only
//! extension pages or a send need (`pages.rs`: the pack list, custom pack validation, the options
//! form's checks, an integration's next steps, the evidence report). The extension loads it only
//! on the options page, to pair, to send, or for a report; most worker starts never need it.
//! Typed structs cross the boundary as JSON (serde_json on this side, `JSON` on the other:
//! one serde instantiation for boundary and pack files alike, see `from_js`); core errors become JS `Error`s
//! with `name = "EcaGuardError"` and `kind = <variant>` (pairing errors also carry
//! `variant = <PairingError variant>`) so the extension can branch on them.
//! Exported functions are described in `//` comments and marked `skip_jsdoc`: wasm-bindgen
//! copies `///` docs and generated JSDoc into the glue, which ships gzipped with the module.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;

/// The allocator: talc instead of std's dlmalloc (about 2.6 KB less gzipped Wasm, and faster).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub(crate) fn to_js_error(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("EcaGuardError");
    // Setting a property on a fresh Error object cannot fail; ignore the Result deliberately.
    let _ = js_sys::Reflect::set(&err, &"kind".into(), &e.kind().into());
    if let Error::Pairing(p) = e {
        let _ = js_sys::Reflect::set(&err, &"variant".into(), &p.variant().into());
    }
    err.into()
}

pub(crate) fn bad_input(what: &str, reason: String) -> JsValue {
    to_js_error(&Error::BadInput {
        what: what.into(),
        reason,
    })
}

/// A reply as JSON text: one allocation for a typical reply instead of a doubling series from
/// 128 bytes.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    let mut buf = Vec::with_capacity(8 * 1024);
    serde_json::to_writer(&mut buf, value).map_err(|e| bad_input("result", e.to_string()))?;
    String::from_utf8(buf).map_err(|e| bad_input("result", e.to_string()))
}

pub(crate) fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&to_json(value)?)
}

mod common;

#[cfg(not(feature = "wasm-pairing"))]
mod checker;
#[cfg(feature = "wasm-pairing")]
mod pages;
#[cfg(feature = "wasm-pairing")]
mod pairing;
