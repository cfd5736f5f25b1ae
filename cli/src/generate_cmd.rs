//! `eca-guard generate`: write an sf project with one app that passes the pack, then check it.

use std::path::PathBuf;
use std::process::ExitCode;

use eca_guard::finding::Severity;
use eca_guard::metadata::{self, generate, Event};
use eca_guard::pack::{AppType, Params};

use crate::{check_cmd, fail, load_pack};

/// Arguments of `eca-guard generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule pack: a built-in id or a pack JSON file.
    #[arg(long)]
    pub pack: String,
    /// API name of the app (letters, digits, single underscores; starts with a letter).
    #[arg(long)]
    pub name: String,
    /// Label shown in Setup (default: the API name).
    #[arg(long)]
    pub label: Option<String>,
    /// Contact email of the app.
    #[arg(long)]
    pub contact_email: String,
    /// A callback URL (repeat for each; Veeam: every address of its web UI, no trailing slash).
    #[arg(long = "callback", value_name = "URL")]
    pub callbacks: Vec<String>,
    /// A choice the pack declares, as NAME=VALUE (repeat; `eca-guard packs` lists them, e.g.
    /// client=claude for salesforce-mcp-eca).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub choices: Vec<String>,
    /// Salesforce is the integration's identity provider (Veeam: adds the openid scope).
    #[arg(long)]
    pub salesforce_idp: bool,
    /// Output folder (default: ./<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Metadata API version for package.xml and sfdx-project.json.
    #[arg(long, default_value = generate::API_VERSION)]
    pub api_version: String,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
    /// A profile whose users are pre-authorized (repeat; for packs that need admin approval).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// A permission set whose users are pre-authorized (repeat; for packs that need admin approval).
    #[arg(long = "permission-set", value_name = "NAME")]
    pub permission_sets: Vec<String>,
    /// The client credentials flow's Run As user (for packs that turn the flow on).
    #[arg(long, value_name = "USERNAME")]
    pub run_as: Option<String>,
    /// The JWT bearer flow's X.509 certificate, PEM (for packs that turn the flow on).
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
}

/// Runs `eca-guard generate`.
pub fn run(args: &Args) -> ExitCode {
    let pack = match load_pack(&args.pack) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let choices = match crate::choices(&pack, &args.choices) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let params = Params {
        callback_urls: args.callbacks.clone(),
        salesforce_idp: args.salesforce_idp,
        server_addresses: Vec::new(),
        choices,
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
    };
    let files = match generate::generate(&pack, &opts) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    let existing: Vec<String> = files
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
    for f in &files {
        let path = out.join(&f.path);
        if let Some(parent) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                return fail(format!("{}: {e}", parent.display()));
            }
        }
        if let Err(e) = std::fs::write(&path, &f.contents) {
            return fail(format!("{}: {e}", path.display()));
        }
        println!("wrote {}", path.display());
    }

    // Read back what was written, exactly as `check` would.
    let mut errors = 0usize;
    let mut counts = (0usize, 0usize, 0usize);
    let mut problems = Vec::new();
    let walked = metadata::walk(&out.join(generate::SOURCE_DIR), &mut |event| match event {
        // Only the generated app: --out may be an existing project with other apps.
        Event::App(report) if report.name != opts.name => {}
        Event::App(report) => {
            problems.extend(report.problems.iter().map(|p| p.reason.clone()));
            for f in check_cmd::check_app(&report, &pack, &params) {
                match f.severity {
                    Severity::Error => {
                        errors += 1;
                        eprintln!("eca-guard: error: {}: {}", f.rule, f.message);
                    }
                    Severity::Warning => counts.0 += 1,
                    Severity::Deviation => counts.1 += 1,
                    Severity::Info => counts.2 += 1,
                }
            }
        }
        Event::Problem(p) => problems.push(p.reason),
    });
    if let Err(e) = walked {
        return fail(format!("reading back {}: {e}", out.display()));
    }
    for p in &problems {
        eprintln!("eca-guard: warning: {p}");
    }
    let n = |k: usize, word: &str| format!("{k} {word}{}", if k == 1 { "" } else { "s" });
    println!(
        "check --pack {}: {}, {}, {} (required by the pack), {} info",
        pack.id,
        n(errors, "error"),
        n(counts.0, "warning"),
        n(counts.1, "deviation"),
        counts.2
    );
    let what = if pack.app_type == AppType::ConnectedApp {
        "Since Spring '26 new Connected Apps cannot be created; deploy this only to update an existing app of this name."
    } else {
        "Salesforce creates the consumer key and secret on deploy; reveal them in Setup > External Client App Manager."
    };
    println!("{what}");
    println!(
        "Deploy: cd {} && sf project deploy start --manifest manifest/package.xml --target-org <alias>",
        out.display()
    );
    for note in &pack.notes {
        println!("Note: {note}");
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
