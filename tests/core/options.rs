//! ECA Guard's own options, checked with the rules the form is checked by: no value the options
//! accept is one the form then refuses (src/check/options.rs).

use eca_guard::check::options::check_options;
use eca_guard::pack::{self, Params};
use eca_guard::{Field, Severity};

use crate::support::{run, veeam_good};

fn problems(pack_id: &str, params: &Params) -> Vec<(String, Option<usize>, Severity)> {
    let pack = pack::find(pack_id, &[]).unwrap_or_else(|e| panic!("{e}"));
    check_options(pack, params)
        .into_iter()
        .map(|p| (p.param, p.line, p.severity))
        .collect()
}

fn urls(list: &[&str]) -> Params {
    Params {
        callback_urls: list.iter().map(|s| s.to_string()).collect(),
        ..Params::default()
    }
}

#[test]
fn callback_urls_the_form_would_refuse_are_refused() {
    let got = problems(
        "veeam-eca",
        &urls(&[
            "https://veeam.acme.example/",
            "http://10.0.0.5",
            "https://ok.acme.example",
            "https://ok.acme.example",
            "not a url",
        ]),
    );
    assert_eq!(
        got,
        vec![
            ("callbackUrls".into(), Some(1), Severity::Error), // final slash Veeam never sends
            ("callbackUrls".into(), Some(2), Severity::Error), // plain http to a non-loopback host
            ("callbackUrls".into(), Some(4), Severity::Warning), // repeated
            ("callbackUrls".into(), Some(5), Severity::Error), // two words, not a URL
        ]
    );
    assert!(problems(
        "veeam-eca",
        &urls(&["https://veeam.acme.example", "https://172.12.0.1"])
    )
    .is_empty());
    // A pack that allows the slash, or has no callback rule, accepts it; http://localhost is fine.
    assert!(problems("salesforce-agent-api-eca", &urls(&["http://localhost:8080/cb"])).is_empty());
}

#[test]
fn server_addresses_must_be_addresses_and_private_ones_are_said_to_be_unchecked() {
    let params = Params {
        server_addresses: vec!["203.0.113.10".into(), "veeam.acme.example".into(), "10.0.0.7".into()],
        ..urls(&["https://veeam.acme.example"])
    };
    let pack = pack::find("veeam-eca", &[]).expect("pack");
    let got = check_options(pack, &params);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!((got[0].line, got[0].severity), (Some(2), Severity::Error));
    assert!(got[0].message.contains("not an IP address"), "{}", got[0].message);
    assert_eq!((got[1].line, got[1].severity), (Some(3), Severity::Warning));
    assert!(got[1].message.contains("private address"), "{}", got[1].message);
}

#[test]
fn choices_and_required_lists() {
    assert_eq!(
        problems("salesforce-mcp-eca", &Params::default()),
        vec![("client".into(), None, Severity::Warning)]
    );
    let mut p = Params::default();
    p.choices.0.push(("client".into(), "netscape".into()));
    assert_eq!(
        problems("salesforce-mcp-eca", &p),
        vec![("client".into(), None, Severity::Error)]
    );
    p.choices.0[0].1 = "claude".into();
    assert!(problems("salesforce-mcp-eca", &p).is_empty());
    assert_eq!(
        problems("veeam-eca", &Params::default()),
        vec![("callbackUrls".into(), None, Severity::Warning)]
    );
}

#[test]
fn the_form_never_asks_for_a_line_it_then_flags() {
    // Options that hold a URL with a final slash for Veeam (which forbids it): the form used to
    // ask for `https://veeam.acme.example/` and then flag that very line.
    let params = urls(&["https://veeam.acme.example/", "https://172.12.0.1"]);
    let mut snap = veeam_good();
    snap.set(Field::CallbackUrl, "https://veeam.acme.example/\nhttps://172.12.0.1");
    let got = run("veeam-eca", &snap, &params);
    assert!(!got.iter().any(|f| f.rule == "callback-mismatch"), "{got:#?}");
    let opt = got
        .iter()
        .find(|f| f.rule == "options-invalid")
        .expect("options-invalid");
    assert_eq!(opt.severity, Severity::Warning);
    assert!(opt.fix_in_options);
    assert!(
        opt.message
            .starts_with("In the callback URLs ECA Guard was given (its options, or --callback): Line 1"),
        "{}",
        opt.message
    );
    // The page's own line is still checked by the pack's rule.
    assert!(got.iter().any(|f| f.rule == "callback-trailing-slash"), "{got:#?}");
    // Correct the options: the page line with the slash is the one to change.
    let fixed = urls(&["https://veeam.acme.example", "https://172.12.0.1"]);
    let got = run("veeam-eca", &snap, &fixed);
    assert!(!got.iter().any(|f| f.rule == "options-invalid"));
    assert!(
        got.iter().all(|f| !f.fix_in_options || f.severity == Severity::Info),
        "{got:#?}"
    );
}
