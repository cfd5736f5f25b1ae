//! The HTTP API: the router and its three handlers.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use eca_guard::pairing::{self, Delivery, DeliveryState, PairReply, Receipt, ServerInfo};

use crate::store::{self, StoreError};
use crate::{handoff, host, now_secs, AppError, Config, State};

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
    let fingerprint = state.0.local_keys.local_fingerprint(&plain.credentials);
    let stored = match &state.0.vault {
        Some(sink) => crate::vault::receive(&state, sink, &plain, &browser_id, fingerprint).await,
        None => {
            state
                .0
                .writer
                .store(store::Incoming {
                    message_id: plain.id.clone(),
                    browser_id: browser_id.clone(),
                    sent_at: i64::try_from(plain.ts).unwrap_or(i64::MAX),
                    credentials: plain.credentials.clone(),
                    fingerprint,
                    keep_secret: state.0.config.store_secrets,
                    delivery: None,
                })
                .await
        }
    };
    let outcome = stored.inspect_err(|e| {
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
        delivery = outcome.delivery.as_ref().map_or("none", |d| d.state.as_str()),
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
        delivery: outcome.delivery.map(|d| Delivery {
            sink: "vault".into(),
            state: match d.state {
                store::DeliveryState::Pending => DeliveryState::Pending,
                store::DeliveryState::Delivered => DeliveryState::Delivered,
                store::DeliveryState::Superseded => DeliveryState::Superseded,
            },
            version: d.vault_version,
            problem: d.problem,
        }),
    };
    sealed(pairing::seal_receipt(&response, &receipt))
}
