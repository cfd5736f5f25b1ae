//! Rule packs: what an integration needs, as data. Each rule names the document it comes from.
//!
//! A pack says what each setting must be; the checker (`check.rs`) knows how to read each
//! setting and how Salesforce's own baseline compares (`baseline.rs`). Adding an integration
//! means writing a pack, not editing the checker. Built-in packs live in `src/packs/*.json`;
//! users add custom packs in the same JSON shape.

use crate::json::Pairs;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::finding::Severity;
use crate::scopes;

/// Which kind of app the pack is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum AppType {
    /// An External Client App.
    #[default]
    Eca,
    /// A legacy Connected App (none can be created since Spring '26).
    ConnectedApp,
}

/// A document a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Source {
    /// Short id the rules refer to.
    pub id: String,
    /// Document title.
    pub title: String,
    /// Where to read it.
    pub url: String,
}

/// A setting that must have one boolean value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoolRule {
    /// The value the integration needs.
    pub expect: bool,
    /// Source id.
    pub source: String,
    /// Why the integration needs it (shown with required deviations).
    #[serde(default)]
    pub why: Option<String>,
    /// Severity when the page differs (default `error`).
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A setting that must be one of some values (metadata spellings: `Local`, `Bypass`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChoiceRule {
    /// Acceptable values, preferred first.
    pub expect: Vec<String>,
    /// Source id.
    pub source: String,
    /// Why the integration needs it.
    #[serde(default)]
    pub why: Option<String>,
    /// Severity when the page differs (default `error`).
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// Which scopes the integration needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeRule {
    /// Protocol names that must be selected (`full`, `refresh_token`).
    pub require: Vec<String>,
    /// Extra required scopes when a boolean parameter is true (`salesforceIdp` → `openid`).
    #[serde(default)]
    pub require_when: Pairs<Vec<String>>,
    /// Severity of a selected scope the pack does not need (default `warning`; `null` = allowed).
    #[serde(default = "default_extra")]
    pub extra: Option<Severity>,
    /// Source id.
    pub source: String,
}

fn default_extra() -> Option<Severity> {
    Some(Severity::Warning)
}

/// Whether a trailing slash is allowed on callback lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum TrailingSlash {
    /// `https://host/` is an error when `https://host` is required.
    #[default]
    Forbid,
    /// No opinion.
    Allow,
}

/// What the callback field must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackRule {
    /// URLs that must all be present, exactly (fixed by the integration).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Take the required URLs from this parameter (`callbackUrls`) as well.
    #[serde(default)]
    pub from_param: Option<String>,
    /// Trailing slash policy.
    #[serde(default)]
    pub trailing_slash: TrailingSlash,
    /// Severity of a callback line that is not among the required ones (default: allowed).
    #[serde(default)]
    pub extra: Option<Severity>,
    /// Source id.
    pub source: String,
}

/// A rule that only needs a source (the check is fixed, e.g. login IP ranges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceOnly {
    /// Source id.
    pub source: String,
}

/// Every rule a pack may set. A missing rule means "no opinion".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rules {
    /// Enable OAuth.
    pub oauth_enabled: Option<BoolRule>,
    /// Distribution State.
    pub distribution_state: Option<ChoiceRule>,
    /// OAuth scopes.
    pub scopes: Option<ScopeRule>,
    /// Callback URL.
    pub callback_url: Option<CallbackRule>,
    /// Require secret for Web Server Flow.
    pub require_secret_web_server: Option<BoolRule>,
    /// Require secret for Refresh Token Flow.
    pub require_secret_refresh: Option<BoolRule>,
    /// Require PKCE.
    pub require_pkce: Option<BoolRule>,
    /// Enable Authorization Code and Credentials Flow.
    pub code_credentials_flow: Option<BoolRule>,
    /// Enable Client Credentials Flow.
    pub client_credentials_flow: Option<BoolRule>,
    /// Permitted Users policy.
    pub permitted_users: Option<ChoiceRule>,
    /// IP Relaxation policy.
    pub ip_relaxation: Option<ChoiceRule>,
    /// Session Settings: Lock sessions to the IP address from which they originated.
    pub lock_sessions_to_ip: Option<BoolRule>,
    /// Session Settings: Lock sessions to the domain in which they were first used.
    pub lock_sessions_to_domain: Option<BoolRule>,
    /// Session Settings: Enforce login IP ranges on every request.
    pub enforce_ip_ranges_every_request: Option<BoolRule>,
    /// The server's addresses must be inside the login IP ranges.
    pub login_ip_range: Option<SourceOnly>,
}

/// A parameter the pack takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParamSpec {
    /// What to enter, shown in the options page.
    pub description: String,
    /// Whether checks are incomplete without it.
    #[serde(default)]
    pub required: bool,
}

/// A rule pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pack {
    /// Stable id (`veeam-eca`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// One paragraph: what the integration is and what the pack checks.
    #[serde(default)]
    pub description: String,
    /// ECA or legacy Connected App.
    #[serde(default)]
    pub app_type: AppType,
    /// Parameters it takes (`callbackUrls`, `salesforceIdp`, `serverAddresses`).
    #[serde(default)]
    pub params: Pairs<ParamSpec>,
    /// Documents the rules cite.
    pub sources: Vec<Source>,
    /// The rules.
    pub rules: Rules,
    /// Things to tell the admin whatever the page says ("tokens take up to 10 minutes").
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Parameters from the user's settings (contract: `params`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Params {
    /// URLs the integration will use as redirect URIs.
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Salesforce is the identity provider (Veeam: `openid` becomes required).
    #[serde(default)]
    pub salesforce_idp: bool,
    /// The integration server's public IP addresses (for login IP ranges). IP literals among
    /// the callback URLs count too.
    #[serde(default)]
    pub server_addresses: Vec<String>,
}

impl Params {
    /// The value of a boolean parameter by its contract name.
    pub fn flag(&self, name: &str) -> bool {
        match name {
            "salesforceIdp" => self.salesforce_idp,
            _ => false,
        }
    }

    /// The value of a list parameter by its contract name.
    pub fn list(&self, name: &str) -> &[String] {
        match name {
            "callbackUrls" => &self.callback_urls,
            "serverAddresses" => &self.server_addresses,
            _ => &[],
        }
    }
}

/// The extension's settings (contract: "Configuration"), as stored under `ecaGuard`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Pack id, built-in or custom.
    #[serde(default)]
    pub pack: String,
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Custom packs the user added.
    #[serde(default)]
    pub custom_packs: Vec<Pack>,
}

const BUILT_IN_JSON: &[(&str, &str)] = &[
    ("veeam-eca", include_str!("packs/veeam-eca.json")),
    ("veeam-connected-app", include_str!("packs/veeam-connected-app.json")),
    ("delphix-crt-eca", include_str!("packs/delphix-crt-eca.json")),
];

/// The built-in packs' JSON texts, in order (the Wasm binding hands them to JS as they are).
pub fn built_in_json() -> impl Iterator<Item = &'static str> {
    BUILT_IN_JSON.iter().map(|(_, json)| *json)
}

/// The built-in packs, parsed once.
pub fn built_in() -> &'static [Pack] {
    static PACKS: OnceLock<Vec<Pack>> = OnceLock::new();
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

/// Finds a pack by id among the built-in and the given custom packs (custom packs may not
/// shadow a built-in id; [`validate`] rejects that).
pub fn find<'a>(id: &str, custom: &'a [Pack]) -> Result<&'a Pack, Error>
where
    'static: 'a,
{
    built_in()
        .iter()
        .chain(custom.iter())
        .find(|p| p.id == id)
        .ok_or_else(|| Error::UnknownPack {
            id: id.to_string(),
            known: built_in()
                .iter()
                .chain(custom.iter())
                .map(|p| p.id.clone())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Parses and validates a pack from JSON text. Errors name the line and the reason.
pub fn parse(text: &str) -> Result<Pack, Error> {
    let pack: Pack = crate::json::from_str(text).map_err(|e| Error::PackSyntax {
        line: e.line(),
        column: e.column(),
        reason: strip_position(&e.to_string()),
    })?;
    validate(&pack).map_err(|(reason, needle)| Error::PackInvalid {
        pack: pack.id.clone(),
        line: needle.and_then(|n| line_of(text, &n)),
        reason,
    })?;
    Ok(pack)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// 1-based line of the first occurrence of `"needle"` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let quoted = format!("\"{needle}\"");
    text.find(&quoted).map(|at| text[..at].matches('\n').count() + 1)
}

const DISTRIBUTION_STATES: &[&str] = &["Local", "Packaged", "AutoInstalled"];
/// Metadata values of `ipRelaxationPolicyType`.
pub const IP_RELAXATION_VALUES: &[&str] = &["Enforce", "Bypass", "Bypass_2factor", "Enforce_RelaxRefresh"];
/// Metadata values of `permittedUsersPolicyType`.
pub const PERMITTED_USERS_VALUES: &[&str] = &["AdminApprovedPreAuthorized", "AllSelfAuthorized"];

/// Checks what serde cannot: ids, source references, scope names, URLs, enum values.
/// On failure returns the reason and a string to locate in the text.
pub fn validate(pack: &Pack) -> Result<(), (String, Option<String>)> {
    let id_ok = !pack.id.is_empty()
        && pack.id.len() <= 64
        && pack
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err((
            format!("id `{}` must be 1-64 characters of a-z, 0-9 and -", pack.id),
            Some(pack.id.clone()),
        ));
    }
    if pack.name.trim().is_empty() {
        return Err(("name must not be empty".into(), Some("name".into())));
    }
    let mut seen = Vec::new();
    for s in &pack.sources {
        if seen.contains(&s.id.as_str()) {
            return Err((format!("source id `{}` is listed twice", s.id), Some(s.id.clone())));
        }
        seen.push(&s.id);
        if crate::urls::parse(&s.url)
            .map(|u| !matches!(u.scheme.as_str(), "https" | "http"))
            .unwrap_or(true)
        {
            return Err((
                format!("source `{}` has no http(s) URL: `{}`", s.id, s.url),
                Some(s.url.clone()),
            ));
        }
    }
    let r = &pack.rules;
    let mut refs: Vec<(&str, &str)> = Vec::new();
    macro_rules! src {
        ($name:literal, $rule:expr) => {
            if let Some(rule) = &$rule {
                refs.push(($name, rule.source.as_str()));
            }
        };
    }
    src!("oauthEnabled", r.oauth_enabled);
    src!("distributionState", r.distribution_state);
    src!("scopes", r.scopes);
    src!("callbackUrl", r.callback_url);
    src!("requireSecretWebServer", r.require_secret_web_server);
    src!("requireSecretRefresh", r.require_secret_refresh);
    src!("requirePkce", r.require_pkce);
    src!("codeCredentialsFlow", r.code_credentials_flow);
    src!("clientCredentialsFlow", r.client_credentials_flow);
    src!("permittedUsers", r.permitted_users);
    src!("ipRelaxation", r.ip_relaxation);
    src!("lockSessionsToIp", r.lock_sessions_to_ip);
    src!("lockSessionsToDomain", r.lock_sessions_to_domain);
    src!("enforceIpRangesEveryRequest", r.enforce_ip_ranges_every_request);
    src!("loginIpRange", r.login_ip_range);
    for (rule, source) in refs {
        if !pack.sources.iter().any(|s| s.id == source) {
            return Err((
                format!("rules.{rule} cites source `{source}`, which is not in `sources`"),
                Some(source.to_string()),
            ));
        }
    }
    if let Some(s) = &r.scopes {
        let all = s.require.iter().chain(s.require_when.values().flatten());
        for name in all {
            if scopes::by_protocol_name(name).is_none() {
                return Err((
                    format!(
                        "rules.scopes: `{name}` is not a scope protocol name (e.g. full, api, refresh_token, openid)"
                    ),
                    Some(name.clone()),
                ));
            }
        }
        for param in s.require_when.keys() {
            if param != "salesforceIdp" {
                return Err((
                    format!("rules.scopes.requireWhen: unknown parameter `{param}` (known: salesforceIdp)"),
                    Some(param.clone()),
                ));
            }
        }
    }
    if let Some(c) = &r.callback_url {
        for u in &c.urls {
            if let Err(e) = crate::urls::parse(u) {
                return Err((
                    format!("rules.callbackUrl.urls: `{u}` is not a URL ({e})"),
                    Some(u.clone()),
                ));
            }
        }
        if let Some(p) = &c.from_param {
            if p != "callbackUrls" {
                return Err((
                    format!("rules.callbackUrl.fromParam: unknown parameter `{p}` (known: callbackUrls)"),
                    Some(p.clone()),
                ));
            }
        }
    }
    let choices: [(&str, &Option<ChoiceRule>, &[&str]); 3] = [
        ("distributionState", &r.distribution_state, DISTRIBUTION_STATES),
        ("ipRelaxation", &r.ip_relaxation, IP_RELAXATION_VALUES),
        ("permittedUsers", &r.permitted_users, PERMITTED_USERS_VALUES),
    ];
    for (name, rule, allowed) in choices {
        if let Some(rule) = rule {
            if rule.expect.is_empty() {
                return Err((
                    format!("rules.{name}.expect must list at least one value"),
                    Some(name.into()),
                ));
            }
            for v in &rule.expect {
                if !allowed.contains(&v.as_str()) {
                    return Err((
                        format!("rules.{name}.expect: `{v}` is not one of {}", allowed.join(", ")),
                        Some(v.clone()),
                    ));
                }
            }
        }
    }
    for name in pack.params.keys() {
        if !["callbackUrls", "salesforceIdp", "serverAddresses"].contains(&name.as_str()) {
            return Err((
                format!("params: unknown parameter `{name}` (known: callbackUrls, salesforceIdp, serverAddresses)"),
                Some(name.clone()),
            ));
        }
    }
    Ok(())
}

/// Validates a list of custom packs against each other and the built-in ones.
pub fn validate_custom(custom: &[Pack]) -> Result<(), Error> {
    for (i, p) in custom.iter().enumerate() {
        validate(p).map_err(|(reason, _)| Error::PackInvalid {
            pack: p.id.clone(),
            line: None,
            reason,
        })?;
        if built_in().iter().any(|b| b.id == p.id) {
            return Err(Error::PackInvalid {
                pack: p.id.clone(),
                line: None,
                reason: "a custom pack may not reuse a built-in pack's id".into(),
            });
        }
        if custom[..i].iter().any(|q| q.id == p.id) {
            return Err(Error::PackInvalid {
                pack: p.id.clone(),
                line: None,
                reason: "two custom packs share this id".into(),
            });
        }
    }
    Ok(())
}

impl Pack {
    /// The source with this id, or a placeholder naming the pack.
    pub fn source(&self, id: &str) -> Source {
        let (title, url) = self.source_parts(id);
        Source {
            id: id.to_string(),
            title: title.to_string(),
            url: url.to_string(),
        }
    }

    /// Title and URL of the source with this id, borrowed; the pack's name and no URL when the
    /// pack has no such source.
    pub fn source_parts(&self, id: &str) -> (&str, &str) {
        match self.sources.iter().find(|s| s.id == id) {
            Some(s) => (&s.title, &s.url),
            None => (&self.name, ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_packs_are_valid() {
        for (id, json) in BUILT_IN_JSON {
            let pack = parse(json).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&pack.id, id);
        }
        assert_eq!(built_in().len(), BUILT_IN_JSON.len());
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("{\n  \"id\": \"x\",\n  \"name\": oops\n}").err();
        match err {
            Some(Error::PackSyntax { line, .. }) => assert_eq!(line, 3),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = r#"{"id":"x","name":"X","sources":[],"rules":{"pkce":{"expect":true,"source":"s"}}}"#;
        let msg = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("unknown field `pkce`"), "{msg}");
    }

    #[test]
    fn semantic_errors_name_the_line_and_reason() {
        let text = "{\"id\":\"acme\",\"name\":\"Acme\",\n\"sources\":[{\"id\":\"doc\",\"title\":\"Doc\",\"url\":\"https://acme.example/doc\"}],\n\"rules\":{\"scopes\":{\"require\":[\n\"fulll\"],\"source\":\"doc\"}}}";
        match parse(text) {
            Err(Error::PackInvalid { line, reason, .. }) => {
                assert_eq!(line, Some(4));
                assert!(reason.contains("`fulll` is not a scope"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn dangling_source_is_rejected() {
        let text =
            r#"{"id":"acme","name":"Acme","sources":[],"rules":{"requirePkce":{"expect":true,"source":"nowhere"}}}"#;
        let msg = parse(text).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("cites source `nowhere`"), "{msg}");
    }

    #[test]
    fn custom_packs_cannot_shadow_built_ins() {
        let mut p = built_in()[0].clone();
        assert!(validate_custom(std::slice::from_ref(&p)).is_err());
        p.id = "my-veeam".into();
        assert!(validate_custom(std::slice::from_ref(&p)).is_ok());
        assert!(validate_custom(&[p.clone(), p]).is_err());
    }

    #[test]
    fn unknown_pack_lists_known_ids() {
        let msg = find("nope", &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("veeam-eca") && msg.contains("delphix-crt-eca"), "{msg}");
    }
}
