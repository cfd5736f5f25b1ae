//! An integration's next steps after a send, from its pack's `afterSend`. A step may say
//! `{getCommand}`: the command that prints the stored credential on the paired server. Page
//! text never reaches that command: the org is the API host ECA Guard derived from the page's
//! address and the app a record id or API name, both shape-checked here, and each is quoted for
//! a POSIX shell anyway; a value of any other shape gets no command at all.

use serde::Serialize;

use super::Pack;

/// The steps, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Steps {
    /// Heading.
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<String>,
}

/// A lower-case DNS host name with at least one dot (`acme.my.salesforce.com`).
pub fn is_host(s: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    s.len() <= 253 && s.contains('.') && s.split('.').all(label)
}

/// A Salesforce API name (`Veeam_Backup`) or record id (`0xIfj0000009EQL`).
pub fn is_app_id(s: &str) -> bool {
    let api = s.len() <= 80
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let id = (s.len() == 15 || s.len() == 18)
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_alphanumeric());
    api || id
}

/// Quotes for a POSIX shell: `'…'`, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command that prints a stored credential, or `None` for values of another shape.
pub fn get_command(org: &str, app: &str) -> Option<String> {
    (is_host(org) && is_app_id(app)).then(|| {
        format!(
            "eca-guard-server get --org {} --app {}",
            shell_quote(org),
            shell_quote(app)
        )
    })
}

/// The pack's steps for a credential sent as `org` / `app`.
pub fn after_send(pack: &Pack, org: &str, app: &str) -> Option<Steps> {
    let a = pack.after_send.as_ref()?;
    let command = get_command(org, app)
        .unwrap_or_else(|| "eca-guard-server creds list (then its get command for this app's record)".to_string());
    Some(Steps {
        title: a.title.clone(),
        steps: a.steps.iter().map(|s| s.replace("{getCommand}", &command)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_text_never_becomes_a_command() {
        assert_eq!(
            get_command("acme.my.salesforce.com", "Veeam_Backup").as_deref(),
            Some("eca-guard-server get --org 'acme.my.salesforce.com' --app 'Veeam_Backup'")
        );
        assert!(get_command("acme.my.salesforce.com", "0xIfj0000009EQL").is_some());
        for app in [
            "Veeam Backup\" $(touch pwned) \"",
            "a;b",
            "../x",
            "x'y",
            "Veeam\u{202e}",
            "",
        ] {
            assert_eq!(get_command("acme.my.salesforce.com", app), None, "{app:?}");
        }
        for org in ["acme", "Acme.my.salesforce.com", "a..b", "-a.b", "a.b;c", "a.b\n"] {
            assert_eq!(get_command(org, "Veeam_Backup"), None, "{org:?}");
        }
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }
}
