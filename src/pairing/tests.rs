//! The protocol end to end in memory: pairing, sealing, opening, every refusal, and the
//! formats of the first release.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn server() -> (KeyPair, ServerInfo) {
    let kp = KeyPair::generate().unwrap();
    let info = ServerInfo {
        v: 1,
        name: "Veeam prod".into(),
        public_key: b64(kp.public()),
        fingerprint: short_fingerprint(&fingerprint(kp.public())),
        callback_urls: vec!["https://veeam.acme.internal".into()],
        pack: Some("veeam-eca".into()),
    };
    (kp, info)
}

fn code_for(kp: &KeyPair) -> (String, [u8; 16]) {
    let token = [7u8; 16];
    let c = PairingCode {
        server: "http://127.0.0.1:8787".into(),
        fingerprint: fingerprint(kp.public()),
        token,
    };
    (c.encode(), token)
}

fn paired() -> (KeyPair, Pairing, Vec<u8>) {
    let (kp, info) = server();
    let (code, token) = code_for(&kp);
    let req = pair_request(&code, &info.public_key, "test").unwrap();
    let env = Envelope::parse(req.body.as_bytes()).unwrap();
    let opened = open_pair(&kp, &env).unwrap();
    assert_eq!(opened.token, token);
    let reply = PairReply {
        browser_id: opened.browser_id.clone(),
        name: info.name.clone(),
        callback_urls: info.callback_urls.clone(),
        pack: info.pack.clone(),
    };
    let body = seal_pair_reply(&opened.response, &reply).unwrap();
    let pairing = pair_complete(&req.pending, &body).unwrap();
    (kp, pairing, opened.browser_key.to_vec())
}

fn creds() -> Credentials {
    Credentials {
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        consumer_key: "3MVG9abcdefghijklmnop".into(),
        consumer_secret: "S3CR3T-DO-NOT-LEAK-0123456789".into(),
    }
}

/// Strings written by the first release (before the module was split and its hand-written
/// token formats became one codec): they must still decode to the same values, and
/// encoding those values must give the same strings, byte for byte.
#[test]
fn tokens_and_codes_of_the_first_release_still_decode_byte_identically() {
    let b = |start: u8| -> [u8; 32] { std::array::from_fn(|i| start.wrapping_add(i as u8 * 7)) };
    let code = "ecag1.AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09rIycrLzM3Oz9DR0tPU1dbXaHR0cDovL3ZlZWFtLmFjbWUuaW50ZXJuYWw6ODc4Nw";
    let pending = "ecagp1.AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dwFDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3gkQFx4lLDM6QUhPVl1ka3J5gIeOlZyjqrG4v8bN1NviaHR0cHM6Ly9bOjoxXTo5NDQz";
    let keys = "ecagk1.CxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM_W3eQNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5gwteVEyeF9hQmNEZUZodHRwOi8vMTI3LjAuMC4xOjg3ODc";
    let response_key = "ERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4-o";
    let receipt_body = "ecagr1.uqMUG255e7HOZYVexZkowtIL-CCCY90F__P-4ze2q-z1f1eE-OMLa94TfvkFryio5Yz3wWq7j2HEjJaImIV94dviq-J5aq_PNvN9LmgwW7rijYfTljGYuR09jyC-yJ0UO0OEhrM-2gZ2-tjJyR68MQsn3YbQJpSZrfFUROyO0cwo5wbPcv1BoQAjDKwoUcvFQAkWTbX1c0HAHXx7Ja21TJfgp7m_0Nwu_NvR8V7z4b4o";

    let c = PairingCode::decode(code).unwrap();
    let want = PairingCode {
        server: "http://veeam.acme.internal:8787".into(),
        fingerprint: b(1),
        token: std::array::from_fn(|i| 200 + i as u8),
    };
    assert!(c == want);
    assert_eq!(want.encode(), code);

    let p = PairPending::from_token(pending).unwrap();
    let want = PairPending {
        server: "https://[::1]:9443".into(),
        server_key: b(3),
        browser_secret: b(5),
        response_key: ResponseKey(b(9)),
    };
    assert!(p == want);
    assert_eq!(want.to_token(), pending);

    let k = PairedKeys::from_token(keys).unwrap();
    let want = PairedKeys {
        server: "http://127.0.0.1:8787".into(),
        server_key: b(11),
        browser_secret: b(13),
        browser_id: "-yQ2x_aBcDeF".into(),
    };
    assert!(k == want);
    assert_eq!(want.to_token(), keys);

    let rk = ResponseKey::from_b64(response_key).unwrap();
    assert!(rk == ResponseKey(b(17)));
    assert_eq!(rk.to_b64(), response_key);
    let receipt = Receipt {
        id: "AAECAwQFBgcICQoLDA0ODw".into(),
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        key_prefix: "3MVG9abc…".into(),
        version: 2,
        unchanged: false,
        server: "Veeam prod".into(),
        delivery: None,
    };
    // A receipt sealed before receipts could carry a delivery opens as before, and seals to
    // the same bytes: the field is left out when there is none.
    assert_eq!(open_receipt(response_key, &receipt.id, receipt_body).unwrap(), receipt);
    assert_eq!(seal_receipt(&rk, &receipt).unwrap(), receipt_body);
}

#[test]
fn tokens_round_trip() {
    let (_, pairing, _) = paired();
    let k = PairedKeys::from_token(&pairing.keys).unwrap();
    assert_eq!(k.to_token(), pairing.keys);
    assert_eq!(k.browser_id, pairing.browser_id);
    assert!(PairedKeys::from_token("ecagk1.AAAA").is_err());
    assert!(PairPending::from_token("ecagk1.AAAA").is_err());
}

#[test]
fn code_round_trip_and_begin() {
    let (kp, _) = server();
    let (code, _) = code_for(&kp);
    assert!(code.starts_with("ecag1."));
    let d = PairingCode::decode(&format!("  {}\n", code)).unwrap();
    assert_eq!(d.server, "http://127.0.0.1:8787");
    let s = begin(&code).unwrap();
    assert_eq!(s.info_url, "http://127.0.0.1:8787/v1/info");
    assert_eq!(s.origin_pattern, "http://127.0.0.1:8787/*");
    assert!(begin("ecag2.abc").is_err());
    assert!(begin("ecag1.!!!").is_err());
    assert!(begin("ecag1.AAAA").is_err());
}

#[test]
fn normalise_refuses_paths_and_schemes() {
    assert_eq!(
        normalise_server("http://Example.com:80/").unwrap(),
        "http://example.com"
    );
    assert!(normalise_server("ftp://x").is_err());
    assert!(normalise_server("http://x/a").is_err());
    assert!(normalise_server("http://u:p@x").is_err());
    assert!(normalise_server("http://x?a").is_err());
    assert!(normalise_server("http://x:99999").is_err());
    assert!(normalise_server("http://x:").is_err());
    assert_eq!(normalise_server("HTTPS://X.Example:443").unwrap(), "https://x.example");
    assert_eq!(
        normalise_server("http://127.0.0.1:8787/").unwrap(),
        "http://127.0.0.1:8787"
    );
    assert_eq!(normalise_server("http://[::1]:8787").unwrap(), "http://[::1]:8787");
    assert!(normalise_server("http://[::1]x").is_err());
}

#[test]
fn wrong_server_key_is_refused() {
    let (kp, _) = server();
    let (_, other) = server();
    let (code, _) = code_for(&kp);
    let e = pair_request(&code, &other.public_key, "x").unwrap_err();
    assert!(e.to_string().contains("does not hold the key"), "{e}");
}

#[test]
fn seal_open_receipt() {
    let (kp, pairing, bk) = paired();
    assert_eq!(pairing.name, "Veeam prod");
    let sealed = seal_credentials(&pairing.keys, &creds(), 1_700_000_000).unwrap();
    assert!(!sealed.body.contains("S3CR3T"));
    let env = Envelope::parse(sealed.body.as_bytes()).unwrap();
    let (plain, rk) = open_credentials(&kp, &bk, &env).unwrap();
    assert_eq!(plain.credentials, creds());
    assert_eq!(plain.ts, 1_700_000_000);
    let receipt = Receipt {
        id: plain.id.clone(),
        org: plain.credentials.org.clone(),
        app: plain.credentials.app.clone(),
        key_prefix: key_prefix(&plain.credentials.consumer_key),
        version: 1,
        unchanged: false,
        server: "Veeam prod".into(),
        delivery: None,
    };
    let body = seal_receipt(&rk, &receipt).unwrap();
    assert_eq!(
        open_receipt(&sealed.response_key, &sealed.message_id, &body).unwrap(),
        receipt
    );
    // A receipt from anyone else does not open.
    let forged = seal_receipt(&ResponseKey([9; 32]), &receipt).unwrap();
    assert!(open_receipt(&sealed.response_key, &sealed.message_id, &forged).is_err());
    // The right key but another message's id: refused (the receipt is bound to its message).
    let other = Receipt {
        id: b64(&[1; 16]),
        ..receipt.clone()
    };
    let misbound = seal_receipt(&rk, &other).unwrap();
    assert!(open_receipt(&sealed.response_key, &sealed.message_id, &misbound).is_err());
    // The JSON form carries the same receipt.
    let j: Receipt =
        serde_json::from_str(&open_receipt_json(&sealed.response_key, &sealed.message_id, &body).unwrap()).unwrap();
    assert_eq!(j, receipt);
    // Debug never shows the secret.
    assert!(!format!("{plain:?}").contains("S3CR3T"));
}

#[test]
fn tamper_and_wrong_sender_fail() {
    let (kp, pairing, bk) = paired();
    let sealed = seal_credentials(&pairing.keys, &creds(), 1).unwrap();
    let env = Envelope::parse(sealed.body.as_bytes()).unwrap();
    let mut ct = unb64(&env.ct).unwrap();
    ct[3] ^= 1;
    let bad = Envelope {
        ct: b64(&ct),
        ..env.clone()
    };
    assert_eq!(open_credentials(&kp, &bk, &bad).unwrap_err(), OpenError::Crypto);
    let other = KeyPair::generate().unwrap();
    assert_eq!(
        open_credentials(&kp, other.public(), &env).unwrap_err(),
        OpenError::Crypto
    );
    let renamed = Envelope {
        browser: Some("someoneelse1".into()),
        ..env
    };
    assert_eq!(open_credentials(&kp, &bk, &renamed).unwrap_err(), OpenError::Crypto);
}

#[test]
fn a_reply_for_another_browser_id_is_refused_by_both_completions() {
    let (kp, info) = server();
    let (code, _) = code_for(&kp);
    let req = pair_request(&code, &info.public_key, "test").unwrap();
    let opened = open_pair(&kp, &Envelope::parse(req.body.as_bytes()).unwrap()).unwrap();
    let reply = PairReply {
        browser_id: "AAAAAAAAAAAA".into(),
        name: info.name.clone(),
        callback_urls: vec![],
        pack: None,
    };
    let body = seal_pair_reply(&opened.response, &reply).unwrap();
    assert!(pair_complete(&req.pending, &body).is_err());
    // The Wasm binding's path (the one the extension runs) makes the same check.
    assert!(pair_complete_json(&req.pending, &body).is_err());
    let good = PairReply {
        browser_id: opened.browser_id.clone(),
        ..reply
    };
    let body = seal_pair_reply(&opened.response, &good).unwrap();
    let json: serde_json::Value = serde_json::from_str(&pair_complete_json(&req.pending, &body).unwrap()).unwrap();
    assert_eq!(json["browserId"], opened.browser_id.as_str());
    assert_eq!(json["reply"]["browserId"], opened.browser_id.as_str());
}

#[test]
fn an_org_is_a_host_name_and_an_app_an_api_name_or_record_id() {
    let with = |org: &str, app: &str| {
        Credentials {
            org: org.into(),
            app: app.into(),
            ..creds()
        }
        .validate()
    };
    for org in [
        "acme.my.salesforce.com",
        "acme--dev.sandbox.my.salesforce.com",
        "a.b",
        "x1.example",
    ] {
        assert_eq!(with(org, "Veeam_Backup"), Ok(()), "{org}");
    }
    let long_label = format!("{}.example", "a".repeat(64));
    let long_host = format!("{}.example", "a.".repeat(124));
    for org in [
        "../../etc",
        "acme",
        "ACME.my.salesforce.com",
        "acme.my.salesforce.com\u{200b}",
        "acme\u{202e}.example",
        "a..b",
        ".a.b",
        "a.b.",
        "-a.b",
        "a-.b",
        "a b.c",
        "a;rm.c",
        "a$(x).c",
        "",
        &long_label,
        &long_host,
    ] {
        assert_eq!(with(org, "Veeam_Backup"), Err(CredentialsError::Org), "{org:?}");
    }
    let longest = format!("A{}", "b".repeat(79));
    for app in [
        "Veeam_Backup",
        "a",
        "Delphix_CRT",
        &longest,
        "0xIfj0000009EQL",
        "0xI000000000001AAA",
    ] {
        assert_eq!(with("acme.my.salesforce.com", app), Ok(()), "{app}");
    }
    let too_long = format!("A{}", "b".repeat(80));
    for app in [
        "Veeam Backup",
        "Veeam Backup\" $(touch pwned) \"",
        "../x",
        "_a",
        "a-b",
        "Veeam\u{202e}",
        "Veeam\u{200b}",
        "",
        &too_long,
        "0xI00000000001",
        "0xI000000000001AA",
        "0xI_00000000001",
        "0xI000000000001AAAA",
    ] {
        assert_eq!(
            with("acme.my.salesforce.com", app),
            Err(CredentialsError::App),
            "{app:?}"
        );
    }
}

#[test]
fn bad_credentials_refused_before_sealing() {
    let (_, pairing, _) = paired();
    let mut c = creds();
    c.consumer_secret = "has space".into();
    assert!(seal_credentials(&pairing.keys, &c, 1).is_err());
    c = creds();
    c.org = String::new();
    assert!(seal_credentials(&pairing.keys, &c, 1).is_err());
}

#[test]
fn a_receipt_carries_its_vault_delivery_and_reads_states_it_does_not_know() {
    let rk = ResponseKey([3; 32]);
    let receipt = Receipt {
        id: "m".into(),
        org: "acme.my.salesforce.com".into(),
        app: "Veeam_Backup".into(),
        key_prefix: "3MVG9abc…".into(),
        version: 1,
        unchanged: false,
        server: "Veeam prod".into(),
        delivery: Some(Delivery {
            sink: "vault".into(),
            state: DeliveryState::Pending,
            version: None,
            problem: Some("permission_denied".into()),
        }),
    };
    let body = seal_receipt(&rk, &receipt).unwrap();
    assert_eq!(open_receipt(&rk.to_b64(), "m", &body).unwrap(), receipt);
    let json = open_receipt_json(&rk.to_b64(), "m", &body).unwrap();
    assert!(
        json.contains(r#""delivery":{"sink":"vault","state":"pending","problem":"permission_denied"}"#),
        "{json}"
    );
    // A state a newer server adds still opens (as Other), rather than failing the receipt.
    let newer: Delivery = serde_json::from_str(r#"{"sink":"vault","state":"queued"}"#).unwrap();
    assert_eq!(newer.state, DeliveryState::Other);
}
