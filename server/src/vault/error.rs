//! How a request to Vault fails: typed, with a stable problem code for the receipt, and
//! Vault's own error text cleaned for the log (docs/server.md, "Delivering into Vault").

use serde::Deserialize;
use std::path::PathBuf;

/// Every way a request to Vault can fail, with a stable [`VaultError::problem`] code that the
/// receipt carries to the browser (which shows its own sentence for it).
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No connection (refused, DNS, TLS).
    #[error("cannot reach Vault at {addr}: {detail}")]
    Unreachable {
        /// The configured address.
        addr: String,
        /// The connection error and its causes.
        detail: String,
    },
    /// No answer in time.
    #[error("Vault did not answer within {0} s")]
    Timeout(u64),
    /// Vault refused the token for this request, even a fresh one: the policy lacks it.
    #[error(
        "Vault refused the {op} of {path}: permission denied. The sink's policy must allow it \
         (docs/server.md, \"The Vault policy\")"
    )]
    PermissionDenied {
        /// What was asked.
        op: &'static str,
        /// The API path.
        path: String,
    },
    /// AppRole login refused.
    #[error("Vault AppRole login at auth/{mount}/login failed (HTTP {status}): {detail}")]
    Login {
        /// The auth mount.
        mount: String,
        /// Status.
        status: u16,
        /// Vault's errors.
        detail: String,
    },
    /// The token or secret id file cannot be read.
    #[error("cannot read {field} {}: {source}", path.display())]
    SecretFile {
        /// The configuration field.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Sealed, standby without forwarding, or overloaded.
    #[error("Vault is sealed or unavailable (HTTP {0})")]
    Unavailable(u16),
    /// Any other refusal.
    #[error("Vault answered the {op} of {path} with HTTP {status}: {detail}")]
    Refused {
        /// What was asked.
        op: &'static str,
        /// The API path.
        path: String,
        /// Status.
        status: u16,
        /// Vault's errors.
        detail: String,
    },
    /// An answer that is not the KV v2 API's.
    #[error("Vault's answer to the {op} of {path} is not what the KV v2 API returns")]
    BadAnswer {
        /// What was asked.
        op: &'static str,
        /// The API path.
        path: String,
    },
}

/// The problem codes a receipt may carry (the extension has a sentence for each).
pub const PROBLEMS: &[&str] = &[
    "unreachable",
    "timeout",
    "permission_denied",
    "login_failed",
    "credentials_file",
    "unavailable",
    "refused",
    "bad_answer",
    "conflict",
    "unreadable",
];

impl VaultError {
    /// Stable code, one of [`PROBLEMS`].
    pub fn problem(&self) -> &'static str {
        match self {
            VaultError::Unreachable { .. } => "unreachable",
            VaultError::Timeout(_) => "timeout",
            VaultError::PermissionDenied { .. } => "permission_denied",
            VaultError::Login { .. } => "login_failed",
            VaultError::SecretFile { .. } => "credentials_file",
            VaultError::Unavailable(_) => "unavailable",
            VaultError::Refused { .. } => "refused",
            VaultError::BadAnswer { .. } => "bad_answer",
        }
    }
}

#[derive(Deserialize)]
struct Errors {
    #[serde(default)]
    errors: Vec<String>,
}

/// Vault's own error text, escaped and cut short, for the log.
pub(super) fn detail(body: &[u8]) -> String {
    let errs = serde_json::from_slice::<Errors>(body)
        .map(|e| e.errors)
        .unwrap_or_default();
    let text = if errs.is_empty() {
        "(no error text)".to_owned()
    } else {
        errs.join("; ")
    };
    let mut s: String = text.escape_debug().collect();
    if s.len() > 300 {
        let cut = (0..=300).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// A transport error with its causes ("connection refused", a certificate problem).
pub(super) fn chain(e: &reqwest::Error) -> String {
    let mut s = String::from("request failed");
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
