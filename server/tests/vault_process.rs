//! The real binary with the Vault sink and an OpenBao that keeps its data: Vault stopped
//! before a send → "pending" in the receipt and in `creds list`; the server killed with
//! `kill -9` while it waits; Vault and the server started again → delivered, as version 2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::bao::{Bao, POLICY};
use common::{creds, send_live};
use eca_guard::pairing::{self, DeliveryState};

const BIN: &str = env!("CARGO_BIN_EXE_eca-guard-server");
const ORG: &str = "acme.my.salesforce.com";
const APP: &str = "Veeam_Backup";
const PATH: &str = "eca-guard/acme.my.salesforce.com/Veeam_Backup";

struct Running {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path, config: &std::path::Path) -> Running {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let log2 = log.clone();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let (Some(t), Some(rest)) = (tx.as_ref(), line.split("listen=").nth(1)) {
                let _ = t.send(rest.split_whitespace().next().unwrap_or_default().to_owned());
                tx = None;
            }
            let mut l = log2.lock().unwrap();
            l.push_str(&line);
            l.push('\n');
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the server did not start");
    Running { child, addr, log }
}

fn cli(dir: &std::path::Path, config: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(dir)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_down_means_pending_and_a_restart_of_both_delivers_it() {
    let Some(mut bao) = Bao::persistent().await else { return };
    bao.policy("eca-guard-sink", POLICY).await;
    let (role_id, secret_id_file) = bao.approle("sink", "eca-guard-sink").await;
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "name = \"Veeam prod\"\nstore_secrets = false\n[vault]\naddress = \"{}\"\nrole_id = \"{role_id}\"\n\
             secret_id_file = \"{}\"\nretry_max_secs = 1\ntimeout_secs = 2\n",
            bao.addr,
            secret_id_file.display()
        ),
    )
    .unwrap();
    let dir = data.path().join("data");
    let server = start(&dir, &config);
    let client = reqwest::Client::new();
    let code = cli(&dir, &config, &["pair", "--url", &format!("http://{}", server.addr)]);
    let info: pairing::ServerInfo = client
        .get(format!("http://{}/v1/info", server.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let req = pairing::pair_request(code.trim(), &info.public_key, "laptop").unwrap();
    let resp = client
        .post(&req.url)
        .header("content-type", "application/json")
        .body(req.body.clone())
        .send()
        .await
        .unwrap();
    let p = pairing::pair_complete(&req.pending, &resp.text().await.unwrap()).unwrap();

    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9Key", "FirstSecret-1")).await;
    assert_eq!(r.delivery.unwrap().state, DeliveryState::Delivered);

    // Vault goes away: the rotation is stored, sealed, and the browser told "pending".
    bao.stop();
    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9Key", "RotatedSecret-2")).await;
    let d = r.delivery.unwrap();
    assert_eq!(
        (r.version, d.state, d.problem.as_deref()),
        (2, DeliveryState::Pending, Some("unreachable"))
    );
    let listed = cli(&dir, &config, &["creds", "list"]);
    assert!(
        listed.contains("v2") && listed.contains("vault pending (unreachable"),
        "{listed}"
    );

    // The server is killed while it waits, Vault comes back, the server starts again.
    let log_before = server.log.lock().unwrap().clone();
    drop(server);
    bao.restart().await;
    let server = start(&dir, &config);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = cli(&dir, &config, &["creds", "list"]);
        if listed.contains("vault delivered v2") {
            break;
        }
        assert!(Instant::now() < deadline, "{listed}\n{}", server.log.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let got = bao.kv_get(PATH, None);
    assert_eq!(got["data"]["data"]["consumer_secret"], "RotatedSecret-2");
    assert_eq!(got["data"]["metadata"]["version"], 2);
    assert_eq!(
        bao.kv_get(PATH, Some(1))["data"]["data"]["consumer_secret"],
        "FirstSecret-1"
    );
    let history = cli(&dir, &config, &["creds", "list", "--history"]);
    assert!(
        history.contains("v1") && history.contains("vault delivered v1"),
        "{history}"
    );
    let log = format!("{log_before}{}", server.log.lock().unwrap());
    assert!(log.contains("cannot reach Vault"), "{log}");
    for secret in ["FirstSecret-1", "RotatedSecret-2"] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}
