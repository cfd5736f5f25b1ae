//! The fuzz targets' inputs replayed without libFuzzer: every crash reproducer they found
//! (`fuzz/regressions/<target>/`) and their seed corpus (`fuzz/corpus/<target>/`), through the
//! targets' own entry functions (fuzz/src/lib.rs, compiled in here), which panic on a bug.

use std::path::Path;

#[path = "../../fuzz/src/lib.rs"]
mod entries;

/// Runs `entry` on every file of the target's reproducers and corpus; how many there were.
fn replay(target: &str, entry: fn(&[u8])) -> (usize, usize) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut counts = [0, 0];
    for (i, dir) in ["regressions", "corpus"].into_iter().enumerate() {
        let mut files: Vec<_> = std::fs::read_dir(fuzz.join(dir).join(target))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The file's name in the panic message says which input failed.
            let caught = std::panic::catch_unwind(|| entry(&data));
            assert!(caught.is_ok(), "{target}: {} fails", path.display());
            counts[i] += 1;
        }
    }
    assert!(counts[1] > 0, "{target}: no corpus in fuzz/corpus/{target}");
    (counts[0], counts[1])
}

#[test]
fn snapshot() {
    replay("snapshot", entries::snapshot);
}

#[test]
fn config() {
    replay("config", entries::config);
}

#[test]
fn callback() {
    replay("callback", entries::callback_field);
}

#[test]
fn pack() {
    replay("pack", entries::custom_pack);
}

#[test]
fn metadata() {
    replay("metadata", entries::metadata_file);
}

#[test]
fn host() {
    replay("host", entries::org_host);
}

#[test]
fn pairing_code() {
    replay("pairing_code", entries::pairing::pairing_code);
}

#[test]
fn tokens() {
    replay("tokens", entries::pairing::tokens);
}

#[test]
fn request_body() {
    replay("request_body", entries::pairing::request_body);
}

#[test]
fn sealed_response() {
    replay("sealed_response", entries::pairing::sealed_response);
}

/// The pairing targets seal hostile plaintexts themselves (fuzz/src/pairing.rs, with the wire
/// constants copied from src/pairing/mod.rs): what they seal well formed must open, or those
/// targets would only ever fuzz the refusal of a message that does not open.
#[test]
fn pairing_targets_seal_as_the_core_opens() {
    use eca_guard::pairing::{self, b64, browser_id, Envelope};
    let (server, browser) = entries::pairing::keys();
    let pair = format!(
        r#"{{"token":"{}","browserKey":"{}","label":"Chromium on build-01"}}"#,
        b64(&[7; 16]),
        b64(browser.public())
    );
    let env = Envelope::parse(entries::pairing::seal_pair_plain(server, pair.as_bytes()).as_bytes())
        .expect("the harness seals as the core opens");
    let opened = pairing::open_pair(server, &env).unwrap_or_else(|e| panic!("pair request: {e:?}"));
    assert_eq!(opened.label, "Chromium on build-01");
    let creds = format!(
        r#"{{"id":"{}","ts":1767225600,"credentials":{{"org":"acme.my.salesforce.com","app":"Veeam_Backup","consumerKey":"3MVG9key0123456789","consumerSecret":"SECRET0123456789"}}}}"#,
        entries::pairing::MESSAGE_ID
    );
    let env = Envelope::parse(entries::pairing::seal_credentials_plain(server, browser, creds.as_bytes()).as_bytes())
        .expect("the harness seals as the core opens");
    let (plain, _) =
        pairing::open_credentials(server, browser.public(), &env).unwrap_or_else(|e| panic!("credentials: {e:?}"));
    assert_eq!(plain.credentials.app, "Veeam_Backup");
    let reply = format!(
        r#"{{"browserId":"{}","name":"Veeam prod","callbackUrls":[],"pack":null}}"#,
        browser_id(browser.public())
    );
    let body = entries::pairing::seal_response(reply.as_bytes(), b"eca-guard/v1/pair-reply");
    let paired =
        pairing::pair_complete(entries::pairing::pending_token(), &body).unwrap_or_else(|e| panic!("pair reply: {e}"));
    assert_eq!(paired.name, "Veeam prod");
    let receipt = r#"{"id":"AAECAwQFBgcICQoLDA0ODw","org":"acme.my.salesforce.com","app":"Veeam_Backup","keyPrefix":"3MVG9key…","version":1,"unchanged":false,"server":"Veeam prod"}"#;
    let body = entries::pairing::seal_response(receipt.as_bytes(), entries::pairing::MESSAGE_ID.as_bytes());
    let r = pairing::open_receipt(&b64(&[0x33; 32]), entries::pairing::MESSAGE_ID, &body)
        .unwrap_or_else(|e| panic!("receipt: {e}"));
    assert_eq!(r.app, "Veeam_Backup");
}
