//! What serde cannot check in a pack: ids, source references, scope names, URLs, parameter
//! names and choice values (the values each choice setting has come from the settings table).

use super::params::FIXED;
use super::{built_in, Pack, ParamKind, ParamSpec, Rule};
use crate::error::Error;
use crate::scopes;
use crate::settings::{self, Field};

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
    // The same format as the pack schema's (`schema.rs`), so that a pack the core takes also
    // passes `eca-guard packs lint`; absent is empty.
    if !(pack.checked.is_empty() || is_date(&pack.checked)) {
        return Err((
            format!("checked `{}` must be a date, YYYY-MM-DD", pack.checked),
            Some(pack.checked.clone()),
        ));
    }
    let mut seen = Vec::new();
    for s in &pack.sources {
        if seen.contains(&s.id.as_str()) {
            return Err((format!("source id `{}` is listed twice", s.id), Some(s.id.clone())));
        }
        seen.push(&s.id);
        // Written as the link is shown: `https://` or `http://` as is (a URL parser would also
        // take ` HTTPS://…` and print it as the finding's source).
        let written = s.url.starts_with("https://") || s.url.starts_with("http://");
        if !written || crate::urls::parse(&s.url).is_err() {
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
            Rule::Callback(c) => callback_rule(pack, c)?,
            Rule::Choice(c) => {
                let field = settings::fields_of_pack_key(key).next().unwrap_or(Field::Name);
                choice_rule(key, field, c)?
            }
            Rule::Bool(_) | Rule::Fixed(_) => {}
        }
    }
    for (name, spec) in pack.params.iter() {
        param(name, spec)?;
    }
    Ok(())
}

/// A declared parameter: a fixed one with its own kind, or a choice with values.
fn param(name: &str, spec: &ParamSpec) -> Result<(), Refusal> {
    let fixed = FIXED.contains(&name);
    match (fixed, spec.kind_of(name)) {
        (true, Some(k)) if spec.kind.is_none_or(|given| given == k) => {}
        (true, _) => return Err((format!("params.{name}: its kind is fixed"), Some(name.into()))),
        (false, Some(ParamKind::Choice)) => {}
        (false, _) => {
            return Err((
                format!(
                    "params: unknown parameter `{name}` (known: {}, or a parameter of kind \"choice\")",
                    FIXED.join(", ")
                ),
                Some(name.into()),
            ))
        }
    }
    let ok_name = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok_name {
        return Err((
            format!("params: `{name}` must be a camelCase name of letters and digits"),
            Some(name.into()),
        ));
    }
    if spec.kind_of(name) == Some(ParamKind::Choice) && spec.values.is_empty() {
        return Err((format!("params.{name}: a choice lists its `values`"), Some(name.into())));
    }
    for (i, v) in spec.values.iter().enumerate() {
        if v.value.is_empty() || spec.values[..i].iter().any(|w| w.value == v.value) {
            return Err((
                format!("params.{name}.values: `{}` is empty or listed twice", v.value),
                Some(v.value.clone()),
            ));
        }
        for u in &v.callback_urls {
            if let Err(e) = crate::urls::parse(u) {
                return Err((
                    format!("params.{name}.values: `{u}` is not a URL ({e})"),
                    Some(u.clone()),
                ));
            }
        }
    }
    Ok(())
}

fn scope_rule(s: &super::ScopeRule) -> Result<(), Refusal> {
    for name in s
        .require
        .iter()
        .chain(s.require_when.values().flatten())
        .chain(&s.forbid)
    {
        // Exactly as Setup prints it in parentheses (the schema's list); the checker matches
        // page text loosely, a pack is data and is spelt one way.
        let exact = scopes::SCOPES.iter().any(|s| s.protocol_names.contains(&name.as_str()));
        if !exact {
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

fn callback_rule(pack: &Pack, c: &super::CallbackRule) -> Result<(), Refusal> {
    for u in &c.urls {
        if let Err(e) = crate::urls::parse(u) {
            return Err((
                format!("rules.callbackUrl.urls: `{u}` is not a URL ({e})"),
                Some(u.clone()),
            ));
        }
    }
    for p in &c.from_param {
        let choice = pack
            .params
            .get(p)
            .is_some_and(|s| s.kind_of(p) == Some(ParamKind::Choice));
        if p != "callbackUrls" && !choice {
            return Err((
                format!("rules.callbackUrl.fromParam: `{p}` is neither callbackUrls nor a choice in `params`"),
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

/// `YYYY-MM-DD`, ASCII digits.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
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
