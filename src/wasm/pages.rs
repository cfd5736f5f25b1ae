//! The on-demand module's exports for extension pages and for after a send: the pack list, a
//! custom pack's validation, the options form and its problems, an integration's next steps, the
//! evidence report (src/wasm/mod.rs says why these are not in the checker).

use wasm_bindgen::prelude::*;

use super::common::{from_js, valid_config_from_js};
use super::{out, to_js_error};
use crate::pack;

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

// `afterSend(settings, packId, org, app)` → `{title, steps}` or `null`: the pack's next steps
// for a credential sent as org/app; a command in them only for shape-checked values.
#[wasm_bindgen(js_name = afterSend, skip_jsdoc)]
pub fn after_send(config: JsValue, pack_id: &str, org: &str, app: &str) -> Result<JsValue, JsValue> {
    let config = valid_config_from_js(&config)?;
    let pack = pack::find(pack_id, &config.custom_packs).map_err(|e| to_js_error(&e))?;
    out(&pack::after_send(pack, org, app))
}

// `checkOptions(settings)` → `{fields: [{name, kind, label, description, required, values}],
// problems: [{param, line?, severity, message, fix}]}`: the options form the chosen pack asks
// for, and what is wrong with the values, by the rules the Setup form is checked with
// (src/check/options.rs); the options page refuses to save errors.
#[wasm_bindgen(js_name = checkOptions, skip_jsdoc)]
pub fn check_options(config: JsValue) -> Result<JsValue, JsValue> {
    let config = valid_config_from_js(&config)?;
    let pack = pack::find(&config.pack, &config.custom_packs).map_err(|e| to_js_error(&e))?;
    out(&crate::check::options::options_report(pack, &config.params))
}

/// The evidence report's texts: what the worker hands to the page or the popup.
#[derive(serde::Serialize)]
struct ReportTexts {
    markdown: String,
    json: String,
    filename: String,
}

// `report(input, settings, format)` → `{markdown, json, filename}`: the evidence report for a
// tab's latest check and its org's rows (src/report/mod.rs: `input` is `{host, now, page?: {url,
// checkedAt, snapshot, result}, orgStatus}`, the last two as `check` and `orgStatus` gave them);
// `filename` ends in .json for `format` "json", else .md.
#[wasm_bindgen(skip_jsdoc)]
pub fn report(input: JsValue, config: JsValue, format: &str) -> Result<JsValue, JsValue> {
    let input: crate::report::Input = from_js(&input, "the report's input")?;
    let config = valid_config_from_js(&config)?;
    let r = crate::report::build(&config, &input).map_err(|e| to_js_error(&e))?;
    out(&ReportTexts {
        markdown: r.markdown(),
        json: r.json().map_err(|e| to_js_error(&e))?,
        filename: r.filename(if format == "json" { "json" } else { "md" }),
    })
}
