//! `--format json`: exactly `{"findings": [...]}`, each finding with the contract's fields
//! (docs/contract.md, "Findings") plus where it comes from; written as the apps come.

use std::io::{self, Write};

use eca_guard::finding::Finding;
use eca_guard::metadata::AppReport;
use serde::Serialize;

use super::{app_type, Ctx, End, Output};

/// A finding as `--format json` prints it: the contract's fields plus where it comes from.
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    /// The app's API name.
    app: &'a str,
    /// `externalClientApp`, `connectedApp` or `orgSettings`.
    #[serde(rename = "appType")]
    app_type: &'static str,
    /// The file the setting is in, relative to the checked folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    /// The line of the setting's element in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

/// The JSON format: how many findings are written so far.
#[derive(Default)]
pub struct Json {
    written: usize,
}

impl Output for Json {
    fn begin(&mut self, out: &mut dyn Write, _ctx: &Ctx<'_>) -> io::Result<()> {
        out.write_all(b"{\"findings\": [")
    }

    fn app(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, report: &AppReport, findings: &[Finding]) -> io::Result<()> {
        for f in findings {
            let location = report.location_of(f.field);
            let jf = JsonFinding {
                finding: f,
                app: &report.name,
                app_type: app_type(report.kind),
                file: location.map(|(p, _)| ctx.rel(p)),
                line: location.and_then(|(_, l)| l),
            };
            out.write_all(if self.written > 0 { b",\n  " } else { b"\n  " })?;
            serde_json::to_writer(&mut *out, &jf).map_err(io::Error::other)?;
            self.written += 1;
        }
        Ok(())
    }

    fn end(&mut self, out: &mut dyn Write, _ctx: &Ctx<'_>, _end: &End<'_>) -> io::Result<()> {
        out.write_all(if self.written > 0 { b"\n]}\n" } else { b"]}\n" })
    }
}
