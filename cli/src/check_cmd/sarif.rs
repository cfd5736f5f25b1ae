//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps). One run; the
//! tool's rules are the core's rule catalogue (`eca_guard::catalogue`) with their help text and
//! source; one result per finding, its level from the severity (error → error, warning →
//! warning, deviation and info → note), its location the file relative to the checked folder
//! and the setting's line. Results are written as the apps come (memory stays flat); problems
//! reading files become the invocation's notifications.

use std::io::{self, Write};
use std::path::Path;

use eca_guard::catalogue::{self, Origin, RuleInfo};
use eca_guard::finding::{Finding, Severity};
use eca_guard::metadata::{AppReport, Problem, ProblemLevel};
use eca_guard::pack::Pack;
use serde_json::{json, Value};

use super::{app_type, Ctx, End, Output};

/// The schema the output declares (SARIF 2.1.0, as code scanning services read it).
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base the result paths are relative to.
const BASE_ID: &str = "CHECKED_DIR";

/// Notifications kept for the invocation; past this, one more says how many were left out
/// (stderr has them all), so that memory stays flat on huge trees.
const MAX_NOTIFICATIONS: usize = 1000;

/// The SARIF format.
pub struct Sarif {
    rules: Vec<RuleInfo>,
    written: usize,
    notifications: Vec<Value>,
    left_out: usize,
}

impl Sarif {
    /// A writer with the core's rule catalogue.
    pub fn new() -> Sarif {
        Sarif {
            rules: catalogue::rules(),
            written: 0,
            notifications: Vec::new(),
            left_out: 0,
        }
    }

    fn notify(&mut self, level: &str, text: String, uri: Option<String>) {
        if self.notifications.len() >= MAX_NOTIFICATIONS {
            self.left_out += 1;
            return;
        }
        let mut n = json!({"level": level, "message": {"text": text}});
        if let Some(uri) = uri {
            n["locations"] = json!([{"physicalLocation": {"artifactLocation": artifact(uri)}}]);
        }
        self.notifications.push(n);
    }
}

/// A URI reference for a relative path: every byte outside RFC 3986's unreserved and sub-delim
/// characters (and `/`, `:`, `@`) percent-encoded.
pub fn uri_ref(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact(uri: String) -> Value {
    json!({"uri": uri, "uriBaseId": BASE_ID})
}

/// The checked folder as a `file:` URI ending in `/`, when it can be made absolute.
fn base_uri(dir: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(dir).ok()?;
    url::Url::from_directory_path(abs).ok().map(String::from)
}

/// Where a rule's requirement is written down: Salesforce's page, or the pack's source for it.
fn help_uri(pack: &Pack, r: &RuleInfo) -> Option<String> {
    let url = match r.origin {
        Origin::Salesforce(doc) => doc.url.to_string(),
        Origin::Pack => r
            .fields
            .iter()
            .find_map(|f| pack.rules.for_field(*f))
            .map(|rule| pack.source_parts(rule.source()).1.to_string())
            .or_else(|| r.fields.first().map(|f| f.spec().doc.url.to_string()))?,
        Origin::Reading => return None,
    };
    url::Url::parse(&url).ok().map(String::from)
}

fn rule_json(pack: &Pack, r: &RuleInfo) -> Value {
    let short = r.meaning.split_inclusive(". ").next().unwrap_or(&r.meaning).trim_end();
    let uri = help_uri(pack, r);
    let mut markdown = format!("{}\n\n**Fix:** {}", r.meaning, r.fix);
    if let Some(u) = &uri {
        markdown.push_str(&format!("\n\nSource: <{u}>"));
    }
    let origin = match r.origin {
        Origin::Pack => "pack",
        Origin::Salesforce(_) => "salesforce",
        Origin::Reading => "reading",
    };
    let mut rule = json!({
        "id": r.id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": r.meaning},
        "help": {"text": format!("{} Fix: {}", r.meaning, r.fix), "markdown": markdown},
        "properties": {"tags": ["salesforce", "security"], "origin": origin},
    });
    if let Some(u) = uri {
        rule["helpUri"] = Value::String(u);
    }
    rule
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Deviation | Severity::Info => "note",
    }
}

impl Output for Sarif {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>) -> io::Result<()> {
        let rules: Vec<Value> = self.rules.iter().map(|r| rule_json(ctx.pack, r)).collect();
        let driver = json!({
            "name": "eca-guard",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
            "properties": {"pack": ctx.pack.id, "packName": ctx.pack.name},
        });
        write!(
            out,
            "{{\"$schema\": \"{SCHEMA}\", \"version\": \"2.1.0\", \"runs\": [{{\"tool\": {{\"driver\": "
        )?;
        serde_json::to_writer(&mut *out, &driver).map_err(io::Error::other)?;
        out.write_all(b"}")?;
        if let Some(base) = base_uri(ctx.dir) {
            let bases = json!({BASE_ID: {"uri": base}});
            out.write_all(b", \"originalUriBaseIds\": ")?;
            serde_json::to_writer(&mut *out, &bases).map_err(io::Error::other)?;
        }
        out.write_all(b", \"results\": [")
    }

    fn app(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, report: &AppReport, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            let mut result = json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": {"text": match f.field {
                    Some(field) => format!("\"{}\": {} Fix: {}", field.label(), f.message, f.fix),
                    None => format!("{} Fix: {}", f.message, f.fix),
                }},
                "properties": {
                    "severity": f.severity.as_str(),
                    "app": report.name,
                    "appType": app_type(report.kind),
                    "source": f.source,
                    "sourceTitle": f.source_title,
                },
            });
            if let Some(i) = self.rules.iter().position(|r| r.id == f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(field) = f.field {
                result["properties"]["field"] = json!(field.name());
            }
            if let Some((file, line)) = report.location_of(f.field) {
                let mut physical = json!({"artifactLocation": artifact(uri_ref(&ctx.rel(file)))});
                if let Some(line) = line.filter(|l| *l > 0) {
                    physical["region"] = json!({"startLine": line});
                }
                result["locations"] = json!([{
                    "physicalLocation": physical,
                    "logicalLocations": [{"name": report.name, "kind": "resource"}],
                }]);
            }
            out.write_all(if self.written > 0 { b",\n  " } else { b"\n  " })?;
            serde_json::to_writer(&mut *out, &result).map_err(io::Error::other)?;
            self.written += 1;
        }
        Ok(())
    }

    fn problem(&mut self, ctx: &Ctx<'_>, p: &Problem) {
        let level = match p.level {
            ProblemLevel::Error => "error",
            ProblemLevel::Warning => "warning",
        };
        self.notify(level, p.reason.clone(), Some(uri_ref(&ctx.rel(&p.path))));
    }

    fn end(&mut self, out: &mut dyn Write, _ctx: &Ctx<'_>, end: &End<'_>) -> io::Result<()> {
        for e in &end.verdict.errors {
            self.notify("error", e.clone(), None);
        }
        for n in &end.verdict.notes {
            self.notify("note", n.clone(), None);
        }
        if self.left_out > 0 {
            let text = format!("{} more notifications left out (stderr lists them all)", self.left_out);
            self.notifications
                .push(json!({"level": "note", "message": {"text": text}}));
        }
        let invocation = json!({
            "executionSuccessful": end.status != crate::EXIT_INPUT,
            "exitCode": end.status,
            "toolExecutionNotifications": std::mem::take(&mut self.notifications),
        });
        out.write_all(if self.written > 0 {
            b"\n], \"invocations\": ["
        } else {
            b"], \"invocations\": ["
        })?;
        serde_json::to_writer(&mut *out, &invocation).map_err(io::Error::other)?;
        out.write_all(b"]}]}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_become_uri_references() {
        assert_eq!(
            uri_ref("orgA/force-app/A_oauth.ecaOauth-meta.xml"),
            "orgA/force-app/A_oauth.ecaOauth-meta.xml"
        );
        assert_eq!(uri_ref("my org/Ü.eca"), "my%20org/%C3%9C.eca");
        assert_eq!(uri_ref("../x#1"), "../x%231");
    }

    #[test]
    fn levels_follow_the_severity() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Deviation), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
