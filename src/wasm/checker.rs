//! The checker module's exports (src/wasm/mod.rs says why there are two modules).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use serde::de::DeserializeOwned;

#[cfg(feature = "bench")]
use super::to_json;
use super::{bad_input, out, to_js_error};
use crate::pack;

/// Typed values cross as JSON: one serde_json instantiation serves the boundary and pack
/// files alike, which halves the serde code in the module (the Wasm size budget is tight).
fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
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
fn valid_config_from_js(value: &JsValue) -> Result<Rc<crate::Config>, JsValue> {
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

// `check(snapshot, config)` → `{pack, packName, findings, counts, notes}`.
#[wasm_bindgen(skip_jsdoc)]
pub fn check(snapshot: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let snapshot: crate::Snapshot = from_js(&snapshot, "the page snapshot")?;
    let config = valid_config_from_js(&config)?;
    let result = crate::check::check_validated(&snapshot, &config).map_err(|e| to_js_error(&e))?;
    out(&result)
}

// `benchCore(snapshot, config, n)` → `{check, checkAndJson}`: µs per call of the core check
// alone, and of the check plus writing its reply as JSON, each over `n` calls inside the module
// (`./build.sh bench`; the JS API figure adds the boundary to these).
#[cfg(feature = "bench")]
#[wasm_bindgen(js_name = benchCore, skip_jsdoc)]
pub fn bench_core(snapshot: JsValue, config: JsValue, n: u32) -> Result<JsValue, JsValue> {
    let snapshot: crate::Snapshot = from_js(&snapshot, "the page snapshot")?;
    let config = valid_config_from_js(&config)?;
    let per_call = |f: &dyn Fn() -> Result<(), JsValue>| -> Result<f64, JsValue> {
        let t = js_sys::Date::now();
        for _ in 0..n {
            f()?;
        }
        Ok((js_sys::Date::now() - t) * 1000.0 / f64::from(n))
    };
    let check = || crate::check::check_validated(&snapshot, &config).map_err(|e| to_js_error(&e));
    // black_box: the results are otherwise unused, and the work must not be optimised away.
    let core = per_call(&|| check().map(|r| drop(std::hint::black_box(r))))?;
    let with_json = per_call(&|| to_json(&check()?).map(|j| drop(std::hint::black_box(j))))?;
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &"check".into(), &core.into());
    let _ = js_sys::Reflect::set(&out, &"checkAndJson".into(), &with_json.into());
    Ok(out.into())
}

// `registerPacks(texts)`: the built-in packs' JSON texts (`pkg/built-in-packs.json`, written by
// build.sh from src/packs/*.json), once per instance before the first check (src/pack/builtin.rs).
#[wasm_bindgen(js_name = registerPacks, skip_jsdoc)]
pub fn register_packs(texts: Vec<String>) {
    pack::register_built_in(texts);
}

// `listPacks(customPacks)` → every pack (built-in first) as written: the built-in packs' JSON,
// then the custom packs as given, once they pass validation. Optional fields a pack leaves out
// stay absent (the core applies their defaults); handing the JSON on instead of writing the
// parsed packs back out keeps pack serialisation out of the module (1.7 KB gzipped).
#[wasm_bindgen(js_name = listPacks, skip_jsdoc)]
pub fn list_packs(custom: JsValue) -> Result<JsValue, JsValue> {
    let absent = custom.is_undefined() || custom.is_null();
    let parsed: Vec<crate::Pack> = if absent {
        Vec::new()
    } else {
        from_js(&custom, "the custom packs")?
    };
    pack::validate_custom(&parsed).map_err(|e| to_js_error(&e))?;
    let all = js_sys::Array::new();
    for text in pack::built_in_json() {
        all.push(&js_sys::JSON::parse(text)?);
    }
    if !absent {
        for p in js_sys::Array::from(&custom).iter() {
            all.push(&p);
        }
    }
    Ok(all.into())
}

// `parsePack(jsonText)` → the validated pack (the text's own JSON), or an error naming the line
// and reason.
#[wasm_bindgen(js_name = parsePack, skip_jsdoc)]
pub fn parse_pack(text: &str) -> Result<JsValue, JsValue> {
    let p = pack::parse(text).map_err(|e| to_js_error(&e))?;
    pack::validate_custom(std::slice::from_ref(&p)).map_err(|e| to_js_error(&e))?;
    js_sys::JSON::parse(text)
}

// `orgStatus(readings, settings, setupOrigin)` → `{pack, rows, failing, packNotes}`: the popup's
// rows for one org from what the worker remembers of it (src/org_status.rs).
#[wasm_bindgen(js_name = orgStatus, skip_jsdoc)]
pub fn org_status(readings: JsValue, config: JsValue, setup_origin: &str) -> Result<JsValue, JsValue> {
    let readings: crate::org_status::Readings = from_js(&readings, "the org's readings")?;
    let config = valid_config_from_js(&config)?;
    let status = crate::org_status::org_status(&config, &readings, setup_origin, js_sys::Date::now())
        .map_err(|e| to_js_error(&e))?;
    out(&status)
}

// `probeAnswer(url, text, callback, ok)` → `{status, message}`: what Salesforce's answer to an
// authorization request for a consumer key means (src/probe.rs).
#[wasm_bindgen(js_name = probeAnswer, skip_jsdoc)]
pub fn probe_answer(url: &str, text: &str, callback: &str, ok: bool) -> Result<JsValue, JsValue> {
    out(&crate::probe::classify(url, text, callback, ok))
}

// `afterSend(settings, packId, org, app)` → `{title, steps}` or `null`: the pack's next steps
// for a credential sent as org/app; a command in them only for shape-checked values.
#[wasm_bindgen(js_name = afterSend, skip_jsdoc)]
pub fn after_send(config: JsValue, pack_id: &str, org: &str, app: &str) -> Result<JsValue, JsValue> {
    let config = valid_config_from_js(&config)?;
    let pack = pack::find(pack_id, &config.custom_packs).map_err(|e| to_js_error(&e))?;
    out(&pack::after_send(pack, org, app))
}

// `orgFromHost(host)` → `{key, myDomain, sandbox, kind, surface, apiHost, notes}`, or `null`
// for a host that is not a Salesforce org's.
#[wasm_bindgen(js_name = orgFromHost, skip_jsdoc)]
pub fn org_from_host(host: &str) -> Result<JsValue, JsValue> {
    out(&crate::org::from_host(host))
}

// `version()` → the core crate's version (Cargo.toml): build.sh refuses to package a module
// whose version differs from the manifests' (docs/toolchain.md, "Packages").
#[wasm_bindgen(skip_jsdoc)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
