//! The checker: a snapshot and a pack in, findings out. It knows each setting; the pack says
//! what the integration needs; `baseline.rs` says what Salesforce recommends.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::baseline;
use crate::callback;
use crate::error::Error;
use crate::finding::{Counts, Finding, Severity};
use crate::pack::{self, BoolRule, ChoiceRule, Config, Pack, Params};
use crate::scopes::{self, Recognised};
use crate::snapshot::{field, IpRange, Page, Snapshot};

/// Sources the checker itself cites (Salesforce's own rules, not the pack's).
/// The sources the core itself cites (title, URL), whatever the pack.
fn core_source(id: &str) -> Option<(&'static str, &'static str)> {
    match id {
        "salesforce-callback" => Some((
            "Salesforce Help: Configure the External Client App OAuth Settings",
            "https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.configure_external_client_app_oauth_settings.htm",
        )),
        "salesforce-baseline" => Some((baseline::SOURCE_TITLE, baseline::SOURCE_URL)),
        _ => None,
    }
}

/// Collects findings for one pack.
pub struct Ctx<'a> {
    pack: &'a Pack,
    findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    /// Adds a finding, resolving the source id against the pack, then the core's sources.
    pub fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        field: impl Into<Cow<'static, str>>,
        message: String,
        fix: String,
        source: &str,
    ) {
        // Borrowed until the finding is built: one copy of the title and URL, not of the Source.
        let (title, url) = core_source(source).unwrap_or_else(|| self.pack.source_parts(source));
        self.findings.push(Finding {
            rule: rule.into(),
            severity,
            field: field.into(),
            message,
            fix,
            source: url.to_string(),
            source_title: title.to_string(),
        });
    }
}

/// The result of checking a snapshot, with the pack it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// Pack id.
    pub pack: String,
    /// Pack display name.
    pub pack_name: String,
    /// Findings, in page order.
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub counts: Counts,
    /// The pack's notes (always true, whatever the page says).
    pub notes: Vec<String>,
}

/// Checks a snapshot against the pack chosen in the settings.
pub fn check_config(snapshot: &Snapshot, config: &Config) -> Result<CheckResult, Error> {
    pack::validate_custom(&config.custom_packs)?;
    check_validated(snapshot, config)
}

/// [`check_config`] for settings whose custom packs already passed [`pack::validate_custom`]
/// (the Wasm binding validates each distinct settings text once, not on every check).
pub fn check_validated(snapshot: &Snapshot, config: &Config) -> Result<CheckResult, Error> {
    let pack = pack::find(&config.pack, &config.custom_packs)?;
    let findings = check(snapshot, pack, &config.params);
    Ok(CheckResult {
        pack: pack.id.clone(),
        pack_name: pack.name.clone(),
        counts: Counts::of(&findings),
        findings,
        notes: notes(snapshot, pack),
    })
}

/// What Setup says about legacy Connected Apps, shown on their pages whatever the pack
/// (salesforce-facts.md: Spring '26; "remoteaccess_request_approve": five approvals per user).
pub const CONNECTED_APP_NOTE: &str = "New Connected Apps can no longer be created since Spring '26 (existing ones keep working; External Client Apps replace them). Use one Connected App per integration installation: a Connected App allows five approvals per user, and a sixth revokes the oldest.";

/// The pack's notes, plus notes the page itself calls for.
fn notes(snapshot: &Snapshot, pack: &Pack) -> Vec<String> {
    let mut out = pack.notes.clone();
    let connected_app_page = matches!(snapshot.page, Page::ConnectedAppEdit | Page::ConnectedAppDetail);
    // A Connected App pack says this in its own words already.
    if connected_app_page && pack.app_type != pack::AppType::ConnectedApp {
        out.push(CONNECTED_APP_NOTE.to_string());
    }
    out
}

/// Checks a snapshot against a pack.
pub fn check(snap: &Snapshot, pack: &Pack, params: &Params) -> Vec<Finding> {
    let mut ctx = Ctx {
        pack,
        findings: Vec::new(),
    };
    let r = &pack.rules;

    for u in &snap.unreadable {
        ctx.push(
            "field-unreadable",
            Severity::Warning,
            u.field.clone(),
            format!(
                "ECA Guard could not read \"{}\" on this page ({}), so it is not checked.",
                baseline::label(&u.field),
                u.reason
            ),
            "Check this setting by hand against the pack, or reload the page.".into(),
            pack.sources.first().map(|s| s.id.as_str()).unwrap_or(""),
        );
    }

    if let (Some(rule), Some(v)) = (&r.oauth_enabled, snap.oauth_enabled) {
        check_bool(&mut ctx, "oauth-disabled", field::OAUTH_ENABLED, rule, v);
    }
    // With OAuth off, Setup hides the OAuth section: its other fields are not checked.
    let oauth_on = snap.oauth_enabled != Some(false);

    if let (Some(rule), Some(shown)) = (&r.distribution_state, &snap.distribution_state) {
        check_choice(&mut ctx, "distribution-state", field::DISTRIBUTION_STATE, rule, shown);
    }
    if oauth_on {
        if let (Some(rule), Some(text)) = (&r.callback_url, &snap.callback_url) {
            let mut required = rule.urls.clone();
            if let Some(param) = &rule.from_param {
                let from = params.list(param);
                if from.is_empty() && rule.urls.is_empty() {
                    ctx.push(
                        "callback-unverified",
                        Severity::Warning,
                        field::CALLBACK_URL,
                        format!("ECA Guard does not know the addresses {} uses, so it cannot check that these callback URLs match exactly.", pack.name),
                        "Enter the integration's callback URLs in ECA Guard's options (Callback URLs).".into(),
                        &rule.source,
                    );
                }
                required.extend(from.iter().cloned());
            }
            callback::lint(&mut ctx, text, rule, &required);
        }
        if let (Some(rule), Some(shown)) = (&r.scopes, &snap.scopes) {
            check_scopes(&mut ctx, rule, params, shown);
        }
        let bools: [(&str, &str, &Option<BoolRule>, Option<bool>); 5] = [
            (
                "code-credentials-flow",
                field::CODE_CREDENTIALS_FLOW,
                &r.code_credentials_flow,
                snap.code_credentials_flow,
            ),
            (
                "client-credentials-flow",
                field::CLIENT_CREDENTIALS_FLOW,
                &r.client_credentials_flow,
                snap.client_credentials_flow,
            ),
            (
                "secret-web-server-flow",
                field::REQUIRE_SECRET_WEB_SERVER,
                &r.require_secret_web_server,
                snap.require_secret_web_server,
            ),
            (
                "secret-refresh-token-flow",
                field::REQUIRE_SECRET_REFRESH,
                &r.require_secret_refresh,
                snap.require_secret_refresh,
            ),
            ("pkce", field::REQUIRE_PKCE, &r.require_pkce, snap.require_pkce),
        ];
        for (rule_id, f, rule, value) in bools {
            if let (Some(rule), Some(v)) = (rule, value) {
                check_bool(&mut ctx, rule_id, f, rule, v);
            }
        }
    }
    if let (Some(rule), Some(shown)) = (&r.permitted_users, &snap.permitted_users) {
        check_choice(&mut ctx, "permitted-users", field::PERMITTED_USERS, rule, shown);
    }
    if let (Some(rule), Some(shown)) = (&r.ip_relaxation, &snap.ip_relaxation) {
        check_choice(&mut ctx, "ip-relaxation", field::IP_RELAXATION, rule, shown);
    }
    let session: [(&str, &str, &Option<BoolRule>, Option<bool>); 3] = [
        (
            "session-lock-ip",
            field::LOCK_SESSIONS_TO_IP,
            &r.lock_sessions_to_ip,
            snap.lock_sessions_to_ip,
        ),
        (
            "session-lock-domain",
            field::LOCK_SESSIONS_TO_DOMAIN,
            &r.lock_sessions_to_domain,
            snap.lock_sessions_to_domain,
        ),
        (
            "session-enforce-ip-ranges",
            field::ENFORCE_IP_RANGES_EVERY_REQUEST,
            &r.enforce_ip_ranges_every_request,
            snap.enforce_ip_ranges_every_request,
        ),
    ];
    for (rule_id, f, rule, value) in session {
        if let (Some(rule), Some(v)) = (rule, value) {
            check_bool(&mut ctx, rule_id, f, rule, v);
        }
    }
    if let Some(rule) = &r.login_ip_range {
        check_ip_ranges(&mut ctx, &rule.source, params, snap);
    }
    ctx.findings
}

fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

fn check_bool(ctx: &mut Ctx<'_>, rule_id: &'static str, f: &'static str, rule: &BoolRule, actual: bool) {
    let label = baseline::label(f);
    let pack_name = ctx.pack.name.clone();
    let weaker_than_baseline = baseline::bool_baseline(f).is_some_and(|b| b != rule.expect);
    let why = rule.why.clone().unwrap_or_default();
    if actual != rule.expect {
        let mut message = format!(
            "\"{label}\" is {}; {pack_name} needs it {}.",
            on_off(actual),
            on_off(rule.expect)
        );
        if weaker_than_baseline {
            message.push_str(&format!(
                " This is a required deviation from Salesforce's baseline ({}): {why}",
                on_off(!rule.expect)
            ));
        } else if !why.is_empty() {
            message.push(' ');
            message.push_str(&why);
        }
        let fix = if rule.expect {
            format!("Select \"{label}\".")
        } else {
            format!("Clear \"{label}\".")
        };
        ctx.push(
            rule_id,
            rule.severity.unwrap_or(Severity::Error),
            f,
            message,
            fix,
            &rule.source,
        );
    } else if weaker_than_baseline {
        ctx.push(
            rule_id,
            Severity::Deviation,
            f,
            format!(
                "\"{label}\" is {}, as {pack_name} requires. Salesforce's baseline is {}; this integration requires the deviation: {why}",
                on_off(actual),
                on_off(!actual)
            ),
            format!("Keep it {} for this integration, and limit who can use the app.", on_off(actual)),
            &rule.source,
        );
    }
}

fn check_choice(ctx: &mut Ctx<'_>, rule_id: &'static str, f: &'static str, rule: &ChoiceRule, shown: &str) {
    let label = baseline::label(f);
    let pack_name = ctx.pack.name.clone();
    let Some(value) = baseline::choice_value(shown) else {
        ctx.push(
            rule_id,
            Severity::Warning,
            f,
            format!("\"{label}\" shows \"{shown}\", which ECA Guard does not recognise, so it cannot tell whether {pack_name} works with it."),
            format!("Choose \"{}\".", baseline::choice_label(&rule.expect[0])),
            &rule.source,
        );
        return;
    };
    let wanted: Vec<&str> = rule.expect.iter().map(|v| baseline::choice_label(v)).collect();
    let baseline_value = baseline::choice_baseline(f);
    let why = rule.why.clone().unwrap_or_default();
    if !rule.expect.iter().any(|v| v == value) {
        let mut message = format!(
            "\"{label}\" is \"{}\"; {pack_name} needs \"{}\".",
            baseline::choice_label(value),
            wanted.join("\" or \"")
        );
        if baseline_value.is_some_and(|b| !rule.expect.iter().any(|v| v == b)) {
            message.push_str(&format!(
                " This is a required deviation from Salesforce's baseline (\"{}\"): {why}",
                baseline::choice_label(baseline_value.unwrap_or_default())
            ));
        } else if !why.is_empty() {
            message.push(' ');
            message.push_str(&why);
        }
        ctx.push(
            rule_id,
            rule.severity.unwrap_or(Severity::Error),
            f,
            message,
            format!("Choose \"{}\".", wanted[0]),
            &rule.source,
        );
    } else if let Some(b) = baseline_value.filter(|b| *b != value) {
        ctx.push(
            rule_id,
            Severity::Deviation,
            f,
            format!(
                "\"{label}\" is \"{}\", as {pack_name} requires. Salesforce recommends \"{}\"; this integration requires the deviation: {why}",
                baseline::choice_label(value),
                baseline::choice_label(b)
            ),
            "Keep it for this integration; make sure only the integration's users can use the app.".into(),
            &rule.source,
        );
    }
}

fn check_scopes(ctx: &mut Ctx<'_>, rule: &pack::ScopeRule, params: &Params, shown: &[String]) {
    let mut selected: Vec<&'static scopes::Scope> = Vec::new();
    for text in shown {
        match scopes::recognise(text) {
            Recognised::Known(s) => {
                if !selected.contains(&s) {
                    selected.push(s)
                }
            }
            Recognised::Unknown(t) => ctx.push(
                "scope-unknown",
                Severity::Warning,
                field::SCOPES,
                format!("ECA Guard does not know the scope \"{t}\"; it cannot tell whether it is needed."),
                "Remove it unless the integration's documentation asks for it.".into(),
                &rule.source,
            ),
        }
    }
    let mut required: Vec<&str> = rule.require.iter().map(String::as_str).collect();
    for (param, extra) in &rule.require_when {
        if params.flag(param) {
            required.extend(extra.iter().map(String::as_str));
        }
    }
    let required: Vec<&'static scopes::Scope> = required.into_iter().filter_map(scopes::by_protocol_name).collect();
    let pack_name = ctx.pack.name.clone();
    for want in &required {
        if !selected.contains(want) {
            let why = if want.id == "openid" && params.salesforce_idp {
                " because Salesforce is the identity provider"
            } else {
                ""
            };
            ctx.push(
                "scope-missing",
                Severity::Error,
                field::SCOPES,
                format!(
                    "\"{}\" is not selected; {pack_name} needs it{why}.",
                    scopes::display(want)
                ),
                format!(
                    "Move \"{}\" from Available OAuth Scopes to Selected OAuth Scopes.",
                    scopes::display(want)
                ),
                &rule.source,
            );
        }
    }
    if let Some(severity) = rule.extra {
        for s in &selected {
            let optional_openid = s.id == "openid" && rule.require_when.values().flatten().any(|n| n == "openid");
            if !required.contains(s) && !optional_openid {
                ctx.push(
                    "scope-extra",
                    severity,
                    field::SCOPES,
                    format!("\"{}\" is selected but {pack_name} does not need it; every extra scope widens what a leaked token can do.", scopes::display(s)),
                    format!("Move \"{}\" back to Available OAuth Scopes.", scopes::display(s)),
                    &rule.source,
                );
            }
        }
    }
}

/// Parses an address, tolerating a CIDR suffix or brackets.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    let t = t.split('/').next().unwrap_or(t);
    t.parse().ok()
}

fn ip_key(ip: IpAddr) -> (u8, u128) {
    match ip {
        IpAddr::V4(v4) => (4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (4, u128::from(u32::from(v4))),
            None => (6, u128::from(v6)),
        },
    }
}

/// Whether `ip` lies in any of `ranges` (ranges that do not parse are skipped).
pub fn in_ranges(ip: IpAddr, ranges: &[IpRange]) -> bool {
    let k = ip_key(ip);
    ranges.iter().any(|r| match (parse_ip(&r.start), parse_ip(&r.end)) {
        (Some(a), Some(b)) => {
            let (a, b) = (ip_key(a), ip_key(b));
            a.0 == k.0 && b.0 == k.0 && a.1 <= k.1 && k.1 <= b.1
        }
        _ => false,
    })
}

/// The integration server's addresses: `serverAddresses` plus IP literals among the callbacks.
pub fn server_addresses(params: &Params) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = params.server_addresses.iter().filter_map(|a| parse_ip(a)).collect();
    for u in &params.callback_urls {
        if let Ok(parsed) = crate::urls::parse(u.trim()) {
            let ip = match parsed.host {
                Some(crate::urls::Host::Ip(ip)) => Some(ip),
                _ => None,
            };
            if let Some(ip) = ip.filter(|ip| !ip.is_loopback() && !out.contains(ip)) {
                out.push(ip);
            }
        }
    }
    out
}

fn check_ip_ranges(ctx: &mut Ctx<'_>, source: &str, params: &Params, snap: &Snapshot) {
    let lists = [
        (field::LOGIN_IP_RANGES, &snap.login_ip_ranges, Severity::Error),
        (field::TRUSTED_IP_RANGES, &snap.trusted_ip_ranges, Severity::Warning),
    ];
    let addresses = server_addresses(params);
    let pack_name = ctx.pack.name.clone();
    for (f, ranges, severity) in lists {
        let Some(ranges) = ranges else { continue };
        if ranges.is_empty() && f == field::LOGIN_IP_RANGES {
            continue; // no login IP ranges: logins are allowed from anywhere
        }
        if addresses.is_empty() {
            ctx.push(
                "login-ip-range",
                Severity::Info,
                f,
                format!("ECA Guard does not know the IP addresses {pack_name} connects from, so it cannot check them against {}.", baseline::label(f)),
                "Enter the server's public IP addresses in ECA Guard's options (Server addresses).".into(),
                source,
            );
            continue;
        }
        for ip in &addresses {
            if !in_ranges(*ip, ranges) {
                let consequence = if f == field::LOGIN_IP_RANGES {
                    "Salesforce refuses the integration user's logins and token refreshes from it"
                } else {
                    "sign-ins from it are challenged for identity verification"
                };
                ctx.push(
                    "login-ip-range",
                    severity,
                    f,
                    format!(
                        "The server address {ip} is outside every range in {}: {consequence}.",
                        baseline::label(f)
                    ),
                    format!("Add a range that contains {ip} (start {ip}, end {ip})."),
                    source,
                );
            }
        }
    }
}
