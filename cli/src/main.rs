//! `eca-guard`: the core's checks as a command-line tool for Salesforce metadata.
//!
//! Exit status (docs/contract.md, "Command line"): 0 no errors (warnings and deviations
//! allowed), 1 errors found, 2 the input could not be read (with a message saying why).

/// `println!` that stops quietly when stdout is closed (`eca-guard packs | head`) instead of
/// panicking with "failed printing to stdout: Broken pipe". Defined before the modules, so it
/// shadows the standard macro in all of them.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod bench;
mod check_cmd;
mod generate_cmd;
mod lint;
mod packs_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use eca_guard::pack::{self, Pack, Params};

/// Check Salesforce External Client App metadata against an integration's rule pack, or
/// generate an app that passes it.
#[derive(Debug, Parser)]
#[command(name = "eca-guard", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format of `packs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings grouped per app, for people.
    Text,
    /// `{"findings": [...]}`, for machines.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a metadata folder as `sf project retrieve` writes it (any number of apps and orgs).
    Check(check_cmd::Args),
    /// Write a deployable source folder for one app that passes a pack.
    Generate(generate_cmd::Args),
    /// List the built-in rule packs, their rules and sources.
    Packs(packs_cmd::PacksArgs),
    /// Explain a rule id: what it means, how to fix it, where it comes from.
    Explain(packs_cmd::ExplainArgs),
    /// Benchmark: generate a tree of apps, check it, print apps/s and peak memory.
    #[command(hide = true)]
    Bench(bench::Args),
}

/// Exit status 2: the input could not be read or the command could not run.
pub const EXIT_INPUT: u8 = 2;

/// Prints `eca-guard: <message>` to stderr and returns exit status 2.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("eca-guard: {message}");
    ExitCode::from(EXIT_INPUT)
}

/// Loads a pack by built-in id, or from a JSON file (a path, or any argument ending in .json).
pub fn load_pack(arg: &str) -> Result<Pack, String> {
    let path = PathBuf::from(arg);
    if arg.ends_with(".json") || path.is_file() {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("pack file {arg}: {e}"))?;
        let pack = pack::parse(&text).map_err(|e| format!("pack file {arg}: {e}"))?;
        pack::validate_custom(std::slice::from_ref(&pack)).map_err(|e| format!("pack file {arg}: {e}"))?;
        return Ok(pack);
    }
    pack::find(arg, &[]).cloned().map_err(|e| e.to_string())
}

/// The arguments `check` and `generate` share: the pack and what the integration uses.
#[derive(Debug, clap::Args)]
pub struct PackArgs {
    /// Rule pack: a built-in id (`eca-guard packs` lists them) or a pack JSON file.
    #[arg(long)]
    pub pack: String,
    /// A callback URL the integration uses (repeat for each; Veeam: every address of its web UI).
    #[arg(long = "callback", value_name = "URL")]
    pub callbacks: Vec<String>,
    /// A choice the pack declares, as NAME=VALUE (repeat; `eca-guard packs` lists them, e.g.
    /// client=claude for salesforce-mcp-eca).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub choices: Vec<String>,
    /// Salesforce is the integration's identity provider (Veeam: the openid scope is required).
    #[arg(long)]
    pub salesforce_idp: bool,
}

impl PackArgs {
    /// The pack and its parameters (`server_addresses`: `check`'s `--server-address`), or the
    /// message saying which argument is wrong.
    pub fn load(&self, server_addresses: &[String]) -> Result<(Pack, Params), String> {
        let pack = load_pack(&self.pack)?;
        let choices = choices(&pack, &self.choices)?;
        let params = Params {
            callback_urls: self.callbacks.clone(),
            salesforce_idp: self.salesforce_idp,
            server_addresses: server_addresses.to_vec(),
            choices,
        };
        Ok((pack, params))
    }
}

/// The pack's choice parameters from `--param NAME=VALUE`: each name declared by the pack as a
/// choice, each value one of its values.
fn choices(pack: &Pack, given: &[String]) -> Result<eca_guard::json::Pairs<String>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for g in given {
        let (name, value) = g
            .split_once('=')
            .ok_or_else(|| format!("--param {g}: write NAME=VALUE"))?;
        let spec = pack
            .params
            .get(name)
            .filter(|s| !s.values.is_empty())
            .ok_or_else(|| format!("--param {name}: pack {} has no choice `{name}`", pack.id))?;
        if !spec.values.iter().any(|v| v.value == value) {
            let known: Vec<&str> = spec.values.iter().map(|v| v.value.as_str()).collect();
            return Err(format!("--param {name}={value}: not one of {}", known.join(", ")));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(eca_guard::json::Pairs(out))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check_cmd::run(&args),
        Command::Generate(args) => generate_cmd::run(&args),
        Command::Packs(args) => match &args.action {
            Some(packs_cmd::PacksAction::Lint { file }) => lint::run(file),
            Some(packs_cmd::PacksAction::Schema) => lint::print_schema(),
            None => packs_cmd::packs(&args),
        },
        Command::Explain(args) => packs_cmd::explain(&args),
        Command::Bench(args) => bench::run(&args),
    }
}
