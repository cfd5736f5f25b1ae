//! Handing new credentials to the integration: a file sink (mode 0600, written atomically) and
//! a hook command (credential as JSON on its standard input, never in its arguments or
//! environment, its output never logged).

use std::io::Write as _;
use std::path::Path;

use eca_guard::pairing::Credentials;
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;

use crate::State;

/// Writes `bytes` to `path` atomically: a 0600 temporary file in the same directory, fsync,
/// rename over the target, fsync the directory. Readers see the old file or the new one.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        #[cfg(unix)]
        {
            // The mode given to open() is masked by the umask; set it explicitly.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            // Directory fsync makes the rename durable; not supported everywhere, so best effort.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
        let r = tokio::task::spawn_blocking(move || -> Result<usize, String> {
            let conn = crate::open_db(&dir)?;
            let all = crate::store::current_all(&conn).map_err(|e| e.to_string())?;
            let n = all.len();
            let json = serde_json::to_vec_pretty(&SinkFile { credentials: all }).map_err(|e| e.to_string())?;
            write_private_atomic(&sink, &json).map_err(|e| format!("{}: {e}", sink.display()))?;
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
