//! Handing new credentials to the integration: a file sink (mode 0600, written atomically) and
//! a hook command (credential as JSON on its standard input, never in its arguments or
//! environment, its output never logged).

use std::io::Write as _;
use std::path::Path;

use eca_guard::pairing::Credentials;
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;

use crate::State;

/// Refuses a directory that another user could write into: whoever can write there can
/// replace the file between our writes or plant names we would open (docs/server.md, "Files").
/// Group- or world-writable (sticky or not), or owned by another user than us or root.
pub fn check_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::metadata(dir)?;
        let owner = meta.uid();
        let me = rustix::process::geteuid().as_raw();
        if meta.mode() & 0o022 != 0 || (owner != me && owner != 0) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "others can write to {} (mode {:o}, owner uid {owner}): use a directory only this user can write",
                    dir.display(),
                    meta.mode() & 0o7777
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a 0600 temporary file with a random name, created
/// exclusively (`O_EXCL`: a name planted in advance, symlink or not, is never opened) in the
/// same directory, fsync, rename over the target, fsync the directory. Readers see the old file
/// or the new one. The directory must be one only this user can write ([`check_private_dir`]).
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    check_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    // Removed on drop if anything below fails.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Directory fsync makes the rename durable; not supported everywhere, so best effort.
        let _ = d.sync_all();
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HookInput<'a> {
    org: &'a str,
    app: &'a str,
    version: u32,
    consumer_key: &'a str,
    consumer_secret: &'a str,
}

/// Why the sink could not be rewritten (logged; the credential is already stored).
#[derive(Debug, thiserror::Error)]
enum SinkError {
    #[error(transparent)]
    Open(#[from] crate::SetupError),
    #[error("reading the store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("encoding the sink: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("{}: {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

#[derive(Serialize)]
struct SinkFile {
    credentials: Vec<crate::store::StoredCredential>,
}

/// Runs the configured sink and hook after a new version was stored (failures are logged,
/// never returned: the credential is already durably stored and acknowledged).
pub async fn after_store(state: &State, c: &Credentials, version: u32) {
    let cfg = state.config();
    if let Some(sink) = &cfg.sink {
        let _guard = state.0.sink_lock.lock().await;
        let dir = state.0.data_dir.clone();
        let sink = sink.clone();
        let r = tokio::task::spawn_blocking(move || -> Result<usize, SinkError> {
            let conn = crate::open_db(&dir)?;
            let all = crate::store::current_all(&conn)?;
            let n = all.len();
            let json = serde_json::to_vec_pretty(&SinkFile { credentials: all })?;
            write_private_atomic(&sink, &json).map_err(|source| SinkError::Write { path: sink, source })?;
            Ok(n)
        })
        .await;
        match r {
            Ok(Ok(n)) => tracing::info!(records = n, "sink updated"),
            Ok(Err(e)) => tracing::error!(error = %e, "sink update failed"),
            Err(e) => tracing::error!(error = %e, "sink task failed"),
        }
    }
    if let Some(cmd) = &cfg.hook {
        let input = HookInput {
            org: &c.org,
            app: &c.app,
            version,
            consumer_key: &c.consumer_key,
            consumer_secret: &c.consumer_secret,
        };
        let Ok(json) = serde_json::to_vec(&input) else { return };
        let (org, app) = (c.org.clone(), c.app.clone());
        let cmd = cmd.clone();
        tokio::spawn(async move {
            let child = tokio::process::Command::new("sh")
                .arg("-c")
                .arg(&cmd)
                .env("ECA_GUARD_ORG", &org)
                .env("ECA_GUARD_APP", &app)
                .env("ECA_GUARD_VERSION", version.to_string())
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
            let mut child = match child {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "hook could not start");
                    return;
                }
            };
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(&json).await;
                drop(stdin);
            }
            match child.wait().await {
                Ok(s) if s.success() => tracing::info!(org = %org, app = %app, version, "hook done"),
                Ok(s) => tracing::error!(org = %org, app = %app, status = %s, "hook failed"),
                Err(e) => tracing::error!(error = %e, "hook failed"),
            }
        });
    }
}
