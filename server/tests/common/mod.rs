//! Test helpers: a server state in a temporary directory, requests through `oneshot`, and a
//! browser that pairs and seals with the same core code the extension runs in Wasm.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod bao;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use eca_guard::pairing::{self, Credentials, Pairing, PairingCode};
use eca_guard_server::{app, store, Config, State};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

pub const SECRET: &str = "S3cr3t-ThisMustNeverBeLogged-9F2A71C4E0B8D6";

pub struct Server {
    pub dir: tempfile::TempDir,
    pub state: State,
}

impl Server {
    pub fn new() -> Self {
        Self::with(Config {
            name: "Veeam prod".into(),
            ..Config::default()
        })
    }

    pub fn with(config: Config) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path(), config).unwrap();
        Server { dir, state }
    }

    pub fn db(&self) -> rusqlite::Connection {
        eca_guard_server::open_db(self.dir.path()).unwrap()
    }

    /// A pairing code valid for `ttl` seconds from `now_offset` seconds from now.
    pub fn code_at(&self, now_offset: i64, ttl: i64) -> String {
        self.code_with(now_offset, ttl, &[])
    }

    /// A pairing code for browsers that may store credentials of `orgs` only (any if empty).
    pub fn code_with(&self, now_offset: i64, ttl: i64, orgs: &[&str]) -> String {
        let mut token = [0u8; 16];
        pairing::random(&mut token).unwrap();
        let now = eca_guard_server::now_secs() as i64 + now_offset;
        let orgs: Vec<String> = orgs.iter().map(|o| (*o).to_owned()).collect();
        store::create_pairing_code(&self.db(), &token, now, ttl, &orgs).unwrap();
        let key = pairing::unb64(&self.state.info().public_key).unwrap();
        PairingCode {
            server: "http://127.0.0.1:8787".into(),
            fingerprint: pairing::fingerprint(&key),
            token,
        }
        .encode()
    }

    pub fn code(&self) -> String {
        self.code_at(0, 600)
    }

    pub async fn request(&self, method: &str, path: &str, body: &str) -> (StatusCode, String) {
        self.raw(
            Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json"),
            body,
        )
        .await
    }

    /// Sends a request through the router; `Host` is the default listen address unless given.
    pub async fn raw(&self, builder: axum::http::request::Builder, body: &str) -> (StatusCode, String) {
        let mut req = builder.body(Body::from(body.to_owned())).unwrap();
        if !req.headers().contains_key("host") {
            req.headers_mut().insert("host", "127.0.0.1:8787".parse().unwrap());
        }
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Pairs a new browser through the HTTP API.
    pub async fn pair(&self, label: &str) -> Pairing {
        self.pair_with(&self.code(), label).await
    }

    /// Pairs a new browser with a given code.
    pub async fn pair_with(&self, code: &str, label: &str) -> Pairing {
        let code = code.to_owned();
        let (status, info) = self.request("GET", "/v1/info", "").await;
        assert_eq!(status, StatusCode::OK);
        let info: pairing::ServerInfo = serde_json::from_str(&info).unwrap();
        let req = pairing::pair_request(&code, &info.public_key, label).unwrap();
        let (status, body) = self.request("POST", "/v1/pair", &req.body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pairing::pair_complete(&req.pending, &body).unwrap()
    }
}

pub fn creds(org: &str, app: &str, key: &str, secret: &str) -> Credentials {
    Credentials {
        org: org.into(),
        app: app.into(),
        consumer_key: key.into(),
        consumer_secret: secret.into(),
    }
}

pub fn error_code(body: &str) -> String {
    let e: pairing::ErrorBody = serde_json::from_str(body).unwrap_or_else(|_| panic!("not an error body: {body}"));
    e.error.code
}

pub fn now() -> u64 {
    eca_guard_server::now_secs()
}

/// Flips one bit of a base64url field of a JSON envelope.
pub fn flip(body: &str, field: &str, index: usize) -> String {
    let mut env: pairing::Envelope = serde_json::from_str(body).unwrap();
    let target = match field {
        "ct" => &mut env.ct,
        "enc" => &mut env.enc,
        _ => panic!("field"),
    };
    let mut raw = pairing::unb64(target).unwrap();
    raw[index] ^= 0x01;
    *target = pairing::b64(&raw);
    serde_json::to_string(&env).unwrap()
}

/// A `Write` that appends to a shared buffer (to capture logs).
#[derive(Clone, Default)]
pub struct LogBuf(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuf {
    type Writer = LogBuf;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl LogBuf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Serves `state` on a free loopback port (real HTTP, the retrier running); its base URL.
pub async fn serve_live(state: State) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(eca_guard_server::serve_on(listener, state));
    base
}

/// Pairs a browser with a live server over HTTP, as the extension does.
pub async fn pair_live(client: &reqwest::Client, s: &Server, base: &str, label: &str) -> Pairing {
    let mut token = [0u8; 16];
    pairing::random(&mut token).unwrap();
    store::create_pairing_code(&s.db(), &token, now() as i64, 600, &[]).unwrap();
    let key = pairing::unb64(&s.state.info().public_key).unwrap();
    let code = PairingCode {
        server: base.to_owned(),
        fingerprint: pairing::fingerprint(&key),
        token,
    }
    .encode();
    let req = pairing::pair_request(&code, &s.state.info().public_key, label).unwrap();
    let resp = client
        .post(&req.url)
        .header("content-type", "application/json")
        .body(req.body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    pairing::pair_complete(&req.pending, &resp.text().await.unwrap()).unwrap()
}

/// Seals and posts credentials as the extension does; the opened receipt.
pub async fn send_live(client: &reqwest::Client, keys: &str, c: &Credentials) -> pairing::Receipt {
    let sealed = pairing::seal_credentials(keys, c, now()).unwrap();
    let resp = client
        .post(&sealed.url)
        .header("content-type", "application/json")
        .body(sealed.body.clone())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    pairing::open_receipt(&sealed.response_key, &sealed.message_id, &text).unwrap()
}
