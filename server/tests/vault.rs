//! The Vault sink against a real OpenBao (tests/common/bao.rs), each test with its own server,
//! root token, AppRole and policy: pair and send as the extension does, read the value back
//! with `bao kv get`, rotate, check the policy is enough and no more, a wrong policy, several
//! servers on one Vault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::bao::{Bao, POLICY};
use common::{creds, pair_live, send_live, serve_live, LogBuf, Server, SECRET};
use eca_guard::pairing::DeliveryState;
use eca_guard_server::store::{self, DeliveryState as Stored};
use eca_guard_server::vault::VaultConfig;
use eca_guard_server::Config;

const ORG: &str = "acme.my.salesforce.com";
const APP: &str = "0xIfj0000009EQL";
const PATH: &str = "eca-guard/acme.my.salesforce.com/0xIfj0000009EQL";

/// The log of this test binary: global, since scoped subscribers race with other tests'
/// threads (as in logs.rs); each test looks for its own app's lines.
fn logs() -> LogBuf {
    static LOGS: std::sync::OnceLock<LogBuf> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuf::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

async fn sink_server(bao: &Bao, role: &str, policy: &str, store_secrets: bool) -> (Server, String) {
    let _ = logs();
    let (role_id, secret_id_file) = bao.approle(role, policy).await;
    let s = Server::with(Config {
        name: format!("Veeam {role}"),
        store_secrets,
        vault: Some(VaultConfig {
            address: bao.addr.clone(),
            role_id: Some(role_id),
            secret_id_file: Some(secret_id_file),
            retry_max_secs: 1,
            ..VaultConfig::default()
        }),
        ..Config::default()
    });
    let base = serve_live(s.state.clone()).await;
    (s, base)
}

fn store_bytes(s: &Server) -> Vec<u8> {
    let mut all = Vec::new();
    for f in ["store.sqlite3", "store.sqlite3-wal"] {
        all.extend(std::fs::read(s.dir.path().join(f)).unwrap_or_default());
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Waits until the current version of the record has this delivery state.
async fn wait_delivery(s: &Server, want: Stored) -> store::DeliveryStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = store::list(&s.db(), None).unwrap()[0].delivery.clone().unwrap();
        if d.state == want {
            return d;
        }
        assert!(Instant::now() < deadline, "still {d:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sent_credential_is_read_back_with_bao_and_a_rotation_is_version_2() {
    let Some(bao) = Bao::dev().await else { return };
    bao.policy("eca-guard-sink", POLICY).await;
    let (s, base) = sink_server(&bao, "sink", "eca-guard-sink", false).await;
    let client = reqwest::Client::new();
    let p = pair_live(&client, &s, &base, "laptop").await;

    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9FirstKey", SECRET)).await;
    let d = r.delivery.clone().unwrap();
    assert_eq!(
        (r.version, d.state, d.version),
        (1, DeliveryState::Delivered, Some(1)),
        "{r:?}"
    );
    let got = bao.kv_get(PATH, None);
    assert_eq!(got["data"]["data"]["consumer_secret"], SECRET);
    assert_eq!(got["data"]["data"]["consumer_key"], "3MVG9FirstKey");
    assert_eq!(got["data"]["data"]["browser"], p.browser_id.as_str());
    assert_eq!(got["data"]["metadata"]["version"], 1);

    // The same credential again: unchanged here, and no second version in Vault.
    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9FirstKey", SECRET)).await;
    assert!(r.unchanged);
    assert_eq!(r.delivery.unwrap().version, Some(1));

    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9FirstKey", "RotatedSecret-2")).await;
    let d = r.delivery.unwrap();
    assert_eq!((r.version, d.state, d.version), (2, DeliveryState::Delivered, Some(2)));
    assert_eq!(
        bao.kv_get(PATH, None)["data"]["data"]["consumer_secret"],
        "RotatedSecret-2"
    );
    assert_eq!(
        bao.kv_get(PATH, Some(1))["data"]["data"]["consumer_secret"],
        SECRET,
        "history kept"
    );
    let (ok, meta, err) = bao.cli(&["kv", "metadata", "get", "-format=json", "-mount=secret", PATH], None);
    assert!(ok, "{err}");
    let custom = &meta["data"]["custom_metadata"];
    assert_eq!(meta["data"]["current_version"], 2);
    assert_eq!(custom["version"], "2");
    assert_eq!((custom["org"].as_str(), custom["app"].as_str()), (Some(ORG), Some(APP)));
    assert_eq!(custom["key_prefix"], "3MVG9Fir…");
    assert_eq!(custom["browser"], p.browser_id.as_str());
    assert_eq!(custom["server"], "Veeam sink");

    // store_secrets = false: the store holds metadata, no key or secret (the sealed pending
    // copies are gone once delivered), and `get` says where the secret is.
    let listed = store::list(&s.db(), None).unwrap();
    assert_eq!(
        listed[0].delivery.as_ref().map(|d| (d.state, d.vault_version)),
        Some((Stored::Delivered, Some(2)))
    );
    assert!(store::get(&s.db(), ORG, APP, None).unwrap().is_none());
    let bytes = store_bytes(&s);
    for secret in [SECRET, "RotatedSecret-2", "3MVG9FirstKey"] {
        assert!(!contains(&bytes, secret), "{secret} is in the store's files");
    }

    // The policy is enough and no more: the sink's own token cannot read the secret back,
    // nor shorten the record's history.
    let (role_id, file) = bao.approle("sink", "eca-guard-sink").await;
    let token = bao.login(&role_id, &file).await;
    let (ok, _, err) = bao.cli(&["kv", "get", "-mount=secret", PATH], Some(&token));
    assert!(!ok && err.contains("permission denied"), "{err}");
    let (ok, _, err) = bao.cli(
        &["kv", "metadata", "put", "-mount=secret", "-max-versions=1", PATH],
        Some(&token),
    );
    assert!(!ok, "the sink could change the record's history: {err}");
    assert!(!logs().text().contains(SECRET), "a secret is in the log");
}

#[tokio::test]
async fn a_wrong_policy_is_a_clear_error_in_the_log_and_the_receipt_and_nothing_is_lost() {
    let Some(bao) = Bao::dev().await else { return };
    // Forgot the data path: metadata can be read, the write is refused.
    bao.policy(
        "incomplete",
        r#"path "secret/metadata/eca-guard/*" { capabilities = ["read", "create", "update"] }"#,
    )
    .await;
    let logs = logs();
    let (app, path) = ("Policy_Test_App", "eca-guard/acme.my.salesforce.com/Policy_Test_App");
    let (s, base) = sink_server(&bao, "sink", "incomplete", false).await;
    let client = reqwest::Client::new();
    let p = pair_live(&client, &s, &base, "laptop").await;

    let r = send_live(&client, &p.keys, &creds(ORG, app, "3MVG9Key", SECRET)).await;
    let d = r.delivery.unwrap();
    assert_eq!(
        (d.state, d.problem.as_deref()),
        (DeliveryState::Pending, Some("permission_denied"))
    );
    let text = logs.text();
    let line = text
        .lines()
        .find(|l| l.contains("permission denied") && l.contains(app))
        .unwrap_or_else(|| panic!("no permission denied line in:\n{text}"));
    assert!(line.contains(&format!("secret/data/{path}")), "{line}");
    assert!(line.contains("policy"), "{line}");
    assert!(!text.contains(SECRET), "the secret is in the log");
    // Kept sealed, not as plaintext.
    assert!(!contains(&store_bytes(&s), SECRET));

    // The policy fixed: the retrier delivers it.
    bao.policy("incomplete", POLICY).await;
    let d = wait_delivery(&s, Stored::Delivered).await;
    assert_eq!(d.vault_version, Some(1));
    assert_eq!(bao.kv_get(path, None)["data"]["data"]["consumer_secret"], SECRET);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !logs
        .text()
        .lines()
        .any(|l| l.contains("delivered to Vault") && l.contains(app))
    {
        assert!(Instant::now() < deadline, "no delivery line in:\n{}", logs.text());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_servers_on_one_vault_never_clobber_each_other() {
    let Some(bao) = Bao::dev().await else { return };
    bao.policy("eca-guard-sink", POLICY).await;
    let (a, base_a) = sink_server(&bao, "a", "eca-guard-sink", true).await;
    let (b, base_b) = sink_server(&bao, "b", "eca-guard-sink", true).await;
    let client = reqwest::Client::new();
    let pa = pair_live(&client, &a, &base_a, "a").await;
    let pb = pair_live(&client, &b, &base_b, "b").await;

    // The same credential sent to both: one version in Vault.
    let r = send_live(&client, &pa.keys, &creds(ORG, APP, "3MVG9Key", "Same")).await;
    assert_eq!(r.delivery.unwrap().version, Some(1));
    let r = send_live(&client, &pb.keys, &creds(ORG, APP, "3MVG9Key", "Same")).await;
    let d = r.delivery.unwrap();
    assert_eq!(
        (r.unchanged, d.state, d.version),
        (false, DeliveryState::Delivered, Some(1))
    );
    assert_eq!(bao.kv_get(PATH, None)["data"]["metadata"]["version"], 1);

    // Rotations through both at once: every write is a check-and-set on the version read, so
    // each delivered one is its own version, none lost. (4 each: KV v2 keeps 10 versions.)
    let mut tasks = Vec::new();
    for i in 0..4 {
        for (keys, who) in [(pa.keys.clone(), "a"), (pb.keys.clone(), "b")] {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let c = creds(ORG, APP, "3MVG9Key", &format!("Rotated-{who}-{i}"));
                send_live(&client, &keys, &c).await.delivery.unwrap()
            }));
        }
    }
    let mut delivered = Vec::new();
    for t in tasks {
        let d = t.await.unwrap();
        match d.state {
            DeliveryState::Delivered => delivered.push(d.version.unwrap()),
            DeliveryState::Superseded => {}
            other => panic!("{other:?}: {d:?}"),
        }
    }
    delivered.sort_unstable();
    let before = delivered.len();
    delivered.dedup();
    assert_eq!(
        delivered.len(),
        before,
        "two deliveries claimed one version: {delivered:?}"
    );
    let current = bao.kv_get(PATH, None);
    assert_eq!(current["data"]["metadata"]["version"], 1 + before as u64);
    let mut secrets = std::collections::HashSet::new();
    for v in 2..=1 + before as u64 {
        let s = bao.kv_get(PATH, Some(v))["data"]["data"]["consumer_secret"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            s.starts_with("Rotated-") && secrets.insert(s.clone()),
            "version {v}: {s}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_stored_before_the_sink_was_configured_is_delivered_when_sent_again() {
    let Some(bao) = Bao::dev().await else { return };
    bao.policy("eca-guard-sink", POLICY).await;
    let (role_id, secret_id_file) = bao.approle("later", "eca-guard-sink").await;
    let client = reqwest::Client::new();
    let s = Server::new();
    let base = serve_live(s.state.clone()).await;
    let p = pair_live(&client, &s, &base, "laptop").await;
    let c = creds(ORG, APP, "3MVG9Key", "StoredBeforeVault");
    assert_eq!(
        send_live(&client, &p.keys, &c).await.delivery,
        None,
        "no sink, no delivery"
    );

    // The same data directory, now with the sink.
    let state = eca_guard_server::State::open(
        s.dir.path(),
        Config {
            vault: Some(VaultConfig {
                address: bao.addr.clone(),
                role_id: Some(role_id),
                secret_id_file: Some(secret_id_file),
                ..VaultConfig::default()
            }),
            ..Config::default()
        },
    )
    .unwrap();
    let base = serve_live(state).await;
    // The browser's pairing, pointed at the new listener (same server key).
    let mut pk = eca_guard::pairing::PairedKeys::from_token(&p.keys).unwrap();
    pk.server = base.clone();
    let r = send_live(&client, &pk.to_token(), &c).await;
    let d = r.delivery.unwrap();
    assert_eq!(
        (r.unchanged, d.state, d.version),
        (true, DeliveryState::Delivered, Some(1))
    );
    assert_eq!(
        bao.kv_get(PATH, None)["data"]["data"]["consumer_secret"],
        "StoredBeforeVault"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_send_for_a_waiting_record_makes_its_delivery_due_at_once() {
    let Some(bao) = Bao::dev().await else { return };
    bao.policy(
        "no-write",
        r#"path "secret/metadata/eca-guard/*" { capabilities = ["read"] }"#,
    )
    .await;
    let (s, base) = sink_server(&bao, "waiting", "no-write", true).await;
    let client = reqwest::Client::new();
    let p = pair_live(&client, &s, &base, "laptop").await;
    let c = creds(ORG, APP, "3MVG9Key", "WaitingSecret");
    let r = send_live(&client, &p.keys, &c).await;
    assert_eq!(r.delivery.unwrap().state, DeliveryState::Pending);
    // Its next attempt an hour away (set twice: an attempt in flight may have just rescheduled
    // it); the policy fixed.
    for _ in 0..2 {
        s.db()
            .execute("UPDATE deliveries SET next_attempt_ms = 9000000000000", [])
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    bao.policy("no-write", POLICY).await;
    // A rotation queues behind it, and makes both due now: delivered in order.
    let r = send_live(&client, &p.keys, &creds(ORG, APP, "3MVG9Key", "NewerSecret")).await;
    assert_eq!((r.version, r.delivery.unwrap().state), (2, DeliveryState::Pending));
    let started = Instant::now();
    let d = wait_delivery(&s, Stored::Delivered).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(d.vault_version, Some(2));
    assert_eq!(
        bao.kv_get(PATH, Some(1))["data"]["data"]["consumer_secret"],
        "WaitingSecret"
    );
    assert_eq!(
        bao.kv_get(PATH, Some(2))["data"]["data"]["consumer_secret"],
        "NewerSecret"
    );
}
