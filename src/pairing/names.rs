//! The names credentials carry (org, app) and a browser's label: what they may look like, so
//! that nothing stored, logged or printed can be a path, a shell word or a look-alike
//! (docs/server.md, "Records").

use super::wire::Credentials;
use super::{MAX_CREDENTIAL, MAX_NAME};

/// The first characters of a consumer key, for receipts and listings (`3MVG9abc…`).
pub fn key_prefix(key: &str) -> String {
    let p: String = key.chars().take(8).collect();
    if key.chars().count() > 8 {
        format!("{p}…")
    } else {
        p
    }
}

/// Why credentials are refused (both sides run [`Credentials::validate`]). Fixed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The org is not a lower-case host name ([`is_org_host`]).
    #[error("the org must be the org's lower-case host name, such as acme.my.salesforce.com")]
    Org,
    /// The app is neither an API name nor a record id ([`is_app_name`]).
    #[error(
        "the app must be its API name (a letter, then letters, digits or _, at most 80 characters) or its record id"
    )]
    App,
    /// The consumer key is empty, too long or not printable ASCII without spaces.
    #[error("the consumer key is empty, too long, or has characters a consumer key never has")]
    Key,
    /// The consumer secret is empty, too long or not printable ASCII without spaces.
    #[error("the consumer secret is empty, too long, or has characters a consumer secret never has")]
    Secret,
}

/// Unicode format characters (general category Cf: bidi controls, zero-width characters, tag
/// characters) and the line and paragraph separators: invisible, or they reorder or break the
/// text around them, so a name or log line would not read as what it is.
pub fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// A browser's free label as kept and shown: without control or format characters, at most
/// [`MAX_NAME`] characters.
pub fn clean_label(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .take(MAX_NAME)
        .collect()
}

/// An org is the API host of its My Domain: a lower-case DNS host name (RFC 1123 labels of
/// `a-z`, `0-9` and inner `-`, 1 to 63 characters each; at least two labels; at most 253
/// characters). Nothing else can name a path, a shell word or a look-alike.
pub fn is_org_host(v: &str) -> bool {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    (1..=253).contains(&v.len()) && v.contains('.') && v.split('.').all(label_ok)
}

/// An app is its API name (a letter, then letters, digits or `_`; at most 80 characters, as
/// Salesforce allows) or its record id (15 or 18 characters, starting with a digit, e.g.
/// `0xI…`).
pub fn is_app_name(v: &str) -> bool {
    let b = v.as_bytes();
    let api_name = (1..=80).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let record_id = matches!(b.len(), 15 | 18) && b[0].is_ascii_digit() && b.iter().all(u8::is_ascii_alphanumeric);
    api_name || record_id
}

fn credential_ok(v: &str) -> bool {
    !v.is_empty() && v.len() <= MAX_CREDENTIAL && v.bytes().all(|b| b.is_ascii_graphic())
}

impl Credentials {
    /// Checks lengths and characters (both sides run this).
    pub fn validate(&self) -> Result<(), CredentialsError> {
        if !is_org_host(&self.org) {
            return Err(CredentialsError::Org);
        }
        if !is_app_name(&self.app) {
            return Err(CredentialsError::App);
        }
        if !credential_ok(&self.consumer_key) {
            return Err(CredentialsError::Key);
        }
        if !credential_ok(&self.consumer_secret) {
            return Err(CredentialsError::Secret);
        }
        Ok(())
    }
}
