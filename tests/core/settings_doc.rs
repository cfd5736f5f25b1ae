//! docs/settings.md is the settings table (src/settings) written out for readers: every
//! setting with its rule id, kind, pack key, scope, Salesforce's baseline and where it lives in
//! metadata. This test renders it from the table and fails when the committed file differs, so
//! the doc cannot drift from the code. `UPDATE_DOCS=1 cargo test settings_doc` rewrites it.

use eca_guard::metadata::mapping::mapping;
use eca_guard::settings::{spec, BaseValue, Field, Kind, Requirement, Scope};

fn kind(k: Kind) -> String {
    match k {
        Kind::Text => "text".into(),
        Kind::Bool => "on/off".into(),
        Kind::Choice(c) => {
            let values: Vec<&str> = c.iter().map(|c| c.value).collect();
            format!("one of {}", values.join(", "))
        }
        Kind::Callback => "callback URLs".into(),
        Kind::Scopes => "OAuth scopes".into(),
        Kind::Names => "names".into(),
        Kind::Ranges => "IP ranges".into(),
    }
}

fn requirement(r: Requirement) -> &'static str {
    match r {
        Requirement::Bool => "expect true/false",
        Requirement::Choice => "expect [values]",
        Requirement::Scopes => "require [scopes]",
        Requirement::Callback => "urls / fromParam",
        Requirement::Fixed => "fixed check",
    }
}

/// Table cells never hold a `|` of their own.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn render() -> String {
    let mut out = String::from(
        "# The settings table\n\n\
         Generated from the core's settings table (`src/settings/`, metadata half in \
         `src/metadata/mapping.rs`) by `tests/core/settings_doc.rs`, which fails when this file \
         is out of date (`UPDATE_DOCS=1 cargo test settings_doc` rewrites it). Adding a setting: \
         docs/CONTRIBUTING.md.\n\n\
         | field | label | rule | kind | pack rule | scope | Salesforce's baseline | metadata |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for field in Field::ALL {
        let s = spec(field);
        let pack = s
            .pack
            .map_or("—".to_string(), |(key, r)| format!("`{key}`: {}", requirement(r)));
        let baseline = s.baseline.map_or("—".to_string(), |b| {
            let v = match b.value {
                BaseValue::Bool(v) => v.to_string(),
                BaseValue::Choice(c) => c.to_string(),
            };
            format!("{v} ([{}]({}))", b.doc.title, b.doc.url)
        });
        let maps: Vec<String> = mapping(field)
            .iter()
            .map(|m| format!("`{}` {}", m.part.type_name(), m.path))
            .collect();
        let rule = if s.rule.is_empty() {
            "—".to_string()
        } else {
            format!("`{}`", s.rule)
        };
        let scope = match s.scope {
            Scope::App => "app",
            Scope::Org => "org",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            s.name,
            cell(s.label),
            rule,
            cell(&kind(s.kind)),
            pack,
            scope,
            cell(&baseline),
            if maps.is_empty() {
                "not in metadata".to_string()
            } else {
                cell(&maps.join("; "))
            },
        ));
    }
    out
}

#[test]
fn docs_settings_md_is_the_settings_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/settings.md");
    let want = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).expect("write docs/settings.md");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/settings.md is not the settings table: run UPDATE_DOCS=1 cargo test settings_doc"
    );
    // What the table must show, whatever its layout: every field once, by its wire name.
    for field in Field::ALL {
        assert_eq!(
            have.matches(&format!("\n| `{}` |", spec(field).name)).count(),
            1,
            "{field:?}"
        );
    }
}
