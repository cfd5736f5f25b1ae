//! Exports and helpers both Wasm modules carry (src/wasm/mod.rs): the browser's URL parser for
//! the core, the built-in packs, and the settings as the core reads them.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use serde::de::DeserializeOwned;

use super::{bad_input, to_js_error};
use crate::pack;

/// Typed values cross as JSON: one serde_json instantiation serves the boundary and pack
/// files alike, which halves the serde code in the module (the Wasm size budget is tight).
pub(super) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    crate::json::from_str(&json_text(value, what)?).map_err(|e| bad_input(what, e.to_string()))
}

fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| bad_input(what, "it cannot be turned into JSON".into()))
}

// Registers the browser's URL parser with the core (once per instance).
//
// No Rust panic hook: the Wasm build uses panic=immediate-abort (build.sh, for the size budget),
// so a panic traps at once and surfaces in JS as a `WebAssembly.RuntimeError`; the worker's
// error mapping (worker/errors.js) is the hook: it logs it and answers with kind `CoreTrap`.
#[wasm_bindgen(start)]
pub fn start() {
    crate::urls::set_parser(browser_url);
}

/// The core's URL parser in the browser: the WHATWG `URL` the browser itself uses.
fn browser_url(text: &str) -> Result<crate::urls::ParsedUrl, String> {
    let u = web_sys::Url::new(text).map_err(|e| {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "invalid URL".into())
    })?;
    let non_empty = |s: String, prefix: char| {
        let s = s.trim_start_matches(prefix).to_string();
        (!s.is_empty()).then_some(s)
    };
    let host_str = u.hostname();
    Ok(crate::urls::ParsedUrl {
        scheme: u.protocol().trim_end_matches(':').to_string(),
        host: crate::urls::host_from_str(&host_str),
        host_str,
        port: u.port().parse().ok(),
        has_credentials: !u.username().is_empty() || !u.password().is_empty(),
        path: u.pathname(),
        query: non_empty(u.search(), '?'),
        fragment: non_empty(u.hash(), '#'),
    })
}

thread_local! {
    /// The settings of the last check, parsed and validated, by their JSON text: every check
    /// sends them, and they change only when the user (or a policy) changes them.
    static CONFIG: RefCell<Option<(String, Rc<crate::Config>)>> = const { RefCell::new(None) };
}

/// The settings for `check`: parsed and their custom packs validated only when their JSON
/// text differs from the last settings that passed (both are pure functions of the text).
pub(super) fn valid_config_from_js(value: &JsValue) -> Result<Rc<crate::Config>, JsValue> {
    let text = json_text(value, "the settings")?;
    if let Some(hit) = CONFIG.with_borrow(|c| c.as_ref().filter(|(t, _)| *t == text).map(|(_, c)| c.clone())) {
        return Ok(hit);
    }
    let config: crate::Config = crate::json::from_str(&text).map_err(|e| bad_input("the settings", e.to_string()))?;
    pack::validate_custom(&config.custom_packs).map_err(|e| to_js_error(&e))?;
    let config = Rc::new(config);
    CONFIG.set(Some((text, config.clone())));
    Ok(config)
}

// `registerPacks(texts)`: the built-in packs' JSON texts (`pkg/built-in-packs.json`, written by
// build.sh from src/packs/*.json), once per instance before the first check (src/pack/builtin.rs).
#[wasm_bindgen(js_name = registerPacks, skip_jsdoc)]
pub fn register_packs(texts: Vec<String>) {
    pack::register_built_in(texts);
}
