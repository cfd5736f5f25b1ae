//! The HTTP API in-process (`oneshot`): pairing, sealing, and every refusal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Request, StatusCode};
use common::*;
use eca_guard::pairing;
use eca_guard_server::{store, Config};

#[tokio::test]
async fn info_publishes_name_key_callbacks_and_pack() {
    let s = Server::with(Config {
        name: "Veeam prod".into(),
        callback_urls: vec!["https://veeam.acme.internal".into(), "https://10.0.0.5".into()],
        pack: Some("veeam-eca".into()),
        ..Config::default()
    });
    let (status, body) = s.request("GET", "/v1/info", "").await;
    assert_eq!(status, StatusCode::OK);
    let info: pairing::ServerInfo = serde_json::from_str(&body).unwrap();
    assert_eq!(info.name, "Veeam prod");
    assert_eq!(info.callback_urls.len(), 2);
    assert_eq!(info.pack.as_deref(), Some("veeam-eca"));
    // The key file is 0600 and the pairing reply carries the same details, authenticated.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.dir.path().join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let p = s.pair("laptop").await;
    assert_eq!(p.name, "Veeam prod");
    assert_eq!(p.pack.as_deref(), Some("veeam-eca"));
    assert_eq!(p.callback_urls, info.callback_urls);
}

#[tokio::test]
async fn pairing_and_sending_happy_path() {
    let s = Server::new();
    let p = s.pair("Chrome on admin laptop").await;
    let browsers = store::browsers(&s.db()).unwrap();
    assert_eq!(browsers.len(), 1);
    assert_eq!(browsers[0].id, p.browser_id);
    assert_eq!(browsers[0].label, "Chrome on admin laptop");

    let c = creds(
        "acme.my.salesforce.com",
        "Veeam_Backup",
        "3MVG9AbCdEfGhIjKlMnOp",
        SECRET,
    );
    let sealed = pairing::seal_credentials(&p.keys, &c, now()).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !body.contains(SECRET) && !body.contains("acme"),
        "the receipt is sealed"
    );
    let receipt = pairing::open_receipt(&sealed.response_key, &sealed.message_id, &body).unwrap();
    assert_eq!(receipt.org, "acme.my.salesforce.com");
    assert_eq!(receipt.app, "Veeam_Backup");
    assert_eq!(receipt.key_prefix, "3MVG9AbC…");
    assert_eq!(receipt.version, 1);
    assert!(!receipt.unchanged);
    assert_eq!(receipt.server, "Veeam prod");

    let got = store::get(&s.db(), "acme.my.salesforce.com", "Veeam_Backup", None)
        .unwrap()
        .unwrap();
    assert_eq!(got.consumer_key, c.consumer_key);
    assert_eq!(got.consumer_secret, SECRET);
    assert_eq!(got.browser_id, p.browser_id);
}

#[tokio::test]
async fn expired_reused_and_unknown_codes_are_refused() {
    let s = Server::new();
    let (_, info) = s.request("GET", "/v1/info", "").await;
    let info: pairing::ServerInfo = serde_json::from_str(&info).unwrap();

    // Expired: created 20 minutes ago, valid 10.
    let code = s.code_at(-1200, 600);
    let req = pairing::pair_request(&code, &info.public_key, "x").unwrap();
    let (status, body) = s.request("POST", "/v1/pair", &req.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "pairing_code_expired")
    );

    // Reused: once fine, then refused for another browser and for the same request replayed.
    let code = s.code();
    let first = pairing::pair_request(&code, &info.public_key, "a").unwrap();
    let (status, _) = s.request("POST", "/v1/pair", &first.body).await;
    assert_eq!(status, StatusCode::OK);
    let second = pairing::pair_request(&code, &info.public_key, "b").unwrap();
    let (status, body) = s.request("POST", "/v1/pair", &second.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "pairing_code_used")
    );
    let (status, body) = s.request("POST", "/v1/pair", &first.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "pairing_code_used")
    );

    // Unknown: a well-formed code this server never issued.
    let key = pairing::unb64(&info.public_key).unwrap();
    let forged = pairing::PairingCode {
        server: "http://127.0.0.1:8787".into(),
        fingerprint: pairing::fingerprint(&key),
        token: [42; 16],
    }
    .encode();
    let req = pairing::pair_request(&forged, &info.public_key, "x").unwrap();
    let (status, body) = s.request("POST", "/v1/pair", &req.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "pairing_code_unknown")
    );
    assert_eq!(store::browsers(&s.db()).unwrap().len(), 1);
}

#[tokio::test]
async fn pair_request_for_another_server_key_does_not_open() {
    let s = Server::new();
    let other = Server::new();
    let code = s.code();
    // A code pinning s, but the request sealed to other's key (what a MITM swapping keys gets):
    // the extension refuses before sending, since the fingerprint differs.
    let e = pairing::pair_request(&code, &other.state.info().public_key, "x").unwrap_err();
    assert!(e.to_string().contains("does not hold the key"));
    // And a request sealed to s, posted to other, does not open there.
    let req = pairing::pair_request(&code, &s.state.info().public_key, "x").unwrap();
    let (status, body) = other.request("POST", "/v1/pair", &req.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "not_authentic")
    );
}

#[tokio::test]
async fn unknown_and_revoked_browsers_are_refused() {
    let s = Server::new();
    let other = Server::new();
    let stranger = other.pair("elsewhere").await;
    // Sealed by a browser paired with another server: unknown here (and to the wrong key).
    let mut keys = pairing::PairedKeys::from_token(&stranger.keys).unwrap();
    keys.server_key = pairing::unb64(&s.state.info().public_key).unwrap().try_into().unwrap();
    let sealed = pairing::seal_credentials(&keys.to_token(), &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "unknown_browser")
    );

    let p = s.pair("laptop").await;
    let ok = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    assert_eq!(s.request("POST", "/v1/credentials", &ok.body).await.0, StatusCode::OK);
    assert!(store::revoke(&s.db(), &p.browser_id, now() as i64).unwrap());
    let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k2", "s2"), now()).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "revoked_browser")
    );
    assert_eq!(
        store::get(&s.db(), "o.example.com", "a", None)
            .unwrap()
            .unwrap()
            .consumer_key,
        "k"
    );
}

#[tokio::test]
async fn replayed_stale_and_future_messages_are_refused() {
    let s = Server::new();
    let p = s.pair("laptop").await;
    let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    assert_eq!(
        s.request("POST", "/v1/credentials", &sealed.body).await.0,
        StatusCode::OK
    );
    let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::CONFLICT, "replayed"));

    let old = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k2", "s2"), now() - 3600).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &old.body).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::BAD_REQUEST, "stale"));
    let future = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k2", "s2"), now() + 3600).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &future.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "from_future")
    );
    assert_eq!(store::history(&s.db(), "o.example.com", "a").unwrap().len(), 1);
}

#[tokio::test]
async fn tampered_messages_are_refused() {
    let s = Server::new();
    let p = s.pair("laptop").await;
    let q = s.pair("desktop").await;
    let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), now()).unwrap();
    for (field, i) in [("ct", 0), ("ct", 40), ("enc", 5)] {
        let bad = flip(&sealed.body, field, i);
        let (status, body) = s.request("POST", "/v1/credentials", &bad).await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (StatusCode::UNAUTHORIZED, "not_authentic"),
            "{field}[{i}]"
        );
    }
    // Claiming to be another paired browser: does not open either.
    let mut env: pairing::Envelope = serde_json::from_str(&sealed.body).unwrap();
    env.browser = Some(q.browser_id.clone());
    let (status, body) = s
        .request("POST", "/v1/credentials", &serde_json::to_string(&env).unwrap())
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "not_authentic")
    );
    // Tampered pair request too.
    let code = s.code();
    let req = pairing::pair_request(&code, &s.state.info().public_key, "x").unwrap();
    let (status, body) = s.request("POST", "/v1/pair", &flip(&req.body, "ct", 3)).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNAUTHORIZED, "not_authentic")
    );
    // The untampered original still goes through (nothing was consumed).
    assert_eq!(
        s.request("POST", "/v1/credentials", &sealed.body).await.0,
        StatusCode::OK
    );
    assert_eq!(s.request("POST", "/v1/pair", &req.body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn oversized_malformed_and_foreign_requests_are_refused() {
    let s = Server::new();
    let big = format!("{{\"v\":1,\"enc\":\"{}\",\"ct\":\"\"}}", "A".repeat(20_000));
    let (status, body) = s.request("POST", "/v1/credentials", &big).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );

    for bad in [
        "",
        "not json",
        "{}",
        "[1,2]",
        r#"{"v":1,"enc":"!!","ct":"","browser":"x"}"#,
        r#"{"v":2,"enc":"","ct":""}"#,
    ] {
        let (status, body) = s.request("POST", "/v1/credentials", bad).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::FORBIDDEN,
            "{bad}: {status}"
        );
        let code = error_code(&body);
        assert!(code == "malformed" || code == "unknown_browser", "{bad}: {code}");
        let (status, body) = s.request("POST", "/v1/pair", bad).await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (StatusCode::BAD_REQUEST, "malformed"),
            "{bad}"
        );
    }
    // Valid envelope, garbage key material.
    let p = s.pair("laptop").await;
    let env = format!(r#"{{"v":1,"browser":"{}","enc":"AAAA","ct":"AAAA"}}"#, p.browser_id);
    let (status, body) = s.request("POST", "/v1/credentials", &env).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "malformed")
    );

    // Not JSON content type (what a page's no-cors form post would send).
    let (status, body) = s
        .raw(
            Request::builder()
                .method("POST")
                .uri("/v1/credentials")
                .header("content-type", "text/plain"),
            "{}",
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "content_type")
    );
    // A web page's origin.
    let (status, body) = s
        .raw(
            Request::builder()
                .method("POST")
                .uri("/v1/pair")
                .header("content-type", "application/json")
                .header("origin", "https://evil.example"),
            "{}",
        )
        .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "web_origin")
    );
    // The extension's own origin is fine.
    let (status, _) = s
        .raw(
            Request::builder()
                .method("GET")
                .uri("/v1/info")
                .header("origin", "chrome-extension://abcdefghijklmnopabcdefghijklmnop"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // No CORS headers for web origins.
    let req = Request::builder()
        .method("OPTIONS")
        .uri("/v1/credentials")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(eca_guard_server::app(s.state.clone()), req)
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sends_from_several_browsers_are_all_stored() {
    let s = std::sync::Arc::new(Server::new());
    let mut pairings = Vec::new();
    for i in 0..6 {
        pairings.push(s.pair(&format!("browser {i}")).await);
    }
    let mut tasks = Vec::new();
    for (b, p) in pairings.iter().enumerate() {
        for n in 0..20 {
            let s = s.clone();
            let keys = p.keys.clone();
            tasks.push(tokio::spawn(async move {
                let c = creds(
                    &format!("org{b}.my.salesforce.com"),
                    &format!("app{n}"),
                    &format!("KEY{b}x{n}"),
                    &format!("SEC{b}x{n}"),
                );
                let sealed = pairing::seal_credentials(&keys, &c, now()).unwrap();
                let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                pairing::open_receipt(&sealed.response_key, &sealed.message_id, &body).unwrap();
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let db = s.db();
    let all = store::list(&db, None).unwrap();
    assert_eq!(all.len(), 6 * 20);
    for b in 0..6 {
        for n in 0..20 {
            let c = store::get(&db, &format!("org{b}.my.salesforce.com"), &format!("app{n}"), None)
                .unwrap()
                .unwrap();
            assert_eq!(c.consumer_secret, format!("SEC{b}x{n}"));
        }
    }
}

#[tokio::test]
async fn rotation_keeps_history_and_identical_resend_is_unchanged() {
    let s = Server::new();
    let p = s.pair("laptop").await;
    let mut versions = Vec::new();
    for (k, sec) in [("KEY1", "SEC1"), ("KEY1", "SEC1"), ("KEY2", "SEC2"), ("KEY3", "SEC3")] {
        let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", k, sec), now()).unwrap();
        let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
        assert_eq!(status, StatusCode::OK);
        let r = pairing::open_receipt(&sealed.response_key, &sealed.message_id, &body).unwrap();
        versions.push((r.version, r.unchanged));
    }
    assert_eq!(versions, vec![(1, false), (1, true), (2, false), (3, false)]);
    let h = store::history(&s.db(), "o.example.com", "a").unwrap();
    let keys: Vec<_> = h.iter().map(|c| c.consumer_key.as_str()).collect();
    assert_eq!(keys, vec!["KEY1", "KEY2", "KEY3"]);
    assert_eq!(
        store::get(&s.db(), "o.example.com", "a", Some(1))
            .unwrap()
            .unwrap()
            .consumer_secret,
        "SEC1"
    );
    assert_eq!(
        store::get(&s.db(), "o.example.com", "a", None)
            .unwrap()
            .unwrap()
            .consumer_secret,
        "SEC3"
    );
}

#[tokio::test]
async fn hook_receives_the_credential_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hook.out");
    let s = Server::with(Config {
        hook: Some(format!(
            "umask 077; cat > '{}'; echo \"$ECA_GUARD_ORG $ECA_GUARD_VERSION\" >> '{}'",
            out.display(),
            out.display()
        )),
        ..Config::default()
    });
    let p = s.pair("laptop").await;
    let sealed = pairing::seal_credentials(&p.keys, &creds("acme.example.com", "app", "KEY", SECRET), now()).unwrap();
    assert_eq!(
        s.request("POST", "/v1/credentials", &sealed.body).await.0,
        StatusCode::OK
    );
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.contains("acme.example.com 1") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(text.contains(SECRET), "{text}");
    assert!(text.contains("\"consumerKey\":\"KEY\""), "{text}");
    assert!(text.contains("acme.example.com 1"), "{text}");
}

#[tokio::test]
async fn a_timestamp_at_the_end_of_time_is_refused_not_a_panic() {
    // `ts + skew` overflowed: a panic in debug builds, a wrapped "not stale" in release.
    let s = Server::new();
    let p = s.pair("laptop").await;
    let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), u64::MAX).unwrap();
    let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "from_future")
    );
}

#[tokio::test]
async fn only_the_hosts_the_server_is_configured_for_are_served() {
    // DNS rebinding: a page at evil.example makes its name resolve to 127.0.0.1; its requests
    // then reach this server with `Host: evil.example:8787`.
    let s = Server::with(Config {
        public_url: Some("http://veeam.acme.internal".into()),
        ..Config::default()
    });
    let get = |host: &'static str| {
        let s = &s;
        async move {
            s.raw(
                Request::builder().method("GET").uri("/v1/info").header("host", host),
                "",
            )
            .await
        }
    };
    for host in [
        "127.0.0.1:8787",
        "localhost:8787",
        "LOCALHOST:8787",
        "[::1]:8787",
        "veeam.acme.internal",
        "veeam.acme.internal:80",
    ] {
        assert_eq!(get(host).await.0, StatusCode::OK, "{host}");
    }
    for host in [
        "evil.example",
        "evil.example:8787",
        "127.0.0.1:9999",
        "127.0.0.1",
        "localhost",
        "veeam.acme.internal:8787",
        "127.0.0.1:8787.evil.example",
        "127.0.0.1:8787@evil.example",
    ] {
        let (status, body) = get(host).await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (StatusCode::MISDIRECTED_REQUEST, "wrong_host"),
            "{host}"
        );
    }
    // No Host at all (HTTP/1.1 requires one) is refused too, and so is a preflight.
    let req = Request::builder()
        .method("GET")
        .uri("/v1/info")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(eca_guard_server::app(s.state.clone()), req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::MISDIRECTED_REQUEST);
    let (status, _) = s
        .raw(
            Request::builder()
                .method("OPTIONS")
                .uri("/v1/credentials")
                .header("host", "evil.example:8787")
                .header("origin", "chrome-extension://abcdefghijklmnopabcdefghijklmnop")
                .header("access-control-request-method", "POST"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn a_pairing_scoped_to_orgs_cannot_store_credentials_of_another_org() {
    let s = Server::new();
    let code = s.code_with(
        0,
        600,
        &["acme.my.salesforce.com", "acme--dev.sandbox.my.salesforce.com"],
    );
    let p = s.pair_with(&code, "scoped").await;
    let any = s.pair("unscoped").await;
    let send = |keys: String, org: &'static str| {
        let s = &s;
        async move {
            let sealed = pairing::seal_credentials(&keys, &creds(org, "Veeam_Backup", "KEY", "SEC"), now()).unwrap();
            s.request("POST", "/v1/credentials", &sealed.body).await
        }
    };
    assert_eq!(send(p.keys.clone(), "acme.my.salesforce.com").await.0, StatusCode::OK);
    let (status, body) = send(p.keys.clone(), "other.my.salesforce.com").await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::FORBIDDEN, "org_not_allowed")
    );
    assert!(store::get(&s.db(), "other.my.salesforce.com", "Veeam_Backup", None)
        .unwrap()
        .is_none());
    // A pairing without a scope may store any org.
    assert_eq!(
        send(any.keys.clone(), "other.my.salesforce.com").await.0,
        StatusCode::OK
    );
    let b = store::browser(&s.db(), &p.browser_id).unwrap().unwrap();
    assert_eq!(
        b.orgs.as_deref(),
        Some(
            &[
                "acme--dev.sandbox.my.salesforce.com".to_owned(),
                "acme.my.salesforce.com".to_owned()
            ][..]
        )
    );
    assert_eq!(store::browser(&s.db(), &any.browser_id).unwrap().unwrap().orgs, None);
}
