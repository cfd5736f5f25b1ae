//! The name and credential checks, value by value (names.rs). Each line is a case a mutant of
//! one comparison or operator there passed unnoticed before (`./build.sh mutants`): the
//! edges of each length, each character class, each position rule.

use super::names::{clean_label, is_app_name, is_format, is_org_host, key_prefix};
use super::wire::Credentials;
use super::{CredentialsError, MAX_CREDENTIAL, MAX_NAME};

#[test]
fn key_prefix_shows_eight_characters_and_says_when_there_are_more() {
    assert_eq!(key_prefix("3MVG9abcdefgh"), "3MVG9abc…");
    assert_eq!(
        key_prefix("3MVG9abc"),
        "3MVG9abc",
        "exactly eight: nothing cut, no ellipsis"
    );
    assert_eq!(key_prefix("3MVG9abc_"), "3MVG9abc…", "nine: cut");
    assert_eq!(key_prefix("3MV"), "3MV");
    assert_eq!(key_prefix("ÄÖÜäöüßéè"), "ÄÖÜäöüßé…", "characters, not bytes");
}

#[test]
fn format_characters_are_the_invisible_and_reordering_ones() {
    for c in [
        '\u{200b}',
        '\u{202e}',
        '\u{2066}',
        '\u{feff}',
        '\u{e0041}',
        '\u{ad}',
        '\u{2028}',
    ] {
        assert!(is_format(c), "{:?}", c);
    }
    for c in ['a', ' ', 'é', '日', '-', '\u{2027}', '\u{2030}'] {
        assert!(!is_format(c), "{:?}", c);
    }
}

#[test]
fn a_label_loses_control_and_format_characters_and_keeps_the_rest() {
    assert_eq!(clean_label("Chromium on build-01"), "Chromium on build-01");
    assert_eq!(clean_label("a\u{202e}b\nc\u{7}d\u{200b}e"), "abcde");
    assert_eq!(clean_label("Büro – 東京"), "Büro – 東京");
    let long = "x".repeat(MAX_NAME + 10);
    assert_eq!(clean_label(&long).chars().count(), MAX_NAME);
}

#[test]
fn an_org_is_a_lower_case_host_name() {
    for ok in [
        "acme.my.salesforce.com",
        "a.b",
        "acme--dev.sandbox.my.salesforce.com",
        "x1-2.example",
        &format!("{}.com", "a".repeat(63)),
    ] {
        assert!(is_org_host(ok), "{ok}");
    }
    for bad in [
        "",
        "localhost",
        "Acme.my.salesforce.com",
        "acme..com",
        ".acme.com",
        "acme.com.",
        "-acme.com",
        "acme-.com",
        "acme.-com",
        "acme.com-",
        "ac me.com",
        "acme.com/x",
        "acme_1.com",
        &format!("{}.com", "a".repeat(64)),
        &format!("{}.com", ["a"; 127].join(".")),
    ] {
        assert!(!is_org_host(bad), "{bad}");
    }
    assert!(is_org_host(&["a"; 127].join(".")), "253 characters");
}

#[test]
fn an_app_is_an_api_name_or_a_record_id() {
    for ok in [
        "Veeam_Backup",
        "a",
        "A1_b2",
        &"a".repeat(80),
        "0xI000000000001",
        "0xI000000000001AAA",
    ] {
        assert!(is_app_name(ok), "{ok}");
    }
    for bad in [
        "",
        "_Veeam",
        "1abc",
        "Veeam Backup",
        "Veeam-Backup",
        "Veeam\"$(x)",
        &"a".repeat(81),
        "0xI00000000001",
        "0xI0000000000001",
        "0xI00000000000_1AA",
        "0xI000000000001AA_",
        "0xI000000000001AAAA",
    ] {
        assert!(!is_app_name(bad), "{bad}");
    }
}

fn creds(key: &str, secret: &str) -> Credentials {
    Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: key.into(),
        consumer_secret: secret.into(),
    }
}

#[test]
fn credentials_validate_each_part_with_its_own_error() {
    assert_eq!(creds("3MVG9key", "SECRET").validate(), Ok(()));
    let mut c = creds("k", "s");
    c.org = "Acme".into();
    assert_eq!(c.validate(), Err(CredentialsError::Org));
    let mut c = creds("k", "s");
    c.app = "not an app".into();
    assert_eq!(c.validate(), Err(CredentialsError::App));
    for bad in ["", "has space", "tab\t", "é", &"k".repeat(MAX_CREDENTIAL + 1)] {
        assert_eq!(creds(bad, "s").validate(), Err(CredentialsError::Key), "key {bad:?}");
        assert_eq!(
            creds("k", bad).validate(),
            Err(CredentialsError::Secret),
            "secret {bad:?}"
        );
    }
    assert_eq!(
        creds(&"k".repeat(MAX_CREDENTIAL), &"s".repeat(MAX_CREDENTIAL)).validate(),
        Ok(()),
        "the longest allowed"
    );
    assert_eq!(
        creds("~!#$%^&*()", "\"'<>[]{}|\\").validate(),
        Ok(()),
        "every printable ASCII character"
    );
}
