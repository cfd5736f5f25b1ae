//! The built-in packs (`src/packs/*.json`). Natively (the CLI, the tests) they are compiled in.
//! The Wasm module does not carry them: their JSON is a fifth of the module's gzipped size and
//! grows with every integration, so build.sh ships them as one extension file
//! (`packs/built-in.json`) that the extension hands to the module once per start
//! ([`register_built_in`]).

use super::Pack;

#[cfg(not(target_arch = "wasm32"))]
pub(super) const BUILT_IN_JSON: &[(&str, &str)] = &[
    ("veeam-eca", include_str!("../packs/veeam-eca.json")),
    ("veeam-connected-app", include_str!("../packs/veeam-connected-app.json")),
    ("delphix-crt-eca", include_str!("../packs/delphix-crt-eca.json")),
    ("salesforce-baseline", include_str!("../packs/salesforce-baseline.json")),
    ("salesforce-mcp-eca", include_str!("../packs/salesforce-mcp-eca.json")),
    (
        "salesforce-agent-api-eca",
        include_str!("../packs/salesforce-agent-api-eca.json"),
    ),
    ("sf-cli-jwt-eca", include_str!("../packs/sf-cli-jwt-eca.json")),
    ("fivetran-eca", include_str!("../packs/fivetran-eca.json")),
    (
        "snowflake-openflow-eca",
        include_str!("../packs/snowflake-openflow-eca.json"),
    ),
    ("okta-workflows-eca", include_str!("../packs/okta-workflows-eca.json")),
    ("jitterbit-eca", include_str!("../packs/jitterbit-eca.json")),
    ("workato-eca", include_str!("../packs/workato-eca.json")),
];

/// The built-in packs' JSON texts, in order.
#[cfg(not(target_arch = "wasm32"))]
pub fn built_in_json() -> impl Iterator<Item = &'static str> {
    BUILT_IN_JSON.iter().map(|(_, json)| *json)
}

/// The built-in packs, parsed once.
#[cfg(not(target_arch = "wasm32"))]
pub fn built_in() -> &'static [Pack] {
    static PACKS: std::sync::OnceLock<Vec<Pack>> = std::sync::OnceLock::new();
    PACKS.get_or_init(|| {
        // Built-in packs are validated by the tests (`built_in_packs_are_valid`), so they are
        // only read here: validating them again would run (and, in a cold worker, compile) the
        // validator on every start for nothing. A failure would be a build defect; skip the
        // pack rather than panic in the browser.
        BUILT_IN_JSON
            .iter()
            .filter_map(|(_, json)| crate::json::from_str(json).ok())
            .collect()
    })
}

#[cfg(target_arch = "wasm32")]
static REGISTERED: std::sync::OnceLock<(Vec<Pack>, Vec<String>)> = std::sync::OnceLock::new();

/// Hands the module its built-in packs (their JSON texts), once per instance: the extension
/// reads them from `packs/built-in.json`, which build.sh writes from `src/packs/*.json` (the
/// same files the tests validate). Later calls change nothing.
#[cfg(target_arch = "wasm32")]
pub fn register_built_in(texts: Vec<String>) {
    let packs = texts.iter().filter_map(|t| crate::json::from_str(t).ok()).collect();
    let _ = REGISTERED.set((packs, texts));
}

/// The built-in packs (none before [`register_built_in`]).
#[cfg(target_arch = "wasm32")]
pub fn built_in() -> &'static [Pack] {
    REGISTERED.get().map_or(&[], |(p, _)| p.as_slice())
}

/// The built-in packs' JSON texts, as registered.
#[cfg(target_arch = "wasm32")]
pub fn built_in_json() -> impl Iterator<Item = &'static str> {
    REGISTERED
        .get()
        .into_iter()
        .flat_map(|(_, t)| t.iter().map(String::as_str))
}
