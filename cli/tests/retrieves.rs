//! `eca-guard check` on trees shaped like real retrieves, written from the documented types
//! (Metadata API guide; docs/salesforce-facts.md, "Metadata values checked"):
//! - `fixtures/handwritten`: an sf project whose companion files are named freely and sit in
//!   other folders and package directories, with `xsi:nil` values, DPoP and the idle
//!   refresh-token limit, the client credentials switch in both files, and an
//!   ExtlClntAppOauthSecuritySettings file;
//! - `fixtures/mdapi`: a Metadata API format retrieve (no `-meta.xml`) without the global OAuth
//!   settings file (the org did not allow consumer-secret access);
//! - `fixtures/connected-apps-only`: Connected Apps and Security settings, no ECA.

#![allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn acme_pack() -> String {
    fixtures().join("packs/acme-sync.json").to_string_lossy().into_owned()
}

fn fields_unreadable<'a>(findings: &'a [Value], app: &str) -> Vec<(&'a str, &'a str)> {
    findings
        .iter()
        .filter(|f| f["app"] == app && f["rule"] == "field-unreadable")
        .map(|f| (f["field"].as_str().unwrap_or(""), f["message"].as_str().unwrap_or("")))
        .collect()
}

#[test]
fn hand_written_project_companions_are_found_by_suffix_and_owner_anywhere() {
    let dir = fixtures().join("handwritten");
    let (c, findings, err) = check_json(&acme_pack(), &[], &dir);
    assert_eq!(c, 1, "{findings:#?}\n{err}");
    // Every companion was found: none reported missing, no setting of theirs unverified but the
    // xsi:nil one of the Security settings.
    assert!(!err.contains("missing companion"), "{err}");
    let unreadable = fields_unreadable(&findings, "Acme_Sync");
    assert_eq!(unreadable.len(), 1, "{unreadable:?}");
    // Fields current retrieves write are known, not "unknown element".
    assert!(!err.contains("unknown element"), "{err}");
    // Files come from four folders in three package directories; paths are relative to <dir>.
    let file = |rule: &str| {
        finding(&findings, "Acme_Sync", rule)["file"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        file("pkce"),
        "force-app/main/eca-oauth/AcmeSyncGlobal.ecaGlblOauth-meta.xml"
    );
    assert_eq!(
        file("refresh-token-policy"),
        "force-app-policies/main/default/policies/AcmeSyncOauthPolicies.ecaOauthPlcy-meta.xml"
    );
    // DPoP, the idle limit and rotation are read: the pack requires them on and they pass.
    for rule in [
        "dpop",
        "refresh-token-rotation",
        "scope-missing",
        "scope-unknown",
        "callback-mismatch",
    ] {
        assert!(findings.iter().all(|f| f["rule"] != rule), "{rule}: {findings:#?}");
    }
    // The idle limit is on while the file still says "valid until revoked": the stale-file note.
    assert_eq!(
        finding(&findings, "Acme_Sync", "refresh-token-policy")["severity"],
        "info"
    );
    // Admin approved with a permission set: someone can use the app.
    assert!(findings.iter().all(|f| f["rule"] != "permitted-users-assignment"));
    // The ExtlClntAppOauthSecuritySettings file is named as not checked.
    assert!(
        err.contains("1 ExtlClntAppOauthSecuritySettings file (.ecaOauthSecurity) not checked"),
        "{err}"
    );
}

#[test]
fn client_credentials_switch_in_both_files_global_wins_and_the_disagreement_is_named() {
    let dir = fixtures().join("handwritten");
    let (_, findings, err) = check_json(&acme_pack(), &[], &dir);
    // Global settings say on, the OAuth policies say off: the global switch is checked.
    let f = finding(&findings, "Acme_Sync", "client-credentials-flow");
    assert_eq!(f["severity"], "error");
    assert!(f["message"].as_str().unwrap_or("").contains("is on"), "{f}");
    assert_eq!(
        f["file"],
        "force-app/main/eca-oauth/AcmeSyncGlobal.ecaGlblOauth-meta.xml"
    );
    assert_eq!(f["line"], 5);
    assert!(
        err.contains("ExtlClntAppOauthConfigurablePolicies sets clientCredentialsFlow to false, but ExtlClntAppGlobalOauthSettings sets it to true: ECA Guard checks ExtlClntAppGlobalOauthSettings's value"),
        "{err}"
    );
}

#[test]
fn nil_and_absent_values_take_the_documented_default_or_are_unverified() {
    let dir = fixtures().join("handwritten");
    let (_, findings, _) = check_json(&acme_pack(), &[], &dir);
    // <isPkceRequired xsi:nil="true"/>: Salesforce's documented default (on) applies, and the
    // finding says so.
    let pkce = finding(&findings, "Acme_Sync", "pkce");
    let msg = pkce["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("is on") && msg.contains("Not set in the file; Salesforce's default is on."),
        "{msg}"
    );
    assert_eq!(pkce["line"], 12);
    // <lockSessionsToIp xsi:nil="true"/>: no documented default, so unverified, not skipped.
    let unreadable = fields_unreadable(&findings, "Acme_Sync");
    let (field, msg) = unreadable.first().copied().unwrap_or_default();
    assert_eq!(field, "lockSessionsToIp");
    assert!(msg.contains("xsi:nil") && msg.contains("documents no default"), "{msg}");
    let f = finding(&findings, "Acme_Sync", "field-unreadable");
    assert_eq!(f["file"], "org-settings/Security.settings-meta.xml");
    assert_eq!(f["line"], 13);

    // A left-out element with a documented default: the same default, and the same words.
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Left_Out");
    edit(
        &file(
            &src,
            "extlClntAppGlobalOauthSets",
            "Left_Out_glbloauth.ecaGlblOauth-meta.xml",
        ),
        "<isPkceRequired>false</isPkceRequired>",
        "",
    );
    let (c, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 1);
    let msg = finding(&findings, "Left_Out", "pkce")["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        msg.contains("is on") && msg.contains("Not set in the file; Salesforce's default is on."),
        "{msg}"
    );
}

#[test]
fn metadata_api_format_retrieve_without_the_global_oauth_file() {
    let dir = fixtures().join("mdapi");
    let args = [
        "--callback",
        "https://veeam.acme.internal",
        "--server-address",
        "172.12.0.1",
    ];
    let (c, findings, err) = check_json("veeam-eca", &args, &dir);
    // Nothing wrong in what was read; the global settings are unverified (warnings).
    assert_eq!(c, 0, "{findings:#?}\n{err}");
    let unreadable: Vec<&str> = fields_unreadable(&findings, "Veeam_Backup")
        .iter()
        .map(|(f, _)| *f)
        .collect();
    for field in [
        "callbackUrl",
        "requireSecretWebServer",
        "requireSecretRefresh",
        "requirePkce",
    ] {
        assert!(unreadable.contains(&field), "{field}: {unreadable:?}");
    }
    // Files without -meta.xml are read, and the missing one is named in the same format.
    assert_eq!(
        finding(&findings, "Veeam_Backup", "session-lock-ip")["file"],
        "unpackaged/settings/Security.settings"
    );
    assert!(
        err.contains(
            "unpackaged/extlClntAppGlobalOauthSets/Veeam_Backup_glbloauth.ecaGlblOauth: missing companion file"
        ),
        "{err}"
    );
    // Said once, with how to get the file and to turn the access off again.
    assert_eq!(
        err.matches("Allow Access to OAuth Consumer Secrets via Metadata API")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("off again right after"), "{err}");
    assert!(
        err.contains("View External Client Apps Consumer Secrets in Metadata"),
        "{err}"
    );
    // The scopes and policies files were read: no scope or policy unverified.
    assert!(
        !unreadable.contains(&"scopes") && !unreadable.contains(&"ipRelaxation"),
        "{unreadable:?}"
    );
    // --strict: the unverified settings fail the gate.
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (c, _, _) = check_json("veeam-eca", &strict, &dir);
    assert_eq!(c, 1);
}

#[test]
fn only_connected_apps_with_an_eca_pack_exit_0_and_check_the_security_settings() {
    let dir = fixtures().join("connected-apps-only");
    let (c, findings, err) = check_json("veeam-eca", &[], &dir);
    assert_eq!(c, 0, "{findings:#?}\n{err}");
    assert!(
        err.contains("skipped 2 Connected Apps: pack veeam-eca is for External Client Apps"),
        "{err}"
    );
    // The Security settings are checked as the org's own report.
    let f = finding(&findings, "Security settings", "session-lock-ip");
    assert_eq!(f["appType"], "orgSettings");
    assert_eq!(f["severity"], "deviation");
    assert_eq!(f["file"], "force-app/main/default/settings/Security.settings-meta.xml");

    // Without Security settings there is nothing to check: still exit 0, with a note.
    let t = tempfile::tempdir().expect("tempdir");
    let apps = dir.join("force-app/main/default/connectedApps");
    for name in [
        "Veeam_Legacy.connectedApp-meta.xml",
        "Reporting_Tool.connectedApp-meta.xml",
    ] {
        let text = std::fs::read_to_string(apps.join(name)).expect("read");
        put(t.path(), &format!("force-app/main/default/connectedApps/{name}"), &text);
    }
    let (c, findings, err) = check_json("veeam-eca", &[], t.path());
    assert_eq!(c, 0, "{err}");
    assert!(findings.is_empty());
    assert!(err.contains("no app was checked"), "{err}");
}

#[test]
fn connected_app_ip_relaxation_values_are_salesforces() {
    let t = tempfile::tempdir().expect("tempdir");
    let pack = put(
        t.path(),
        "relax.json",
        r#"{"id":"relax-refresh-ca","name":"Relax for refresh (test)","appType":"connectedApp",
"sources":[{"id":"doc","title":"Doc","url":"https://acme.example/doc"}],
"rules":{"ipRelaxation":{"expect":["Enforce_RelaxRefresh"],"source":"doc"}}}"#,
    );
    let dir = fixtures().join("connected-apps-only");
    let (c, findings, err) = check_json(&pack.to_string_lossy(), &[], &dir);
    // ENFORCE_RELAXREFRESH is the pack's value; Reporting_Tool has no ipRelaxation element, so
    // the documented default ENFORCE applies (and the message says it is the default).
    assert_eq!(c, 1, "{findings:#?}");
    // Veeam_Legacy has the pack's value: weaker than Salesforce's "Enforce", so a deviation.
    let legacy = finding(&findings, "Veeam_Legacy", "ip-relaxation");
    assert_eq!(legacy["severity"], "deviation", "{legacy}");
    assert!(
        legacy["message"]
            .as_str()
            .unwrap_or("")
            .contains("\"Enforce IP restrictions, but relax for refresh tokens\", as"),
        "{legacy}"
    );
    let f = finding(&findings, "Reporting_Tool", "ip-relaxation");
    let msg = f["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("\"Enforce IP restrictions\"") && msg.contains("Salesforce's default is"),
        "{msg}"
    );
    // isSecretRequiredForTokenExchange (API 60+) is a known element.
    assert!(!err.contains("unknown element"), "{err}");

    for (value, label) in [
        ("BYPASS_2FACTOR", "Relax IP restrictions for activated devices"),
        ("BYPASS", "Relax IP restrictions"),
        ("ENFORCE", "Enforce IP restrictions"),
    ] {
        let text = std::fs::read_to_string(
            dir.join("force-app/main/default/connectedApps/Veeam_Legacy.connectedApp-meta.xml"),
        )
        .expect("read")
        .replace("ENFORCE_RELAXREFRESH", value);
        let tree = t.path().join(value);
        put(&tree, "connectedApps/Veeam_Legacy.connectedApp-meta.xml", &text);
        let (_, findings, _) = check_json(&pack.to_string_lossy(), &[], &tree);
        let msg = finding(&findings, "Veeam_Legacy", "ip-relaxation")["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(msg.contains(&format!("is \"{label}\"")), "{value}: {msg}");
    }
}

#[test]
fn every_documented_scope_token_maps_and_undocumented_ones_are_named() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Scopes");
    let oauth = file(&src, "extlClntAppOauthSettings", "Scopes_oauth.ecaOauth-meta.xml");
    edit(
        &oauth,
        "Full, RefreshToken",
        "Full, RefreshToken, CDPIngest, CDPProfile, CDPQuery, CDPSegment, CDPIdentityResolution, CDPCalculatedInsight, PwdlessLogin, ForgotPassword, UserRegistration, SCRT, CDPApi",
    );
    let (_, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    let extra: Vec<String> = findings
        .iter()
        .filter(|f| f["rule"] == "scope-extra")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect();
    for name in [
        "cdp_ingest_api",
        "cdp_profile_api",
        "cdp_query_api",
        "cdp_segment_api",
        "cdp_identityresolution_api",
        "cdp_calculated_insight_api",
        "pwdless_login_api",
        "forgot_password",
        "user_registration_api",
        "scrt_api",
    ] {
        assert_eq!(
            extra.iter().filter(|m| m.contains(&format!("({name})"))).count(),
            1,
            "{name}: {extra:#?}"
        );
    }
    // CDPApi is in no list Salesforce publishes: reported, not folded into a known scope.
    let unknown = finding(&findings, "Scopes", "scope-unknown");
    assert!(
        unknown["message"].as_str().unwrap_or("").contains("\"CDPApi\""),
        "{unknown}"
    );
}

#[test]
fn a_folder_of_only_metadata_files_is_a_source_root() {
    // Files by suffix wherever they are: a flat folder, no standard folder names.
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Flat");
    let flat = t.path().join("flat");
    std::fs::create_dir_all(&flat).expect("mkdir");
    for f in walk_files(&src) {
        let name = f.file_name().map(|n| n.to_owned()).expect("a name");
        std::fs::rename(&f, flat.join(name)).expect("mv");
    }
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, &flat);
    assert_eq!(c, 0, "{findings:#?}\n{err}");
    assert!(!err.contains("missing"), "{err}");
    assert_eq!(
        finding(&findings, "Flat", "pkce")["file"],
        "Flat_glbloauth.ecaGlblOauth-meta.xml"
    );
}

#[test]
fn symlinked_folders_are_followed_and_link_loops_end() {
    // A project whose OAuth settings folder is a link to a shared folder, plus a link loop.
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(&t.path().join("org"), "Linked");
    let shared = t.path().join("shared-oauth");
    std::fs::rename(src.join("extlClntAppGlobalOauthSets"), &shared).expect("mv");
    std::os::unix::fs::symlink(&shared, src.join("extlClntAppGlobalOauthSets")).expect("symlink");
    std::os::unix::fs::symlink(&src, src.join("loop")).expect("symlink");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, &t.path().join("org"));
    assert_eq!(c, 0, "{findings:#?}\n{err}");
    assert!(!err.contains("missing companion"), "{err}");
    assert_eq!(
        finding(&findings, "Linked", "pkce")["file"],
        "force-app/main/default/extlClntAppGlobalOauthSets/Linked_glbloauth.ecaGlblOauth-meta.xml"
    );
}

#[test]
fn a_manifest_at_the_top_of_a_repository_of_many_orgs_keeps_them_apart() {
    // repo/package.xml, repo/orgA/…, repo/orgB/…: two orgs, each with its Security settings.
    let t = tempfile::tempdir().expect("tempdir");
    put(
        t.path(),
        "package.xml",
        "<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><version>66.0</version></Package>",
    );
    for (org, lock) in [("orgA", "false"), ("orgB", "true")] {
        let src = generate(
            "veeam-eca",
            "Veeam_Backup",
            &t.path().join(org),
            &[
                "--callback",
                "https://veeam.acme.internal",
                "--callback",
                "https://172.12.0.1",
            ],
        );
        std::fs::remove_file(t.path().join(org).join("sfdx-project.json")).expect("rm");
        put(
            &src,
            "settings/Security.settings-meta.xml",
            &format!("<SecuritySettings><sessionSettings><lockSessionsToIp>{lock}</lockSessionsToIp></sessionSettings></SecuritySettings>"),
        );
    }
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 1, "{err}");
    assert!(!err.contains("a second SecuritySettings"), "{err}");
    let lock: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f["rule"] == "session-lock-ip")
        .map(|f| (f["file"].as_str().unwrap_or(""), f["severity"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        lock,
        [
            (
                "orgA/force-app/main/default/settings/Security.settings-meta.xml",
                "deviation"
            ),
            (
                "orgB/force-app/main/default/settings/Security.settings-meta.xml",
                "error"
            ),
        ]
    );
}
