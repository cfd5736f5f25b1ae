//! Every built-in pack, driven by its own rules: a page built to the pack's rules has no error
//! and no warning, and breaking any one rule gives exactly that rule's finding, at the rule's
//! severity. New packs are covered as soon as they are added.

use eca_guard::json::Pairs;
use eca_guard::pack::{self, Pack, ParamKind, Params, Rule};
use eca_guard::scopes;
use eca_guard::settings::{self, Field};
use eca_guard::snapshot::{Page, Snapshot};
use eca_guard::Severity;

/// Parameters for a pack: a callback URL if it takes them, the first value of each choice.
pub fn params_for(p: &Pack) -> Params {
    let mut params = Params::default();
    let mut choices = Vec::new();
    for (name, spec) in p.params.iter() {
        match spec.kind_of(name) {
            Some(ParamKind::Urls) => {
                params.callback_urls = vec!["https://integration.acme.example/oauth/callback".into()]
            }
            Some(ParamKind::Choice) => choices.push((name.clone(), spec.values[0].value.clone())),
            _ => {}
        }
    }
    params.choices = Pairs(choices);
    params
}

/// A page that has exactly what the pack's rules ask for.
pub fn good(p: &Pack, params: &Params) -> Snapshot {
    let page = if p.app_type == pack::AppType::ConnectedApp {
        Page::ConnectedAppEdit
    } else {
        Page::NewEca
    };
    let mut s = Snapshot::new(page);
    for (key, rule) in p.rules.iter() {
        for f in settings::fields_of_pack_key(key) {
            match rule {
                Rule::Bool(r) => s.set(f, r.expect),
                Rule::Choice(r) => s.set(f, r.expect[0].as_str()),
                Rule::Scopes(r) => {
                    let shown: Vec<String> = r
                        .require
                        .iter()
                        .filter_map(|n| scopes::by_protocol_name(n))
                        .map(scopes::display)
                        .collect();
                    s.set(f, shown)
                }
                Rule::Callback(_) => {
                    let w = p.callbacks(params);
                    let mut lines = w.all.clone();
                    lines.extend(w.any_of.iter().filter_map(|g| g.first().cloned()));
                    if lines.is_empty() {
                        lines.push("https://app.acme.example/callback".into());
                    }
                    s.set(f, lines.join("\n"))
                }
                Rule::Fixed(_) => {}
            }
        }
    }
    s
}

/// Each rule broken on its own: (what was changed, the rule id expected, at which severity).
fn breakages(p: &Pack, params: &Params, base: &Snapshot) -> Vec<(String, Snapshot, &'static str, Severity)> {
    let mut out = Vec::new();
    for (key, rule) in p.rules.iter() {
        let Some(f) = settings::fields_of_pack_key(key).next() else {
            continue;
        };
        let spec = f.spec();
        let mut s = base.clone();
        let (rule_id, severity) = match rule {
            Rule::Bool(r) => {
                s.set(f, !r.expect);
                (spec.rule, r.severity.unwrap_or(Severity::Error))
            }
            Rule::Choice(r) => {
                let Some(other) = spec.choices().iter().find(|c| !r.expect.iter().any(|e| e == c.value)) else {
                    continue;
                };
                s.set(f, other.value);
                (spec.rule, r.severity.unwrap_or(Severity::Error))
            }
            Rule::Scopes(r) => {
                if r.require.is_empty() {
                    continue;
                }
                let mut l = base.list(f).map(<[String]>::to_vec).unwrap_or_default();
                l.remove(0);
                s.set(f, l);
                ("scope-missing", Severity::Error)
            }
            Rule::Callback(r) => {
                let w = p.callbacks(params);
                if w.all.is_empty() && w.any_of.is_empty() {
                    continue;
                }
                s.set(f, "https://somewhere-else.example/callback");
                ("callback-mismatch", r.severity.unwrap_or(Severity::Error))
            }
            Rule::Fixed(_) => continue,
        };
        out.push((key.to_string(), s, rule_id, severity));
    }
    out
}

fn worse(s: Severity) -> bool {
    matches!(s, Severity::Error | Severity::Warning)
}

#[test]
fn every_pack_passes_a_page_built_to_its_rules_and_names_each_broken_rule() {
    let ids: Vec<&str> = pack::built_in().iter().map(|p| p.id.as_str()).collect();
    assert!(ids.len() >= 12, "{ids:?}");
    let mut broken = 0;
    for p in pack::built_in() {
        let params = params_for(p);
        let base = good(p, &params);
        let ok = eca_guard::check(&base, p, &params);
        assert!(
            !ok.iter().any(|f| worse(f.severity)),
            "{}: a correct page has {ok:#?}",
            p.id
        );
        let cases = breakages(p, &params, &base);
        assert!(!cases.is_empty(), "{}: no rule could be broken", p.id);
        broken += cases.len();
        for (what, snap, rule, severity) in cases {
            let got = eca_guard::check(&snap, p, &params);
            let new: Vec<_> = got.iter().filter(|f| worse(f.severity)).collect();
            assert!(
                new.iter().any(|f| f.rule == rule && f.severity == severity),
                "{}: breaking {what} should give {rule} ({severity:?}): {got:#?}",
                p.id
            );
            assert!(
                new.iter().all(|f| f.rule == rule || f.rule.starts_with("callback-")),
                "{}: breaking {what} gives other findings too: {new:#?}",
                p.id
            );
            for f in &new {
                assert!(f.source.starts_with("https://"), "{}: {f:?}", p.id);
            }
        }
    }
    assert!(broken >= 60, "only {broken} rules broken across the packs");
}

#[test]
fn every_deviation_cites_salesforces_control_page() {
    for p in pack::built_in() {
        let params = params_for(p);
        for f in eca_guard::check(&good(p, &params), p, &params) {
            if f.severity == Severity::Deviation {
                let b = f.baseline.as_ref().unwrap_or_else(|| panic!("{}: {f:?}", p.id));
                assert!(b.url.starts_with("https://help.salesforce.com/"), "{}: {b:?}", p.id);
            }
        }
    }
}

#[test]
fn mcp_client_choice_sets_the_callback_and_cursor_takes_either() {
    let p = pack::find("salesforce-mcp-eca", &[]).expect("pack");
    let with = |client: &str| Params {
        choices: Pairs(vec![("client".into(), client.into())]),
        ..Params::default()
    };
    let page = |cb: &str| good(p, &with("claude")).with(Field::CallbackUrl, cb);
    let rules = |cb: &str, client: &str| -> Vec<String> {
        eca_guard::check(&page(cb), p, &with(client))
            .into_iter()
            .filter(|f| worse(f.severity))
            .map(|f| f.rule.into_owned())
            .collect()
    };
    assert!(rules("https://claude.ai/api/mcp/auth_callback", "claude").is_empty());
    assert_eq!(
        rules("https://oauth.pstmn.io/v1/callback", "claude"),
        ["callback-mismatch"]
    );
    assert!(rules("http://localhost:8787/callback", "cursor").is_empty());
    assert!(rules("cursor://anysphere.cursor-mcp/oauth/callback", "cursor").is_empty());
    let none = eca_guard::check(&page("https://claude.ai/api/mcp/auth_callback"), p, &with("cursor"));
    let m = none.iter().find(|f| f.rule == "callback-mismatch").expect("mismatch");
    assert!(
        m.message.contains("None of") && m.message.contains("localhost:8787"),
        "{}",
        m.message
    );
    // ChatGPT has no fixed callback: the admin's callbackUrls decide; without them, unverified.
    let chatgpt = eca_guard::check(&page("https://chatgpt.com/aip/x/oauth/callback"), p, &with("chatgpt"));
    assert!(chatgpt.iter().any(|f| f.rule == "callback-unverified"), "{chatgpt:#?}");
}

#[test]
fn baseline_pack_holds_every_baseline_of_the_table() {
    let p = pack::find("salesforce-baseline", &[]).expect("pack");
    for f in Field::ALL {
        let Some(b) = f.spec().baseline else { continue };
        let want = match b.value {
            settings::BaseValue::Bool(v) => p.rules.bool(f).map(|r| r.expect == v),
            settings::BaseValue::Choice(v) => p.rules.choice(f).map(|r| r.expect == [v]),
        };
        assert_eq!(want, Some(true), "salesforce-baseline: {f:?} should be {b:?}");
    }
}

/// An enterprise policy can set every parameter a built-in pack declares: Chrome's managed
/// storage schema cannot take free-form objects, so each name must be listed there.
#[test]
fn the_managed_storage_schema_lists_every_built_in_parameter() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/extension/managed_schema.json");
    let text = std::fs::read_to_string(path).expect("managed_schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let props = &schema["properties"]["ecaGuard"]["properties"]["params"]["properties"];
    for p in eca_guard::pack::built_in() {
        for (name, _) in p.params.iter() {
            assert!(
                props.get(name).is_some(),
                "pack {}: parameter {name} missing from managed_schema.json",
                p.id
            );
        }
    }
}
