//! `eca-guard generate`: the files follow the pack (refresh token policy, IP relaxation, who may
//! use the app, flows, scopes) with Salesforce's documented values, refuse what they cannot
//! hold, and nothing is left behind when generate refuses. (The staging that keeps a failed
//! read-back check from leaving files: `generate_cmd.rs`'s unit tests.)

#![allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A custom pack of `app_type` with `rules` (a JSON object's members).
fn pack(dir: &Path, id: &str, app_type: &str, rules: &str) -> String {
    let text = format!(
        r#"{{"id":"{id}","name":"{id} (test)","appType":"{app_type}",
"sources":[{{"id":"doc","title":"Test doc","url":"https://acme.example/doc"}}],
"rules":{{"oauthEnabled":{{"expect":true,"source":"doc"}},"callbackUrl":{{"urls":["https://app.acme.example/cb"],"source":"doc"}},{rules}}}}}"#
    );
    put(dir, &format!("{id}.json"), &text).to_string_lossy().into_owned()
}

/// Runs generate; returns (exit code, stdout, stderr, the output folder).
fn gen(pack: &str, dir: &Path, extra: &[&str]) -> (i32, String, String, PathBuf) {
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let mut args = vec![
        "generate",
        "--pack",
        pack,
        "--name",
        "Gen_App",
        "--contact-email",
        "admin@acme.example",
        "--out",
        &out_s,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    (code(&o), stdout(&o), stderr(&o), out)
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join("force-app/main/default").join(rel)).expect("read a generated file")
}

/// Every generated file's text, concatenated.
fn all_text(out: &Path) -> String {
    walk_files(out)
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect()
}

fn assert_clean_check(pack: &str, out: &Path) {
    let (c, findings, err) = check_json(pack, &[], &out.join("force-app/main/default"));
    assert_eq!(c, 0, "{findings:#?}\n{err}");
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] != "error" && f["severity"] != "warning"),
        "{findings:#?}"
    );
}

#[test]
fn refresh_token_policy_follows_the_pack_and_is_never_defaulted_to_valid_until_revoked() {
    for (pack_id, extra) in [
        ("veeam-eca", VEEAM_CALLBACKS.to_vec()),
        ("delphix-crt-eca", vec![]),
        ("veeam-connected-app", vec!["--callback", "https://veeam.acme.internal"]),
    ] {
        let t = tempfile::tempdir().expect("tempdir");
        let (c, _, err, out) = gen(pack_id, t.path(), &extra);
        assert_eq!(c, 0, "{pack_id}: {err}");
        let text = all_text(&out);
        assert!(
            !text.contains("refreshTokenPolicy") && !text.contains("Infinite") && !text.contains("infinite"),
            "{pack_id}"
        );
    }
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "zero-refresh",
        "eca",
        r#""refreshTokenPolicy":{"expect":["Zero"],"source":"doc"},"refreshTokenIdleLimit":{"expect":true,"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 0, "{err}");
    assert!(
        read(&out, "extlClntAppOauthPolicies/Gen_App_oauthPlcy.ecaOauthPlcy-meta.xml")
            .contains("<refreshTokenPolicyType>Zero</refreshTokenPolicyType>")
    );
    assert!(read(
        &out,
        "extlClntAppGlobalOauthSets/Gen_App_glbloauth.ecaGlblOauth-meta.xml"
    )
    .contains("<isEnforceRefreshTokenTTL>true</isEnforceRefreshTokenTTL>"));
    assert_clean_check(&p, &out);
    // A timed policy needs a period the pack does not give: refused, nothing written.
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "idle-refresh",
        "eca",
        r#""refreshTokenPolicy":{"expect":["SpecificInactivity"],"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(
        err.contains("needs a validity period: pass --refresh-token-validity"),
        "{err}"
    );
    assert!(!out.exists());
    for bad in ["0d", "90", "90y", "d"] {
        let (c, _, err, out) = gen(&p, t.path(), &["--refresh-token-validity", bad]);
        assert_eq!(c, 2, "{bad}");
        assert!(err.contains("--refresh-token-validity"), "{bad}: {err}");
        assert!(!out.exists());
    }
    // With its period, the policy is written with period and unit and passes its own check.
    let (c, _, err, out) = gen(&p, t.path(), &["--refresh-token-validity", "90d"]);
    assert_eq!(c, 0, "{err}");
    let policy = read(&out, "extlClntAppOauthPolicies/Gen_App_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert!(
        policy.contains("<refreshTokenPolicyType>SpecificInactivity</refreshTokenPolicyType>"),
        "{policy}"
    );
    assert!(
        policy.contains("<refreshTokenValidityPeriod>90</refreshTokenValidityPeriod>"),
        "{policy}"
    );
    assert!(
        policy.contains("<refreshTokenValidityUnit>Days</refreshTokenValidityUnit>"),
        "{policy}"
    );
    assert_clean_check(&p, &out);
}

#[test]
fn connected_app_ip_relaxation_is_written_with_salesforces_values() {
    let t = tempfile::tempdir().expect("tempdir");
    for (value, written) in [
        ("Enforce_RelaxRefresh", "ENFORCE_RELAXREFRESH"),
        ("Bypass_2factor", "BYPASS_2FACTOR"),
        ("Bypass", "BYPASS"),
        ("Enforce", "ENFORCE"),
    ] {
        let dir = t.path().join(value);
        let p = pack(
            &dir,
            "ca-relax",
            "connectedApp",
            &format!(r#""ipRelaxation":{{"expect":["{value}"],"source":"doc"}}"#),
        );
        let (c, _, err, out) = gen(&p, &dir, &[]);
        assert_eq!(c, 0, "{value}: {err}");
        let text = read(&out, "connectedApps/Gen_App.connectedApp-meta.xml");
        assert!(
            text.contains(&format!("<ipRelaxation>{written}</ipRelaxation>")),
            "{value}: {text}"
        );
        assert!(!text.contains("ENFORCE_ACTIVATED_DEVICES"));
        assert_clean_check(&p, &out);
    }
}

#[test]
fn admin_approval_takes_profiles_or_permission_sets_or_says_nobody_could_use_the_app() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "admin-only",
        "eca",
        r#""permittedUsers":{"expect":["AdminApprovedPreAuthorized"],"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(
        err.contains("--profile NAME or --permission-set NAME, or nobody can use the app"),
        "{err}"
    );
    assert!(!out.exists());
    let (c, stdout, err, out) = gen(
        &p,
        t.path(),
        &["--permission-set", "Gen_App_Users", "--profile", "Integration User"],
    );
    assert_eq!(c, 0, "{err}");
    let policies = read(&out, "extlClntAppOauthPolicies/Gen_App_oauthPlcy.ecaOauthPlcy-meta.xml");
    for needle in [
        "<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>",
        "<commaSeparatedPermissionSet>Gen_App_Users</commaSeparatedPermissionSet>",
        "<commaSeparatedProfile>Integration User</commaSeparatedProfile>",
    ] {
        assert!(policies.contains(needle), "{needle}: {policies}");
    }
    assert!(
        stdout.contains("only users of Integration User, Gen_App_Users can use the app"),
        "{stdout}"
    );
    assert_clean_check(&p, &out);

    // A pack that also accepts self-authorization gets it without an assignment, and says why.
    let t = tempfile::tempdir().expect("tempdir");
    let (c, stdout, err, _) = gen("delphix-crt-eca", t.path(), &[]);
    assert_eq!(c, 0, "{err}");
    assert!(
        stdout.contains("\"All users may self-authorize\", which the pack also accepts"),
        "{stdout}"
    );
    assert!(stdout.contains("usable by nobody"), "{stdout}");

    // Connected Apps: isAdminApproved with the profiles as profileName elements.
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "ca-admin",
        "connectedApp",
        r#""permittedUsers":{"expect":["AdminApprovedPreAuthorized"],"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &["--profile", "Integration User"]);
    assert_eq!(c, 0, "{err}");
    let text = read(&out, "connectedApps/Gen_App.connectedApp-meta.xml");
    assert!(
        text.contains("<isAdminApproved>true</isAdminApproved>")
            && text.contains("<profileName>Integration User</profileName>"),
        "{text}"
    );
    assert_clean_check(&p, &out);
}

#[test]
fn scopes_are_written_as_documented_tokens_only() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "data-cloud",
        "eca",
        r#""scopes":{"require":["api","cdp_ingest_api","cdp_query_api","scrt_api","pwdless_login_api"],"extra":"warning","source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 0, "{err}");
    let scopes = read(&out, "extlClntAppOauthSettings/Gen_App_oauth.ecaOauth-meta.xml");
    assert!(
        scopes.contains(
            "<commaSeparatedOauthScopes>Api, CDPIngest, CDPQuery, SCRT, PwdlessLogin</commaSeparatedOauthScopes>"
        ),
        "{scopes}"
    );
    assert_clean_check(&p, &out);
    // "Access all Data Cloud API resources" has no documented token: refused, never CDPApi.
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "cdp-all",
        "eca",
        r#""scopes":{"require":["api","cdp_api"],"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(err.contains("pack scope `cdp_api` has no metadata token"), "{err}");
    assert!(!out.exists());
}

#[test]
fn flows_take_their_run_as_user_and_certificate() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "client-creds",
        "eca",
        r#""clientCredentialsFlow":{"expect":true,"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(err.contains("--run-as USERNAME"), "{err}");
    assert!(!out.exists());
    let (c, _, err, out) = gen(&p, t.path(), &["--run-as", "integration@acme.example"]);
    assert_eq!(c, 0, "{err}");
    let policies = read(&out, "extlClntAppOauthPolicies/Gen_App_oauthPlcy.ecaOauthPlcy-meta.xml");
    assert!(
        policies.contains("<clientCredentialsFlowUser>integration@acme.example</clientCredentialsFlowUser>"),
        "{policies}"
    );
    let global = read(
        &out,
        "extlClntAppGlobalOauthSets/Gen_App_glbloauth.ecaGlblOauth-meta.xml",
    );
    assert!(
        global.contains("<isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled>"),
        "{global}"
    );
    assert_clean_check(&p, &out);

    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "jwt",
        "eca",
        r#""jwtBearerFlow":{"expect":true,"source":"doc"}"#,
    );
    let (c, _, err, _) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(err.contains("--certificate FILE"), "{err}");
    let pem = put(
        t.path(),
        "cert.pem",
        "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n",
    );
    let (c, _, err, out) = gen(&p, t.path(), &["--certificate", &pem.to_string_lossy()]);
    assert_eq!(c, 0, "{err}");
    assert!(read(
        &out,
        "extlClntAppGlobalOauthSets/Gen_App_glbloauth.ecaGlblOauth-meta.xml"
    )
    .contains("<certificate>-----BEGIN CERTIFICATE-----"));
    assert_clean_check(&p, &out);
}

#[test]
fn rules_a_connected_app_has_no_element_for_are_refused() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = pack(
        t.path(),
        "ca-dpop",
        "connectedApp",
        r#""dpop":{"expect":true,"source":"doc"}"#,
    );
    let (c, _, err, out) = gen(&p, t.path(), &[]);
    assert_eq!(c, 2);
    assert!(err.contains("a Connected App has no metadata element for"), "{err}");
    assert!(!out.exists());
}
