//! `eca-guard check`: walk, check each app as it is read, print as it goes.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use eca_guard::finding::{Finding, Severity};
use eca_guard::metadata::{self, AppKind, AppReport, Event, Problem, ProblemLevel};
use eca_guard::pack::{AppType, Pack, Params};
use eca_guard::settings::Field;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::{fail, load_pack, Format};

/// Arguments of `eca-guard check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule pack: a built-in id (veeam-eca, veeam-connected-app, delphix-crt-eca) or a pack JSON file.
    #[arg(long)]
    pub pack: String,
    /// A callback URL the integration uses (repeat for each; Veeam: every address of its web UI).
    #[arg(long = "callback", value_name = "URL")]
    pub callbacks: Vec<String>,
    /// Salesforce is the integration's identity provider (Veeam: openid becomes required).
    #[arg(long)]
    pub salesforce_idp: bool,
    /// A public IP address the integration reaches Salesforce from (for IP ranges; repeat).
    #[arg(long = "server-address", value_name = "IP")]
    pub server_addresses: Vec<String>,
    /// Check only the app with this API name (repeat for several; default: every app).
    #[arg(long = "app", value_name = "API_NAME")]
    pub apps: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 on warnings too (files that could not be read always exit 1: their settings are unverified).
    #[arg(long)]
    pub strict: bool,
    /// Print counts, seconds and peak memory to stderr at the end (for the bench).
    #[arg(long, hide = true)]
    pub stats: bool,
    /// The metadata folder (e.g. the project root, force-app, or a folder of many orgs).
    pub dir: PathBuf,
}

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
}

/// Checks one app's snapshot: the same check the browser runs on a page.
pub fn check_app(report: &AppReport, pack: &Pack, params: &Params) -> Vec<Finding> {
    eca_guard::check(&report.snapshot, pack, params)
}

/// A path relative to the checked folder, with `/`.
fn rel(base: &Path, p: &Path) -> String {
    let r = p.strip_prefix(base).unwrap_or(p);
    let s = r.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    tty: bool,
}

impl Progress {
    fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} apps checked in {elapsed} {msg}") {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
            tty: io::stderr().is_terminal(),
        }
    }

    fn tick(&mut self) {
        self.bar.inc(1);
        if self.tty && !self.shown && self.started.elapsed() > Duration::from_millis(700) {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn print(&self, f: impl FnOnce()) {
        if self.shown {
            self.bar.suspend(f);
        } else {
            f();
        }
    }
}

#[derive(Default)]
struct Tally {
    errors: usize,
    warnings: usize,
    deviations: usize,
    infos: usize,
    apps: usize,
    apps_with_errors: usize,
    findings_written: usize,
    skipped_kind: usize,
    skipped_name: usize,
    named_seen: Vec<String>,
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Deviation => "deviation",
        Severity::Info => "info",
    }
}

fn print_problem(base: &Path, p: &Problem) {
    let level = match p.level {
        ProblemLevel::Error => "error",
        ProblemLevel::Warning => "warning",
    };
    eprintln!("eca-guard: {level}: {}: {}", rel(base, &p.path), p.reason);
}

fn write_text(out: &mut dyn Write, base: &Path, report: &AppReport, findings: &[Finding]) -> io::Result<()> {
    let root = match rel(base, &report.root).as_str() {
        "." => base.display().to_string(),
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
        writeln!(out, "  {:<9} {}: {}", severity_word(f.severity), f.rule, f.message)?;
        writeln!(out, "            fix: {}", f.fix)?;
        if !f.source.is_empty() {
            writeln!(out, "            source: {} <{}>", f.source_title, f.source)?;
        } else {
            writeln!(out, "            source: {}", f.source_title)?;
        }
        if let Some(file) = report.file_for(f.field) {
            writeln!(out, "            file: {}", rel(base, file))?;
        }
    }
    writeln!(out)
}

fn app_type(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Eca => "externalClientApp",
        AppKind::ConnectedApp => "connectedApp",
        AppKind::OrgSettings => "orgSettings",
    }
}

fn write_json(
    out: &mut dyn Write,
    base: &Path,
    report: &AppReport,
    findings: &[Finding],
    tally: &mut Tally,
) -> io::Result<()> {
    for f in findings {
        let jf = JsonFinding {
            finding: f,
            app: &report.name,
            app_type: app_type(report.kind),
            file: report.file_for(f.field).map(|p| rel(base, p)),
        };
        if tally.findings_written > 0 {
            out.write_all(b",\n  ")?;
        } else {
            out.write_all(b"\n  ")?;
        }
        serde_json::to_writer(&mut *out, &jf).map_err(io::Error::other)?;
        tally.findings_written += 1;
    }
    Ok(())
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`), when known.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `eca-guard check`.
pub fn run(args: &Args) -> ExitCode {
    let started = Instant::now();
    let pack = match load_pack(&args.pack) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let params = Params {
        callback_urls: args.callbacks.clone(),
        salesforce_idp: args.salesforce_idp,
        server_addresses: args.server_addresses.clone(),
    };
    let json = args.format == crate::Format::Json;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let base = match args.dir.file_name().and_then(|n| n.to_str()) {
        Some(n) if is_metadata_folder_name(n) => args.dir.parent().unwrap_or(&args.dir).to_path_buf(),
        _ => args.dir.clone(),
    };
    let mut tally = Tally::default();
    let mut progress = Progress::new();
    let mut io_error: Option<io::Error> = None;
    if json {
        let _ = out.write_all(b"{\"findings\": [");
    }
    let result = metadata::walk(&args.dir, &mut |event| match event {
        Event::App(report) => {
            progress.tick();
            let other_kind = match pack.app_type {
                AppType::Eca => report.kind == AppKind::ConnectedApp,
                AppType::ConnectedApp => report.kind == AppKind::Eca,
            };
            if other_kind {
                tally.skipped_kind += 1;
                return;
            }
            if !args.apps.is_empty() && report.kind != AppKind::OrgSettings {
                if !args.apps.contains(&report.name) {
                    tally.skipped_name += 1;
                    return;
                }
                tally.named_seen.push(report.name.clone());
            }
            for p in &report.problems {
                progress.print(|| print_problem(&base, p));
            }
            let findings = check_app(&report, &pack, &params);
            tally.apps += 1;
            let mut app_errors = 0;
            for f in &findings {
                match f.severity {
                    Severity::Error => {
                        tally.errors += 1;
                        app_errors += 1;
                    }
                    Severity::Warning => tally.warnings += 1,
                    Severity::Deviation => tally.deviations += 1,
                    Severity::Info => tally.infos += 1,
                }
            }
            if app_errors > 0 {
                tally.apps_with_errors += 1;
            }
            let written = if json {
                write_json(&mut out, &base, &report, &findings, &mut tally)
            } else if progress.shown {
                let mut buf = Vec::new();
                let r = write_text(&mut buf, &base, &report, &findings);
                progress.print(|| {
                    let _ = out.write_all(&buf);
                    let _ = out.flush();
                });
                r
            } else {
                write_text(&mut out, &base, &report, &findings)
            };
            if let Err(e) = written {
                io_error.get_or_insert(e);
            }
        }
        Event::Problem(p) => progress.print(|| print_problem(&base, &p)),
    });
    progress.bar.finish_and_clear();
    if json {
        let close: &[u8] = if tally.findings_written > 0 { b"\n]}\n" } else { b"]}\n" };
        let _ = out.write_all(close);
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = out.flush();
            return fail(e);
        }
    };
    if let Some(e) = io_error {
        if e.kind() != io::ErrorKind::BrokenPipe {
            let _ = out.flush();
            return fail(format!("writing the output: {e}"));
        }
    }
    if tally.skipped_kind > 0 {
        let (what, for_what) = match pack.app_type {
            AppType::Eca => ("Connected App", "External Client Apps"),
            AppType::ConnectedApp => ("External Client App", "Connected Apps"),
        };
        eprintln!(
            "eca-guard: note: skipped {} {what}{}: pack {} is for {for_what}",
            tally.skipped_kind,
            plural(tally.skipped_kind),
            pack.id
        );
    }
    for name in args.apps.iter().filter(|n| !tally.named_seen.contains(n)) {
        eprintln!(
            "eca-guard: warning: --app {name}: no app of this API name under {}",
            args.dir.display()
        );
    }
    let status = if summary.apps > 0 && tally.apps == 0 {
        let _ = out.flush();
        return fail(format!(
            "{}: no app to check with pack {} ({} of another kind, {} not named by --app)",
            args.dir.display(),
            pack.id,
            tally.skipped_kind,
            tally.skipped_name
        ));
    } else if summary.apps == 0 {
        let _ = out.flush();
        let why = if summary.files_failed > 0 {
            format!(
                "{}: none of the {} metadata files found could be read (see above)",
                args.dir.display(),
                summary.files_failed
            )
        } else {
            format!(
                "{}: no External Client App, Connected App or Security settings metadata found (expected folders such as force-app/main/default/externalClientApps, as `sf project retrieve` writes them)",
                args.dir.display()
            )
        };
        return fail(why);
    } else if summary.files_read == 0 {
        let _ = out.flush();
        return fail(format!(
            "{}: none of the {} metadata files found could be read (see above)",
            args.dir.display(),
            summary.files_failed
        ));
    } else if tally.errors > 0 || summary.files_failed > 0 || (args.strict && tally.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if !json {
        let _ = writeln!(
            out,
            "Checked {} app{} in {} source folder{} against {} ({}): {} error{}, {} warning{}, {} deviation{}, {} info.",
            tally.apps,
            plural(tally.apps),
            summary.roots,
            plural(summary.roots),
            pack.id,
            pack.name,
            tally.errors,
            plural(tally.errors),
            tally.warnings,
            plural(tally.warnings),
            tally.deviations,
            plural(tally.deviations),
            tally.infos
        );
        if summary.files_failed > 0 {
            let _ = writeln!(
                out,
                "{} file{} could not be read; the settings in {} are reported as unreadable.",
                summary.files_failed,
                plural(summary.files_failed),
                if summary.files_failed == 1 { "it" } else { "them" }
            );
        }
        if tally.deviations > 0 {
            let _ = writeln!(out, "Deviations are settings weaker than Salesforce's baseline that this integration requires: correct, but limit who can use the app.");
        }
    }
    let _ = out.flush();
    if args.stats {
        eprintln!(
            "STATS apps={} files={} failed={} seconds={:.4} vmhwm_kib={}",
            summary.apps,
            summary.files_read,
            summary.files_failed,
            started.elapsed().as_secs_f64(),
            peak_rss_kib().unwrap_or(0)
        );
    }
    status
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn is_metadata_folder_name(n: &str) -> bool {
    [
        "externalClientApps",
        "extlClntAppPolicies",
        "extlClntAppGlobalOauthSets",
        "extlClntAppOauthSettings",
        "extlClntAppOauthPolicies",
        "settings",
        "connectedApps",
    ]
    .contains(&n)
}
