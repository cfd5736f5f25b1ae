//! The callback URL linter (Salesforce Help, "Configure the External Client App OAuth
//! Settings"): one URL per line; the authorization request's redirect_uri must match one line
//! exactly; HTTPS or a custom URI scheme (http://localhost is accepted in practice); no
//! wildcards; 2,000 characters for the whole field.

use crate::check::{Ctx, Src};
use crate::finding::Severity;
use crate::pack::{CallbackRule, TrailingSlash, Wanted};
use crate::settings::{docs, Field};
use crate::urls;

/// The whole field may hold this many characters.
pub const MAX_FIELD_CHARS: usize = 2000;

/// Lines linted one by one; past this the field is far over the limit anyway, and a page
/// should not be flooded with thousands of marks.
pub const MAX_LINES_LINTED: usize = 200;

/// Schemes that are never valid redirect targets.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "file", "ftp", "vbscript", "about", "blob"];

/// Whether `http://host` is a loopback address Salesforce accepts without TLS.
fn is_loopback_host(url: &urls::ParsedUrl) -> bool {
    match &url.host {
        Some(urls::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(urls::Host::Ip(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A problem with one callback line by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// Rule id (`callback-invalid`, `callback-scheme`, `callback-trailing-slash`, …).
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
    /// Whether the requirement is the pack's (a trailing slash it forbids) rather than
    /// Salesforce's callback rules.
    pub pack_source: bool,
}

/// One non-blank line of the field.
#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    raw: &'a str,
    url: &'a str,
}

/// Lints the callback field against a rule and the URLs the integration will send: every one
/// of `wanted.all`, and one of each `wanted.any_of` group.
pub fn lint(ctx: &mut Ctx<'_>, text: &str, rule: &CallbackRule, wanted: &Wanted) {
    let src = Src::Pack(rule.source.as_str());
    let required = &wanted.all;
    let missing_severity = rule.severity.unwrap_or(Severity::Error);
    let chars = text.chars().count();
    if chars > MAX_FIELD_CHARS {
        ctx.push(
            "callback-invalid",
            Severity::Error,
            Some(Field::CallbackUrl),
            format!("The Callback URL field holds {chars} characters; Salesforce allows {MAX_FIELD_CHARS} in all, so the app cannot be saved."),
            "Remove callback URLs the integration does not use.".into(),
            Src::Doc(docs::OAUTH_SETTINGS),
        );
    }
    let lines: Vec<Line<'_>> = text
        .split('\n')
        .enumerate()
        .map(|(i, raw)| Line {
            number: i + 1,
            raw: raw.trim_end_matches('\r'),
            url: raw.trim(),
        })
        .filter(|l| !l.url.is_empty())
        .collect();

    if lines.is_empty() {
        let fix = match (required.is_empty(), wanted.any_of.first()) {
            (false, _) => format!("Enter {} (one URL per line).", required.join(" and ")),
            (true, Some(group)) => format!("Enter {}.", group.join(" or ")),
            (true, None) => "Enter the URL the integration redirects to after sign-in.".to_string(),
        };
        ctx.push(
            "callback-missing",
            missing_severity,
            Some(Field::CallbackUrl),
            "The Callback URL field is empty; Salesforce needs at least one, and sign-in fails with redirect_uri_mismatch without the right one.".into(),
            fix,
            src,
        );
        return;
    }

    // A list, not a HashSet: at most MAX_LINES_LINTED short lines, and hashing would add
    // hashbrown and SipHash to the Wasm module.
    let mut seen: Vec<&str> = Vec::new();
    for line in lines.iter().take(MAX_LINES_LINTED) {
        for p in line_problems(line.number, line.raw, rule) {
            let source = if p.pack_source {
                src
            } else {
                Src::Doc(docs::OAUTH_SETTINGS)
            };
            ctx.push(p.rule, p.severity, Some(Field::CallbackUrl), p.message, p.fix, source);
        }
        if seen.contains(&line.url) {
            ctx.push(
                "callback-duplicate",
                Severity::Warning,
                Some(Field::CallbackUrl),
                format!("Line {} repeats {}.", line.number, line.url),
                "Delete the repeated line.".into(),
                Src::Doc(docs::OAUTH_SETTINGS),
            );
        } else {
            seen.push(line.url);
        }
    }

    if lines.len() > MAX_LINES_LINTED {
        ctx.push(
            "callback-invalid",
            Severity::Warning,
            Some(Field::CallbackUrl),
            format!(
                "The field has {} lines; ECA Guard checked the first {MAX_LINES_LINTED} one by one.",
                lines.len()
            ),
            "Remove callback URLs the integration does not use.".into(),
            Src::Doc(docs::OAUTH_SETTINGS),
        );
    }

    for want in required {
        mismatch(ctx, &lines, rule, want.trim(), missing_severity, src);
    }
    for group in &wanted.any_of {
        if group.iter().any(|u| lines.iter().any(|l| l.url == u.trim())) {
            continue;
        }
        // A near miss on one of them says which line to change; otherwise ask for any one.
        let near = group.iter().find(|u| {
            lines.iter().any(|l| {
                l.url
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(u.trim().trim_end_matches('/'))
            })
        });
        match near {
            Some(u) => mismatch(ctx, &lines, rule, u.trim(), missing_severity, src),
            None => ctx.push(
                "callback-mismatch",
                missing_severity,
                Some(Field::CallbackUrl),
                format!(
                    "None of {} is among the callback URLs; the integration redirects to one of them, and sign-in fails with redirect_uri_mismatch.",
                    group.join(", ")
                ),
                format!("Add {} on a line of its own (both, if the field allows).", group.join(" or ")),
                src,
            ),
        }
    }

    if let Some(severity) = rule.extra {
        let all: Vec<&String> = required.iter().chain(wanted.any_of.iter().flatten()).collect();
        if !all.is_empty() {
            for l in lines.iter().take(MAX_LINES_LINTED) {
                let near = all.iter().any(|r| {
                    r.trim()
                        .trim_end_matches('/')
                        .eq_ignore_ascii_case(l.url.trim_end_matches('/'))
                });
                if !near {
                    ctx.push(
                        "callback-extra",
                        severity,
                        Some(Field::CallbackUrl),
                        format!("Line {} ({}) is not a URL this integration uses.", l.number, l.url),
                        format!("Remove line {} unless another client needs it.", l.number),
                        src,
                    );
                }
            }
        }
    }
}

/// One required URL that no line has exactly: a near miss (final slash, letter case) names its
/// line; otherwise the URL is missing.
fn mismatch(ctx: &mut Ctx<'_>, lines: &[Line<'_>], rule: &CallbackRule, want: &str, severity: Severity, src: Src<'_>) {
    {
        if want.is_empty() || lines.iter().any(|l| l.url == want) {
            return;
        }
        let slash_variant = lines
            .iter()
            .find(|l| l.url.trim_end_matches('/') == want.trim_end_matches('/'));
        let case_variant = lines.iter().find(|l| l.url.eq_ignore_ascii_case(want));
        let (message, fix) = if let Some(l) = slash_variant {
            if rule.trailing_slash == TrailingSlash::Forbid && l.url.ends_with('/') {
                return; // already reported as callback-trailing-slash on that line
            }
            (
                format!("{want} is not in the field; line {} has {}, which differs by its final slash. The redirect must match exactly.", l.number, l.url),
                format!("Change line {} to {want}.", l.number),
            )
        } else if let Some(l) = case_variant {
            (
                format!("{want} is not in the field; line {} has {}, which differs in letter case. The redirect must match exactly.", l.number, l.url),
                format!("Change line {} to {want}.", l.number),
            )
        } else {
            (
                format!("{want} is not among the callback URLs; sign-in from it fails with redirect_uri_mismatch."),
                format!("Add {want} on a line of its own."),
            )
        };
        ctx.push(
            "callback-mismatch",
            severity,
            Some(Field::CallbackUrl),
            message,
            fix,
            src,
        );
    }
}

/// What is wrong with one line by itself (not whether the integration uses it), as the form
/// and ECA Guard's own options both check it.
pub fn line_problems(number: usize, raw: &str, rule: &CallbackRule) -> Vec<LineProblem> {
    let line = Line {
        number,
        raw: raw.trim_end_matches('\r'),
        url: raw.trim(),
    };
    let mut out = Vec::new();
    let mut push = |rule: &'static str, severity, message, fix, pack_source| {
        out.push(LineProblem {
            rule,
            severity,
            message,
            fix,
            pack_source,
        });
    };
    let n = line.number;
    if line.raw != line.url {
        push(
            "callback-whitespace",
            Severity::Warning,
            format!("Line {n} has spaces before or after the URL; Salesforce compares callback URLs exactly."),
            format!("Delete the spaces around {} on line {n}.", line.url),
            false,
        );
    }
    if line.url.contains('*') {
        push(
            "callback-invalid",
            Severity::Error,
            format!(
                "Line {n} ({}) contains a wildcard; Salesforce does not accept wildcards in callback URLs.",
                line.url
            ),
            "List every exact URL on its own line instead.".into(),
            false,
        );
        return out;
    }
    if line.url.contains(char::is_whitespace) || line.url.contains(',') {
        let parts = line
            .url
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|p| !p.is_empty())
            .count();
        if parts > 1 {
            push(
                "callback-invalid",
                Severity::Error,
                format!("Line {n} holds {parts} URLs; Salesforce reads one URL per line."),
                format!("Put each URL of line {n} on a line of its own."),
                false,
            );
            return out;
        }
    }
    let parsed = match urls::parse(line.url) {
        Ok(u) => u,
        Err(e) => {
            let hint = if !line.url.is_ascii() {
                " If the host name has non-ASCII letters, enter its xn-- (punycode) form."
            } else if !line.url.contains("://") && !line.url.contains(':') {
                " It needs a scheme, such as https://."
            } else {
                ""
            };
            push(
                "callback-invalid",
                Severity::Error,
                format!("Line {n} ({}) is not a URL: {e}.{hint}", line.url),
                format!("Correct line {n} to a full URL such as https://server.example.com."),
                false,
            );
            return out;
        }
    };
    let scheme = parsed.scheme.as_str();
    let bad_scheme = match scheme {
        "https" => None,
        "http" if is_loopback_host(&parsed) => None,
        "http" => Some(format!(
            "Line {n} ({}) uses plain http; Salesforce accepts only https, http://localhost, or a custom scheme, because the redirect carries the authorization code.",
            line.url
        )),
        s if FORBIDDEN_SCHEMES.contains(&s) => Some(format!("Line {n} uses the {s}: scheme, which cannot be a redirect target.")),
        _ => None,
    };
    if let Some(message) = bad_scheme {
        push(
            "callback-scheme",
            Severity::Error,
            message,
            format!("Use https:// on line {n} (or http://localhost for a tool on the same machine)."),
            false,
        );
    }
    if rule.trailing_slash == TrailingSlash::Forbid && line.url.ends_with('/') && matches!(scheme, "http" | "https") {
        let without = line.url.trim_end_matches('/');
        push(
            "callback-trailing-slash",
            Severity::Error,
            format!("Line {n} ({}) ends with a slash; this integration sends its redirect without one, so Salesforce's exact match fails with redirect_uri_mismatch.", line.url),
            format!("Change line {n} to {without}."),
            true,
        );
    }
    out
}
