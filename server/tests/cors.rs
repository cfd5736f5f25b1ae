//! CORS, on requests the server does serve (a Host it is configured for): an extension's origin
//! is answered with CORS headers, a web page's never (server/src/api.rs `is_extension_origin`).
//! api.rs's own check of this sent no Host header, so the host check refused the request before
//! CORS was reached and the test passed whatever CORS did (a mutant of `is_extension_origin`
//! returning `true` survived it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::{Request, StatusCode};
use common::*;

/// The preflight's `Access-Control-Allow-Origin` for `origin`, and its status.
async fn preflight(s: &Server, origin: &str) -> (StatusCode, Option<String>) {
    let req = Request::builder()
        .method("OPTIONS")
        .uri("/v1/credentials")
        .header("host", "127.0.0.1:8787")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(eca_guard_server::app(s.state.clone()), req)
        .await
        .unwrap();
    let allowed = resp
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.status(), allowed)
}

#[tokio::test]
async fn extension_origins_get_cors_headers_and_web_origins_none() {
    let s = Server::new();
    for ext in [
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    ] {
        let (status, allowed) = preflight(&s, ext).await;
        assert!(status.is_success(), "{ext}: {status}");
        assert_eq!(allowed.as_deref(), Some(ext), "{ext}");
    }
    for web in [
        "https://evil.example",
        "http://127.0.0.1:8787",
        "null",
        "https://chrome-extension.example",
        "chrome-extension-evil://x",
    ] {
        let (status, allowed) = preflight(&s, web).await;
        assert_eq!(allowed, None, "{web} may read answers (status {status})");
    }
}

#[test]
fn only_the_two_extension_schemes_are_extension_origins() {
    use eca_guard_server::is_extension_origin;
    assert!(is_extension_origin(b"chrome-extension://abc"));
    assert!(is_extension_origin(b"moz-extension://abc"));
    for web in [
        &b"https://chrome-extension://abc"[..],
        b"chrome-extension:/abc",
        b"",
        b"moz-extension:",
        b"CHROME-EXTENSION://abc",
    ] {
        assert!(!is_extension_origin(web), "{}", String::from_utf8_lossy(web));
    }
}

/// A POST to `/v1/pair` with `origin`: status and body.
async fn post_pair(s: &Server, origin: &str, body: &str) -> (StatusCode, String) {
    s.raw(
        Request::builder()
            .method("POST")
            .uri("/v1/pair")
            .header("content-type", "application/json")
            .header("origin", origin),
        body,
    )
    .await
}

#[tokio::test]
async fn web_origins_and_the_null_origin_are_refused_and_an_extension_is_served() {
    let s = Server::new();
    for origin in ["https://evil.example", "http://127.0.0.1:8787", "null"] {
        let (status, body) = post_pair(&s, origin, "{}").await;
        assert_eq!(error_code(&body), "web_origin", "{origin}: {status} {body}");
    }
    // The extension's worker sends its own origin: the request is read and pairs.
    let (status, info) = s.request("GET", "/v1/info", "").await;
    assert_eq!(status, StatusCode::OK);
    let info: eca_guard::pairing::ServerInfo = serde_json::from_str(&info).unwrap();
    let req = eca_guard::pairing::pair_request(&s.code(), &info.public_key, "Chromium").unwrap();
    let (status, body) = post_pair(&s, "chrome-extension://abcdefghijklmnopabcdefghijklmnop", &req.body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(eca_guard::pairing::pair_complete(&req.pending, &body).is_ok());
}
