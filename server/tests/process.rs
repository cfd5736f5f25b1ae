//! The real binary on 127.0.0.1: `pair` → pairing over HTTP → a stream of stores → `kill -9`
//! → every acknowledged credential is in the store, the database is intact, the server
//! restarts, and `get` prints the same credentials. Logs are checked for secrets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eca_guard::pairing::{self, Credentials};

const BIN: &str = env!("CARGO_BIN_EXE_eca-guard-server");

struct Running {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

fn start(dir: &std::path::Path) -> Running {
    start_with(dir, &[], &[])
}

/// Starts `serve` with extra arguments, run through `wrap` (a program and its arguments that
/// run the server: a shell that lowers a limit, strace) when it is not empty.
fn start_with(dir: &std::path::Path, wrap: &[&std::ffi::OsStr], extra: &[&std::ffi::OsStr]) -> Running {
    let mut cmd = match wrap {
        [program, args @ ..] => {
            let mut c = Command::new(program);
            c.args(args).arg(BIN);
            c
        }
        [] => Command::new(BIN),
    };
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .args(extra)
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
            if line.contains("listening") {
                if let Some(tx) = tx.take() {
                    let addr = line
                        .split("listen=")
                        .nth(1)
                        .unwrap()
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_owned();
                    tx.send(addr).unwrap();
                }
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

fn cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).arg("--data").arg(dir).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

async fn pair(client: &reqwest::Client, dir: &std::path::Path, addr: &str, label: &str) -> pairing::Pairing {
    let (ok, code, err) = cli(dir, &["pair", "--url", &format!("http://{addr}")]);
    assert!(ok, "{err}");
    let start = pairing::begin(code.trim()).unwrap();
    let info: pairing::ServerInfo = client.get(&start.info_url).send().await.unwrap().json().await.unwrap();
    let req = pairing::pair_request(code.trim(), &info.public_key, label).unwrap();
    let resp = client
        .post(&req.url)
        .header("content-type", "application/json")
        .body(req.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    pairing::pair_complete(&req.pending, &resp.text().await.unwrap()).unwrap()
}

#[derive(Clone)]
struct Acked {
    id: String,
    c: Credentials,
}

async fn send(client: &reqwest::Client, keys: &str, c: &Credentials) -> Result<String, String> {
    let sealed = pairing::seal_credentials(keys, c, eca_guard_server::now_secs()).map_err(|e| e.to_string())?;
    let resp = client
        .post(&sealed.url)
        .header("content-type", "application/json")
        .body(sealed.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status() != 200 {
        return Err(format!("status {}", resp.status()));
    }
    let text = resp.text().await.map_err(|e| e.to_string())?;
    pairing::open_receipt(&sealed.response_key, &sealed.message_id, &text).map_err(|e| e.to_string())?;
    Ok(sealed.message_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_loses_no_acknowledged_credential_and_get_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path());
    let client = reqwest::Client::new();
    let mut pairings = Vec::new();
    for i in 0..3 {
        pairings.push(pair(&client, dir.path(), &server.addr, &format!("browser {i}")).await);
    }

    // Stream stores from 6 concurrent senders; kill -9 the server in the middle.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let mut tasks = Vec::new();
    for t in 0..6 {
        let keys = pairings[t % 3].keys.clone();
        let client = client.clone();
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let c = Credentials {
                    org: format!("org{t}.my.salesforce.com"),
                    app: format!("app{n}"),
                    consumer_key: format!("3MVG9key{t}x{n}"),
                    consumer_secret: format!("SECRETVALUE{t}x{n}never-logged"),
                };
                match send(&client, &keys, &c).await {
                    Ok(id) => acked.lock().unwrap().push(Acked { id, c }),
                    Err(_) => break, // the server is gone: this one was never acknowledged
                }
                if n > 100_000 {
                    break;
                }
            }
        }));
    }
    let t0 = Instant::now();
    while acked.lock().unwrap().len() < 300 && t0.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 50, "too few stores before the kill: {}", acked.len());
    eprintln!("kill -9 after {} acknowledged stores; checking each", acked.len());

    // The database is intact and holds every acknowledged credential.
    {
        let conn = eca_guard_server::open_db(dir.path()).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
        for a in &acked {
            assert!(
                eca_guard_server::store::has_message(&conn, &a.id).unwrap(),
                "lost message {}",
                a.id
            );
            let got = eca_guard_server::store::get(&conn, &a.c.org, &a.c.app, None)
                .unwrap()
                .expect("lost credential");
            assert_eq!(got.consumer_key, a.c.consumer_key);
            assert_eq!(got.consumer_secret, a.c.consumer_secret);
        }
    }
    let first_log = server.log.lock().unwrap().clone();

    // It restarts on the same data, with the same key and pairings.
    let server2 = start(dir.path());
    let mut s2 = server2;
    let c = Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: "3MVG9AfterRestart".into(),
        consumer_secret: "AfterRestartSecret-123".into(),
    };
    let mut keys = pairing::PairedKeys::from_token(&pairings[0].keys).unwrap();
    keys.server = format!("http://{}", s2.addr);
    send(&client, &keys.to_token(), &c).await.unwrap();

    // `get` prints the same credentials, as JSON and as env lines.
    let (ok, out, err) = cli(dir.path(), &["get", "--org", &c.org, "--app", &c.app]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["consumerKey"], c.consumer_key.as_str());
    assert_eq!(v["consumerSecret"], c.consumer_secret.as_str());
    assert_eq!(v["version"], 1);
    let (ok, out, _) = cli(
        dir.path(),
        &["get", "--org", &c.org, "--app", &c.app, "--format", "env"],
    );
    assert!(ok);
    assert!(out.contains("ECA_GUARD_CONSUMER_KEY='3MVG9AfterRestart'"), "{out}");
    assert!(
        out.contains("ECA_GUARD_CONSUMER_SECRET='AfterRestartSecret-123'"),
        "{out}"
    );
    let a = &acked[acked.len() / 2];
    let (ok, out, _) = cli(dir.path(), &["get", "--org", &a.c.org, "--app", &a.c.app]);
    assert!(ok);
    assert!(out.contains(&a.c.consumer_secret));
    let (ok, _, err) = cli(dir.path(), &["get", "--org", "nope", "--app", "nope"]);
    assert!(!ok && err.contains("nothing stored"), "{err}");

    // Listings show prefixes only.
    let (ok, out, _) = cli(dir.path(), &["creds", "list", "--org", "acme.my.salesforce.com"]);
    assert!(ok && out.contains("Veeam_Backup") && out.contains("3MVG9Aft…"), "{out}");
    assert!(!out.contains("AfterRestartSecret"));
    let (ok, out, _) = cli(dir.path(), &["browsers", "list"]);
    assert!(ok && out.lines().count() == 3, "{out}");

    // Revoke from the CLI while the server runs: the next message is refused.
    let (ok, _, err) = cli(dir.path(), &["browsers", "revoke", &keys.browser_id]);
    assert!(ok, "{err}");
    assert!(send(
        &client,
        &keys.to_token(),
        &Credentials {
            consumer_key: "3MVG9Other".into(),
            ..c.clone()
        }
    )
    .await
    .unwrap_err()
    .contains("403"));

    s2.child.kill().unwrap();
    s2.child.wait().unwrap();
    let log = format!("{first_log}{}", s2.log.lock().unwrap());
    assert!(log.contains("credentials stored"));
    assert!(!log.contains("SECRETVALUE"), "a secret leaked into the server log");
    assert!(
        !log.contains("AfterRestartSecret"),
        "a secret leaked into the server log"
    );
}

#[test]
fn pair_refuses_an_unreachable_address_and_codes_expire_single_use() {
    let dir = tempfile::tempdir().unwrap();
    // Listening on all addresses without a public URL: pair says what to set.
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "listen = \"0.0.0.0:8787\"\nname = \"Veeam\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["pair", "--config"])
        .arg(&cfg)
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("public_url"));
    // A bad config is refused with the reason.
    std::fs::write(&cfg, "nmae = \"x\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&cfg)
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nmae"));
    // A code decodes to the given address.
    let (ok, code, _) = cli(dir.path(), &["pair", "--url", "http://veeam.acme.internal:8787/"]);
    assert!(ok);
    assert_eq!(
        pairing::begin(code.trim()).unwrap().server,
        "http://veeam.acme.internal:8787"
    );
}

/// One plain `GET /v1/info` on a fresh connection; the whole answer, or why there is none.
fn get_info(addr: &str, timeout: Duration) -> Result<String, String> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    write!(s, "GET /v1/info HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).map_err(|e| format!("no answer: {e}"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// What the server sent before closing `s` (EOF or reset), or `None` if it is still open at
/// `deadline`.
fn closed_by_server(mut s: std::net::TcpStream, deadline: Instant) -> Option<String> {
    use std::io::Read as _;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || s.set_read_timeout(Some(left)).is_err() {
            return None;
        }
        match s.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&got).into_owned())
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn slow_partial_requests_are_closed_and_a_normal_request_is_still_served() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "header_timeout_secs = 1\nbody_timeout_secs = 1\nmax_connections = 64\n",
    )
    .unwrap();
    // 200 descriptors: without a connection cap, 260 held connections exhaust them. `ulimit`
    // is a shell builtin; nothing secret is on this command line.
    let limited: [&std::ffi::OsStr; 3] = [
        "sh".as_ref(),
        "-c".as_ref(),
        "ulimit -n 200 && exec \"$0\" \"$@\"".as_ref(),
    ];
    let mut server = start_with(dir.path(), &limited, &["--config".as_ref(), cfg.as_os_str()]);
    let addr = server.addr.clone();

    // 260 requests that never finish: half stop inside the headers, half inside the body.
    let mut held = Vec::new();
    for i in 0..260 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        let partial = if i % 2 == 0 {
            format!("GET /v1/info HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ")
        } else {
            format!(
                "POST /v1/credentials HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/json\r\n\
                 content-length: 4000\r\n\r\n{{\"v\":1,"
            )
        };
        s.write_all(partial.as_bytes()).unwrap();
        held.push(s);
    }
    // And one that trickles a header byte every 200 ms (each byte would reset a per-read timer).
    let trickle_addr = addr.clone();
    let trickler = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(&trickle_addr).unwrap();
        let t0 = Instant::now();
        let _ = s.write_all(b"GET /v1/info HTTP/1.1\r\nX-Trickle: ");
        while t0.elapsed() < Duration::from_secs(40) {
            std::thread::sleep(Duration::from_millis(200));
            if s.write_all(b"a").is_err() {
                return true;
            }
        }
        false
    });

    // A normal request is still served.
    let t0 = Instant::now();
    let answer = get_info(&addr, Duration::from_secs(25));
    assert!(
        answer.as_deref().is_ok_and(|a| a.starts_with("HTTP/1.1 200")),
        "a normal request was not served: {answer:?}"
    );
    eprintln!("normal request served after {:?}", t0.elapsed());

    // Every held request is closed by the server; those stuck in the body are told why (408).
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut open = 0;
    for (i, s) in held.into_iter().enumerate() {
        match closed_by_server(s, deadline) {
            None => open += 1,
            Some(answer) if i % 2 == 1 => assert!(answer.starts_with("HTTP/1.1 408"), "{answer}"),
            Some(_) => {}
        }
    }
    assert_eq!(open, 0, "{open} partial requests still open");
    assert!(trickler.join().unwrap(), "the trickling request was never closed");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pair_uses_the_configured_ttl_lists_cancels_and_scopes_codes() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "pairing_ttl_secs = 120\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let server = start(dir.path());
    let url = format!("http://{}", server.addr);

    // `pairing_ttl_secs` is the default validity.
    let (ok, code, err) = cli(dir.path(), &["pair", "--config", cfg, "--url", &url]);
    assert!(ok, "{err}");
    assert!(err.contains("valid 2 min"), "{err}");
    let conn = eca_guard_server::open_db(dir.path()).unwrap();
    let ttl: i64 = conn
        .query_row("SELECT expires_at - created_at FROM pairing_codes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ttl, 120);

    // Listed with a short id and times, never the token or the code.
    let token = pairing::b64(&pairing::PairingCode::decode(code.trim()).unwrap().token);
    let (ok, list, err) = cli(dir.path(), &["pair", "list"]);
    assert!(ok, "{err}");
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(!list.contains(&token) && !list.contains(code.trim()), "{list}");
    assert!(list.contains("open") && list.contains("expires"), "{list}");
    let id = list.split_whitespace().next().unwrap().to_owned();

    // Cancelled: no longer listed as open, and pairing with it is refused.
    let (ok, _, err) = cli(dir.path(), &["pair", "cancel", &id]);
    assert!(ok, "{err}");
    let (_, list, _) = cli(dir.path(), &["pair", "list"]);
    assert!(!list.contains("open"), "{list}");
    let client = reqwest::Client::new();
    let start = pairing::begin(code.trim()).unwrap();
    let info: pairing::ServerInfo = client.get(&start.info_url).send().await.unwrap().json().await.unwrap();
    let req = pairing::pair_request(code.trim(), &info.public_key, "x").unwrap();
    let resp = client
        .post(&req.url)
        .header("content-type", "application/json")
        .body(req.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("pairing_code_cancelled"));
    let (ok, _, err) = cli(dir.path(), &["pair", "cancel", "ffffffff"]);
    assert!(!ok && err.contains("no open pairing code"), "{err}");

    // Scoped to orgs: `browsers list` shows the scope, `creds list` who wrote each version.
    let (ok, _, err) = cli(dir.path(), &["pair", "--url", &url, "--org", "NOT A HOST"]);
    assert!(!ok && err.contains("host name"), "{err}");
    let (ok, code, err) = cli(dir.path(), &["pair", "--url", &url, "--org", "acme.my.salesforce.com"]);
    assert!(ok, "{err}");
    let req = pairing::pair_request(code.trim(), &info.public_key, "scoped").unwrap();
    let resp = client
        .post(&req.url)
        .header("content-type", "application/json")
        .body(req.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let p = pairing::pair_complete(&req.pending, &resp.text().await.unwrap()).unwrap();
    let (_, list, _) = cli(dir.path(), &["browsers", "list"]);
    assert!(list.contains("orgs acme.my.salesforce.com"), "{list}");
    let c = Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: "3MVG9Scoped".into(),
        consumer_secret: "ScopedSecret-1".into(),
    };
    send(&client, &p.keys, &c).await.unwrap();
    let (_, list, _) = cli(dir.path(), &["creds", "list"]);
    assert!(list.contains(&format!("from {}", p.browser_id)), "{list}");
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[test]
fn the_store_runs_in_wal_mode_with_synchronous_full() {
    let dir = tempfile::tempdir().unwrap();
    let conn = eca_guard_server::open_db(dir.path()).unwrap();
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!((sync, journal.as_str()), (2, "wal"), "2 = FULL");
}

/// A syscall in an strace line: pid, name, and the rest, for a finished call or a resumed one.
fn syscall(line: &str) -> Option<(&str, &str, &str)> {
    let (pid, rest) = line.split_once(' ')?;
    let rest = rest.trim_start();
    if let Some(resumed) = rest.strip_prefix("<... ") {
        let (name, after) = resumed.split_once(" resumed>")?;
        return Some((pid, name, after));
    }
    let (name, after) = rest.split_once('(')?;
    Some((pid, name, after))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_is_answered_only_after_the_wal_is_fsynced() {
    // `kill -9` alone cannot tell synchronous=FULL from OFF (the page cache survives a killed
    // process). The order of system calls can: the WAL's fsync must return before the answer
    // is written to the socket.
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("\n*** SKIPPED stored_is_answered_only_after_the_wal_is_fsynced: strace is not installed (./build.sh installs it) ***\n");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.txt");
    let strace: [&std::ffi::OsStr; 9] = [
        "strace".as_ref(),
        "-f".as_ref(),
        "-qq".as_ref(),
        "-yy".as_ref(),
        "-s".as_ref(),
        "48".as_ref(),
        "-e".as_ref(),
        "trace=read,recvfrom,write,writev,pwrite64,sendto,sendmsg,fsync,fdatasync".as_ref(),
        "-o".as_ref(),
    ];
    let mut wrap = strace.to_vec();
    wrap.push(trace.as_os_str());
    let data = dir.path().join("data");
    let mut server = start_with(&data, &wrap, &[]);
    let client = reqwest::Client::new();
    let p = pair(&client, &data, &server.addr, "traced").await;
    let c = Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: "3MVG9Traced".into(),
        consumer_secret: "TracedSecret-1".into(),
    };
    send(&client, &p.keys, &c).await.unwrap();
    // SIGTERM the server (strace's child), so it exits and strace writes out the whole trace.
    let text = loop {
        let t = std::fs::read_to_string(&trace).unwrap_or_default();
        if let Some(pid) = t.split_whitespace().next() {
            break (pid.to_owned(), t);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(Command::new("kill").arg(&text.0).status().unwrap().success());
    server.child.wait().unwrap();
    let trace = std::fs::read_to_string(&trace).unwrap();

    let lines: Vec<&str> = trace.lines().collect();
    let is_socket = |after: &str| after.contains("<TCP:");
    let request = lines
        .iter()
        .position(|l| {
            syscall(l).is_some_and(|(_, name, after)| {
                matches!(name, "read" | "recvfrom") && is_socket(after) && after.contains("POST /v1/credentials")
            })
        })
        .expect("the credentials request is not in the trace");
    let answer = request
        + lines[request..]
            .iter()
            .position(|l| {
                syscall(l).is_some_and(|(_, name, after)| {
                    matches!(name, "write" | "writev" | "sendto" | "sendmsg")
                        && is_socket(after)
                        && after.contains("HTTP/1.1 200")
                })
            })
            .expect("the answer is not in the trace");
    // Between the two: a write to the WAL, then an fsync of the WAL that returned 0.
    let mut wrote_wal = false;
    let mut pending = std::collections::HashMap::new();
    let mut synced_after_write = false;
    for l in &lines[request..answer] {
        let Some((pid, name, after)) = syscall(l) else { continue };
        let wal = after.contains("-wal>");
        match name {
            "pwrite64" | "write" | "writev" if wal => wrote_wal = true,
            "fsync" | "fdatasync" if after.contains("<unfinished") => {
                pending.insert(pid, wal && wrote_wal);
            }
            "fsync" | "fdatasync" => {
                let on_wal = if l.contains("resumed>") {
                    pending.remove(pid).unwrap_or(false)
                } else {
                    wal && wrote_wal
                };
                synced_after_write |= on_wal && after.trim_end().ends_with("= 0");
            }
            _ => {}
        }
    }
    assert!(
        wrote_wal,
        "no WAL write between the request and its answer:\n{}",
        lines[request..=answer].join("\n")
    );
    assert!(
        synced_after_write,
        "the answer was written before the WAL was fsynced:\n{}",
        lines[request..=answer].join("\n")
    );
}
