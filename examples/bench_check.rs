//! Core check time per snapshot, native (`./build.sh bench` runs it; numbers are printed, not
//! asserted). The snapshots are what the New ECA form reader sends: one half-filled form and one
//! fully wrong form, checked against each built-in pack.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use eca_guard::{check_config, Config, Snapshot};

fn snapshot(json: &str) -> Snapshot {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bench snapshot does not parse: {e}"))
}

fn main() {
    let snapshots = [
        snapshot(
            r#"{"page":"new-eca","name":"Veeam","apiName":"Veeam","contactEmail":"admin@acme.example",
            "distributionState":"Local","oauthEnabled":true,
            "callbackUrl":"https://veeam.acme.internal\nhttps://172.12.0.1",
            "scopes":["Full access (full)","Perform requests at any time (refresh_token, offline_access)"],
            "clientCredentialsFlow":false,"codeCredentialsFlow":false,
            "requireSecretWebServer":true,"requireSecretRefresh":true,"requirePkce":false,"unreadable":[]}"#,
        ),
        snapshot(
            r#"{"page":"new-eca","distributionState":"Packaged","oauthEnabled":true,
            "callbackUrl":"https://veeam.acme.internal/\nhttp://172.12.0.1\nhttps://*.acme.example",
            "scopes":["Full access (full)","Manage user data via Web browsers (web)","Access the moon (moon_api)"],
            "codeCredentialsFlow":false,"requireSecretWebServer":false,"requireSecretRefresh":true,"requirePkce":true,
            "unreadable":[]}"#,
        ),
    ];
    let mut all = Vec::new();
    for pack in ["veeam-eca", "veeam-connected-app", "delphix-crt-eca"] {
        let config: Config = serde_json::from_str(&format!(
            r#"{{"pack":"{pack}","params":{{"callbackUrls":["https://veeam.acme.internal","https://172.12.0.1"],"salesforceIdp":true}}}}"#
        ))
        .unwrap_or_else(|e| panic!("bench config does not parse: {e}"));
        let mut per_check = Vec::new();
        for snap in &snapshots {
            for _ in 0..200 {
                let _ = black_box(check_config(black_box(snap), black_box(&config)));
            }
            let n = 20_000;
            let t = Instant::now();
            for _ in 0..n {
                let _ = black_box(check_config(black_box(snap), black_box(&config)));
            }
            per_check.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        }
        println!(
            "check native [{pack}]: {:.2} µs (good form), {:.2} µs (wrong form) per snapshot (target <= 20 µs)",
            per_check[0], per_check[1]
        );
        all.extend(per_check);
    }
    // The line for build.sh's closing table (tests/e2e/bench-table.mjs has the format).
    let (lo, hi) = all
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let verdict = if hi <= 20.0 { "met" } else { "missed" };
    println!("BENCH\tcore check per snapshot, native (3 packs, good and wrong form)\t{lo:.1}–{hi:.1} µs\t<= 20 µs\t—\t{verdict}");
}
