//! "Is the app live?": what Salesforce's answer to an authorization request for a consumer key
//! means. After a send, the worker asks the org's `/services/oauth2/authorize` with the key (the
//! client id; no secret) and the integration's callback, and hands the final address and the
//! start of the page here. Salesforce answers a bad app by redirecting to an error page whose
//! address and text carry the error (docs/salesforce-facts.md, "OAuth errors users meet"); a
//! good one goes on to the login page.

use serde::Serialize;

/// What the answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Live {
    /// Salesforce accepts the key with this callback.
    Live,
    /// Salesforce does not know the key yet (a new or changed app takes up to 10 minutes).
    NotActiveYet,
    /// The app is live but the callback is not among its lines.
    CallbackMismatch,
    /// The app is not available in this org.
    NotInstalled,
    /// The app is blocked.
    Blocked,
    /// The client credentials were rejected.
    SecretRejected,
    /// An answer ECA Guard does not understand.
    Unknown,
}

/// The verdict, with words for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// What it means.
    pub status: Live,
    /// In words.
    pub message: String,
}

/// New or changed apps can take this long to become active (Salesforce; Veeam KB4827), ms.
pub const ACTIVATION_MS: u32 = 10 * 60 * 1000;

/// Salesforce's error strings, most specific first.
const OUTCOMES: &[(Live, &[&str])] = &[
    (Live::NotActiveYet, &["invalid_client_id", "client identifier invalid"]),
    (
        Live::CallbackMismatch,
        &["redirect_uri_mismatch", "redirect_uri must match configuration"],
    ),
    (
        Live::NotInstalled,
        &["oauth_ec_app_not_found", "app must be installed into org"],
    ),
    (Live::Blocked, &["oauth_app_blocked"]),
    (Live::SecretRejected, &["invalid_client", "invalid client credentials"]),
];

fn message(status: Live, callback: &str) -> String {
    match status {
        Live::Live => format!("Salesforce accepts this consumer key with the callback {callback}: the app is live."),
        Live::NotActiveYet => "Salesforce does not know this consumer key yet. A new or changed app can take up to 10 minutes to become active; ECA Guard checks again until then.".into(),
        Live::CallbackMismatch => format!("The app is live, but its Callback URL lines do not include {callback}, which the integration uses. Add it exactly (no trailing slash), one URL per line."),
        Live::NotInstalled => "Salesforce says the app is not available in this org (OAUTH_EC_APP_NOT_FOUND / \"app must be installed into org\"). A local External Client App must be created in this org; a packaged one must be installed here (packaged ECAs are not supported in sandboxes).".into(),
        Live::Blocked => "The app is blocked in this org (OAUTH_APP_BLOCKED). Unblock it in Setup (Connected Apps OAuth Usage) before the integration can connect.".into(),
        Live::SecretRejected => "Salesforce rejected the client credentials (invalid_client). Send the current consumer secret again.".into(),
        Live::Unknown => "Salesforce gave an unexpected answer; the app could not be checked.".into(),
    }
}

/// Whether `needle` occurs in `hay` as a whole word at its end (`invalid_client` but not
/// `invalid_client_id`).
fn has_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle)
        .any(|(i, _)| !hay[i + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

/// Decodes `%XX` and `+` in an address, leaving anything malformed as it is.
fn decode(url: &str) -> String {
    let b = url.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c))) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What an authorize answer means: `url` is where the request ended (after redirects), `text`
/// the start of the page, `ok` whether the last response was a success.
pub fn classify(url: &str, text: &str, callback: &str, ok: bool) -> Answer {
    let hay = format!("{}\n{}", decode(url), text).to_ascii_lowercase();
    let status = OUTCOMES
        .iter()
        .find(|(_, needles)| needles.iter().any(|n| has_word(&hay, n)))
        .map_or(if ok { Live::Live } else { Live::Unknown }, |(s, _)| *s);
    Answer {
        status,
        message: message(status, callback),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_salesforce_error_has_its_meaning() {
        let cb = "https://veeam.acme.internal";
        let c = |url: &str, text: &str| classify(url, text, cb, true).status;
        assert_eq!(
            c(
                "https://x/setup/secur/RemoteAccessErrorPage.apexp?error=invalid_client_id",
                ""
            ),
            Live::NotActiveYet
        );
        assert_eq!(
            c(
                "https://x/",
                "error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match"
            ),
            Live::CallbackMismatch
        );
        assert_eq!(
            c("https://x/?error_description=redirect_uri+must+match+configuration", ""),
            Live::CallbackMismatch
        );
        assert_eq!(c("https://x/", "OAUTH_EC_APP_NOT_FOUND"), Live::NotInstalled);
        assert_eq!(c("https://x/", "OAUTH_APP_BLOCKED"), Live::Blocked);
        assert_eq!(c("https://x/?error=invalid_client&x=1", ""), Live::SecretRejected);
        assert_eq!(c("https://x/?error=invalid_client", ""), Live::SecretRejected);
        assert_eq!(c("https://x/login", "Log in"), Live::Live);
        assert_eq!(classify("https://x/", "", cb, false).status, Live::Unknown);
        assert!(classify("https://x/", "", cb, true).message.contains(cb));
    }

    #[test]
    fn bad_escapes_do_not_panic() {
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%zz%41+b"), "%zzA b");
        assert_eq!(decode("%"), "%");
    }
}
