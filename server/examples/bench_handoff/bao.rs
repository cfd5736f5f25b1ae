//! An OpenBao dev server on loopback for the Vault sink's figures (`ECA_GUARD_BAO`, which
//! `./build.sh bench` exports), with an AppRole under the least-privilege policy of
//! docs/server.md. Stopped when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const POLICY: &str = r#"
path "secret/data/eca-guard/*" { capabilities = ["create", "update"] }
path "secret/metadata/eca-guard/*" {
  capabilities = ["read", "create", "update"]
  allowed_parameters = { "custom_metadata" = [] }
}
"#;

pub struct Bao {
    child: Child,
    pub addr: String,
    pub role_id: String,
    pub secret_id_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn call(http: &reqwest::Client, addr: &str, root: &str, method: &str, path: &str, body: Value) -> Value {
    let resp = http
        .request(method.parse().unwrap(), format!("{addr}/v1/{path}"))
        .header("X-Vault-Token", root)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// Starts OpenBao, or `None` when `ECA_GUARD_BAO` is not set.
pub async fn start() -> Option<Bao> {
    let bin = std::env::var_os("ECA_GUARD_BAO")?;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut r = [0u8; 12];
    eca_guard::pairing::random(&mut r).unwrap();
    let root = format!("root-{}", eca_guard::pairing::b64(&r));
    let child = Command::new(bin)
        .args([
            "server".into(),
            "-dev".into(),
            "-dev-no-store-token".into(),
            format!("-dev-root-token-id={root}"),
            format!("-dev-listen-address=127.0.0.1:{port}"),
        ])
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ok = http
            .get(format!("{addr}/v1/secret/config"))
            .header("X-Vault-Token", &root)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ok {
            break;
        }
        assert!(Instant::now() < deadline, "OpenBao did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    call(
        &http,
        &addr,
        &root,
        "POST",
        "sys/auth/approle",
        json!({"type": "approle"}),
    )
    .await;
    call(
        &http,
        &addr,
        &root,
        "PUT",
        "sys/policies/acl/sink",
        json!({ "policy": POLICY }),
    )
    .await;
    call(
        &http,
        &addr,
        &root,
        "POST",
        "auth/approle/role/sink",
        json!({"token_policies": ["sink"]}),
    )
    .await;
    let id = call(
        &http,
        &addr,
        &root,
        "GET",
        "auth/approle/role/sink/role-id",
        Value::Null,
    )
    .await;
    let secret = call(
        &http,
        &addr,
        &root,
        "POST",
        "auth/approle/role/sink/secret-id",
        json!({}),
    )
    .await;
    let secret_id_file = dir.path().join("secret-id");
    std::fs::write(&secret_id_file, secret["data"]["secret_id"].as_str().unwrap()).unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&secret_id_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    Some(Bao {
        child,
        addr,
        role_id: id["data"]["role_id"].as_str().unwrap().to_owned(),
        secret_id_file,
        _dir: dir,
    })
}
