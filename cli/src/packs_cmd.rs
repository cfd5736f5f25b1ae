//! `eca-guard packs` and `eca-guard explain`.

use std::process::ExitCode;

use eca_guard::catalogue::{self, Origin};
use eca_guard::metadata::mapping;
use eca_guard::pack::{self, Pack, Rule};
use eca_guard::scopes;
use eca_guard::settings::{self, BaseValue};

use crate::{fail, load_pack, Format};

/// Arguments of `eca-guard packs`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PacksArgs {
    /// `lint FILE` or `schema`; without one, lists the packs.
    #[command(subcommand)]
    pub action: Option<PacksAction>,
    /// Also show (and validate) a custom pack file, or show only this pack id.
    #[arg(long)]
    pub pack: Option<String>,
    /// Output format (`json` prints the packs as data).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `eca-guard packs` can do besides listing.
#[derive(Debug, clap::Subcommand)]
pub enum PacksAction {
    /// Check a pack file: every problem with its line, reason and fix (exit 0 clean, 1 problems, 2 unreadable).
    Lint {
        /// The pack's JSON file.
        file: std::path::PathBuf,
    },
    /// Print the pack format's JSON Schema (docs/pack.schema.json).
    Schema,
}

/// Arguments of `eca-guard explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. scope-missing, pkce, session-lock-ip.
    pub rule: String,
    /// Show the source for this pack only (built-in id or pack JSON file).
    #[arg(long)]
    pub pack: Option<String>,
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

/// The pack's rules as lines: (rule ids, requirement, source id), in the pack's order.
fn rule_lines(p: &Pack) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (key, rule) in p.rules.iter() {
        let Some(field) = settings::fields_of_pack_key(key).next() else {
            continue;
        };
        let spec = field.spec();
        let (ids, text) = match rule {
            Rule::Bool(r) => {
                let dev = spec.baseline.is_some_and(|b| b.value != BaseValue::Bool(r.expect));
                let note = if dev {
                    " (deviation from Salesforce's baseline)"
                } else {
                    ""
                };
                (
                    spec.rule.to_string(),
                    format!("\"{}\" {}{note}", spec.label, on_off(r.expect)),
                )
            }
            Rule::Choice(r) => {
                let wanted: Vec<&str> = r.expect.iter().map(|v| spec.choice_label(v)).collect();
                (
                    spec.rule.to_string(),
                    format!("\"{}\": {}", spec.label, wanted.join(" or ")),
                )
            }
            Rule::Scopes(s) => {
                let names = |list: &[String]| {
                    list.iter()
                        .filter_map(|n| scopes::by_protocol_name(n))
                        .map(scopes::display)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut text = format!("scopes: {}", names(&s.require));
                for (param, extra) in &s.require_when {
                    text.push_str(&format!("; with {param}: {}", names(extra)));
                }
                if let Some(sev) = s.extra {
                    text.push_str(&format!("; any other scope: {}", sev.as_str()));
                }
                ("scope-missing scope-extra".to_string(), text)
            }
            Rule::Callback(cb) => {
                let mut parts: Vec<String> = cb.urls.clone();
                for p in &cb.from_param {
                    parts.push(if p == "callbackUrls" {
                        "every --callback URL".into()
                    } else {
                        format!("those of --param {p}=…")
                    });
                }
                let mut text = format!("callback URLs: {}, exactly", parts.join(", "));
                if cb.trailing_slash == pack::TrailingSlash::Forbid {
                    text.push_str(", no trailing slash");
                }
                (
                    "callback-missing callback-mismatch callback-trailing-slash callback-scheme callback-invalid"
                        .to_string(),
                    text,
                )
            }
            Rule::Fixed(_) => (
                spec.rule.to_string(),
                "the server's addresses (--server-address; public addresses only) inside the login IP ranges"
                    .to_string(),
            ),
        };
        out.push((ids, text, rule.source().to_string()));
    }
    out
}

fn print_pack(p: &Pack) {
    let kind = match p.app_type {
        pack::AppType::Eca => "External Client App",
        pack::AppType::ConnectedApp => "Connected App (legacy)",
    };
    println!("{}  {}  [{kind}]", p.id, p.name);
    if !p.description.is_empty() {
        println!("  {}", p.description);
    }
    for (name, spec) in &p.params {
        println!(
            "  parameter {name}{}: {}",
            if spec.required { " (required)" } else { "" },
            spec.description
        );
    }
    println!("  rules:");
    for (ids, text, source) in rule_lines(p) {
        println!("    {text}  [{ids}; source: {source}]");
    }
    println!("  sources:");
    for s in &p.sources {
        println!("    {}: {} <{}>", s.id, s.title, s.url);
    }
    for n in &p.notes {
        println!("  note: {n}");
    }
    println!();
}

/// Runs `eca-guard packs`.
pub fn packs(args: &PacksArgs) -> ExitCode {
    let mut list: Vec<Pack> = Vec::new();
    match &args.pack {
        Some(arg) => match load_pack(arg) {
            Ok(p) => list.push(p),
            Err(e) => return fail(e),
        },
        None => list.extend(pack::built_in().iter().cloned()),
    }
    if args.format == Format::Json {
        match serde_json::to_string_pretty(&list) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(e),
        }
        return ExitCode::SUCCESS;
    }
    for p in &list {
        print_pack(p);
    }
    ExitCode::SUCCESS
}

/// Runs `eca-guard explain`.
pub fn explain(args: &ExplainArgs) -> ExitCode {
    let Some(info) = catalogue::explain(&args.rule) else {
        let known: Vec<&str> = catalogue::rules().iter().map(|r| r.id).collect();
        return fail(format!("no rule `{}` (known: {})", args.rule, known.join(", ")));
    };
    let packs: Vec<Pack> = match &args.pack {
        Some(arg) => match load_pack(arg) {
            Ok(p) => vec![p],
            Err(e) => return fail(e),
        },
        None => pack::built_in().to_vec(),
    };
    println!("{}", info.id);
    println!("  meaning: {}", info.meaning);
    println!("  fix: {}", info.fix);
    for f in &info.fields {
        println!("  setting: {}", f.label());
        for m in mapping::mapping(*f) {
            println!("  metadata: {} <{}>", m.part.type_name(), m.path);
        }
    }
    match info.origin {
        Origin::Salesforce(doc) => println!("  source: {} <{}>", doc.title, doc.url),
        Origin::Reading => {
            println!("  source: the pack's first source (the rule is about reading, not about a requirement)")
        }
        Origin::Pack => {
            let mut any = false;
            for p in &packs {
                let rule = info.fields.iter().find_map(|f| p.rules.for_field(*f));
                if let Some(rule) = rule {
                    let s = p.source(rule.source());
                    println!("  source ({}): {} <{}>", p.id, s.title, s.url);
                    any = true;
                }
            }
            if !any {
                println!("  source: none of these packs checks it");
            }
        }
    }
    if let Some(b) = info.fields.iter().find_map(|f| f.spec().baseline) {
        println!("  Salesforce's baseline: {} <{}>", b.doc.title, b.doc.url);
    }
    ExitCode::SUCCESS
}
