//! The fuzz targets' entry functions: bytes in, the core's parser and checker run on them, and a
//! panic (or a failed assertion below) is the bug. Each target in `fuzz_targets/` is one call
//! to one of these; the core's tests compile this same file (tests/core/fuzz_replay.rs) and
//! call the same functions on every reproducer in `fuzz/regressions/<target>/`, so a crash
//! found once stays a regression test without libFuzzer.
//!
//! Besides "no panic", each entry asserts what must hold of any input the parser accepts: what
//! is written out reads back the same, findings stay bounded, metadata read from any text
//! still checks.

use std::path::Path;

pub mod pairing;

use eca_guard::json::Pairs;
use eca_guard::metadata::{self, Part};
use eca_guard::pack::{self, Config, Pack, ParamKind, Params};
use eca_guard::settings::Kind;
use eca_guard::snapshot::{IpRange, Page, Snapshot, Value};
use eca_guard::{callback, Field};

/// Bytes as the text a parser gets: the extension and the CLI only ever hand over UTF-8, so
/// invalid sequences become U+FFFD instead of being thrown away (every input reaches a parser).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The parameters a check runs with: none at all, or a value for every parameter the pack
/// declares (a callback URL, server addresses, the first value of each choice). `odd` picks
/// one, so the fuzzer explores both without doubling the work per input.
fn params_for(p: &Pack, odd: bool) -> Params {
    if !odd {
        return Params::default();
    }
    let mut choices = Vec::new();
    for (name, spec) in p.params.iter() {
        if spec.kind_of(name) == Some(ParamKind::Choice) {
            if let Some(v) = spec.values.first() {
                choices.push((name.clone(), v.value.clone()));
            }
        }
    }
    Params {
        callback_urls: vec!["https://integration.acme.example/oauth/callback".into()],
        salesforce_idp: true,
        server_addresses: vec!["203.0.113.7".into(), "2001:db8::7".into()],
        choices: Pairs(choices),
    }
}

/// A value of `f`'s kind, one of two shapes (`alt`), so that every rule has something to check.
fn value_of(f: Field, alt: bool) -> Value {
    match f.spec().kind {
        Kind::Bool => Value::Bool(alt),
        Kind::Text => Value::Text(if alt { String::new() } else { "Integration User".into() }),
        Kind::Choice(cs) => {
            let c = if alt { cs.last() } else { cs.first() };
            Value::Text(c.map_or("", |c| c.label()).to_string())
        }
        Kind::Callback => Value::Text(if alt {
            "http://acme.example/\nhttps://*.acme.example\nhttps://integration.acme.example/oauth/callback".into()
        } else {
            "https://integration.acme.example/oauth/callback\nhttp://localhost:1717/OauthRedirect".into()
        }),
        Kind::Scopes => Value::List(if alt {
            vec!["Full access (full)".into(), "Access the moon (moon_api)".into()]
        } else {
            vec![
                "Manage user data via APIs (api)".into(),
                "Perform requests at any time (refresh_token, offline_access)".into(),
            ]
        }),
        Kind::Names => Value::List(if alt {
            Vec::new()
        } else {
            vec!["System Administrator".into()]
        }),
        Kind::Ranges => Value::Ranges(vec![IpRange {
            start: if alt { "::".into() } else { "203.0.113.0".into() },
            end: if alt {
                "not an address".into()
            } else {
                "203.0.113.255".into()
            },
        }]),
    }
}

/// Pages with a value for every setting, in two shapes, plus a metadata snapshot with the page
/// state the checker reports on (unreadable, hidden, defaulted, unknown labels).
pub fn fixed_snapshots() -> Vec<Snapshot> {
    let mut out = Vec::new();
    for (page, alt) in [(Page::NewEca, false), (Page::ConnectedAppEdit, true)] {
        let mut s = Snapshot::new(page);
        for f in Field::ALL {
            s.set(f, value_of(f, alt));
        }
        s.set(Field::OauthEnabled, true);
        out.push(s);
    }
    let mut m = Snapshot::new(Page::Metadata);
    for f in Field::ALL.into_iter().step_by(2) {
        m.set(f, value_of(f, true));
    }
    m.unreadable(Field::RequirePkce, "x.ecaGlblOauth-meta.xml: <isPkceRequired> is `yes`");
    m.hidden.push(eca_guard::snapshot::Hidden {
        field: Field::IpRelaxation,
        section: "Policies".into(),
    });
    m.defaulted.push(Field::RequireSecretRefresh);
    m.labels_unknown = Some("xx".into());
    out.push(m);
    out
}

/// Checks `snap` against `p` the way the extension's worker does (`check_validated`: findings,
/// counts and notes) and writes the reply as the binding does; the findings stay bounded.
fn check_one(snap: &Snapshot, p: &Pack, custom: &[Pack], params: Params) {
    let config = Config {
        pack: p.id.clone(),
        params,
        custom_packs: custom.to_vec(),
    };
    match eca_guard::check::check_validated(snap, &config) {
        Ok(result) => {
            assert!(
                bounded(snap, result.findings.len()),
                "{} findings",
                result.findings.len()
            );
            assert!(serde_json::to_vec(&result).is_ok(), "the reply cannot be written");
        }
        Err(e) => panic!("a pack that was found could not be checked against: {e}"),
    }
}

/// At most this many findings for a snapshot: a handful per setting, five per callback line
/// linted (callback.rs caps the lines it lints one by one), and one per page-state entry and
/// selected scope. A page must never be flooded with marks.
fn bounded(snap: &Snapshot, findings: usize) -> bool {
    let scopes = snap.list(Field::Scopes).map_or(0, <[String]>::len);
    let ranges =
        snap.ranges(Field::LoginIpRanges).map_or(0, |_| 8) + snap.ranges(Field::TrustedIpRanges).map_or(0, |_| 8);
    let page_state = snap.unreadable.len() + snap.hidden.len() + 1;
    findings <= 4 * Field::ALL.len() + 5 * callback::MAX_LINES_LINTED + 2 * scopes + ranges + page_state + 16
}

/// (a) The page snapshot as it crosses the Wasm boundary (`check(snapshot, config)`): parsed,
/// checked against every built-in pack, and written back out to the same snapshot.
pub fn snapshot(data: &[u8]) {
    let text = text(data);
    let Ok(snap) = eca_guard::json::from_str::<Snapshot>(&text) else {
        return;
    };
    let odd = data.len() % 2 == 1;
    for p in pack::built_in() {
        check_one(&snap, p, &[], params_for(p, odd));
    }
    let again = serde_json::to_string(&snap).map(|t| eca_guard::json::from_str::<Snapshot>(&t));
    match again {
        Ok(Ok(back)) => assert_eq!(back, snap, "a snapshot written out reads back different"),
        other => panic!("a snapshot written out does not read back: {other:?}"),
    }
}

/// (b) The extension's settings (`Config`, JSON) as they cross the Wasm boundary, then
/// `check_config` on fixed pages; what parses writes back out to the same settings.
pub fn config(data: &[u8]) {
    let text = text(data);
    let Ok(config) = eca_guard::json::from_str::<Config>(&text) else {
        return;
    };
    let snaps = fixed_snapshots();
    let snap = &snaps[data.len() % snaps.len()];
    if let Ok(result) = eca_guard::check_config(snap, &config) {
        assert!(
            bounded(snap, result.findings.len()),
            "{} findings",
            result.findings.len()
        );
    }
    let again = serde_json::to_string(&config).map(|t| eca_guard::json::from_str::<Config>(&t));
    match again {
        Ok(Ok(back)) => assert_eq!(back, config, "settings written out read back different"),
        other => panic!("settings written out do not read back: {other:?}"),
    }
}

/// (c) Arbitrary text as the callback field of a New ECA page, against every built-in pack.
pub fn callback_field(data: &[u8]) {
    let text = text(data);
    let snap = Snapshot::new(Page::NewEca)
        .with(Field::OauthEnabled, true)
        .with(Field::CallbackUrl, text.as_ref());
    let odd = data.len() % 2 == 1;
    for p in pack::built_in() {
        check_one(&snap, p, &[], params_for(p, odd));
    }
}

/// (d) A custom pack's text (`pack::parse`, as the options page and `--pack FILE` read it); a
/// pack that parses is checked against fixed pages, written back out to the same pack, and
/// handed to `generate` (which must refuse or produce an app, never panic).
pub fn custom_pack(data: &[u8]) {
    let text = text(data);
    let Ok(p) = pack::parse(&text) else {
        return;
    };
    let custom = std::slice::from_ref(&p);
    if pack::validate_custom(custom).is_ok() {
        let odd = data.len() % 2 == 1;
        for snap in fixed_snapshots() {
            check_one(&snap, &p, custom, params_for(&p, odd));
        }
    }
    let opts = metadata::generate::Options {
        name: "Fuzz_App".into(),
        label: "Fuzz App".into(),
        contact_email: "admin@acme.example".into(),
        params: params_for(&p, true),
        run_as: Some("integration@acme.example".into()),
        certificate: Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----".into()),
        profiles: vec!["System Administrator".into()],
        refresh_token_validity: Some(metadata::generate::Validity {
            period: 90,
            unit: "Days",
        }),
        ..Default::default()
    };
    let _ = metadata::generate::generate(&p, &opts);
    match serde_json::to_string(&p).map(|t| pack::parse(&t)) {
        Ok(Ok(back)) => assert_eq!(back, p, "a pack written out reads back different"),
        other => panic!("a pack written out does not parse: {other:?}"),
    }
}

/// Every metadata file kind, in the order of the first input byte.
pub const PARTS: [Part; 7] = [
    Part::Eca,
    Part::Policies,
    Part::GlobalOauth,
    Part::OauthSettings,
    Part::OauthPolicies,
    Part::Security,
    Part::ConnectedApp,
];

/// (e) One metadata file: the first byte picks its kind (`PARTS`), the rest is its text, read
/// with the CLI's reader (`metadata::read_str`) and checked against every built-in pack.
pub fn metadata_file(data: &[u8]) {
    let Some((kind, rest)) = data.split_first() else {
        return;
    };
    let part = PARTS[usize::from(*kind) % PARTS.len()];
    let text = text(rest);
    let path = Path::new("force-app/main/default").join(part.relative_path("Fuzz_App"));
    let (snap, problems, locations) = metadata::read_str(part, &path, &text);
    for (f, at, line) in &locations {
        assert_eq!(*at, part, "{f:?} located in another file kind");
        assert!(
            *line >= 1 && *line <= text.matches('\n').count() + 1,
            "{f:?} at line {line}"
        );
    }
    for (f, _) in snap.values() {
        assert!(part.fields().any(|g| g == f), "{f:?} read from a {part:?} file");
        assert!(!snap.is_unreadable(f), "{f:?} both read and unreadable");
    }
    assert!(problems.iter().all(|p| p.path == path));
    for p in pack::built_in() {
        check_one(&snap, p, &[], params_for(p, true));
    }
}

/// (g) A host name as the extension hands it to the core (`orgFromHost`, the tab's host): an
/// org it recognises has a My Domain name (and a sandbox name, for a sandbox), and the API host
/// it names is recognised as the same org.
pub fn org_host(data: &[u8]) {
    let text = text(data);
    let Some(org) = eca_guard::org::from_host(&text) else {
        return;
    };
    assert!(!org.my_domain.is_empty(), "{text:?}: no My Domain name: {org:?}");
    assert!(
        org.sandbox.as_deref() != Some(""),
        "{text:?}: an empty sandbox name: {org:?}"
    );
    match eca_guard::org::from_host(&org.api_host) {
        Some(api) => {
            assert_eq!(
                (&api.key, api.kind),
                (&org.key, org.kind),
                "{text:?}: its API host is another org"
            );
            assert_eq!(api.surface, eca_guard::org::Surface::Api, "{text:?}");
        }
        None => panic!("{text:?}: its API host {} is not recognised", org.api_host),
    }
    assert!(serde_json::to_vec(&org).is_ok());
}
