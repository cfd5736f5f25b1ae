//! `eca-guard generate`: write an sf project with one app that passes the pack. The files are
//! written to a temporary folder beside `--out`, read back and checked there exactly as `check`
//! would, and moved into place only when that check passes: a failed check leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use eca_guard::finding::Severity;
use eca_guard::metadata::{self, generate, AppKind, Event, ProblemLevel, Select};
use eca_guard::pack::{AppType, Pack, Params};

use crate::{check_cmd, fail};

/// Arguments of `eca-guard generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pack and what the integration uses.
    #[command(flatten)]
    pub pack: crate::PackArgs,
    /// API name of the app (letters, digits, single underscores; starts with a letter).
    #[arg(long)]
    pub name: String,
    /// Label shown in Setup (default: the API name).
    #[arg(long)]
    pub label: Option<String>,
    /// Contact email of the app.
    #[arg(long)]
    pub contact_email: String,
    /// Output folder (default: ./<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Metadata API version for package.xml and sfdx-project.json.
    #[arg(long, default_value = generate::API_VERSION)]
    pub api_version: String,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
    /// A profile whose users are pre-authorized (repeat; for "Admin approved users are
    /// pre-authorized": without a profile or permission set nobody can use the app).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// A permission set whose users are pre-authorized (repeat; its API name, as the Metadata
    /// API guide's sample writes it).
    #[arg(long = "permission-set", value_name = "NAME")]
    pub permission_sets: Vec<String>,
    /// The client credentials flow's Run As user (for packs that turn the flow on).
    #[arg(long, value_name = "USERNAME")]
    pub run_as: Option<String>,
    /// The JWT bearer flow's X.509 certificate, PEM (for packs that turn the flow on).
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
    /// How long refresh tokens stay valid, for packs asking for a timed refresh token policy:
    /// a number and h, d or M (90d, 12h, 6M).
    #[arg(long, value_name = "PERIOD")]
    pub refresh_token_validity: Option<generate::Validity>,
}

/// What reading the staged files back found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReadBack {
    /// `rule: message` of each error finding, and each file that could not be read.
    pub errors: Vec<String>,
    /// Warnings about the files.
    pub warnings: Vec<String>,
    /// Warning, deviation and info findings.
    pub counts: (usize, usize, usize),
}

/// Reads the generated app back from `project` and checks it against the pack.
fn read_back(project: &Path, pack: &Pack, params: &Params, name: &str) -> ReadBack {
    let mut rb = ReadBack::default();
    let select = Select {
        kind: Some(match pack.app_type {
            AppType::Eca => AppKind::Eca,
            AppType::ConnectedApp => AppKind::ConnectedApp,
        }),
        names: vec![name.to_string()],
    };
    let note = |level: ProblemLevel, reason: String, rb: &mut ReadBack| match level {
        ProblemLevel::Error => rb.errors.push(reason),
        ProblemLevel::Warning => rb.warnings.push(reason),
    };
    let walked = metadata::walk(&project.join(generate::SOURCE_DIR), &select, &mut |event| match event {
        Event::App(report) => {
            for p in &report.problems {
                note(p.level, p.reason.clone(), &mut rb);
            }
            for f in check_cmd::check_app(&report, pack, params) {
                match f.severity {
                    Severity::Error => rb.errors.push(format!("{}: {}", f.rule, f.message)),
                    Severity::Warning => rb.counts.0 += 1,
                    Severity::Deviation => rb.counts.1 += 1,
                    Severity::Info => rb.counts.2 += 1,
                }
            }
        }
        Event::Problem(p) => note(p.level, p.reason, &mut rb),
    });
    match walked {
        Ok(s) if s.apps == 0 => rb.errors.push(format!("app {name} was not found in the files written")),
        Ok(_) => {}
        Err(e) => rb.errors.push(e.to_string()),
    }
    rb
}

/// The nearest folder of `path` (itself or an ancestor) that exists.
fn existing_ancestor(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    loop {
        if p.is_dir() {
            return p;
        }
        match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => p = parent.to_path_buf(),
            _ => return PathBuf::from("."),
        }
    }
}

/// Why the files could not be staged or moved into place.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// No temporary folder could be made beside `--out`.
    #[error("{0}: cannot create a temporary folder: {1}")]
    Staging(PathBuf, std::io::Error),
    /// A folder or file could not be written.
    #[error("{0}: {1}")]
    Write(PathBuf, std::io::Error),
}

/// Writes `files` into a temporary folder beside `out`, runs `verify` on it, and moves the files
/// into `out` only when `verify` finds no error. Returns what `verify` found, or why the files
/// could not be written; on any error nothing is left in `out` that was not there before.
pub fn stage(
    files: &[generate::File],
    out: &Path,
    verify: impl FnOnce(&Path) -> ReadBack,
) -> Result<(ReadBack, Vec<PathBuf>), StageError> {
    let near = existing_ancestor(out);
    let staging = tempfile::Builder::new()
        .prefix(".eca-guard-generate-")
        .tempdir_in(&near)
        .map_err(|e| StageError::Staging(near.clone(), e))?;
    let write_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e| StageError::Write(p, e)
    };
    for f in files {
        let path = staging.path().join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        std::fs::write(&path, &f.contents).map_err(write_err(&path))?;
    }
    let found = verify(staging.path());
    if !found.errors.is_empty() {
        return Ok((found, Vec::new()));
    }
    let mut moved = Vec::new();
    for f in files {
        let to = out.join(&f.path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        let from = staging.path().join(&f.path);
        // Same file system (the temporary folder is inside an ancestor of --out), so a rename;
        // a copy where a mount point sits in between.
        if std::fs::rename(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(write_err(&to))?;
        }
        moved.push(to);
    }
    Ok((found, moved))
}

/// Runs `eca-guard generate`.
pub fn run(args: &Args) -> ExitCode {
    let (pack, params) = match args.pack.load(&[]) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let certificate = match &args.certificate {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) if t.contains("BEGIN CERTIFICATE") => Some(t),
            Ok(_) => {
                return fail(format!(
                    "{}: not a PEM certificate (no BEGIN CERTIFICATE line)",
                    p.display()
                ))
            }
            Err(e) => return fail(format!("{}: {e}", p.display())),
        },
        None => None,
    };
    let opts = generate::Options {
        name: args.name.clone(),
        label: args.label.clone().unwrap_or_else(|| args.name.clone()),
        contact_email: args.contact_email.clone(),
        params: params.clone(),
        api_version: Some(args.api_version.clone()),
        profiles: args.profiles.clone(),
        permission_sets: args.permission_sets.clone(),
        run_as: args.run_as.clone(),
        certificate,
        refresh_token_validity: args.refresh_token_validity,
    };
    let generated = match generate::generate(&pack, &opts) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    let existing: Vec<String> = generated
        .files
        .iter()
        .map(|f| out.join(&f.path))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        return fail(format!(
            "refusing to overwrite existing files (pass --force to replace them):\n  {}",
            existing.join("\n  ")
        ));
    }
    let staged = stage(&generated.files, &out, |dir| read_back(dir, &pack, &params, &opts.name));
    let (found, moved) = match staged {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    for w in &found.warnings {
        eprintln!("eca-guard: warning: {w}");
    }
    if !found.errors.is_empty() {
        for e in &found.errors {
            eprintln!("eca-guard: error: {e}");
        }
        eprintln!(
            "eca-guard: the generated files do not pass pack {} when read back; nothing was written to {}",
            pack.id,
            out.display()
        );
        return ExitCode::from(1);
    }
    for path in &moved {
        println!("wrote {}", path.display());
    }
    let n = |k: usize, word: &str| format!("{k} {word}{}", if k == 1 { "" } else { "s" });
    println!(
        "check --pack {}: 0 errors, {}, {} (required by the pack), {} info",
        pack.id,
        n(found.counts.0, "warning"),
        n(found.counts.1, "deviation"),
        found.counts.2
    );
    for note in &generated.notes {
        println!("Note: {note}");
    }
    let what = if pack.app_type == AppType::ConnectedApp {
        "Since Spring '26 new Connected Apps cannot be created; deploy this only to update an existing app of this name."
    } else {
        "Salesforce creates the consumer key and secret on deploy; reveal them in Setup > External Client App Manager."
    };
    println!("{what}");
    println!(
        "Deploy: cd {} && sf project deploy start --manifest manifest/package.xml --target-org <alias> (prerequisites: docs/cli.md, \"Deploying the generated folder\")",
        out.display()
    );
    for note in &pack.notes {
        println!("Note: {note}");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
#[allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.
mod tests {
    use super::*;

    fn files() -> Vec<generate::File> {
        vec![
            generate::File {
                path: "force-app/main/default/externalClientApps/A.eca-meta.xml".into(),
                contents: "<ExternalClientApplication/>".into(),
            },
            generate::File {
                path: "sfdx-project.json".into(),
                contents: "{}".into(),
            },
        ]
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|r| {
                r.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_failed_check_leaves_nothing_behind() {
        let t = tempfile::tempdir().expect("tempdir");
        let out = t.path().join("new/project");
        let failing = |_: &Path| ReadBack {
            errors: vec!["pkce: \"Require PKCE\" is on".into()],
            ..ReadBack::default()
        };
        let r = stage(&files(), &out, failing);
        assert!(
            matches!(&r, Ok((rb, moved)) if rb.errors.len() == 1 && moved.is_empty()),
            "{r:?}"
        );
        // Neither --out, nor its missing parent, nor the temporary folder is left.
        assert_eq!(entries(t.path()), Vec::<String>::new());
    }

    #[test]
    fn a_passing_check_moves_every_file_into_place() {
        let t = tempfile::tempdir().expect("tempdir");
        let out = t.path().join("project");
        let mut seen = Vec::new();
        let r = stage(&files(), &out, |dir| {
            seen = entries(dir);
            ReadBack::default()
        });
        assert!(
            matches!(&r, Ok((rb, moved)) if rb.errors.is_empty() && moved.len() == 2),
            "{r:?}"
        );
        assert_eq!(seen, ["force-app", "sfdx-project.json"]);
        assert!(out
            .join("force-app/main/default/externalClientApps/A.eca-meta.xml")
            .is_file());
        assert_eq!(entries(t.path()), ["project"]);
    }
}
