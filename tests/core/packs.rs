//! Every built-in pack: a correct page gives only the expected deviations; each single
//! mistake gives exactly its rule.

use eca_guard::pack::Params;
use eca_guard::snapshot::Snapshot;
use eca_guard::Field;
use eca_guard::Severity::{self, Deviation, Error, Warning};

use crate::support::*;

type Mutation = fn(&mut Snapshot);
/// One case: its name, the mistake it makes, and the findings it adds to the correct page's.
type Case<'a> = (&'a str, Mutation, &'a [(&'a str, Severity)]);

fn table(pack: &str, good: fn() -> Snapshot, params: &Params, baseline: &[(&str, Severity)], cases: &[Case<'_>]) {
    let ok = run(pack, &good(), params);
    assert_eq!(rules(&ok), pairs(baseline), "{pack}: correct page: {ok:#?}");
    for (name, mutate, extra) in cases {
        let mut snap = good();
        mutate(&mut snap);
        let got = run(pack, &snap, params);
        let mut want: Vec<(&str, Severity)> = baseline.to_vec();
        want.extend_from_slice(extra);
        // A mutation that fixes a deviation's field removes that deviation.
        let got_rules = rules(&got);
        let want_rules = pairs(&want);
        let fixed_deviation: Vec<_> = want_rules
            .iter()
            .filter(|(r, s)| *s == Deviation && got_rules.iter().any(|(g, gs)| g == r && *gs != Deviation))
            .cloned()
            .collect();
        let want_rules: Vec<_> = want_rules
            .into_iter()
            .filter(|p| !fixed_deviation.contains(p))
            .collect();
        assert_eq!(got_rules, want_rules, "{pack}: case `{name}`: {got:#?}");
        for f in &got {
            assert!(
                !f.message.is_empty() && !f.fix.is_empty(),
                "{pack}/{name}: empty text in {f:?}"
            );
            assert!(
                f.source.starts_with("https://"),
                "{pack}/{name}: no source link in {f:?}"
            );
        }
    }
}

#[test]
fn veeam_eca() {
    let params = veeam_params();
    table(
        "veeam-eca",
        veeam_good,
        &params,
        &[("pkce", Deviation)],
        &[
            // "oauth off" hides the OAuth section, deviation included: see oauth_off_hides_the_oauth_section.
            (
                "packaged",
                |s| s.set(Field::DistributionState, "Packaged"),
                &[("distribution-state", Error)],
            ),
            (
                "no full",
                |s| {
                    s.set(
                        Field::Scopes,
                        list(&["Perform requests at any time (refresh_token, offline_access)"]),
                    )
                },
                &[("scope-missing", Error)],
            ),
            (
                "extra api",
                |s| push_scope(s, "Manage user data via APIs (api)"),
                &[("scope-extra", Warning)],
            ),
            (
                "trailing slash",
                |s| s.set(Field::CallbackUrl, "https://172.12.0.1/\nhttps://acme.internal.com"),
                &[("callback-trailing-slash", Error)],
            ),
            (
                "one url missing",
                |s| s.set(Field::CallbackUrl, "https://acme.internal.com"),
                &[("callback-mismatch", Error)],
            ),
            (
                "empty callback",
                |s| s.set(Field::CallbackUrl, "\n  \n"),
                &[("callback-missing", Error)],
            ),
            (
                "http server",
                |s| s.set(Field::CallbackUrl, "http://172.12.0.1\nhttps://acme.internal.com"),
                &[("callback-scheme", Error), ("callback-mismatch", Error)],
            ),
            (
                "web secret off",
                |s| s.set(Field::RequireSecretWebServer, false),
                &[("secret-web-server-flow", Error)],
            ),
            (
                "refresh secret off",
                |s| s.set(Field::RequireSecretRefresh, false),
                &[("secret-refresh-token-flow", Error)],
            ),
            ("pkce on", |s| s.set(Field::RequirePkce, true), &[("pkce", Error)]),
        ],
    );
}

#[test]
fn veeam_eca_with_salesforce_idp_requires_openid() {
    let params = Params {
        salesforce_idp: true,
        ..veeam_params()
    };
    let got = run("veeam-eca", &veeam_good(), &params);
    assert_eq!(rules(&got), pairs(&[("pkce", Deviation), ("scope-missing", Error)]));
    assert!(got
        .iter()
        .any(|f| f.message.contains("openid") && f.message.contains("identity provider")));
    let mut snap = veeam_good();
    push_scope(&mut snap, "Access unique user identifiers (openid)");
    assert_eq!(rules(&run("veeam-eca", &snap, &params)), pairs(&[("pkce", Deviation)]));
    // Without the IdP, openid is optional rather than extra.
    assert_eq!(
        rules(&run("veeam-eca", &snap, &veeam_params())),
        pairs(&[("pkce", Deviation)])
    );
}

#[test]
fn delphix_crt_eca() {
    table(
        "delphix-crt-eca",
        delphix_good,
        &Params::default(),
        &[
            ("secret-web-server-flow", Deviation),
            ("secret-refresh-token-flow", Deviation),
            ("pkce", Deviation),
        ],
        &[
            (
                "wrong port",
                |s| s.set(Field::CallbackUrl, "http://localhost:3333"),
                &[("callback-mismatch", Error), ("callback-extra", Warning)],
            ),
            (
                "slash",
                |s| s.set(Field::CallbackUrl, "http://localhost:33333/"),
                &[("callback-trailing-slash", Error)],
            ),
            (
                "no sfap_api",
                |s| retain_scopes(s, |x| !x.contains("sfap_api")),
                &[("scope-missing", Error)],
            ),
            (
                "code cred off",
                |s| s.set(Field::CodeCredentialsFlow, false),
                &[("code-credentials-flow", Error)],
            ),
            (
                "secret required",
                |s| s.set(Field::RequireSecretWebServer, true),
                &[("secret-web-server-flow", Error)],
            ),
            (
                "refresh secret required",
                |s| s.set(Field::RequireSecretRefresh, true),
                &[("secret-refresh-token-flow", Error)],
            ),
            ("pkce on", |s| s.set(Field::RequirePkce, true), &[("pkce", Error)]),
        ],
    );
}

#[test]
fn missing_scopes_are_one_finding_that_lists_them() {
    let params = Params {
        salesforce_idp: true,
        ..veeam_params()
    };
    let mut snap = veeam_good();
    snap.set(Field::Scopes, Vec::<String>::new());
    let got = run("veeam-eca", &snap, &params);
    let missing: Vec<_> = got.iter().filter(|f| f.rule == "scope-missing").collect();
    assert_eq!(missing.len(), 1, "{got:#?}");
    let m = missing[0];
    assert_eq!(m.field, Some(Field::Scopes));
    for name in ["(full)", "(refresh_token, offline_access)", "(openid)"] {
        assert!(m.message.contains(name), "{}", m.message);
    }
    assert!(
        m.message.contains(" are not selected") && m.message.contains("identity provider"),
        "{}",
        m.message
    );
    assert_eq!(m.fix, "Move them from Available OAuth Scopes to Selected OAuth Scopes.");
    // One left: the same finding, in the singular.
    push_scope(&mut snap, "Full access (full)");
    push_scope(&mut snap, "Access unique user identifiers (openid)");
    let got = run("veeam-eca", &snap, &params);
    let m = got.iter().find(|f| f.rule == "scope-missing").expect("scope-missing");
    assert_eq!(
        m.message,
        "\"Perform requests at any time (refresh_token, offline_access)\" is not selected; this integration needs it."
    );
    assert_eq!(m.fix, "Move it from Available OAuth Scopes to Selected OAuth Scopes.");
}

#[test]
fn messages_name_neither_the_setting_nor_the_pack() {
    // The finding's field names the setting (the panel heads its findings with the label, the
    // command line prints it); the pack is named once by whoever shows the findings.
    let mut snap = veeam_good();
    snap.set(Field::RequirePkce, true);
    snap.set(Field::RequireSecretWebServer, false);
    snap.set(Field::DistributionState, "Packaged");
    push_scope(&mut snap, "Manage user data via Web browsers (web)");
    let pack = eca_guard::pack::find("veeam-eca", &[]).expect("the veeam-eca pack");
    let got = run("veeam-eca", &snap, &veeam_params());
    assert!(got.len() >= 4, "{got:#?}");
    for f in &got {
        let label = f.field.map(Field::label).unwrap_or("-");
        for text in [&f.message, &f.fix] {
            assert!(!text.contains(&pack.name), "{}: {text}", f.rule);
            assert!(!text.contains(label), "{}: {text}", f.rule);
        }
    }
    let pkce = got.iter().find(|f| f.rule == "pkce").expect("a pkce finding");
    assert!(
        pkce.message.starts_with("It is on; this integration needs it off."),
        "{}",
        pkce.message
    );
    assert_eq!(pkce.fix, "Clear it.");
}

#[test]
fn deviation_errors_say_they_are_required_deviations() {
    let mut snap = delphix_good();
    snap.set(Field::RequirePkce, true);
    let got = run("delphix-crt-eca", &snap, &Params::default());
    let pkce = got.iter().find(|f| f.rule == "pkce").expect("pkce finding");
    assert_eq!(pkce.severity, Error);
    assert!(
        pkce.message.contains("required deviation from Salesforce's baseline"),
        "{}",
        pkce.message
    );
    assert!(pkce.fix.starts_with("Clear"), "{}", pkce.fix);
}

#[test]
fn veeam_connected_app() {
    let params = veeam_params();
    table(
        "veeam-connected-app",
        veeam_ca_good,
        &params,
        &[],
        &[
            (
                "oauth off",
                |s| s.set(Field::OauthEnabled, false),
                &[("oauth-disabled", Error)],
            ),
            (
                "no refresh",
                |s| s.set(Field::Scopes, list(&["Full access (full)"])),
                &[("scope-missing", Error)],
            ),
            (
                "slash",
                |s| s.set(Field::CallbackUrl, "https://172.12.0.1\nhttps://acme.internal.com/"),
                &[("callback-trailing-slash", Error)],
            ),
        ],
    );
}

#[test]
fn oauth_off_hides_the_oauth_section() {
    let mut snap = veeam_good();
    snap.set(Field::OauthEnabled, false);
    snap.set(Field::CallbackUrl, String::new());
    snap.set(Field::Scopes, list(&[]));
    let got = run("veeam-eca", &snap, &veeam_params());
    assert_eq!(rules(&got), pairs(&[("oauth-disabled", Error)]));
}

#[test]
fn veeam_without_callback_params_says_it_cannot_verify() {
    let got = run("veeam-eca", &veeam_good(), &Params::default());
    assert!(
        got.iter()
            .any(|f| f.rule == "callback-unverified" && f.severity == Warning),
        "{got:#?}"
    );
    assert!(!got.iter().any(|f| f.rule == "callback-mismatch"));
}

#[test]
fn translated_scope_labels_check_the_same() {
    let mut snap = veeam_good();
    snap.set(
        Field::Scopes,
        list(&[
            "Vollzugriff (full)",
            "Anfragen jederzeit durchführen (refresh_token, offline_access)",
        ]),
    );
    assert_eq!(
        rules(&run("veeam-eca", &snap, &veeam_params())),
        pairs(&[("pkce", Deviation)])
    );
}

#[test]
fn metadata_tokens_check_the_same() {
    let mut snap = veeam_good();
    snap.set(Field::Scopes, list(&["Full", "RefreshToken", "OfflineAccess"]));
    assert_eq!(
        rules(&run("veeam-eca", &snap, &veeam_params())),
        pairs(&[("pkce", Deviation)])
    );
}
