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
    pub steps: Vec<Step>,
}

/// One step: its words, and the command it names (shown apart, for copying).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The words (without the command).
    pub text: String,
    /// The command, when the step has `{getCommand}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
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

/// The pack's steps for a credential sent as `org` / `app`. A value of another shape gets
/// `creds list` (which lists every record) instead of a `get` command.
pub fn after_send(pack: &Pack, org: &str, app: &str) -> Option<Steps> {
    let a = pack.after_send.as_ref()?;
    let command = get_command(org, app).unwrap_or_else(|| "eca-guard-server creds list".to_string());
    let step = |s: &String| match s.split_once("{getCommand}") {
        Some((before, after)) => Step {
            text: format!("{}{}", before.trim_end(), after).trim().to_string(),
            command: Some(command.clone()),
        },
        None => Step {
            text: s.clone(),
            command: None,
        },
    };
    Some(Steps {
        title: a.title.clone(),
        steps: a.steps.iter().map(step).collect(),
    })
}

#[cfg(test)]
#[allow(clippy::expect_used)] // Reason: a test stops at the value it cannot get.
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
        let veeam = crate::pack::find("veeam-eca", &[]).expect("pack");
        let steps = after_send(veeam, "acme.my.salesforce.com", "0xIfj0000009EQL").expect("steps");
        let first = &steps.steps[0];
        assert_eq!(
            first.command.as_deref(),
            Some("eca-guard-server get --org 'acme.my.salesforce.com' --app '0xIfj0000009EQL'")
        );
        assert!(
            !first.text.contains("{getCommand}") && first.text.starts_with("On the server"),
            "{}",
            first.text
        );
        let bad = after_send(veeam, "acme.my.salesforce.com", "Veeam Backup\" $(touch x) \"").expect("steps");
        assert_eq!(bad.steps[0].command.as_deref(), Some("eca-guard-server creds list"));
        assert!(bad.steps.iter().all(|s| !s.text.contains("touch")));
    }
}
