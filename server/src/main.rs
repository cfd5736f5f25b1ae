//! `eca-guard-server`: the paired receiver for consumer keys and secrets.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use eca_guard::pairing::{self, PairingCode};
use eca_guard_server::store::{self, StoreError};
use eca_guard_server::text::{delivery, scope, shell_quote, shown, time};
use eca_guard_server::{Config, SetupError};
use vault_args::VaultArgs;

mod vault_args;

/// `println!` that stops quietly when stdout is closed (`eca-guard-server creds list | head`)
/// instead of panicking with "failed printing to stdout: Broken pipe".
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Receives Salesforce consumer keys and secrets from paired ECA Guard browsers, end-to-end
/// encrypted, stores them durably and hands them to the integration.
#[derive(Parser)]
#[command(name = "eca-guard-server", version)]
struct Cli {
    /// Data directory (server key, database). Created with mode 0700.
    #[arg(long, global = true, env = "ECA_GUARD_DATA", default_value = "eca-guard-data")]
    data: PathBuf,
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "ECA_GUARD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (127.0.0.1:8787 unless configured otherwise).
    Serve {
        /// Address to listen on (overrides the config).
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Command to run after each new credential (sh -c; the credential as JSON on stdin).
        #[arg(long)]
        hook: Option<String>,
        /// File to rewrite (mode 0600, atomically) with the current credential of every org and app.
        #[arg(long)]
        sink: Option<PathBuf>,
        /// Whether the store keeps each key and secret (false: only with the Vault sink).
        #[arg(long, value_name = "BOOL")]
        store_secrets: Option<bool>,
        #[command(flatten)]
        vault: VaultArgs,
    },
    /// Print a one-time pairing code to paste into the extension's options page
    /// (`pair list`, `pair cancel ID`: the codes not used yet).
    #[command(args_conflicts_with_subcommands = true)]
    Pair {
        /// Address browsers reach this server at (default: `public_url` from the config, else
        /// http://<listen>).
        #[arg(long)]
        url: Option<String>,
        /// Minutes the code stays valid (default: `pairing_ttl_secs` from the config, 10 min).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1440))]
        minutes: Option<u64>,
        /// Only this org (its API host, e.g. acme.my.salesforce.com) may be sent by the browser
        /// paired with this code; repeat for several. Default: any org.
        #[arg(long = "org", value_name = "ORG")]
        orgs: Vec<String>,
        #[command(subcommand)]
        action: Option<PairCmd>,
    },
    /// Paired browsers.
    Browsers {
        #[command(subcommand)]
        action: BrowsersCmd,
    },
    /// Stored credentials (key prefixes only; never secrets).
    Creds {
        #[command(subcommand)]
        action: CredsCmd,
    },
    /// Print one credential for a script (the current version unless --version).
    Get {
        /// Org, as listed by `creds list`.
        #[arg(long)]
        org: String,
        /// App, as listed by `creds list`.
        #[arg(long)]
        app: String,
        /// A given version (history) instead of the current one.
        #[arg(long)]
        version: Option<u32>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

#[derive(Subcommand)]
enum BrowsersCmd {
    /// List paired browsers.
    List,
    /// Revoke a browser: its messages are refused from now on.
    Revoke {
        /// Browser id (from `browsers list`). Ids are base64url and may begin with `-`.
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
}

#[derive(Subcommand)]
enum PairCmd {
    /// List the pairing codes not used yet (id, created, expires, orgs); never the code itself.
    List {
        /// Used, expired and cancelled codes too.
        #[arg(long)]
        all: bool,
    },
    /// Cancel a code that was not used yet: pairing with it is refused from now on.
    Cancel {
        /// Code id (from `pair list`).
        id: String,
    },
}

#[derive(Subcommand)]
enum CredsCmd {
    /// List org and app records with their current version.
    List {
        /// Only this org.
        #[arg(long)]
        org: Option<String>,
        /// Every version (rotation history), not just the current one.
        #[arg(long)]
        history: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// `{"org", "app", "version", "consumerKey", "consumerSecret", …}`.
    Json,
    /// `ECA_GUARD_CONSUMER_KEY=…` lines, shell-quoted.
    Env,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eca-guard-server: {e}");
            ExitCode::from(2)
        }
    }
}

/// Why a command failed (printed, exit status 2).
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Core(#[from] eca_guard::Error),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--org `{0}`: an org is its lower-case API host name, such as acme.my.salesforce.com")]
    BadOrg(String),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

fn load_config(cli: &Cli) -> Result<Config, SetupError> {
    match &cli.config {
        Some(p) => Config::load(p),
        None => Ok(Config::default()),
    }
}

fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let mut config = load_config(&cli)?;
    match cli.command {
        Command::Serve {
            listen,
            hook,
            sink,
            store_secrets,
            vault,
        } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            if hook.is_some() {
                config.hook = hook;
            }
            if sink.is_some() {
                config.sink = sink;
            }
            if let Some(s) = store_secrets {
                config.store_secrets = s;
            }
            vault.apply(&mut config);
            config.validate()?;
            let state = eca_guard_server::State::open(&cli.data, config)?;
            let rt = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
            rt.block_on(eca_guard_server::serve(state))?;
        }
        Command::Pair {
            action: Some(action), ..
        } => {
            let conn = eca_guard_server::open_db(&cli.data)?;
            let now = eca_guard_server::now_secs() as i64;
            match action {
                PairCmd::List { all } => {
                    let codes = store::pairing_codes(&conn, all, now)?;
                    if codes.is_empty() {
                        eprintln!("no open pairing codes");
                    }
                    for c in codes {
                        println!(
                            "{}\t{}\tcreated {}\texpires {}\t{}",
                            c.id,
                            c.state(now),
                            time(c.created_at),
                            time(c.expires_at),
                            scope(c.orgs.as_deref())
                        );
                    }
                }
                PairCmd::Cancel { id } => {
                    if store::cancel_pairing_code(&conn, &id, now)? {
                        tracing::info!(code = %id, "pairing code cancelled");
                        eprintln!("cancelled {id}");
                    } else {
                        eprintln!("eca-guard-server: no open pairing code {id} (see `pair list`)");
                        return Ok(ExitCode::from(1));
                    }
                }
            }
        }
        Command::Pair { url, minutes, orgs, .. } => {
            if url.is_some() {
                config.public_url = url;
            }
            if let Some(o) = orgs.iter().find(|o| !pairing::is_org_host(o)) {
                return Err(CliError::BadOrg(o.escape_debug().to_string()));
            }
            let origin = config.public_origin()?;
            eca_guard_server::ensure_data_dir(&cli.data)?;
            let keys = eca_guard_server::load_or_create_key(&cli.data)?;
            let conn = eca_guard_server::open_db(&cli.data)?;
            let mut token = [0u8; pairing::TOKEN_LEN];
            pairing::random(&mut token)?;
            let now = eca_guard_server::now_secs() as i64;
            let ttl_secs = minutes.map_or(config.pairing_ttl_secs, |m| m * 60);
            let ttl = i64::try_from(ttl_secs).unwrap_or(i64::MAX);
            let id = store::create_pairing_code(&conn, &token, now, ttl, &orgs)?;
            let minutes = ttl_secs.div_ceil(60);
            let fp = pairing::fingerprint(keys.public());
            let code = PairingCode {
                server: origin.clone(),
                fingerprint: fp,
                token,
            }
            .encode();
            eprintln!("Paste this code into ECA Guard's options page (valid {minutes} min, once):");
            println!("{code}");
            eprintln!(
                "Server {origin}, key fingerprint {}; code id {id} ({}; `pair cancel {id}` to cancel it)",
                pairing::short_fingerprint(&fp),
                scope(Some(&orgs).filter(|o| !o.is_empty()).map(Vec::as_slice))
            );
        }
        Command::Browsers { action } => {
            let conn = eca_guard_server::open_db(&cli.data)?;
            match action {
                BrowsersCmd::List => {
                    let list = store::browsers(&conn)?;
                    if list.is_empty() {
                        eprintln!("no paired browsers");
                    }
                    for b in list {
                        let state = if b.revoked_at.is_some() { "revoked" } else { "active" };
                        println!(
                            "{}\t{state}\tpaired {}\tlast seen {}\t{}\t{}",
                            b.id,
                            time(b.paired_at),
                            b.last_seen_at.map_or("never".into(), time),
                            scope(b.orgs.as_deref()),
                            shown(&b.label)
                        );
                    }
                }
                BrowsersCmd::Revoke { id } => {
                    if store::revoke(&conn, &id, eca_guard_server::now_secs() as i64)? {
                        tracing::info!(browser = %id, "browser revoked");
                        eprintln!("revoked {id}");
                    } else {
                        eprintln!("eca-guard-server: no browser {id} (see `browsers list`)");
                        return Ok(ExitCode::from(1));
                    }
                }
            }
        }
        Command::Creds {
            action: CredsCmd::List { org, history },
        } => {
            let conn = eca_guard_server::open_db(&cli.data)?;
            let list = store::list(&conn, org.as_deref())?;
            if list.is_empty() {
                eprintln!("no credentials stored");
            }
            for c in list {
                let rows = if history {
                    store::history_summary(&conn, &c.org, &c.app)?
                } else {
                    vec![c]
                };
                for v in rows {
                    println!(
                        "{}\t{}\tv{}\t{}\t{}\tfrom {}{}",
                        v.org,
                        v.app,
                        v.version,
                        v.key_prefix,
                        time(v.stored_at),
                        v.browser_id,
                        v.delivery.as_ref().map(delivery).unwrap_or_default()
                    );
                }
            }
        }
        Command::Get {
            org,
            app,
            version,
            format,
        } => {
            let conn = eca_guard_server::open_db(&cli.data)?;
            let Some(c) = store::get(&conn, &org, &app, version)? else {
                let kept_elsewhere = store::history_summary(&conn, &org, &app)?
                    .into_iter()
                    .find(|v| version.is_none_or(|n| n == v.version));
                match kept_elsewhere.and_then(|v| v.delivery) {
                    Some(d) => eprintln!(
                        "eca-guard-server: the secret of org `{org}` app `{app}` is not kept here (store_secrets = false); \
                         it is in Vault at {} ({})",
                        d.path,
                        d.state.as_str()
                    ),
                    None => eprintln!("eca-guard-server: nothing stored for org `{org}` app `{app}` (see `creds list`)"),
                }
                return Ok(ExitCode::from(1));
            };
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
                Format::Env => {
                    println!("ECA_GUARD_ORG={}", shell_quote(&c.org));
                    println!("ECA_GUARD_APP={}", shell_quote(&c.app));
                    println!("ECA_GUARD_VERSION={}", c.version);
                    println!("ECA_GUARD_CONSUMER_KEY={}", shell_quote(&c.consumer_key));
                    println!("ECA_GUARD_CONSUMER_SECRET={}", shell_quote(&c.consumer_secret));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn revoke_takes_an_id_that_begins_with_a_hyphen() {
        // Browser ids are base64url: about one in 64 begins with `-`.
        let cli = super::Cli::try_parse_from(["eca-guard-server", "browsers", "revoke", "-yQ2x_a"]);
        match cli.map(|c| c.command) {
            Ok(super::Command::Browsers {
                action: super::BrowsersCmd::Revoke { id },
            }) => assert_eq!(id, "-yQ2x_a"),
            Ok(_) => panic!("parsed as another command"),
            Err(e) => panic!("{e}"),
        }
    }
}
