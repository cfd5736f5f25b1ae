//! Writes the metadata for one app that a pack accepts: an sf project (`sfdx-project.json`,
//! `manifest/package.xml`, `force-app/main/default/…`) ready for `sf project deploy start`.
//! Never a consumer key or secret: Salesforce creates them on deploy.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::Part;
use crate::check;
use crate::finding::Severity;
use crate::pack::{AppType, BoolRule, ChoiceRule, Pack, Params};
use crate::scopes;
use crate::snapshot::{Page, Snapshot};

/// The Metadata API version written into `package.xml` and `sfdx-project.json`.
pub const API_VERSION: &str = "66.0";

/// Where the source files go inside the generated project.
pub const SOURCE_DIR: &str = "force-app/main/default";

/// What the app should be called and where it redirects.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// API name (`Veeam_Backup`): letters, digits and single underscores, starting with a letter.
    pub name: String,
    /// Label shown in Setup.
    pub label: String,
    /// Contact email.
    pub contact_email: String,
    /// Pack parameters (`callbackUrls`, `salesforceIdp`).
    pub params: Params,
    /// Metadata API version (default [`API_VERSION`]).
    pub api_version: Option<String>,
}

/// One file to write, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path.
    pub path: PathBuf,
    /// Contents.
    pub contents: String,
}

/// Escapes text for an XML element.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `name` is a valid API name.
pub fn valid_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.len() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
}

fn bool_of(rule: &Option<BoolRule>, default: bool) -> bool {
    rule.as_ref().map(|r| r.expect).unwrap_or(default)
}

fn choice_of(rule: &Option<ChoiceRule>, preferred: &str) -> String {
    match rule {
        Some(r) if r.expect.iter().any(|v| v == preferred) => preferred.to_string(),
        Some(r) => r.expect.first().cloned().unwrap_or_else(|| preferred.to_string()),
        None => preferred.to_string(),
    }
}

/// The settings the generated app gets, as a snapshot (also what `check` reads back).
pub fn settings(pack: &Pack, opts: &Options) -> Result<Snapshot, String> {
    let r = &pack.rules;
    let mut callbacks: Vec<String> = Vec::new();
    if let Some(c) = &r.callback_url {
        callbacks.extend(c.urls.iter().cloned());
        if c.from_param.is_some() && opts.params.callback_urls.is_empty() && c.urls.is_empty() {
            return Err(format!(
                "pack `{}` needs the integration's callback URLs: pass --callback URL (once per URL)",
                pack.id
            ));
        }
    }
    for u in &opts.params.callback_urls {
        if !callbacks.contains(u) {
            callbacks.push(u.clone());
        }
    }
    if callbacks.is_empty() {
        return Err("no callback URL: pass --callback URL".into());
    }
    let mut wanted: Vec<&str> = Vec::new();
    if let Some(s) = &r.scopes {
        wanted.extend(s.require.iter().map(String::as_str));
        for (param, extra) in &s.require_when {
            if opts.params.flag(param) {
                wanted.extend(extra.iter().map(String::as_str));
            }
        }
    } else {
        wanted.extend(["api", "refresh_token"]);
    }
    let mut tokens: Vec<String> = Vec::new();
    for w in wanted {
        let scope = scopes::by_protocol_name(w).ok_or_else(|| format!("pack scope `{w}` is unknown"))?;
        let token = scope
            .metadata_tokens
            .first()
            .ok_or_else(|| format!("scope `{w}` has no metadata token"))?;
        if !tokens.iter().any(|t| t == token) {
            tokens.push((*token).to_string());
        }
    }
    let connected_app = pack.app_type == AppType::ConnectedApp;
    // Without a pack rule: Salesforce's defaults for a new app (self-authorize; the pack has
    // no opinion on who uses the app), and the secure choice for everything else.
    Ok(Snapshot {
        page: Page::Metadata,
        name: Some(opts.label.clone()),
        api_name: Some(opts.name.clone()),
        contact_email: Some(opts.contact_email.clone()),
        distribution_state: (!connected_app).then(|| choice_of(&r.distribution_state, "Local")),
        oauth_enabled: Some(true),
        callback_url: Some(callbacks.join("\n")),
        scopes: Some(tokens),
        client_credentials_flow: Some(bool_of(&r.client_credentials_flow, false)),
        code_credentials_flow: Some(bool_of(&r.code_credentials_flow, false)),
        require_secret_web_server: Some(bool_of(&r.require_secret_web_server, true)),
        require_secret_refresh: Some(bool_of(&r.require_secret_refresh, true)),
        require_pkce: Some(bool_of(&r.require_pkce, !connected_app)),
        permitted_users: Some(match &r.permitted_users {
            Some(_) => choice_of(&r.permitted_users, "AdminApprovedPreAuthorized"),
            None => "AllSelfAuthorized".into(),
        }),
        ip_relaxation: Some(choice_of(&r.ip_relaxation, "Enforce")),
        refresh_token_policy: Some("Infinite".into()),
        ..Snapshot::default()
    })
}

fn xml_head(root: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n")
}

fn el(out: &mut String, indent: &str, name: &str, value: &str) {
    let _ = writeln!(out, "{indent}<{name}>{}</{name}>", esc(value));
}

fn b(v: Option<bool>) -> &'static str {
    if v.unwrap_or(false) {
        "true"
    } else {
        "false"
    }
}

/// The files for one app. Refuses (with every reason) when the pack would report an error on
/// them, e.g. a callback URL that is not https.
pub fn generate(pack: &Pack, opts: &Options) -> Result<Vec<File>, String> {
    if !valid_api_name(&opts.name) {
        return Err(format!(
            "--name `{}` is not an API name: start with a letter; letters, digits and single underscores; no trailing underscore; at most 80 characters",
            opts.name
        ));
    }
    if opts.label.trim().is_empty() {
        return Err("--label must not be empty".into());
    }
    let email = opts.contact_email.trim();
    if email.len() < 3 || !email.contains('@') || email.contains(char::is_whitespace) {
        return Err(format!("--contact-email `{email}` is not an email address"));
    }
    let snap = settings(pack, opts)?;
    let errors: Vec<String> = check::check(&snap, pack, &opts.params)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "the app would not pass pack `{}`:\n  {}",
            pack.id,
            errors.join("\n  ")
        ));
    }
    let version = opts.api_version.clone().unwrap_or_else(|| API_VERSION.to_string());
    let name = opts.name.as_str();
    let mut files = Vec::new();
    let src = PathBuf::from(SOURCE_DIR);
    let mut types: Vec<Part> = Vec::new();
    let t = "    ";
    if pack.app_type == AppType::ConnectedApp {
        let mut x = xml_head("ConnectedApp");
        el(&mut x, t, "contactEmail", email);
        el(
            &mut x,
            t,
            "description",
            &format!("Generated by eca-guard for {}", pack.name),
        );
        el(&mut x, t, "label", &opts.label);
        x.push_str("    <oauthConfig>\n");
        let tt = "        ";
        el(&mut x, tt, "callbackUrl", snap.callback_url.as_deref().unwrap_or(""));
        let admin = snap.permitted_users.as_deref() == Some("AdminApprovedPreAuthorized");
        el(&mut x, tt, "isAdminApproved", b(Some(admin)));
        el(&mut x, tt, "isClientCredentialEnabled", b(snap.client_credentials_flow));
        el(&mut x, tt, "isCodeCredentialEnabled", b(snap.code_credentials_flow));
        el(
            &mut x,
            tt,
            "isConsumerSecretOptional",
            b(snap.require_secret_web_server.map(|v| !v)),
        );
        el(&mut x, tt, "isIntrospectAllTokens", "false");
        el(&mut x, tt, "isPkceRequired", b(snap.require_pkce));
        el(
            &mut x,
            tt,
            "isSecretRequiredForRefreshToken",
            b(snap.require_secret_refresh),
        );
        for s in snap.scopes.iter().flatten() {
            el(&mut x, tt, "scopes", s);
        }
        x.push_str("    </oauthConfig>\n    <oauthPolicy>\n");
        let ip = match snap.ip_relaxation.as_deref() {
            Some("Bypass") => "BYPASS",
            Some("Bypass_2factor") => "ENFORCE_ACTIVATED_DEVICES",
            _ => "ENFORCE",
        };
        el(&mut x, tt, "ipRelaxation", ip);
        el(&mut x, tt, "refreshTokenPolicy", "infinite");
        x.push_str("    </oauthPolicy>\n</ConnectedApp>\n");
        files.push(File {
            path: src.join(Part::ConnectedApp.relative_path(name)),
            contents: x,
        });
        types.push(Part::ConnectedApp);
    } else {
        let mut x = xml_head(Part::Eca.type_name());
        el(&mut x, t, "contactEmail", email);
        el(
            &mut x,
            t,
            "description",
            &format!("Generated by eca-guard for {}", pack.name),
        );
        el(
            &mut x,
            t,
            "distributionState",
            snap.distribution_state.as_deref().unwrap_or("Local"),
        );
        el(&mut x, t, "isProtected", "false");
        el(&mut x, t, "label", &opts.label);
        let _ = writeln!(x, "</{}>", Part::Eca.type_name());
        files.push(File {
            path: src.join(Part::Eca.relative_path(name)),
            contents: x,
        });

        let mut x = xml_head(Part::Policies.type_name());
        el(&mut x, t, "externalClientApplication", name);
        el(&mut x, t, "isEnabled", "true");
        el(&mut x, t, "isOauthPluginEnabled", "true");
        el(&mut x, t, "label", &format!("{name}_plcy"));
        el(&mut x, t, "startPage", "None");
        let _ = writeln!(x, "</{}>", Part::Policies.type_name());
        files.push(File {
            path: src.join(Part::Policies.relative_path(name)),
            contents: x,
        });

        let mut x = xml_head(Part::GlobalOauth.type_name());
        el(&mut x, t, "callbackUrl", snap.callback_url.as_deref().unwrap_or(""));
        el(&mut x, t, "externalClientApplication", name);
        el(
            &mut x,
            t,
            "isClientCredentialsFlowEnabled",
            b(snap.client_credentials_flow),
        );
        el(&mut x, t, "isCodeCredFlowEnabled", b(snap.code_credentials_flow));
        // "Require secret for Web Server Flow" is the negation of isConsumerSecretOptional.
        el(
            &mut x,
            t,
            "isConsumerSecretOptional",
            b(snap.require_secret_web_server.map(|v| !v)),
        );
        el(&mut x, t, "isIntrospectAllTokens", "false");
        el(&mut x, t, "isPkceRequired", b(snap.require_pkce));
        el(
            &mut x,
            t,
            "isSecretRequiredForRefreshToken",
            b(snap.require_secret_refresh),
        );
        el(&mut x, t, "label", &format!("{name}_glbloauth"));
        el(&mut x, t, "shouldRotateConsumerKey", "false");
        el(&mut x, t, "shouldRotateConsumerSecret", "false");
        let _ = writeln!(x, "</{}>", Part::GlobalOauth.type_name());
        files.push(File {
            path: src.join(Part::GlobalOauth.relative_path(name)),
            contents: x,
        });

        let mut x = xml_head(Part::OauthSettings.type_name());
        el(
            &mut x,
            t,
            "commaSeparatedOauthScopes",
            &snap.scopes.clone().unwrap_or_default().join(", "),
        );
        el(&mut x, t, "externalClientApplication", name);
        el(&mut x, t, "label", &format!("{name}_oauth"));
        let _ = writeln!(x, "</{}>", Part::OauthSettings.type_name());
        files.push(File {
            path: src.join(Part::OauthSettings.relative_path(name)),
            contents: x,
        });

        let mut x = xml_head(Part::OauthPolicies.type_name());
        el(&mut x, t, "externalClientApplication", name);
        el(
            &mut x,
            t,
            "ipRelaxationPolicyType",
            snap.ip_relaxation.as_deref().unwrap_or("Enforce"),
        );
        el(
            &mut x,
            t,
            "isClientCredentialsFlowEnabled",
            b(snap.client_credentials_flow),
        );
        el(&mut x, t, "label", &format!("{name}_oauthPlcy"));
        el(
            &mut x,
            t,
            "permittedUsersPolicyType",
            snap.permitted_users.as_deref().unwrap_or("AllSelfAuthorized"),
        );
        el(&mut x, t, "refreshTokenPolicyType", "Infinite");
        let _ = writeln!(x, "</{}>", Part::OauthPolicies.type_name());
        files.push(File {
            path: src.join(Part::OauthPolicies.relative_path(name)),
            contents: x,
        });
        types.extend([
            Part::Eca,
            Part::Policies,
            Part::GlobalOauth,
            Part::OauthSettings,
            Part::OauthPolicies,
        ]);
    }

    let mut pkg = xml_head("Package");
    for part in &types {
        let _ = write!(
            pkg,
            "    <types>\n        <members>{}</members>\n        <name>{}</name>\n    </types>\n",
            esc(&member_name(*part, name)),
            part.type_name()
        );
    }
    let _ = write!(pkg, "    <version>{version}</version>\n</Package>\n");
    files.push(File {
        path: PathBuf::from("manifest/package.xml"),
        contents: pkg,
    });
    files.push(File {
        path: PathBuf::from("sfdx-project.json"),
        contents: format!(
            "{{\n  \"packageDirectories\": [{{ \"path\": \"force-app\", \"default\": true }}],\n  \"name\": \"{}\",\n  \"sourceApiVersion\": \"{version}\"\n}}\n",
            name
        ),
    });
    Ok(files)
}

/// The member name `package.xml` lists: the file name without the type suffix.
fn member_name(part: Part, name: &str) -> String {
    let file = format!("{name}{}", part.name_suffix());
    file.trim_end_matches(part.type_suffix()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names() {
        assert!(valid_api_name("Veeam_Backup1"));
        assert!(!valid_api_name("1Veeam"));
        assert!(!valid_api_name("Veeam__X"));
        assert!(!valid_api_name("Veeam_"));
        assert!(!valid_api_name("Vee-am"));
        assert!(!valid_api_name(""));
    }

    #[test]
    fn member_names_drop_the_type_suffix() {
        assert_eq!(member_name(Part::GlobalOauth, "A"), "A_glbloauth");
        assert_eq!(member_name(Part::Eca, "A"), "A");
        assert_eq!(member_name(Part::ConnectedApp, "A"), "A");
    }

    #[test]
    fn escapes() {
        assert_eq!(esc("a&b<c>\"'"), "a&amp;b&lt;c&gt;&quot;&apos;");
    }
}
