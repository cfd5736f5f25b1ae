//! `eca-guard packs` and `eca-guard explain`.

use std::process::ExitCode;

use eca_guard::baseline;
use eca_guard::pack::{self, BoolRule, ChoiceRule, Pack};
use eca_guard::scopes;
use eca_guard::snapshot::field;

use crate::{fail, load_pack, Format};

/// Arguments of `eca-guard packs`.
#[derive(Debug, clap::Args)]
pub struct PacksArgs {
    /// Also show (and validate) a custom pack file, or show only this pack id.
    #[arg(long)]
    pub pack: Option<String>,
    /// Output format (`json` prints the packs as data).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `eca-guard explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. scope-missing, pkce, session-lock-ip.
    pub rule: String,
    /// Show the source for this pack only (built-in id or pack JSON file).
    #[arg(long)]
    pub pack: Option<String>,
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

/// The pack's rules as lines: (rule ids, requirement, source id).
fn rule_lines(p: &Pack) -> Vec<(&'static str, String, String)> {
    let r = &p.rules;
    let mut out = Vec::new();
    let b = |out: &mut Vec<(&'static str, String, String)>, id: &'static str, f: &str, rule: &Option<BoolRule>| {
        if let Some(rule) = rule {
            let dev = baseline::bool_baseline(f).is_some_and(|bl| bl != rule.expect);
            out.push((
                id,
                format!(
                    "\"{}\" {}{}",
                    baseline::label(f),
                    on_off(rule.expect),
                    if dev {
                        " (deviation from Salesforce's baseline)"
                    } else {
                        ""
                    }
                ),
                rule.source.clone(),
            ));
        }
    };
    let c = |out: &mut Vec<(&'static str, String, String)>, id: &'static str, f: &str, rule: &Option<ChoiceRule>| {
        if let Some(rule) = rule {
            let wanted: Vec<&str> = rule.expect.iter().map(|v| baseline::choice_label(v)).collect();
            out.push((
                id,
                format!("\"{}\": {}", baseline::label(f), wanted.join(" or ")),
                rule.source.clone(),
            ));
        }
    };
    b(&mut out, "oauth-disabled", field::OAUTH_ENABLED, &r.oauth_enabled);
    c(
        &mut out,
        "distribution-state",
        field::DISTRIBUTION_STATE,
        &r.distribution_state,
    );
    if let Some(s) = &r.scopes {
        let names = |list: &[String]| {
            list.iter()
                .filter_map(|n| scopes::by_protocol_name(n))
                .map(scopes::display)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = format!("scopes: {}", names(&s.require));
        for (param, extra) in &s.require_when {
            text.push_str(&format!("; with {param}: {}", names(extra)));
        }
        if let Some(sev) = s.extra {
            text.push_str(&format!("; any other scope: {}", sev.as_str()));
        }
        out.push(("scope-missing scope-extra", text, s.source.clone()));
    }
    if let Some(cb) = &r.callback_url {
        let mut text = String::from("callback URLs: ");
        let mut parts: Vec<String> = cb.urls.clone();
        if cb.from_param.is_some() {
            parts.push("every --callback URL".into());
        }
        text.push_str(&parts.join(", "));
        text.push_str(", exactly");
        if cb.trailing_slash == pack::TrailingSlash::Forbid {
            text.push_str(", no trailing slash");
        }
        out.push((
            "callback-missing callback-mismatch callback-trailing-slash callback-scheme callback-invalid",
            text,
            cb.source.clone(),
        ));
    }
    b(
        &mut out,
        "secret-web-server-flow",
        field::REQUIRE_SECRET_WEB_SERVER,
        &r.require_secret_web_server,
    );
    b(
        &mut out,
        "secret-refresh-token-flow",
        field::REQUIRE_SECRET_REFRESH,
        &r.require_secret_refresh,
    );
    b(&mut out, "pkce", field::REQUIRE_PKCE, &r.require_pkce);
    b(
        &mut out,
        "code-credentials-flow",
        field::CODE_CREDENTIALS_FLOW,
        &r.code_credentials_flow,
    );
    b(
        &mut out,
        "client-credentials-flow",
        field::CLIENT_CREDENTIALS_FLOW,
        &r.client_credentials_flow,
    );
    c(&mut out, "permitted-users", field::PERMITTED_USERS, &r.permitted_users);
    c(&mut out, "ip-relaxation", field::IP_RELAXATION, &r.ip_relaxation);
    b(
        &mut out,
        "session-lock-ip",
        field::LOCK_SESSIONS_TO_IP,
        &r.lock_sessions_to_ip,
    );
    b(
        &mut out,
        "session-lock-domain",
        field::LOCK_SESSIONS_TO_DOMAIN,
        &r.lock_sessions_to_domain,
    );
    b(
        &mut out,
        "session-enforce-ip-ranges",
        field::ENFORCE_IP_RANGES_EVERY_REQUEST,
        &r.enforce_ip_ranges_every_request,
    );
    if let Some(l) = &r.login_ip_range {
        out.push((
            "login-ip-range",
            "the server's addresses (--server-address, IP callbacks) inside the login IP ranges".into(),
            l.source.clone(),
        ));
    }
    out
}

fn print_pack(p: &Pack) {
    let kind = match p.app_type {
        pack::AppType::Eca => "External Client App",
        pack::AppType::ConnectedApp => "Connected App (legacy)",
    };
    println!("{}  {}  [{kind}]", p.id, p.name);
    if !p.description.is_empty() {
        println!("  {}", p.description);
    }
    for (name, spec) in &p.params {
        println!(
            "  parameter {name}{}: {}",
            if spec.required { " (required)" } else { "" },
            spec.description
        );
    }
    println!("  rules:");
    for (ids, text, source) in rule_lines(p) {
        println!("    {text}  [{ids}; source: {source}]");
    }
    println!("  sources:");
    for s in &p.sources {
        println!("    {}: {} <{}>", s.id, s.title, s.url);
    }
    for n in &p.notes {
        println!("  note: {n}");
    }
    println!();
}

/// Runs `eca-guard packs`.
pub fn packs(args: &PacksArgs) -> ExitCode {
    let mut list: Vec<Pack> = Vec::new();
    match &args.pack {
        Some(arg) => match load_pack(arg) {
            Ok(p) => list.push(p),
            Err(e) => return fail(e),
        },
        None => list.extend(pack::built_in().iter().cloned()),
    }
    if args.format == Format::Json {
        match serde_json::to_string_pretty(&list) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(e),
        }
        return ExitCode::SUCCESS;
    }
    for p in &list {
        print_pack(p);
    }
    ExitCode::SUCCESS
}

/// (id, meaning, fix, pack rule field or core source id).
const RULES: &[(&str, &str, &str, &str)] = &[
    ("oauth-disabled", "Enable OAuth is off, so the integration cannot sign in (metadata: ExtlClntAppConfigurablePolicies isOauthPluginEnabled/isEnabled, or no OAuth settings files).", "Select \"Enable OAuth\" (metadata: isOauthPluginEnabled true, with the OAuth settings files).", field::OAUTH_ENABLED),
    ("scope-missing", "A scope the pack requires is not selected (metadata: commaSeparatedOauthScopes, e.g. \"Full, RefreshToken\").", "Move the scope to Selected OAuth Scopes (metadata: add its token, e.g. RefreshToken).", field::SCOPES),
    ("scope-extra", "A selected scope the integration does not need; every extra scope widens what a leaked token can do (least privilege).", "Move it back to Available OAuth Scopes.", field::SCOPES),
    ("scope-unknown", "A scope ECA Guard does not know, so it cannot tell whether it is needed.", "Remove it unless the integration's documentation asks for it.", field::SCOPES),
    ("callback-missing", "The Callback URL field is empty.", "Enter the integration's callback URLs, one per line.", field::CALLBACK_URL),
    ("callback-mismatch", "A URL the pack requires is not among the callback lines (exact match); sign-in fails with redirect_uri_mismatch.", "Add the URL exactly as the integration sends it.", field::CALLBACK_URL),
    ("callback-trailing-slash", "A callback line ends with / where the pack forbids it; Salesforce compares exactly.", "Delete the trailing slash.", field::CALLBACK_URL),
    ("callback-scheme", "A callback is not https, nor an allowed loopback http or custom scheme.", "Use https (or http://localhost for a local tool).", "salesforce-callback"),
    ("callback-invalid", "A line that is not a URL, contains a wildcard, or the field exceeds 2,000 characters.", "Fix or remove the line.", "salesforce-callback"),
    ("callback-duplicate", "A callback line is repeated.", "Delete the repeated line.", "salesforce-callback"),
    ("callback-whitespace", "A callback line has spaces around the URL.", "Delete the spaces.", "salesforce-callback"),
    ("callback-extra", "A callback line the integration does not use.", "Remove it unless another client needs it.", field::CALLBACK_URL),
    ("callback-unverified", "The integration's callback URLs are not known, so exact matching cannot be checked.", "Pass --callback URL for every address the integration uses.", field::CALLBACK_URL),
    ("secret-web-server-flow", "\"Require secret for Web Server Flow\" differs from the pack (metadata: isConsumerSecretOptional is its negation, by inference).", "Set it as the pack says (metadata: isConsumerSecretOptional false = secret required).", field::REQUIRE_SECRET_WEB_SERVER),
    ("secret-refresh-token-flow", "\"Require secret for Refresh Token Flow\" differs from the pack (metadata: isSecretRequiredForRefreshToken).", "Set it as the pack says.", field::REQUIRE_SECRET_REFRESH),
    ("pkce", "\"Require PKCE\" differs from the pack (metadata: isPkceRequired).", "Set it as the pack says.", field::REQUIRE_PKCE),
    ("code-credentials-flow", "\"Enable Authorization Code and Credentials Flow\" differs from the pack (metadata: isCodeCredFlowEnabled).", "Set it as the pack says.", field::CODE_CREDENTIALS_FLOW),
    ("client-credentials-flow", "\"Enable Client Credentials Flow\" differs from the pack (metadata: isClientCredentialsFlowEnabled).", "Set it as the pack says.", field::CLIENT_CREDENTIALS_FLOW),
    ("distribution-state", "Distribution State differs from the pack (Veeam: Local).", "Create the app with the Distribution State the pack names.", field::DISTRIBUTION_STATE),
    ("ip-relaxation", "The IP Relaxation policy differs from the pack (metadata: ipRelaxationPolicyType Enforce | Bypass | Bypass_2factor | Enforce_RelaxRefresh).", "Policies tab > OAuth Policies > IP Relaxation: choose the pack's value.", field::IP_RELAXATION),
    ("permitted-users", "The Permitted Users policy differs from the pack (metadata: permittedUsersPolicyType).", "Policies tab > OAuth Policies > Permitted Users: choose the pack's value.", field::PERMITTED_USERS),
    ("session-lock-ip", "\"Lock sessions to the IP address from which they originated\" is on where the pack needs it off (metadata: SecuritySettings sessionSettings lockSessionsToIp).", "Setup > Session Settings: clear the option (an org-wide change).", field::LOCK_SESSIONS_TO_IP),
    ("session-lock-domain", "\"Lock sessions to the domain in which they were first used\" differs from the pack.", "Setup > Session Settings: set it as the pack says.", field::LOCK_SESSIONS_TO_DOMAIN),
    ("session-enforce-ip-ranges", "\"Enforce login IP ranges on every request\" differs from the pack.", "Setup > Session Settings: set it as the pack says.", field::ENFORCE_IP_RANGES_EVERY_REQUEST),
    ("login-ip-range", "The integration's server address is outside the login IP ranges (metadata: SecuritySettings networkAccess ipRanges).", "Add a range that contains the server's address, or pass --server-address to check it.", field::LOGIN_IP_RANGES),
    ("field-unreadable", "A setting could not be read (a missing companion file, malformed XML, a bad value), so it is not checked.", "Fix the file named in the message, or check the setting by hand.", ""),
];

fn pack_source_for(p: &Pack, f: &str) -> Option<String> {
    let r = &p.rules;
    let id = match f {
        field::OAUTH_ENABLED => r.oauth_enabled.as_ref().map(|x| &x.source),
        field::DISTRIBUTION_STATE => r.distribution_state.as_ref().map(|x| &x.source),
        field::SCOPES => r.scopes.as_ref().map(|x| &x.source),
        field::CALLBACK_URL => r.callback_url.as_ref().map(|x| &x.source),
        field::REQUIRE_SECRET_WEB_SERVER => r.require_secret_web_server.as_ref().map(|x| &x.source),
        field::REQUIRE_SECRET_REFRESH => r.require_secret_refresh.as_ref().map(|x| &x.source),
        field::REQUIRE_PKCE => r.require_pkce.as_ref().map(|x| &x.source),
        field::CODE_CREDENTIALS_FLOW => r.code_credentials_flow.as_ref().map(|x| &x.source),
        field::CLIENT_CREDENTIALS_FLOW => r.client_credentials_flow.as_ref().map(|x| &x.source),
        field::PERMITTED_USERS => r.permitted_users.as_ref().map(|x| &x.source),
        field::IP_RELAXATION => r.ip_relaxation.as_ref().map(|x| &x.source),
        field::LOCK_SESSIONS_TO_IP => r.lock_sessions_to_ip.as_ref().map(|x| &x.source),
        field::LOCK_SESSIONS_TO_DOMAIN => r.lock_sessions_to_domain.as_ref().map(|x| &x.source),
        field::ENFORCE_IP_RANGES_EVERY_REQUEST => r.enforce_ip_ranges_every_request.as_ref().map(|x| &x.source),
        field::LOGIN_IP_RANGES => r.login_ip_range.as_ref().map(|x| &x.source),
        _ => None,
    }?;
    let s = p.source(id);
    Some(format!("{} <{}>", s.title, s.url))
}

/// Runs `eca-guard explain`.
pub fn explain(args: &ExplainArgs) -> ExitCode {
    let Some((id, meaning, fix, key)) = RULES.iter().find(|r| r.0 == args.rule) else {
        let known: Vec<&str> = RULES.iter().map(|r| r.0).collect();
        return fail(format!("no rule `{}` (known: {})", args.rule, known.join(", ")));
    };
    let packs: Vec<Pack> = match &args.pack {
        Some(arg) => match load_pack(arg) {
            Ok(p) => vec![p],
            Err(e) => return fail(e),
        },
        None => pack::built_in().to_vec(),
    };
    println!("{id}");
    println!("  meaning: {meaning}");
    println!("  fix: {fix}");
    if !key.is_empty() {
        let label = baseline::label(key);
        if label != "this setting" {
            println!("  setting: {label}");
        }
    }
    if *key == "salesforce-callback" {
        println!("  source: Salesforce Help: Configure the External Client App OAuth Settings <https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.configure_external_client_app_oauth_settings.htm>");
    } else if key.is_empty() {
        println!("  source: the pack's first source (the rule is about reading, not about a requirement)");
    } else {
        let mut any = false;
        for p in &packs {
            if let Some(src) = pack_source_for(p, key) {
                println!("  source ({}): {src}", p.id);
                any = true;
            }
        }
        if !any {
            println!("  source: none of these packs checks it");
        }
        if baseline::bool_baseline(key).is_some() || baseline::choice_baseline(key).is_some() {
            let b = baseline::source();
            println!("  Salesforce's baseline: {} <{}>", b.title, b.url);
        }
    }
    ExitCode::SUCCESS
}
