//! The callback linter, table-driven: (field text, required URLs, expected rule ids).

use eca_guard::pack::{CallbackRule, Pack, Params, Rule, Rules, Source, TrailingSlash};
use eca_guard::snapshot::Snapshot;
use eca_guard::Field;

fn pack(extra: bool) -> Pack {
    Pack {
        id: "t".into(),
        name: "Test".into(),
        description: String::new(),
        app_type: Default::default(),
        params: Default::default(),
        sources: vec![Source {
            id: "d".into(),
            title: "Doc".into(),
            url: "https://doc.example".into(),
        }],
        rules: {
            let mut rules = Rules::default();
            let rule = CallbackRule {
                urls: vec![],
                from_param: vec!["callbackUrls".into()],
                severity: None,
                trailing_slash: TrailingSlash::Forbid,
                extra: extra.then_some(eca_guard::Severity::Warning),
                source: "d".into(),
            };
            rules.set("callbackUrl", Rule::Callback(rule)).expect("a known key");
            rules
        },
        notes: vec![],
        vendor: String::new(),
        covers: String::new(),
        checked: String::new(),
        after_send: None,
    }
}

fn lint(text: &str, required: &[&str]) -> Vec<String> {
    let params = Params {
        callback_urls: required.iter().map(|s| s.to_string()).collect(),
        ..Params::default()
    };
    let snap = Snapshot::default().with(Field::CallbackUrl, text);
    let findings = eca_guard::check(&snap, &pack(true), &params);
    // With no required URLs the checker also says it cannot verify the match; that is
    // covered in packs::veeam_without_callback_params_says_it_cannot_verify.
    assert_eq!(
        required.is_empty(),
        findings.iter().any(|f| f.rule == "callback-unverified"),
        "{text:?}"
    );
    let mut got: Vec<String> = findings
        .into_iter()
        .map(|f| f.rule.into_owned())
        .filter(|r| r != "callback-unverified")
        .collect();
    got.sort();
    got
}

#[test]
fn table() {
    let long = format!("https://a.example/{}", "x".repeat(2000));
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("https://a.example", &["https://a.example"], &[]),
        (
            "https://a.example\nhttps://b.example",
            &["https://b.example", "https://a.example"],
            &[],
        ),
        (
            "https://a.example\r\nhttps://b.example\r\n",
            &["https://a.example", "https://b.example"],
            &[],
        ),
        ("\n\nhttps://a.example\n\n", &["https://a.example"], &[]),
        ("", &["https://a.example"], &["callback-missing"]),
        (
            "https://a.example/",
            &["https://a.example"],
            &["callback-trailing-slash"],
        ),
        ("https://a.example/cb/", &[], &["callback-trailing-slash"]),
        ("HTTPS://A.EXAMPLE", &["https://a.example"], &["callback-mismatch"]),
        (
            "https://c.example",
            &["https://a.example"],
            &["callback-extra", "callback-mismatch"],
        ),
        (
            "http://a.example",
            &["http://a.example"],
            &["callback-scheme", "options-invalid"],
        ), // the options hold it: said to be theirs
        ("http://localhost:33333", &["http://localhost:33333"], &[]),
        ("http://127.0.0.1:8080/cb", &["http://127.0.0.1:8080/cb"], &[]),
        ("http://[::1]:8080/cb", &["http://[::1]:8080/cb"], &[]),
        ("myapp://oauth/callback", &["myapp://oauth/callback"], &[]),
        ("javascript:alert(1)", &[], &["callback-scheme"]),
        ("https://*.a.example", &[], &["callback-invalid"]),
        ("https://a.example https://b.example", &[], &["callback-invalid"]),
        ("https://a.example,https://b.example", &[], &["callback-invalid"]),
        ("a.example", &[], &["callback-invalid"]),
        ("https://", &[], &["callback-invalid"]),
        ("  https://a.example", &["https://a.example"], &["callback-whitespace"]),
        (
            "https://a.example\nhttps://a.example",
            &["https://a.example"],
            &["callback-duplicate"],
        ),
        // Both parsers (url natively, the browser's URL in Wasm) apply IDNA.
        ("https://bücher.example", &[], &[]),
        ("https://xn--bcher-kva.example", &["https://xn--bcher-kva.example"], &[]),
    ];
    for (text, required, want) in cases {
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(lint(text, required), want, "text {text:?}, required {required:?}");
    }
    assert_eq!(lint(&long, &[]), vec!["callback-invalid".to_string()]);
}

#[test]
fn messages_point_at_the_line_and_the_fix() {
    let params = Params {
        callback_urls: vec!["https://a.example".into()],
        ..Params::default()
    };
    let snap = Snapshot::default().with(Field::CallbackUrl, "https://b.example\nhttps://a.example/");
    let got = eca_guard::check(&snap, &pack(false), &params);
    let slash = got
        .iter()
        .find(|f| f.rule == "callback-trailing-slash")
        .expect("slash finding");
    assert!(slash.message.contains("Line 2"), "{}", slash.message);
    assert_eq!(slash.fix, "Change line 2 to https://a.example.");
    assert!(
        !got.iter().any(|f| f.rule == "callback-mismatch"),
        "slash variant reported once: {got:#?}"
    );
}

#[test]
fn huge_field_does_not_blow_up() {
    // Distinct lines, so a quadratic duplicate scan would show; findings stay bounded.
    let text: String = (0..50_000).map(|i| format!("https://h{i}.example/\n")).collect();
    let got = lint(&text, &["https://a.example"]);
    assert!(got.contains(&"callback-invalid".to_string()));
    assert!(got.len() < 500, "{} findings", got.len());
}
