//! Logs never contain a consumer secret (or a full consumer key), on success and refusal paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use eca_guard::pairing;
use eca_guard_server::Config;

/// The log of this test binary. Global, in a test binary of its own: scoped subscribers race
/// with other tests' threads. Tests share it, so each looks for its own markers.
fn logs() -> LogBuf {
    static LOGS: std::sync::OnceLock<LogBuf> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuf::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

#[tokio::test]
async fn logs_never_contain_secrets() {
    let logs = logs();

    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("sink.json");
    let s = Server::with(Config {
        sink: Some(sink.clone()),
        ..Config::default()
    });
    let p = s.pair("laptop").await;
    let c = creds(
        "acme.my.salesforce.com",
        "Veeam_Backup",
        "3MVG9LoggedPrefixOnly",
        SECRET,
    );
    let sealed = pairing::seal_credentials(&p.keys, &c, now()).unwrap();
    assert_eq!(
        s.request("POST", "/v1/credentials", &sealed.body).await.0,
        StatusCode::OK
    );
    // Every refusal path logs too.
    s.request("POST", "/v1/credentials", &sealed.body).await;
    s.request("POST", "/v1/credentials", &flip(&sealed.body, "ct", 2)).await;
    s.request("POST", "/v1/credentials", "garbage").await;

    let text = logs.text();
    assert!(text.contains("credentials stored"), "{text}");
    assert!(text.contains("3MVG9Log"), "the key prefix is logged");
    assert!(text.contains("replay"), "{text}");
    assert!(text.contains("not_authentic"), "{text}");
    assert!(text.contains("malformed"), "{text}");
    assert!(!text.contains(SECRET), "a secret leaked into the logs");
    assert!(
        !text.contains("3MVG9LoggedPrefixOnly"),
        "the full key leaked into the logs"
    );

    // The sink got it, mode 0600, atomically written.
    let sink_text = std::fs::read_to_string(&sink).unwrap();
    assert!(sink_text.contains(SECRET));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&sink).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[tokio::test]
async fn unauthenticated_values_cannot_forge_log_lines() {
    let logs = logs();
    let s = Server::new();
    let p = s.pair("laptop").await;
    let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    let mut env: serde_json::Value = serde_json::from_str(&sealed.body).unwrap();

    // A browser id that carries a fake log line and a terminal escape.
    env["browser"] = "AAAA\u{1b}[2K credentials stored org=forged1.example".into();
    let (status, body) = s.request("POST", "/v1/credentials", &env.to_string()).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "malformed")
    );

    // An unknown field whose name is a fake log line: the parser's text quotes it.
    env["browser"] = p.browser_id.clone().into();
    env["\u{1b}[31m credentials stored org=forged2.example"] = 1.into();
    let (status, body) = s.request("POST", "/v1/credentials", &env.to_string()).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "malformed")
    );
    assert!(!body.contains("forged2"), "the parser's text was echoed: {body}");

    // A pairing label with a bidi override (labels are free text, shown and logged).
    let code = s.code();
    let req = pairing::pair_request(&code, &s.state.info().public_key, "laptop\u{202e}forged3").unwrap();
    assert_eq!(s.request("POST", "/v1/pair", &req.body).await.0, StatusCode::OK);

    let text = logs.text();
    assert!(text.contains("forged3"), "the label is logged: {text}");
    for forged in ["forged1", "forged2"] {
        assert!(!text.contains(forged), "{forged} reached the log: {text}");
    }
    assert!(!text.contains('\u{1b}'), "a raw ESC reached the log");
    assert!(!text.contains('\u{202e}'), "a raw bidi override reached the log");
}
