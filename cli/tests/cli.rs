//! Runs the `eca-guard` binary on fixture trees (cli/tests/fixtures/retrieve, as
//! `sf project retrieve` writes them) and on trees generated in temporary folders.

#![allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

// ---------------------------------------------------------------- check: the fixture tree

#[test]
fn text_output_groups_findings_per_app_and_exits_1_on_errors() {
    let dir = fixture().to_string_lossy().into_owned();
    let mut args = vec!["check", "--pack", "veeam-eca"];
    args.extend_from_slice(&VEEAM_CALLBACKS);
    args.push(&dir);
    let o = run(&args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    let good = out
        .find("orgA/force-app/main/default: External Client App Veeam_Backup \"Veeam Backup\"")
        .expect("orgA app heading");
    let bad = out
        // orgB holds an sfdx-project.json: the project is the source root.
        .find("orgB: External Client App Veeam_Misconfigured")
        .expect("orgB app heading");
    assert!(good < bad);
    let bad_block = &out[bad..];
    for needle in [
        "error     distribution-state",
        "error     callback-trailing-slash",
        "error     pkce",
        "error     secret-web-server-flow",
        "error     scope-missing",
        "warning   scope-extra",
        "fix: ",
        "source: Veeam",
        "file: orgB/force-app/main/default/extlClntAppGlobalOauthSets/Veeam_Misconfigured_glbloauth.ecaGlblOauth-meta.xml",
    ] {
        assert!(bad_block.contains(needle), "missing {needle:?} in\n{bad_block}");
    }
    assert!(
        out.contains("Checked 3 apps in 2 source folders against veeam-eca"),
        "{out}"
    );
    // The legacy Connected App is not an ECA: skipped with a note.
    assert!(stderr(&o).contains("skipped 1 Connected App"), "{}", stderr(&o));
}

#[test]
fn json_prints_only_findings_with_contract_fields() {
    let (c, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, &fixture());
    assert_eq!(c, 1);
    let bad = rules_of(&findings, "Veeam_Misconfigured", "error");
    for rule in [
        "distribution-state",
        "callback-trailing-slash",
        "scope-missing",
        "secret-web-server-flow",
        "pkce",
    ] {
        assert!(bad.contains(&rule.to_string()), "{rule} not in {bad:?}");
    }
    // The clean app: only deviations (PKCE off, lock-to-IP off) and the trusted-range warning.
    assert!(rules_of(&findings, "Veeam_Backup", "error").is_empty(), "{findings:#?}");
    let f = finding(&findings, "Veeam_Backup", "session-lock-ip");
    assert_eq!(f["severity"], "deviation");
    assert_eq!(
        f["file"],
        "orgA/force-app/main/default/settings/Security.settings-meta.xml"
    );
    assert_eq!(f["field"], "lockSessionsToIp");
}

#[test]
fn one_app_clean_exits_0() {
    let mut extra = VEEAM_CALLBACKS.to_vec();
    extra.extend(["--app", "Veeam_Backup"]);
    let (c, findings, _) = check_json("veeam-eca", &extra, &fixture());
    assert_eq!(c, 0, "{findings:#?}");
    assert!(findings.iter().all(|f| f["app"] == "Veeam_Backup"));
}

#[test]
fn each_metadata_type_maps_to_its_findings_and_file() {
    let (_, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, &fixture());
    let file_of = |app: &str, rule: &str| finding(&findings, app, rule)["file"].as_str().unwrap_or("").to_string();
    // ExternalClientApplication
    assert!(file_of("Veeam_Misconfigured", "distribution-state").ends_with("Veeam_Misconfigured.eca-meta.xml"));
    // ExtlClntAppGlobalOauthSettings
    assert!(file_of("Veeam_Misconfigured", "pkce").ends_with("_glbloauth.ecaGlblOauth-meta.xml"));
    // ExtlClntAppOauthSettings
    assert!(file_of("Veeam_Misconfigured", "scope-missing").ends_with("_oauth.ecaOauth-meta.xml"));
    // SecuritySettings: networkAccess ipRanges → trusted ranges.
    assert!(file_of("Veeam_Backup", "login-ip-range").ends_with("Security.settings-meta.xml"));

    // ExtlClntAppOauthConfigurablePolicies and the Delphix pack.
    let (c, findings, _) = check_json("delphix-crt-eca", &["--app", "Delphix_CRT"], &fixture());
    assert_eq!(c, 0, "{findings:#?}");
    let f = finding(&findings, "Delphix_CRT", "ip-relaxation");
    assert_eq!(f["severity"], "deviation");
    assert!(f["file"]
        .as_str()
        .unwrap_or("")
        .ends_with("_oauthPlcy.ecaOauthPlcy-meta.xml"));
    for rule in ["pkce", "secret-web-server-flow", "secret-refresh-token-flow"] {
        assert_eq!(
            finding(&findings, "Delphix_CRT", rule)["severity"],
            "deviation",
            "{rule}"
        );
    }

    // ExtlClntAppConfigurablePolicies: OAuth plugin off.
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Plugin_Off");
    edit(
        &file(&src, "extlClntAppPolicies", "Plugin_Off_plcy.ecaPlcy-meta.xml"),
        "<isOauthPluginEnabled>true</isOauthPluginEnabled>",
        "<isOauthPluginEnabled>false</isOauthPluginEnabled>",
    );
    let (c, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 1);
    let f = finding(&findings, "Plugin_Off", "oauth-disabled");
    assert!(f["file"]
        .as_str()
        .unwrap_or("")
        .ends_with("Plugin_Off_plcy.ecaPlcy-meta.xml"));

    // SecuritySettings: sessionSettings lockSessionsToIp on.
    std::fs::create_dir_all(src.join("settings")).expect("mkdir");
    std::fs::write(
        src.join("settings/Security.settings-meta.xml"),
        "<?xml version=\"1.0\"?>\n<SecuritySettings xmlns=\"http://soap.sforce.com/2006/04/metadata\"><sessionSettings><lockSessionsToIp>true</lockSessionsToIp></sessionSettings></SecuritySettings>",
    )
    .expect("write");
    let (_, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(finding(&findings, "Plugin_Off", "session-lock-ip")["severity"], "error");
}

#[test]
fn security_settings_alone_are_checked_as_org_settings() {
    let t = tempfile::tempdir().expect("tempdir");
    let settings = t.path().join("force-app/main/default/settings");
    std::fs::create_dir_all(&settings).expect("mkdir");
    std::fs::write(
        settings.join("Security.settings-meta.xml"),
        "<SecuritySettings><networkAccess><ipRanges><start>10.0.0.1</start><end>10.0.0.9</end></ipRanges></networkAccess><sessionSettings><lockSessionsToIp>true</lockSessionsToIp></sessionSettings></SecuritySettings>",
    )
    .expect("write");
    let (c, findings, _) = check_json("veeam-eca", &["--server-address", "203.0.113.7"], t.path());
    assert_eq!(c, 1, "{findings:#?}");
    assert_eq!(
        finding(&findings, "Security settings", "session-lock-ip")["severity"],
        "error"
    );
    let ip = finding(&findings, "Security settings", "login-ip-range");
    assert!(ip["message"].as_str().unwrap_or("").contains("203.0.113.7"));
}

#[test]
fn legacy_connected_apps_are_read() {
    let (c, findings, err) = check_json(
        "veeam-connected-app",
        &["--callback", "https://veeam.acme.internal"],
        &fixture(),
    );
    assert_eq!(c, 0, "{findings:#?} {err}");
    assert!(findings
        .iter()
        .all(|f| f["app"] == "Veeam_Legacy" || f["appType"] == "orgSettings"));
    assert!(err.contains("skipped 3 External Client Apps"), "{err}");

    let t = tempfile::tempdir().expect("tempdir");
    let src = generate(
        "veeam-connected-app",
        "Legacy",
        t.path(),
        &["--callback", "https://veeam.acme.internal"],
    );
    let path = file(&src, "connectedApps", "Legacy.connectedApp-meta.xml");
    edit(&path, "<scopes>Full</scopes>", "<scopes>Api</scopes>");
    let (c, findings, _) = check_json(
        "veeam-connected-app",
        &["--callback", "https://veeam.acme.internal"],
        t.path(),
    );
    assert_eq!(c, 1);
    let f = finding(&findings, "Legacy", "scope-missing");
    assert!(f["file"]
        .as_str()
        .unwrap_or("")
        .ends_with("Legacy.connectedApp-meta.xml"));
    assert_eq!(finding(&findings, "Legacy", "scope-extra")["severity"], "warning");
}

#[test]
fn custom_pack_file_is_accepted_and_errors_name_the_line() {
    let t = tempfile::tempdir().expect("tempdir");
    let pack = t.path().join("acme.json");
    std::fs::write(
        &pack,
        r#"{"id":"acme-pkce","name":"Acme","sources":[{"id":"doc","title":"Acme doc","url":"https://acme.example/doc"}],
"rules":{"requirePkce":{"expect":true,"source":"doc"}}}"#,
    )
    .expect("write");
    let (c, findings, _) = check_json(&pack.to_string_lossy(), &[], &fixture());
    assert_eq!(c, 1);
    assert_eq!(
        finding(&findings, "Veeam_Backup", "pkce")["source"],
        "https://acme.example/doc"
    );

    let broken = t.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"id\": \"x\",\n  \"name\": oops\n}").expect("write");
    let o = run(&[
        "check",
        "--pack",
        &broken.to_string_lossy(),
        &fixture().to_string_lossy(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));

    let o = run(&["check", "--pack", "no-such-pack", &fixture().to_string_lossy()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("veeam-eca"), "{}", stderr(&o));
}

// ---------------------------------------------------------------- generate → check

#[test]
fn generate_then_check_is_clean_for_every_pack() {
    let certs = tempfile::tempdir().expect("tempdir");
    let cert = certs.path().join("server.crt");
    std::fs::write(
        &cert,
        "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAN\n-----END CERTIFICATE-----\n",
    )
    .expect("cert");
    let cert = cert.to_string_lossy().into_owned();
    // (pack, flags for generate and check alike, flags for generate only)
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        ("veeam-eca", VEEAM_CALLBACKS.to_vec(), vec![]),
        (
            "veeam-eca",
            [VEEAM_CALLBACKS.as_slice(), &["--salesforce-idp"]].concat(),
            vec![],
        ),
        ("delphix-crt-eca", vec![], vec![]),
        (
            "veeam-connected-app",
            vec!["--callback", "https://veeam.acme.internal"],
            vec![],
        ),
        (
            "salesforce-baseline",
            vec!["--callback", "https://app.acme.example/cb"],
            vec!["--profile", "Integration"],
        ),
        ("salesforce-mcp-eca", vec!["--param", "client=claude"], vec![]),
        ("salesforce-mcp-eca", vec!["--param", "client=cursor"], vec![]),
        (
            "salesforce-agent-api-eca",
            vec!["--callback", "https://login.salesforce.com"],
            vec!["--run-as", "agent@acme.example"],
        ),
        (
            "sf-cli-jwt-eca",
            vec![],
            vec![
                "--certificate",
                &cert,
                "--profile",
                "CI",
                "--refresh-token-validity",
                "90d",
            ],
        ),
        ("fivetran-eca", vec![], vec!["--run-as", "fivetran@acme.example"]),
        (
            "snowflake-openflow-eca",
            vec!["--callback", "https://app.acme.example/cb"],
            vec!["--certificate", &cert, "--permission-set", "Snowflake"],
        ),
        (
            "okta-workflows-eca",
            vec!["--param", "environment=production"],
            vec!["--run-as", "okta@acme.example"],
        ),
        ("jitterbit-eca", vec!["--param", "region=emea"], vec![]),
        ("workato-eca", vec![], vec![]),
    ];
    let all: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for id in eca_guard::pack::built_in().iter().map(|p| p.id.as_str()) {
        assert!(all.contains(&id), "no generate case for {id}");
    }
    for (pack, extra, gen_only) in cases {
        let t = tempfile::tempdir().expect("tempdir");
        let out = t.path().join("app");
        let src = generate(
            pack,
            "Round_Trip",
            &out,
            &[extra.as_slice(), gen_only.as_slice()].concat(),
        );
        assert!(out.join("manifest/package.xml").is_file());
        assert!(out.join("sfdx-project.json").is_file());
        for entry in walk_files(&out) {
            let text = std::fs::read_to_string(&entry).expect("read");
            assert!(
                !text.contains("consumerKey") && !text.contains("consumerSecret"),
                "{} holds a credential",
                entry.display()
            );
        }
        let (c, findings, err) = check_json(pack, &extra, &src);
        assert_eq!(c, 0, "{pack}: {findings:#?}");
        let bad: Vec<&Value> = findings
            .iter()
            .filter(|f| f["severity"] == "error" || f["severity"] == "warning")
            .collect();
        assert!(bad.is_empty(), "{pack}: {bad:#?}");
        assert!(!err.contains("error:"), "{pack}: {err}");
        if extra.contains(&"--salesforce-idp") {
            let scopes =
                std::fs::read_to_string(src.join("extlClntAppOauthSettings/Round_Trip_oauth.ecaOauth-meta.xml"))
                    .expect("read");
            assert!(scopes.contains("Full, RefreshToken, OpenID"), "{scopes}");
        }
    }
}

#[test]
fn generate_refuses_to_overwrite_without_force() {
    let t = tempfile::tempdir().expect("tempdir");
    let out = t.path().join("app");
    generate("delphix-crt-eca", "Twice", &out, &[]);
    let o = run(&[
        "generate",
        "--pack",
        "delphix-crt-eca",
        "--name",
        "Twice",
        "--contact-email",
        "a@example.com",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("refusing to overwrite"), "{}", stderr(&o));
    generate("delphix-crt-eca", "Twice", &out, &["--force"]);
}

#[test]
fn generate_refuses_what_the_pack_rejects() {
    let t = tempfile::tempdir().expect("tempdir");
    let out = t.path().join("x").to_string_lossy().into_owned();
    let base = [
        "generate",
        "--pack",
        "veeam-eca",
        "--contact-email",
        "a@example.com",
        "--out",
        &out,
    ];
    let o = bin()
        .args(base)
        .args(["--name", "Veeam", "--callback", "http://veeam.acme.internal"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("callback-scheme"), "{}", stderr(&o));
    let o = bin().args(base).args(["--name", "Veeam"]).output().expect("run");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--callback"), "{}", stderr(&o));
    let o = bin()
        .args(base)
        .args(["--name", "9bad__name", "--callback", "https://v.example"])
        .output()
        .expect("run");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an API name"), "{}", stderr(&o));
    assert!(!Path::new(&out).exists());
}

// ---------------------------------------------------------------- bad input

#[test]
fn malformed_xml_is_named_and_the_rest_is_checked() {
    let t = tempfile::tempdir().expect("tempdir");
    veeam_app(t.path(), "Good");
    let src = veeam_app(t.path(), "Broken");
    std::fs::write(
        file(&src, "extlClntAppGlobalOauthSets", "Broken_glbloauth.ecaGlblOauth-meta.xml"),
        "<?xml version=\"1.0\"?>\n<ExtlClntAppGlobalOauthSettings>\n  <callbackUrl>https://x</callbackUrl>\n  <isPkceRequired>false</isPkceReq>\n</ExtlClntAppGlobalOauthSettings>\n",
    )
    .expect("write");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    // A file that could not be read leaves settings unverified: the gate fails (exit 1).
    assert_eq!(c, 1, "{findings:#?}");
    assert!(
        err.contains("Broken_glbloauth.ecaGlblOauth-meta.xml: malformed XML at line 4"),
        "{err}"
    );
    let unreadable: Vec<&str> = findings
        .iter()
        .filter(|f| f["app"] == "Broken" && f["rule"] == "field-unreadable")
        .map(|f| f["field"].as_str().unwrap_or(""))
        .collect();
    assert!(
        unreadable.contains(&"callbackUrl") && unreadable.contains(&"requirePkce"),
        "{unreadable:?}"
    );
    assert!(rules_of(&findings, "Good", "error").is_empty());
    assert!(findings.iter().any(|f| f["app"] == "Good"));
    // With the file written out again the same tree passes: exit 1 came from the unreadable file.
    veeam_app(t.path(), "Broken");
    let (c, _, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 0);
}

#[test]
fn bad_values_and_unknown_elements_are_reported() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Odd");
    let path = file(
        &src,
        "extlClntAppGlobalOauthSets",
        "Odd_glbloauth.ecaGlblOauth-meta.xml",
    );
    edit(
        &path,
        "<isPkceRequired>false</isPkceRequired>",
        "<isPkceRequired>maybe</isPkceRequired>\n    <isQuantumFlowEnabled>true</isQuantumFlowEnabled>",
    );
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    // A value that cannot be read leaves its setting unverified: the gate fails.
    assert_eq!(c, 1, "{findings:#?}");
    assert!(err.contains("unknown element <isQuantumFlowEnabled>"), "{err}");
    assert!(err.contains("<isPkceRequired> is `maybe`"), "{err}");
    assert!(err.contains("Odd_glbloauth.ecaGlblOauth-meta.xml"), "{err}");
    let f = finding(&findings, "Odd", "field-unreadable");
    assert_eq!(f["field"], "requirePkce");
    // The rest of the file is still checked.
    assert!(findings.iter().all(|f| f["rule"] != "callback-missing"));
}

#[test]
fn missing_companion_is_reported_and_its_settings_marked_unreadable() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Lonely");
    std::fs::remove_file(file(&src, "extlClntAppOauthSettings", "Lonely_oauth.ecaOauth-meta.xml")).expect("rm");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 0);
    // Named where a retrieve puts it: beside the app's own folder, not at the project root.
    assert!(
        err.contains("warning: force-app/main/default/extlClntAppOauthSettings/Lonely_oauth.ecaOauth-meta.xml: missing companion file"),
        "{err}"
    );
    assert_eq!(finding(&findings, "Lonely", "field-unreadable")["field"], "scopes");
}

#[test]
fn companions_without_the_main_file_and_with_other_names_are_matched() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Renamed");
    // A hand-made project may name companions freely; <externalClientApplication> links them.
    std::fs::rename(
        file(
            &src,
            "extlClntAppGlobalOauthSets",
            "Renamed_glbloauth.ecaGlblOauth-meta.xml",
        ),
        file(
            &src,
            "extlClntAppGlobalOauthSets",
            "RenamedGlobal.ecaGlblOauth-meta.xml",
        ),
    )
    .expect("mv");
    std::fs::remove_file(src.join("externalClientApps/Renamed.eca-meta.xml")).expect("rm");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 0, "{findings:#?}");
    assert!(
        err.contains("there is no externalClientApps/Renamed.eca-meta.xml"),
        "{err}"
    );
    assert!(!err.contains("missing companion"), "{err}");
    // Callback and secrets came from the renamed file: no unreadable callback.
    assert!(findings.iter().all(|f| f["field"] != "callbackUrl"), "{findings:#?}");
}

#[test]
fn empty_dir_and_missing_dir_exit_2() {
    let t = tempfile::tempdir().expect("tempdir");
    let (c, findings, err) = check_json("veeam-eca", &[], t.path());
    assert_eq!(c, 2);
    assert!(findings.is_empty());
    assert!(err.contains("no External Client App"), "{err}");

    let o = run(&["check", "--pack", "veeam-eca", "/no/such/dir"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("/no/such/dir: no such file or directory"),
        "{}",
        stderr(&o)
    );

    let f = t.path().join("file.xml");
    std::fs::write(&f, "<a/>").expect("write");
    let o = run(&["check", "--pack", "veeam-eca", &f.to_string_lossy()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
}

#[test]
fn files_that_are_not_metadata() {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("README.md"), "# notes").expect("write");
    std::fs::write(t.path().join("package.xml"), "<Package/>").expect("write");
    let (c, _, err) = check_json("veeam-eca", &[], t.path());
    assert_eq!(c, 2, "{err}");

    let src = veeam_app(t.path(), "Real");
    std::fs::write(src.join("externalClientApps/notes.txt"), "hello").expect("write");
    std::fs::write(
        src.join("externalClientApps/Fake.eca-meta.xml"),
        "<?xml version=\"1.0\"?><CustomObject><label>x</label></CustomObject>",
    )
    .expect("write");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert!(
        err.contains("notes.txt: not ExternalClientApplication metadata"),
        "{err}"
    );
    assert!(
        err.contains("Fake.eca-meta.xml: not ExternalClientApplication metadata: the root element is <CustomObject>"),
        "{err}"
    );
    assert!(rules_of(&findings, "Real", "error").is_empty());
    // Fake has no OAuth files: reported as OAuth off.
    assert_eq!(c, 1);
    assert_eq!(finding(&findings, "Fake", "oauth-disabled")["severity"], "error");
}

#[test]
fn unreadable_files_are_named_and_skipped() {
    let t = tempfile::tempdir().expect("tempdir");
    veeam_app(t.path(), "Fine");
    let src = veeam_app(t.path(), "Locked");
    // A folder where a file should be, and bytes that are not UTF-8: unreadable even as root.
    let glbl = file(
        &src,
        "extlClntAppGlobalOauthSets",
        "Locked_glbloauth.ecaGlblOauth-meta.xml",
    );
    std::fs::remove_file(&glbl).expect("rm");
    std::fs::create_dir(&glbl).expect("mkdir");
    std::fs::write(
        file(&src, "extlClntAppOauthSettings", "Locked_oauth.ecaOauth-meta.xml"),
        b"<ExtlClntAppOauthSettings>\xff\xfe</ExtlClntAppOauthSettings>",
    )
    .expect("write");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 1, "{findings:#?}");
    assert!(
        err.contains("Locked_glbloauth.ecaGlblOauth-meta.xml: cannot be read: is a directory"),
        "{err}"
    );
    assert!(
        err.contains("Locked_oauth.ecaOauth-meta.xml: cannot be read: not UTF-8"),
        "{err}"
    );
    assert!(findings.iter().any(|f| f["app"] == "Fine"));

    // A file the process may not read: cli/tests/exit_codes.rs (run as an unprivileged user).
}

#[test]
fn nothing_readable_exits_2() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("force-app/main/default/externalClientApps");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("Only.eca-meta.xml"), "<ExternalClientApplication><label>").expect("write");
    let o = run(&["check", "--pack", "veeam-eca", &t.path().to_string_lossy()]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("Only.eca-meta.xml"), "{err}");
    assert!(err.contains("could be read"), "{err}");
}

#[test]
fn secrets_in_files_are_flagged() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Leaky");
    edit(
        &file(
            &src,
            "extlClntAppGlobalOauthSets",
            "Leaky_glbloauth.ecaGlblOauth-meta.xml",
        ),
        "<externalClientApplication>",
        "<consumerSecret>s3cr3t</consumerSecret>\n    <externalClientApplication>",
    );
    let (_, _, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert!(err.contains("holds a <consumerSecret>"), "{err}");
    assert!(!err.contains("s3cr3t"));
}

// ---------------------------------------------------------------- packs, explain

#[test]
fn packs_lists_built_in_packs_with_rules_and_sources() {
    let o = run(&["packs"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    // docs/contract.md, "Rule packs": every pack id is listed.
    let ids = [
        "veeam-eca",
        "veeam-connected-app",
        "delphix-crt-eca",
        "salesforce-baseline",
        "salesforce-mcp-eca",
        "salesforce-agent-api-eca",
        "sf-cli-jwt-eca",
        "fivetran-eca",
        "snowflake-openflow-eca",
        "okta-workflows-eca",
        "jitterbit-eca",
        "workato-eca",
    ];
    for id in ids {
        assert!(out.contains(id), "{id}");
    }
    assert!(out.contains("https://www.veeam.com/kb4827"));
    assert!(out.contains("http://localhost:33333"));
    let o = run(&["packs", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(ids.len()));
}

#[test]
fn explain_prints_meaning_fix_and_source() {
    for rule in [
        "oauth-disabled",
        "scope-missing",
        "scope-extra",
        "callback-missing",
        "callback-mismatch",
        "callback-trailing-slash",
        "callback-scheme",
        "callback-invalid",
        "secret-web-server-flow",
        "secret-refresh-token-flow",
        "pkce",
        "code-credentials-flow",
        "distribution-state",
        "ip-relaxation",
        "permitted-users",
        "session-lock-ip",
        "login-ip-range",
    ] {
        let o = run(&["explain", rule]);
        assert_eq!(code(&o), 0, "{rule}");
        let out = stdout(&o);
        assert!(
            out.contains("meaning:") && out.contains("fix:") && out.contains("source"),
            "{rule}: {out}"
        );
    }
    let out = stdout(&run(&["explain", "pkce"]));
    assert!(
        out.contains("source (veeam-eca)") && out.contains("source (delphix-crt-eca)"),
        "{out}"
    );
    let o = run(&["explain", "nope"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("scope-missing"));
}

#[test]
fn metadata_api_format_is_read_too() {
    // `sf project retrieve start --target-metadata-dir` writes `Foo.eca`, not `Foo.eca-meta.xml`.
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Mdapi");
    std::fs::create_dir_all(src.join("settings")).expect("mkdir");
    std::fs::write(
        src.join("settings/Security.settings"),
        "<SecuritySettings><sessionSettings><lockSessionsToIp>true</lockSessionsToIp></sessionSettings></SecuritySettings>",
    )
    .expect("write");
    for f in walk_files(&src) {
        let name = f.to_string_lossy().into_owned();
        if let Some(stripped) = name.strip_suffix("-meta.xml") {
            std::fs::rename(&f, stripped).expect("rename");
        }
    }
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert!(!err.contains("missing companion"), "{err}");
    assert_eq!(c, 1, "{findings:#?}");
    assert_eq!(finding(&findings, "Mdapi", "session-lock-ip")["severity"], "error");
    assert!(
        findings.iter().all(|f| f["rule"] != "field-unreadable"),
        "{findings:#?}"
    );
    assert!(finding(&findings, "Mdapi", "pkce")["file"]
        .as_str()
        .unwrap_or("")
        .ends_with("Mdapi_glbloauth.ecaGlblOauth"));
}

#[test]
fn closed_stdout_is_not_a_panic() {
    // `eca-guard packs | head`: once the reader is gone, writes fail with EPIPE; the tool must
    // stop quietly, not panic with "failed printing to stdout".
    for args in [
        vec!["packs"],
        vec!["explain", "pkce"],
        vec!["packs", "--format", "json"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let o = bin().args(&args).stdout(writer).output().expect("run");
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
        assert_eq!(code(&o), 0, "{args:?}");
    }
}

#[test]
fn pack_schema_in_docs_is_current() {
    let o = run(&["packs", "schema"]);
    assert_eq!(code(&o), 0);
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/pack.schema.json"))
        .expect("docs/pack.schema.json");
    assert!(
        stdout(&o) == docs,
        "docs/pack.schema.json is out of date: run `cargo run -p eca-guard-cli -- packs schema > docs/pack.schema.json`"
    );
}

#[test]
fn packs_lint_exit_codes() {
    let t = tempfile::tempdir().expect("tempdir");
    let bad = t.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"x\", \"name\": \"X\", \"sources\": [],\n \"rules\": {\"requirePkce\": {\"expect\": \"yes\", \"source\": \"s\"}}}").expect("write");
    let o = run(&["packs", "lint", &bad.to_string_lossy()]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("bad.json:2: error: /rules/requirePkce/expect"),
        "{}",
        stdout(&o)
    );
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../src/packs/fivetran-eca.json");
    assert_eq!(code(&run(&["packs", "lint", good])), 0);
    assert_eq!(code(&run(&["packs", "lint", "/no/such/pack.json"])), 2);
}
