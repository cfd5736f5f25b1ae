//! The accept loop. `axum::serve` reads headers and bodies without a deadline and accepts every
//! connection, so slow clients could hold sockets (and file descriptors) forever. This loop
//! serves each connection with hyper's HTTP/1 and a timer, so headers (and the idle time of a
//! keep-alive connection) have a deadline; caps the connections served at once (more wait in
//! the kernel's listen queue); and turns TCP keepalive on, so vanished peers are noticed. The
//! body deadline is applied where bodies are read (`read_body` in api.rs). docs/server.md,
//! "Limits", lists the settings.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt as _;

use crate::{SetupError, State};

/// How long shutting down waits for open connections to finish their request.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves on the configured address until ctrl-c / SIGTERM.
pub async fn serve(state: State) -> Result<(), SetupError> {
    let addr = state.config().listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| SetupError::Listen { addr, source })?;
    serve_on(listener, state).await
}

/// Serves on a bound listener until ctrl-c / SIGTERM (benches and tests bind port 0).
pub async fn serve_on(listener: tokio::net::TcpListener, state: State) -> Result<(), SetupError> {
    let addr = state.config().listen;
    let local = listener
        .local_addr()
        .map_err(|source| SetupError::Listen { addr, source })?;
    let cfg = state.config().clone();
    tracing::info!(
        listen = %local,
        name = %cfg.name,
        fingerprint = %state.info().fingerprint,
        data = %state.0.data_dir.display(),
        "eca-guard-server listening"
    );
    if local.ip().is_unspecified() && cfg.public_url.is_none() {
        tracing::warn!("listening on all addresses without `public_url`: only localhost names are answered");
    }
    state.start_deliveries();
    let router = crate::app_on(state, local);
    let permits = Arc::new(tokio::sync::Semaphore::new(cfg.max_connections));
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(Duration::from_secs(cfg.tcp_keepalive_secs))
        .with_interval(Duration::from_secs(cfg.tcp_keepalive_secs.div_ceil(6).max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(cfg.header_timeout_secs))
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown());
    loop {
        // A permit first: at the cap, new connections wait in the listen queue, not in memory.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break, // the semaphore is never closed
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // EMFILE and the like: wait instead of spinning; the permit returns.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let sock = socket2::SockRef::from(&stream);
        if let Err(e) = sock
            .set_tcp_keepalive(&keepalive)
            .and_then(|()| stream.set_nodelay(true))
        {
            tracing::debug!(error = %e, "cannot set socket options");
        }
        let service = TowerToHyperService::new(router.clone().map_request(|r: Request<Incoming>| r.map(Body::new)));
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // Header timeouts and peers that went away end up here; nothing to answer.
                tracing::debug!(error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("connections still open at shutdown; closing them"),
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
