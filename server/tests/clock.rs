//! A message's age, as the server reports it when it refuses one for its clock
//! (server/src/api.rs `check_time`): the admin is told how far off the computer's clock is, so
//! the number must be the real difference (api.rs's own test only checked the error code, and
//! mutants that reported another number survived it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::*;
use eca_guard::pairing;

/// The seconds in "sealed N s ago" / "dated N s in the future" of a refusal's message.
fn seconds_in(body: &str) -> u64 {
    let e: pairing::ErrorBody = serde_json::from_str(body).unwrap();
    let m = e.error.message;
    let n = m.split_whitespace().find_map(|w| w.parse::<u64>().ok());
    n.unwrap_or_else(|| panic!("no number in {m:?}"))
}

#[tokio::test]
async fn a_refused_message_says_how_far_off_its_clock_is() {
    let s = Server::new();
    let p = s.pair("laptop").await;
    for (offset, code) in [(-3600i64, "stale"), (3600, "from_future"), (-100_000, "stale")] {
        let ts = now().checked_add_signed(offset).unwrap();
        let sealed = pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", "k", "s"), ts).unwrap();
        let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (StatusCode::BAD_REQUEST, code),
            "{body}"
        );
        let said = seconds_in(&body);
        let want = offset.unsigned_abs();
        // The server's clock may tick once or twice between sealing and checking.
        assert!(
            (want.saturating_sub(2)..=want + 2).contains(&said),
            "{offset} s: the answer says {said} s ({body})"
        );
    }
    // Inside the window (the default 300 s either way), one second off or four minutes: stored.
    for offset in [-240i64, -1, 1, 240] {
        let ts = now().checked_add_signed(offset).unwrap();
        let sealed =
            pairing::seal_credentials(&p.keys, &creds("o.example.com", "a", &format!("k{offset}"), "s"), ts).unwrap();
        let (status, body) = s.request("POST", "/v1/credentials", &sealed.body).await;
        assert_eq!(status, StatusCode::OK, "{offset} s: {body}");
    }
}
