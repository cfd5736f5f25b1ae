//! `eca-guard bench` (hidden): generates trees of apps in a temporary folder, checks each in a
//! child `eca-guard check` process (one thread), and prints apps/s and peak RSS (VmHWM).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use eca_guard::metadata::generate::{self, SOURCE_DIR};
use eca_guard::pack::{self, Params};

use crate::fail;

/// Arguments of `eca-guard bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Apps in the large tree.
    #[arg(long, default_value_t = 10_000)]
    pub apps: usize,
    /// Apps in the small tree (to show that memory is flat).
    #[arg(long, default_value_t = 1_000)]
    pub small: usize,
    /// Apps per org folder.
    #[arg(long, default_value_t = 500)]
    pub per_org: usize,
    /// Where to build the trees (default: a new folder in the system temp dir, removed after).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

const PLACEHOLDER: &str = "BenchAppPlaceholder";
const SECURITY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SecuritySettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <networkAccess>\n        <ipRanges>\n            <end>203.0.113.255</end>\n            <start>203.0.113.0</start>\n        </ipRanges>\n    </networkAccess>\n    <sessionSettings>\n        <lockSessionsToDomain>true</lockSessionsToDomain>\n        <lockSessionsToIp>false</lockSessionsToIp>\n    </sessionSettings>\n</SecuritySettings>\n";

/// Writes `apps` Veeam ECAs (every 10th with PKCE on, an error) in orgs of `per_org` apps.
fn build_tree(dir: &Path, apps: usize, per_org: usize) -> Result<(), String> {
    let pack = pack::find("veeam-eca", &[]).map_err(|e| e.to_string())?;
    let opts = generate::Options {
        name: PLACEHOLDER.into(),
        label: PLACEHOLDER.into(),
        contact_email: "admin@example.com".into(),
        params: Params {
            callback_urls: vec!["https://veeam.example.com".into()],
            ..Params::default()
        },
        ..generate::Options::default()
    };
    let files: Vec<_> = generate::generate(pack, &opts)
        .map_err(|e| e.to_string())?
        .files
        .into_iter()
        .filter(|f| f.path.starts_with(SOURCE_DIR))
        .collect();
    let per_org = per_org.max(1);
    for i in 0..apps {
        let org = dir.join(format!("org{:04}", i / per_org)).join(SOURCE_DIR);
        if i % per_org == 0 {
            let settings = org.join("settings");
            std::fs::create_dir_all(&settings).map_err(|e| e.to_string())?;
            std::fs::write(settings.join("Security.settings-meta.xml"), SECURITY).map_err(|e| e.to_string())?;
        }
        let name = format!("App{i:06}");
        for f in &files {
            let rel = f.path.strip_prefix(SOURCE_DIR).unwrap_or(&f.path);
            let rel = rel.to_string_lossy().replace(PLACEHOLDER, &name);
            let path = org.join(rel);
            if i % per_org == 0 {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
            }
            let mut body = f.contents.replace(PLACEHOLDER, &name);
            if i % 10 == 0 {
                body = body.replace(
                    "<isPkceRequired>false</isPkceRequired>",
                    "<isPkceRequired>true</isPkceRequired>",
                );
            }
            std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

struct Stats {
    apps: u64,
    seconds: f64,
    vmhwm_kib: u64,
}

fn run_check(dir: &Path) -> Result<Stats, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args([
            "check",
            "--pack",
            "veeam-eca",
            "--callback",
            "https://veeam.example.com",
        ])
        .args(["--format", "json", "--stats"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("STATS "))
        .ok_or_else(|| format!("check printed no stats (status {}): {stderr}", out.status))?;
    let get = |key: &str| -> Option<&str> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
    };
    Ok(Stats {
        apps: get("apps").and_then(|v| v.parse().ok()).unwrap_or(0),
        seconds: get("seconds").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        vmhwm_kib: get("vmhwm_kib").and_then(|v| v.parse().ok()).unwrap_or(0),
    })
}

/// Runs the bench.
pub fn run(args: &Args) -> ExitCode {
    let (base, remove) = match &args.dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("eca-guard-bench-{}", std::process::id())),
            true,
        ),
    };
    let result = (|| -> Result<(Stats, Stats), String> {
        let small = base.join(format!("apps-{}", args.small));
        let large = base.join(format!("apps-{}", args.apps));
        eprintln!(
            "generating {} and {} apps under {} …",
            args.small,
            args.apps,
            base.display()
        );
        build_tree(&small, args.small, args.per_org)?;
        build_tree(&large, args.apps, args.per_org)?;
        // Warm the page cache once so both runs read from memory, as a CI rerun would.
        run_check(&large)?;
        Ok((run_check(&small)?, run_check(&large)?))
    })();
    if remove {
        let _ = std::fs::remove_dir_all(&base);
    }
    let (s, l) = match result {
        Ok(r) => r,
        Err(e) => return fail(format!("bench: {e}")),
    };
    let rate = |st: &Stats| {
        if st.seconds > 0.0 {
            st.apps as f64 / st.seconds
        } else {
            0.0
        }
    };
    println!(
        "bench: {} apps checked in {:.3} s = {:.0} apps/s (one thread); peak RSS {:.1} MiB",
        l.apps,
        l.seconds,
        rate(&l),
        l.vmhwm_kib as f64 / 1024.0
    );
    println!(
        "bench: {} apps checked in {:.3} s = {:.0} apps/s; peak RSS {:.1} MiB (memory flat: {:+.1} MiB for {}x the apps)",
        s.apps,
        s.seconds,
        rate(&s),
        s.vmhwm_kib as f64 / 1024.0,
        (l.vmhwm_kib as f64 - s.vmhwm_kib as f64) / 1024.0,
        l.apps.checked_div(s.apps).unwrap_or(0)
    );
    let target = 10_000.0;
    // The line for build.sh's closing table (tests/e2e/bench-table.mjs has the format).
    println!(
        "BENCH\teca-guard check, {} generated apps, one thread\t{:.0} apps/s, peak RSS {:.1} MiB\t>= 10,000 apps/s, RSS flat\t{} apps: peak RSS {:.1} MiB\t{}",
        l.apps,
        rate(&l),
        l.vmhwm_kib as f64 / 1024.0,
        s.apps,
        s.vmhwm_kib as f64 / 1024.0,
        if rate(&l) >= target { "met" } else { "missed" }
    );
    if rate(&l) < target {
        println!("bench: below the target of {target:.0} apps/s");
    }
    ExitCode::SUCCESS
}
