//! `--format text`: findings grouped per app, each with its fix, source and file, then a summary.

use std::io::{self, Write};

use eca_guard::finding::Finding;
use eca_guard::metadata::AppReport;
use eca_guard::settings::Field;

use super::{plural, severity_word, Ctx, End, Output};

/// The text format (no state).
#[derive(Default)]
pub struct Text;

impl Output for Text {
    fn begin(&mut self, _out: &mut dyn Write, _ctx: &Ctx<'_>) -> io::Result<()> {
        Ok(())
    }

    fn app(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, report: &AppReport, findings: &[Finding]) -> io::Result<()> {
        let root = match ctx.rel(&report.root).as_str() {
            "." => ctx.dir.display().to_string(),
            r => r.to_string(),
        };
        let label = report
            .snapshot
            .text(Field::Name)
            .filter(|l| *l != report.name)
            .map(|l| format!(" \"{l}\""))
            .unwrap_or_default();
        writeln!(out, "{root}: {} {}{label}", report.kind.as_str(), report.name)?;
        if findings.is_empty() {
            writeln!(out, "  ok: no findings")?;
        }
        for f in findings {
            // The message says "it" for the setting: its label comes first, once.
            let setting = f.field.map(|x| format!(" \"{}\"", x.label())).unwrap_or_default();
            writeln!(
                out,
                "  {:<9} {}{setting}: {}",
                severity_word(f.severity),
                f.rule,
                f.message
            )?;
            writeln!(out, "            fix: {}", f.fix)?;
            if !f.source.is_empty() {
                writeln!(out, "            source: {} <{}>", f.source_title, f.source)?;
            } else {
                writeln!(out, "            source: {}", f.source_title)?;
            }
            match report.location_of(f.field) {
                Some((file, Some(line))) => writeln!(out, "            file: {}:{line}", ctx.rel(file))?,
                Some((file, None)) => writeln!(out, "            file: {}", ctx.rel(file))?,
                None => {}
            }
        }
        writeln!(out)
    }

    fn end(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, end: &End<'_>) -> io::Result<()> {
        if end.status == crate::EXIT_INPUT {
            return Ok(());
        }
        let (t, s) = (end.tally, end.summary);
        writeln!(
            out,
            "Checked {} app{} in {} source folder{} against {} ({}): {} error{}, {} warning{}, {} deviation{}, {} info.",
            t.apps,
            plural(t.apps),
            s.roots,
            plural(s.roots),
            ctx.pack.id,
            ctx.pack.name,
            t.errors,
            plural(t.errors),
            t.warnings,
            plural(t.warnings),
            t.deviations,
            plural(t.deviations),
            t.infos
        )?;
        if t.problem_errors > 0 {
            writeln!(
                out,
                "{} error{} reading the files (see above): the settings concerned are unverified, so the check fails.",
                t.problem_errors,
                plural(t.problem_errors)
            )?;
        }
        if t.deviations > 0 {
            writeln!(out, "Deviations are settings weaker than Salesforce's baseline that this integration requires: correct, but limit who can use the app.")?;
        }
        Ok(())
    }
}
