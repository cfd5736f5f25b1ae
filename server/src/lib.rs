//! `eca-guard-server`: receives consumer keys and secrets from paired browsers, sealed with
//! HPKE (see `eca_guard::pairing`), stores them durably in SQLite and hands them to the
//! integration (hook command or file sink).
//!
//! [`app`] builds the router (testable with `tower::ServiceExt::oneshot`); [`State::open`]
//! prepares the data directory (keys, database) and starts the store's writer thread.

pub mod config;
pub mod handoff;
pub mod host;
pub mod http;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use eca_guard::pairing::{self, ErrorBody, ErrorDetail, KeyPair, OpenError, PairReply, Receipt, ServerInfo};

pub use config::Config;
pub use http::{serve, serve_on};
use store::StoreError;

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// File names inside the data directory.
pub const KEY_FILE: &str = "server.key";
/// The database.
pub const DB_FILE: &str = "store.sqlite3";

/// Creates the data directory (and any missing parent) with mode 0700. An existing directory
/// is left as it is: it may be shared, and its mode is its owner's decision; the files the
/// server puts in it are 0600 either way.
pub fn ensure_data_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(dir) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::debug!(path = %dir.display(), "the data directory is open to other users; its files are 0600");
                }
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Loads the server's X25519 key from the data directory, creating it (mode 0600) on first use.
pub fn load_or_create_key(dir: &Path) -> Result<KeyPair, String> {
    let path = dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(raw) => KeyPair::from_secret(&raw).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let kp = KeyPair::generate().map_err(|e| e.to_string())?;
            handoff::write_private_atomic(&path, kp.secret())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), fingerprint = %pairing::short_fingerprint(&pairing::fingerprint(kp.public())), "created the server key");
            Ok(kp)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Opens the database in the data directory.
pub fn open_db(dir: &Path) -> Result<rusqlite::Connection, String> {
    store::open(&dir.join(DB_FILE)).map_err(|e| format!("cannot open the store in {}: {e}", dir.display()))
}

/// Shared state of the HTTP server.
#[derive(Clone)]
pub struct State(Arc<Inner>);

struct Inner {
    config: Config,
    keys: KeyPair,
    writer: store::Writer,
    /// Reads (browser lookups) on their own connection: WAL readers never wait for the
    /// writer's fsync. Queries take microseconds, so a plain mutex is enough.
    reader: std::sync::Mutex<rusqlite::Connection>,
    info: ServerInfo,
    data_dir: PathBuf,
    sink_lock: tokio::sync::Mutex<()>,
}

impl State {
    /// Prepares the data directory and starts the writer.
    pub fn open(data_dir: &Path, config: Config) -> Result<Self, String> {
        config.validate()?;
        if let Some(sink) = &config.sink {
            let dir = sink
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            handoff::check_private_dir(dir).map_err(|e| format!("`sink`: {e}"))?;
        }
        ensure_data_dir(data_dir)?;
        let keys = load_or_create_key(data_dir)?;
        let conn = open_db(data_dir)?;
        let writer = store::Writer::start(conn).map_err(|e| format!("cannot start the store: {e}"))?;
        let reader = std::sync::Mutex::new(open_db(data_dir)?);
        let info = ServerInfo {
            v: pairing::VERSION,
            name: config.name.clone(),
            public_key: pairing::b64(keys.public()),
            fingerprint: pairing::short_fingerprint(&pairing::fingerprint(keys.public())),
            callback_urls: config.callback_urls.clone(),
            pack: config.pack.clone(),
        };
        Ok(State(Arc::new(Inner {
            config,
            keys,
            writer,
            reader,
            info,
            data_dir: data_dir.to_path_buf(),
            sink_lock: tokio::sync::Mutex::new(()),
        })))
    }

    /// The published info.
    pub fn info(&self) -> &ServerInfo {
        &self.0.info
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.0.config
    }
}

/// Every refusal. The message is for people and never contains secrets or internals.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Body over the limit.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// The body did not arrive in time.
    #[error("the request body did not arrive within {0} s")]
    BodyTimeout(u64),
    /// Not JSON content type.
    #[error("send the sealed message as application/json")]
    ContentType,
    /// A web page (not the extension) is calling.
    #[error("requests from web pages are not accepted")]
    WebOrigin,
    /// Bad JSON, base64 or lengths. Fixed text: a parser's own message quotes what the client
    /// sent, and would carry it into the log and the answer.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// Credentials that do not pass validation.
    #[error("malformed request: {0}")]
    Invalid(eca_guard::pairing::CredentialsError),
    /// Does not open.
    #[error("the message does not open: tampered, or not sealed by this browser for this server")]
    NotAuthentic,
    /// Unknown pairing code.
    #[error("this pairing code is not known here; run `eca-guard-server pair` for a new one")]
    CodeUnknown,
    /// Expired pairing code.
    #[error("this pairing code has expired; run `eca-guard-server pair` for a new one")]
    CodeExpired,
    /// Used pairing code.
    #[error("this pairing code was already used; run `eca-guard-server pair` for a new one")]
    CodeUsed,
    /// Cancelled pairing code.
    #[error("this pairing code was cancelled; run `eca-guard-server pair` for a new one")]
    CodeCancelled,
    /// The browser's pairing does not cover this org.
    #[error("this browser's pairing does not cover this org; pair it again with `eca-guard-server pair --org <org>`")]
    OrgNotAllowed,
    /// Already paired.
    #[error("this browser key is already paired")]
    AlreadyPaired,
    /// Unknown browser.
    #[error("this browser is not paired with this server; pair it again")]
    UnknownBrowser,
    /// Revoked browser.
    #[error("this browser's pairing was revoked; pair it again")]
    RevokedBrowser,
    /// Replay.
    #[error("this message was already received (replay)")]
    Replayed,
    /// Timestamp too old.
    #[error("the message is too old (sealed {0} s ago); check the computer's clock and send again")]
    Stale(u64),
    /// Timestamp in the future.
    #[error("the message is dated {0} s in the future; check the computer's clock")]
    Future(u64),
    /// The `Host` is not a name this server is configured for (DNS rebinding).
    #[error("this server does not answer to that host name; use the address in the pairing code")]
    WrongHost,
    /// Anything internal (details only in the log).
    #[error("internal error; see the server log")]
    Internal(String),
}

impl AppError {
    /// Stable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::TooLarge(_) => "too_large",
            AppError::BodyTimeout(_) => "body_timeout",
            AppError::ContentType => "content_type",
            AppError::WebOrigin => "web_origin",
            AppError::Malformed(_) | AppError::Invalid(_) => "malformed",
            AppError::NotAuthentic => "not_authentic",
            AppError::CodeUnknown => "pairing_code_unknown",
            AppError::CodeExpired => "pairing_code_expired",
            AppError::CodeUsed => "pairing_code_used",
            AppError::CodeCancelled => "pairing_code_cancelled",
            AppError::OrgNotAllowed => "org_not_allowed",
            AppError::AlreadyPaired => "already_paired",
            AppError::UnknownBrowser => "unknown_browser",
            AppError::RevokedBrowser => "revoked_browser",
            AppError::Replayed => "replayed",
            AppError::Stale(_) => "stale",
            AppError::Future(_) => "from_future",
            AppError::WrongHost => "wrong_host",
            AppError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::WebOrigin
            | AppError::CodeUnknown
            | AppError::CodeExpired
            | AppError::CodeUsed
            | AppError::CodeCancelled
            | AppError::OrgNotAllowed
            | AppError::UnknownBrowser
            | AppError::RevokedBrowser => StatusCode::FORBIDDEN,
            AppError::Malformed(_) | AppError::Invalid(_) | AppError::Stale(_) | AppError::Future(_) => {
                StatusCode::BAD_REQUEST
            }
            AppError::NotAuthentic => StatusCode::UNAUTHORIZED,
            AppError::AlreadyPaired | AppError::Replayed => StatusCode::CONFLICT,
            AppError::WrongHost => StatusCode::MISDIRECTED_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<OpenError> for AppError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Malformed(why) => AppError::Malformed(why),
            OpenError::Invalid(why) => AppError::Invalid(why),
            OpenError::Crypto => AppError::NotAuthentic,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::CodeUnknown => AppError::CodeUnknown,
            StoreError::CodeExpired => AppError::CodeExpired,
            StoreError::CodeUsed => AppError::CodeUsed,
            StoreError::CodeCancelled => AppError::CodeCancelled,
            StoreError::AlreadyPaired => AppError::AlreadyPaired,
            StoreError::Replayed => AppError::Replayed,
            StoreError::UnknownBrowser => AppError::UnknownBrowser,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        // The log line names the refusal; Internal details go only to the log.
        match &self {
            AppError::Internal(detail) => tracing::error!(code = self.code(), detail = %detail, "request failed"),
            _ => tracing::warn!(code = self.code(), status = status.as_u16(), reason = %self, "request refused"),
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().into(),
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}

/// Whether an `Origin` is a browser extension's (Chromium or Firefox).
pub fn is_extension_origin(origin: &[u8]) -> bool {
    origin.starts_with(b"chrome-extension://") || origin.starts_with(b"moz-extension://")
}

/// The router: `GET /v1/info`, `POST /v1/pair`, `POST /v1/credentials`.
///
/// CORS: only extension origins are answered (so the extension's worker can reach the server
/// even where it holds no host permission for it). Web origins get no CORS headers and their
/// requests are refused outright (`web_origin`). CORS only decides who may read answers;
/// what the server accepts is decided by the sealed messages.
///
/// Only the `Host` names of [`host::AllowedHosts`] for the configured listen address are
/// answered; [`serve_on`] uses [`app_on`] with the address actually bound.
pub fn app(state: State) -> Router {
    let listen = state.0.config.listen;
    app_on(state, listen)
}

/// [`app`] for a server listening on `local`.
pub fn app_on(state: State, local: std::net::SocketAddr) -> Router {
    let allowed = Arc::new(host::AllowedHosts::new(&state.0.config, local));
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::predicate(|o, _| {
            is_extension_origin(o.as_bytes())
        }))
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600));
    Router::new()
        .route("/v1/info", get(info))
        .route("/v1/pair", post(pair_handler))
        .route("/v1/credentials", post(credentials_handler))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(allowed, host::check))
        .with_state(state)
}

async fn info(AxState(state): AxState<State>) -> Json<ServerInfo> {
    Json(state.0.info.clone())
}

/// Refuses web pages and non-JSON bodies, then reads the body within the size limit and the
/// body deadline (a client that stops sending mid-body is answered 408 and disconnected).
async fn check_request(state: &State, headers: &HeaderMap, body: Body) -> Result<Bytes, AppError> {
    // The extension's worker sends `Origin: chrome-extension://…` (or moz-extension://) or none;
    // a web page's fetch sends its http(s) origin. No CORS headers are ever sent, so a page
    // cannot read answers anyway; this refuses its requests outright.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if origin.starts_with("http://") || origin.starts_with("https://") || origin == "null" {
            return Err(AppError::WebOrigin);
        }
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err(AppError::ContentType);
    }
    read_body(&state.0.config, body).await
}

async fn read_body(cfg: &Config, body: Body) -> Result<Bytes, AppError> {
    use http_body_util::BodyExt as _;
    let limited = http_body_util::Limited::new(body, cfg.body_limit);
    let deadline = std::time::Duration::from_secs(cfg.body_timeout_secs);
    match tokio::time::timeout(deadline, limited.collect()).await {
        Err(_) => Err(AppError::BodyTimeout(cfg.body_timeout_secs)),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(AppError::TooLarge(cfg.body_limit)),
        Ok(Err(_)) => Err(AppError::Malformed("the body could not be read")),
    }
}

async fn pair_handler(AxState(state): AxState<State>, headers: HeaderMap, body: Body) -> Result<Response, AppError> {
    let body = check_request(&state, &headers, body).await?;
    let env = pairing::Envelope::parse(&body)?;
    let opened = pairing::open_pair(&state.0.keys, &env)?;
    state
        .0
        .writer
        .pair(
            opened.token.to_vec(),
            opened.browser_id.clone(),
            opened.browser_key.to_vec(),
            opened.label.clone(),
        )
        .await?;
    // The label is the browser's free text: logged escaped (Debug), never raw.
    tracing::info!(browser = %opened.browser_id, label = ?opened.label, "browser paired");
    let reply = PairReply {
        browser_id: opened.browser_id,
        name: state.0.config.name.clone(),
        callback_urls: state.0.config.callback_urls.clone(),
        pack: state.0.config.pack.clone(),
    };
    sealed(pairing::seal_pair_reply(&opened.response, &reply))
}

/// Refuses a message dated more than `skew` seconds from `now` either way. Saturating: `ts`
/// comes from the sender and may be anything up to `u64::MAX`.
fn check_time(ts: u64, now: u64, skew: u64) -> Result<(), AppError> {
    if ts < now.saturating_sub(skew) {
        return Err(AppError::Stale(now - ts));
    }
    if ts > now.saturating_add(skew) {
        return Err(AppError::Future(ts - now));
    }
    Ok(())
}

fn sealed(body: Result<String, eca_guard::Error>) -> Result<Response, AppError> {
    let body = body.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}

async fn credentials_handler(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let body = check_request(&state, &headers, body).await?;
    let env = pairing::Envelope::parse(&body)?;
    let browser_id = env.browser.clone().ok_or(AppError::Malformed("no browser id"))?;
    // Before any lookup or log line: an id of another shape could carry anything.
    if !pairing::is_browser_id(&browser_id) {
        return Err(AppError::Malformed("the browser id is not well formed"));
    }
    let found = {
        let conn = state
            .0
            .reader
            .lock()
            .map_err(|_| AppError::Internal("store reader poisoned".into()))?;
        store::browser(&conn, &browser_id)?
    };
    let browser = match found {
        None => {
            tracing::warn!(browser = %browser_id, "message from an unknown browser");
            return Err(AppError::UnknownBrowser);
        }
        Some(b) if b.revoked_at.is_some() => {
            tracing::warn!(browser = %browser_id, "message from a revoked browser");
            return Err(AppError::RevokedBrowser);
        }
        Some(b) => b,
    };
    let (plain, response) = pairing::open_credentials(&state.0.keys, &browser.public_key, &env).map_err(|e| {
        tracing::warn!(browser = %browser_id, "message does not open or is malformed");
        AppError::from(e)
    })?;
    check_time(plain.ts, now_secs(), state.0.config.max_skew_secs)?;
    if let Some(orgs) = &browser.orgs {
        if !orgs.contains(&plain.credentials.org) {
            tracing::warn!(browser = %browser_id, org = %plain.credentials.org, "org outside the browser's pairing scope");
            return Err(AppError::OrgNotAllowed);
        }
    }
    let creds = plain.credentials.clone();
    let outcome = state
        .0
        .writer
        .store(
            plain.id.clone(),
            browser_id.clone(),
            i64::try_from(plain.ts).unwrap_or(i64::MAX),
            creds,
        )
        .await
        .inspect_err(|e| {
            if matches!(e, StoreError::Replayed) {
                tracing::warn!(browser = %browser_id, message = %plain.id, "replayed message");
            }
        })?;
    let c = &plain.credentials;
    tracing::info!(
        browser = %browser_id,
        message = %plain.id,
        org = %c.org,
        app = %c.app,
        key = ?pairing::key_prefix(&c.consumer_key),
        version = outcome.version,
        unchanged = outcome.unchanged,
        "credentials stored"
    );
    if !outcome.unchanged {
        handoff::after_store(&state, c, outcome.version).await;
    }
    let receipt = Receipt {
        id: plain.id.clone(),
        org: c.org.clone(),
        app: c.app.clone(),
        key_prefix: pairing::key_prefix(&c.consumer_key),
        version: outcome.version,
        unchanged: outcome.unchanged,
        server: state.0.config.name.clone(),
    };
    sealed(pairing::seal_receipt(&response, &receipt))
}
