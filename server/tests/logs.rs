//! Logs never contain a consumer secret (or a full consumer key), on success and refusal paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use eca_guard::pairing;
use eca_guard_server::Config;

#[tokio::test]
async fn logs_never_contain_secrets() {
    let logs = LogBuf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    // Global, in a test binary of its own: scoped subscribers race with other tests' threads.
    tracing::subscriber::set_global_default(subscriber).unwrap();

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
