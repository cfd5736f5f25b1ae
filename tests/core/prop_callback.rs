//! Property: the callback linter never accepts a line Salesforce would reject and never rejects
//! one it accepts. Salesforce's rules (docs/salesforce-facts.md, "Callback URL rules"): HTTPS or
//! a custom URI scheme, plain http only for a loopback host, no wildcards, one URL per line,
//! 2,000 characters for the whole field. Lines are drawn from a grammar of shapes, each with
//! the verdict those rules give it; the linter's verdict on a line is whether it reports an
//! error saying that line cannot be saved (`callback-invalid` or `callback-scheme`).

use eca_guard::pack::{CallbackRule, Pack, Params, Rule, Rules, Source, TrailingSlash};
use eca_guard::snapshot::{Page, Snapshot};
use eca_guard::{Field, Severity};
use proptest::prelude::*;

/// A pack whose callback rule asks for no URL in particular: only Salesforce's own rules apply.
fn pack() -> Pack {
    let mut rules = Rules::default();
    let rule = CallbackRule {
        urls: vec![],
        from_param: vec![],
        severity: None,
        trailing_slash: TrailingSlash::Allow,
        extra: None,
        source: "d".into(),
    };
    let _ = rules.set("callbackUrl", Rule::Callback(rule));
    Pack {
        id: "callback-rules".into(),
        name: "Callback rules".into(),
        vendor: String::new(),
        covers: String::new(),
        checked: String::new(),
        description: String::new(),
        app_type: Default::default(),
        params: Default::default(),
        sources: vec![Source {
            id: "d".into(),
            title: "Doc".into(),
            url: "https://doc.example".into(),
        }],
        rules,
        notes: vec![],
        after_send: None,
    }
}

fn domain() -> impl Strategy<Value = String> {
    // Never `localhost` itself: that is the loopback case below.
    "[a-z][a-z0-9-]{0,12}(\\.[a-z][a-z0-9]{1,8}){1,3}".prop_filter("not loopback, not punycode", |d| {
        !d.starts_with("localhost.") && !d.split(".").any(|l| l.starts_with("xn--"))
    })
}

fn ipv4() -> impl Strategy<Value = String> {
    (1u8..=223, any::<u8>(), any::<u8>(), 1u8..=254)
        .prop_filter("not loopback", |(a, ..)| *a != 127)
        .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
}

fn loopback() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("localhost".to_string()),
        Just("LocalHost".to_string()),
        Just("[::1]".to_string()),
        (any::<u8>(), any::<u8>(), 1u8..=254).prop_map(|(b, c, d)| format!("127.{b}.{c}.{d}")),
    ]
}

fn port() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), (1u16..=65535).prop_map(|p| format!(":{p}"))]
}

/// Path, query and fragment; `long` makes room for fields over 2,000 characters.
fn rest() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec("[A-Za-z0-9._~-]{1,12}", 0..4),
        prop_oneof![
            Just(String::new()),
            "\\?[a-z]{1,6}=[A-Za-z0-9]{0,8}".prop_map(|q| q.to_string())
        ],
        prop_oneof![3 => Just(String::new()), 1 => "[a-z]{300,700}".prop_map(|l| format!("/{l}"))],
    )
        .prop_map(|(segs, query, long)| {
            let path: String = segs.iter().map(|s| format!("/{s}")).collect();
            format!("{path}{long}{query}")
        })
}

/// A custom scheme: not http(s), and not one that can never be a redirect target (callback.rs
/// refuses javascript:, data:, file:, …, which Salesforce does not list as custom schemes).
fn custom_scheme() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9+.-]{1,10}".prop_filter("custom", |s| {
        !matches!(
            s.as_str(),
            "http" | "https" | "javascript" | "data" | "file" | "ftp" | "vbscript" | "about" | "blob"
        )
    })
}

/// A line Salesforce accepts.
fn valid() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop_oneof![Just("https"), Just("HTTPS"), Just("Https")],
            prop_oneof![domain(), ipv4()],
            port(),
            rest()
        )
            .prop_map(|(s, h, p, r)| format!("{s}://{h}{p}{r}")),
        (loopback(), port(), rest()).prop_map(|(h, p, r)| format!("http://{h}{p}{r}")),
        (custom_scheme(), "[a-z][a-z0-9.-]{0,15}", rest()).prop_map(|(s, h, r)| format!("{s}://{h}{r}")),
    ]
}

/// A line Salesforce rejects.
fn invalid() -> impl Strategy<Value = String> {
    prop_oneof![
        // Plain http to a host that is not loopback.
        (prop_oneof![domain(), ipv4()], port(), rest()).prop_map(|(h, p, r)| format!("http://{h}{p}{r}")),
        // A wildcard anywhere.
        (valid(), any::<prop::sample::Index>()).prop_map(|(v, i)| {
            let at = i.index(v.len() + 1);
            let at = (0..=at).rev().find(|a| v.is_char_boundary(*a)).unwrap_or(0);
            format!("{}*{}", &v[..at], &v[at..])
        }),
        // Two URLs on one line.
        (
            valid(),
            prop_oneof![Just(" "), Just(","), Just(", "), Just("\t")],
            valid()
        )
            .prop_map(|(a, sep, b)| format!("{a}{sep}{b}")),
        // No scheme at all.
        (domain(), rest()).prop_map(|(h, r)| format!("{h}{r}")),
        // A scheme and nothing after it.
        Just("https://".to_string()),
    ]
}

/// Lines, each with Salesforce's verdict (true: accepted).
fn field() -> impl Strategy<Value = Vec<(String, bool)>> {
    proptest::collection::vec(
        prop_oneof![valid().prop_map(|l| (l, true)), invalid().prop_map(|l| (l, false))],
        1..8,
    )
}

/// The line numbers the linter says cannot be saved, and whether it refuses the field's length.
fn linted(text: &str) -> (Vec<usize>, bool) {
    let snap = Snapshot::new(Page::NewEca)
        .with(Field::OauthEnabled, true)
        .with(Field::CallbackUrl, text);
    let mut lines = Vec::new();
    let mut too_long = false;
    for f in eca_guard::check(&snap, &pack(), &Params::default()) {
        if f.severity != Severity::Error || !matches!(f.rule.as_ref(), "callback-invalid" | "callback-scheme") {
            continue;
        }
        if f.message.starts_with("The Callback URL field holds") {
            too_long = true;
            continue;
        }
        let n = f
            .message
            .strip_prefix("Line ")
            .and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        match n {
            Some(n) => lines.push(n),
            None => panic!("an error about no line: {}", f.message),
        }
    }
    lines.sort_unstable();
    lines.dedup();
    (lines, too_long)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn linter_verdicts_are_salesforces(lines in field(), crlf in any::<bool>()) {
        let text = lines.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join(if crlf { "\r\n" } else { "\n" });
        let rejected: Vec<usize> = lines.iter().enumerate().filter(|(_, (_, ok))| !ok).map(|(i, _)| i + 1).collect();
        let (got, too_long) = linted(&text);
        prop_assert_eq!(got, rejected, "{:?}", text);
        prop_assert_eq!(too_long, text.chars().count() > 2000, "{} characters", text.chars().count());
    }
}

#[test]
fn the_grammar_is_not_vacuous() {
    // Each shape of `invalid` on its own is refused, each of `valid` accepted.
    for (line, ok) in [
        ("https://a.example", true),
        ("HTTPS://a.example:8443/cb?x=1", true),
        ("http://LocalHost:1717/OauthRedirect", true),
        ("http://127.1.2.3/cb", true),
        ("http://[::1]:8080", true),
        ("myapp.v2://oauth/cb", true),
        ("http://a.example", false),
        ("http://10.0.0.1", false),
        ("https://*.a.example", false),
        ("https://a.example/c*b", false),
        ("https://a.example,https://b.example", false),
        ("https://a.example\thttps://b.example", false),
        ("a.example/cb", false),
        ("https://", false),
    ] {
        assert_eq!(linted(line).0.is_empty(), ok, "{line}");
    }
}
