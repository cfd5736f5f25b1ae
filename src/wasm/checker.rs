//! The checker module's exports (src/wasm/mod.rs says why there are two modules).

use wasm_bindgen::prelude::*;

use super::common::{from_js, valid_config_from_js};
#[cfg(feature = "bench")]
use super::to_json;
use super::{out, to_js_error};

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

// `orgStatus(readings, settings, setupOrigin)` → `{pack, rows, failing, packNotes}`: the popup's
// rows for one org from what the worker remembers of it (src/org_status/).
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
