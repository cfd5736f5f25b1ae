//! `eca-guard check`: walk, check each app as it is read, write each app's findings as they come
//! (memory stays flat), then decide the exit status. Output formats: `text.rs`, `json.rs`,
//! `sarif.rs`; the exit status rules are the contract's (docs/contract.md, "Command line").

mod json;
mod progress;
mod sarif;
mod text;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use eca_guard::finding::{Finding, Severity};
use eca_guard::metadata::{self, AppKind, AppReport, Event, Problem, ProblemLevel, Select, Summary};
use eca_guard::pack::{AppType, Pack, Params};

use crate::fail;

use progress::Progress;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped per app, for people.
    Text,
    /// `{"findings": [...]}`, for machines.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
}

/// Arguments of `eca-guard check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack and what the integration uses.
    #[command(flatten)]
    pub pack: crate::PackArgs,
    /// A public IP address the integration reaches Salesforce from (for IP ranges; repeat).
    #[arg(long = "server-address", value_name = "IP")]
    pub server_addresses: Vec<String>,
    /// Check only the app with this API name (repeat for several; default: every app). A name
    /// that matches no app of the pack's kind fails the run.
    #[arg(long = "app", value_name = "API_NAME")]
    pub apps: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 on warnings too: warning findings and warnings about files (unknown elements, a
    /// missing companion file, a secret in a file). Files or values that could not be read
    /// always exit 1: their settings are unverified.
    #[arg(long)]
    pub strict: bool,
    /// Print counts, seconds and peak memory to stderr at the end (for the bench).
    #[arg(long, hide = true)]
    pub stats: bool,
    /// The metadata folder (e.g. the project root, force-app, or a folder of many orgs).
    pub dir: PathBuf,
}

/// What every output format needs besides the findings.
pub struct Ctx<'a> {
    /// The folder given on the command line: `file` paths are relative to it.
    pub dir: &'a Path,
    /// The pack.
    pub pack: &'a Pack,
}

impl Ctx<'_> {
    /// A path relative to the folder given, with `/` (`../x` when the walk read the parent of
    /// a metadata folder given, for that folder's companions).
    pub fn rel(&self, p: &Path) -> String {
        let slash = |r: &Path| r.to_string_lossy().replace('\\', "/");
        let parent = match self.dir.parent() {
            Some(p) if p.as_os_str().is_empty() => Path::new("."),
            Some(p) => p,
            None => self.dir,
        };
        let p = p.strip_prefix(".").unwrap_or(p);
        if let Ok(r) = p.strip_prefix(self.dir.strip_prefix(".").unwrap_or(self.dir)) {
            let s = slash(r);
            return if s.is_empty() { ".".into() } else { s };
        }
        match p.strip_prefix(parent.strip_prefix(".").unwrap_or(parent)) {
            Ok(r) if parent != self.dir => format!("../{}", slash(r)),
            _ => slash(p),
        }
    }
}

/// How a run ended, for the formats' closing words.
pub struct End<'a> {
    /// What the walk saw.
    pub summary: &'a Summary,
    /// What was found.
    pub tally: &'a Tally,
    /// The exit status about to be returned.
    pub status: u8,
    /// What made the run fail besides findings and files (an --app that names nothing), and
    /// notes for the end of the run; both are also printed on stderr.
    pub verdict: &'a Verdict,
}

/// The exit status, with the words that explain it.
#[derive(Debug, Default)]
pub struct Verdict {
    /// 0, 1 or 2.
    pub status: u8,
    /// Why the run fails although no finding or file says so (printed as errors).
    pub errors: Vec<String>,
    /// Things to know (printed as notes).
    pub notes: Vec<String>,
}

/// One output format, written as the walk goes.
pub trait Output {
    /// Before the first app.
    fn begin(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>) -> io::Result<()>;
    /// One app with its findings.
    fn app(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, report: &AppReport, findings: &[Finding]) -> io::Result<()>;
    /// A problem with a file (also printed on stderr).
    fn problem(&mut self, _ctx: &Ctx<'_>, _p: &Problem) {}
    /// After the last app.
    fn end(&mut self, out: &mut dyn Write, ctx: &Ctx<'_>, end: &End<'_>) -> io::Result<()>;
}

/// Counts of findings and problems.
#[derive(Default)]
pub struct Tally {
    /// Findings by severity.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Deviation findings.
    pub deviations: usize,
    /// Info findings.
    pub infos: usize,
    /// Apps (and org settings) checked.
    pub apps: usize,
    /// Problems with files, by level.
    pub problem_errors: usize,
    /// Warnings about files.
    pub problem_warnings: usize,
    /// Names given with --app that were checked.
    pub named_seen: Vec<String>,
}

/// Checks one app's snapshot: the same check the browser runs on a page.
pub fn check_app(report: &AppReport, pack: &Pack, params: &Params) -> Vec<Finding> {
    eca_guard::check(&report.snapshot, pack, params)
}

/// The contract's severity word.
pub fn severity_word(s: Severity) -> &'static str {
    s.as_str()
}

/// `externalClientApp`, `connectedApp` or `orgSettings`.
pub fn app_type(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Eca => "externalClientApp",
        AppKind::ConnectedApp => "connectedApp",
        AppKind::OrgSettings => "orgSettings",
    }
}

fn print_problem(ctx: &Ctx<'_>, p: &Problem) {
    let level = match p.level {
        ProblemLevel::Error => "error",
        ProblemLevel::Warning => "warning",
    };
    eprintln!("eca-guard: {level}: {}: {}", ctx.rel(&p.path), p.reason);
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`), when known.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `s` for plurals.
pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The exit status and the words that explain it (docs/cli.md, "Exit status"). Exit 2 only when
/// nothing could be read, or nothing that --app asks for is there.
fn decide(args: &Args, pack: &Pack, summary: &Summary, tally: &Tally) -> Verdict {
    let dir = args.dir.display();
    let (other, for_what, other_pack) = match pack.app_type {
        AppType::Eca => ("Connected App", "External Client Apps", "veeam-connected-app"),
        AppType::ConnectedApp => ("External Client App", "Connected Apps", "veeam-eca"),
    };
    let mut v = Verdict::default();
    if summary.skipped_kind > 0 {
        let s = plural(summary.skipped_kind);
        v.notes.push(format!(
            "skipped {} {other}{s}: pack {} is for {for_what} (a pack for {other}s, such as {other_pack}, checks them)",
            summary.skipped_kind, pack.id
        ));
    }
    if summary.global_oauth_missing > 0 {
        let n = summary.global_oauth_missing;
        v.notes.push(format!(
            "{n} External Client App{} without an ExtlClntAppGlobalOauthSettings file: {}.",
            plural(n),
            metadata::GLOBAL_OAUTH_MISSING
        ));
    }
    if summary.not_checked > 0 {
        let n = summary.not_checked;
        v.notes.push(format!(
            "{n} ExtlClntAppOauthSecuritySettings file{} (.ecaOauthSecurity) not checked: the Metadata API guide documents no field of this type that a pack checks",
            plural(n)
        ));
    }
    for name in args.apps.iter().filter(|n| !tally.named_seen.contains(n)) {
        v.errors.push(if summary.named_other_kind.contains(name) {
            format!("--app {name}: {name} is a {other}; pack {} is for {for_what}", pack.id)
        } else {
            format!("--app {name}: no app of this API name under {dir}")
        });
    }
    if summary.files_found == 0 {
        v.status = crate::EXIT_INPUT;
        v.errors.push(format!(
            "{dir}: no External Client App, Connected App or Security settings metadata found (files such as NAME.eca-meta.xml or Security.settings-meta.xml, as `sf project retrieve` writes them)"
        ));
    } else if summary.files_read == 0 && summary.files_failed > 0 {
        v.status = crate::EXIT_INPUT;
        v.errors.push(format!(
            "{dir}: none of the {} metadata files found could be read (see above)",
            summary.files_failed
        ));
    } else if !args.apps.is_empty() && tally.named_seen.is_empty() {
        v.status = crate::EXIT_INPUT;
        v.errors
            .push(format!("{dir}: nothing to check: no app that --app names is there"));
    } else {
        if tally.apps == 0 {
            v.notes
                .push(format!("nothing in {dir} is for pack {}: no app was checked", pack.id));
        }
        let strict_fail = args.strict && (tally.warnings > 0 || tally.problem_warnings > 0);
        let fails = tally.errors > 0 || tally.problem_errors > 0 || !v.errors.is_empty() || strict_fail;
        v.status = u8::from(fails);
    }
    v
}

/// Runs `eca-guard check`.
pub fn run(args: &Args) -> ExitCode {
    let started = Instant::now();
    let (pack, params) = match args.pack.load(&args.server_addresses) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let ctx = Ctx {
        dir: &args.dir,
        pack: &pack,
    };
    let mut output: Box<dyn Output> = match args.format {
        Format::Text => Box::new(text::Text),
        Format::Json => Box::new(json::Json::default()),
        Format::Sarif => Box::new(sarif::Sarif::new()),
    };
    let select = Select {
        kind: Some(match pack.app_type {
            AppType::Eca => AppKind::Eca,
            AppType::ConnectedApp => AppKind::ConnectedApp,
        }),
        names: args.apps.clone(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut tally = Tally::default();
    let mut progress = Progress::new();
    let mut io_error: Option<io::Error> = None;
    let keep = |r: io::Result<()>, slot: &mut Option<io::Error>| {
        if let Err(e) = r {
            slot.get_or_insert(e);
        }
    };
    keep(output.begin(&mut out, &ctx), &mut io_error);
    let on_problem = |p: &Problem, tally: &mut Tally, output: &mut Box<dyn Output>, progress: &Progress| {
        match p.level {
            ProblemLevel::Error => tally.problem_errors += 1,
            ProblemLevel::Warning => tally.problem_warnings += 1,
        }
        output.problem(&ctx, p);
        progress.print(|| print_problem(&ctx, p));
    };
    let result = metadata::walk(&args.dir, &select, &mut |event| match event {
        Event::App(report) => {
            progress.tick();
            if report.kind != AppKind::OrgSettings && !args.apps.is_empty() {
                tally.named_seen.push(report.name.clone());
            }
            for p in &report.problems {
                on_problem(p, &mut tally, &mut output, &progress);
            }
            let findings = check_app(&report, &pack, &params);
            tally.apps += 1;
            for f in &findings {
                match f.severity {
                    Severity::Error => tally.errors += 1,
                    Severity::Warning => tally.warnings += 1,
                    Severity::Deviation => tally.deviations += 1,
                    Severity::Info => tally.infos += 1,
                }
            }
            let written = if progress.shown {
                let mut buf = Vec::new();
                let r = output.app(&mut buf, &ctx, &report, &findings);
                progress.print(|| {
                    let _ = out.write_all(&buf);
                    let _ = out.flush();
                });
                r
            } else {
                output.app(&mut out, &ctx, &report, &findings)
            };
            keep(written, &mut io_error);
        }
        Event::Problem(p) => on_problem(&p, &mut tally, &mut output, &progress),
    });
    progress.bar.finish_and_clear();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = out.flush();
            return fail(e);
        }
    };
    let verdict = decide(args, &pack, &summary, &tally);
    let end = End {
        summary: &summary,
        tally: &tally,
        status: verdict.status,
        verdict: &verdict,
    };
    keep(output.end(&mut out, &ctx, &end), &mut io_error);
    let _ = out.flush();
    for e in &verdict.errors {
        eprintln!("eca-guard: error: {e}");
    }
    for note in &verdict.notes {
        eprintln!("eca-guard: note: {note}");
    }
    if let Some(e) = io_error {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return fail(format!("writing the output: {e}"));
        }
    }
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
    ExitCode::from(verdict.status)
}
