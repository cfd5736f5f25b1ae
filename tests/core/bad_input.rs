//! Shapes a page, a user or a hostile page can produce.

use eca_guard::pack::Config;
use eca_guard::snapshot::{Snapshot, Unreadable};
use eca_guard::Field;
use eca_guard::Severity::Warning;

use crate::support::*;

#[test]
fn unreadable_fields_are_reported_not_passed() {
    let mut snap = veeam_good();
    snap.remove(Field::RequirePkce);
    snap.unreadable.push(Unreadable {
        field: Field::RequirePkce,
        reason: "label found, no checkbox next to it".into(),
    });
    let got = run("veeam-eca", &snap, &veeam_params());
    assert_eq!(rules(&got), pairs(&[("field-unreadable", Warning)]));
    // The finding names its setting by `field`; the message says why it was not read.
    assert_eq!(got[0].field, Some(Field::RequirePkce));
    assert!(got[0].message.contains("no checkbox"), "{}", got[0].message);
}

#[test]
fn empty_snapshot_gives_no_findings() {
    for pack in ["veeam-eca", "veeam-connected-app", "delphix-crt-eca"] {
        assert!(run(pack, &Snapshot::default(), &veeam_params()).is_empty(), "{pack}");
    }
}

#[test]
fn snapshot_with_unknown_fields_is_rejected() {
    let err = serde_json::from_str::<Snapshot>(r#"{"oauthEnabled": true, "requirePKCE": true}"#).err();
    assert!(err
        .map(|e| e.to_string())
        .unwrap_or_default()
        .contains("unknown field `requirePKCE`"));
}

#[test]
fn config_names_unknown_pack() {
    let config: Config = serde_json::from_str(r#"{"pack": "veeam", "params": {}}"#).expect("config parses");
    let err = eca_guard::check_config(&Snapshot::default(), &config).expect_err("unknown pack");
    assert_eq!(err.kind(), "UnknownPack");
    assert!(err.to_string().contains("veeam-eca"));
}

#[test]
fn config_rejects_typo_in_params() {
    let err = serde_json::from_str::<Config>(r#"{"pack": "veeam-eca", "params": {"callbackURLs": []}}"#).err();
    assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("callbackURLs"));
}

#[test]
fn custom_pack_round_trip() {
    let text = r#"{
      "id": "acme-sync", "name": "Acme Sync",
      "sources": [{"id": "doc", "title": "Acme setup guide", "url": "https://acme.example/guide"}],
      "rules": {"scopes": {"require": ["api"], "source": "doc"}, "requirePkce": {"expect": true, "source": "doc"}}
    }"#;
    let pack = eca_guard::pack::parse(text).expect("valid custom pack");
    let config = Config {
        pack: "acme-sync".into(),
        params: Default::default(),
        custom_packs: vec![pack],
    };
    let mut snap = veeam_good();
    snap.set(Field::Scopes, list(&["Full access (full)"]));
    let result = eca_guard::check_config(&snap, &config).expect("checks");
    let got = rules(&result.findings);
    assert!(
        got.contains(&("scope-missing".to_string(), eca_guard::Severity::Error)),
        "{got:?}"
    );
    assert!(
        got.contains(&("pkce".to_string(), eca_guard::Severity::Error)),
        "{got:?}"
    );
    assert_eq!(result.findings[0].source, "https://acme.example/guide");
}

#[test]
fn unknown_scope_is_a_warning_not_a_crash() {
    let mut snap = veeam_good();
    push_scope(&mut snap, "Access the moon (moon_api)");
    push_scope(&mut snap, "");
    let got = run("veeam-eca", &snap, &veeam_params());
    assert_eq!(got.iter().filter(|f| f.rule == "scope-unknown").count(), 2, "{got:#?}");
}

/// Fields the pack schema (docs/pack.schema.json) constrains are refused by the core's own
/// validation too, so a pack imported in the options page also passes `packs lint` (the
/// `packs_lint` fuzz target found a `checked` of `2.26-12-01` that the core took and the
/// schema refused; `fuzz/regressions/packs_lint/`).
#[test]
fn pack_values_are_spelt_as_the_schema_says() {
    let pack = |checked: &str, url: &str, scope: &str| {
        format!(
            r#"{{"id": "acme", "name": "Acme", "checked": "{checked}",
              "sources": [{{"id": "doc", "title": "Doc", "url": "{url}"}}],
              "rules": {{"scopes": {{"require": ["{scope}"], "source": "doc"}}}}}}"#
        )
    };
    let reason = |text: String| match eca_guard::pack::parse(&text) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    };
    assert_eq!(reason(pack("2026-12-01", "https://acme.example/doc", "api")), "");
    assert_eq!(reason(pack("", "http://acme.example/doc", "refresh_token")), "");
    for bad in ["2.26-12-01", "2026-12-1", "01.12.2026", "２０２６-12-01"] {
        let r = reason(pack(bad, "https://acme.example/doc", "api"));
        assert!(r.contains("must be a date, YYYY-MM-DD"), "{bad}: {r}");
    }
    for bad in [
        "HTTPS://acme.example/doc",
        " https://acme.example/doc",
        "ftp://acme.example/doc",
        "https://",
    ] {
        let r = reason(pack("", bad, "api"));
        assert!(r.contains("has no http(s) URL"), "{bad}: {r}");
    }
    for bad in ["API", " api", "Api"] {
        let r = reason(pack("", "https://acme.example/doc", bad));
        assert!(r.contains("is not a scope protocol name"), "{bad}: {r}");
    }
}
