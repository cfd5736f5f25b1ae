//! What serde cannot check in a pack: ids, source references, scope names, URLs, parameter
//! names and choice values (the values each choice setting has come from the settings table).

use super::{built_in, Pack, Rule};
use crate::error::Error;
use crate::scopes;
use crate::settings::{self, Field};

/// Parameters a pack may take (docs/contract.md, "Rule packs").
pub const PARAMS: &[&str] = &["callbackUrls", "salesforceIdp", "serverAddresses"];

/// A reason, and a string to locate it in the pack's text.
type Refusal = (String, Option<String>);

/// Checks what serde cannot. On failure returns the reason and a string to locate in the text.
pub fn validate(pack: &Pack) -> Result<(), Refusal> {
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
    for (key, rule) in pack.rules.iter() {
        let source = rule.source();
        if !pack.sources.iter().any(|s| s.id == source) {
            return Err((
                format!("rules.{key} cites source `{source}`, which is not in `sources`"),
                Some(source.to_string()),
            ));
        }
        match rule {
            Rule::Scopes(s) => scope_rule(s)?,
            Rule::Callback(c) => callback_rule(c)?,
            Rule::Choice(c) => {
                let field = settings::fields_of_pack_key(key).next().unwrap_or(Field::Name);
                choice_rule(key, field, c)?
            }
            Rule::Bool(_) | Rule::Fixed(_) => {}
        }
    }
    for name in pack.params.keys() {
        if !PARAMS.contains(&name.as_str()) {
            return Err((
                format!("params: unknown parameter `{name}` (known: {})", PARAMS.join(", ")),
                Some(name.clone()),
            ));
        }
    }
    Ok(())
}

fn scope_rule(s: &super::ScopeRule) -> Result<(), Refusal> {
    for name in s.require.iter().chain(s.require_when.values().flatten()) {
        if scopes::by_protocol_name(name).is_none() {
            return Err((
                format!("rules.scopes: `{name}` is not a scope protocol name (e.g. full, api, refresh_token, openid)"),
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
    Ok(())
}

fn callback_rule(c: &super::CallbackRule) -> Result<(), Refusal> {
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
    Ok(())
}

fn choice_rule(key: &str, field: Field, rule: &super::ChoiceRule) -> Result<(), Refusal> {
    if rule.expect.is_empty() {
        return Err((
            format!("rules.{key}.expect must list at least one value"),
            Some(key.into()),
        ));
    }
    let allowed = field.spec().choices();
    for v in &rule.expect {
        if !allowed.iter().any(|c| c.value == v) {
            let names: Vec<&str> = allowed.iter().map(|c| c.value).collect();
            return Err((
                format!("rules.{key}.expect: `{v}` is not one of {}", names.join(", ")),
                Some(v.clone()),
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
