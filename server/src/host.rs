//! The `Host` check, against DNS rebinding: a web page can make its own name resolve to
//! 127.0.0.1, and its requests then reach this server carrying that name. Only the names the
//! server is configured for are answered (docs/server.md, "Host names").

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::{AppError, Config};

/// The `Host` values answered, lower case: `localhost`, `127.0.0.1` and `[::1]` with the port
/// listened on, the listen address itself, and the host of `public_url` (with and without its
/// default port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    /// For a server configured with `config` and listening on `local`.
    pub fn new(config: &Config, local: SocketAddr) -> Self {
        let port = local.port();
        let mut hosts = vec![
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ];
        if !local.ip().is_unspecified() {
            hosts.push(local.to_string());
        }
        let origin = config
            .public_url
            .as_deref()
            .and_then(|u| eca_guard::pairing::normalise_server(u).ok());
        if let Some((scheme, authority)) = origin.as_deref().and_then(|o| o.split_once("://")) {
            hosts.push(authority.to_owned());
            // The origin has no port when it is the scheme's default; a client may still send it.
            let has_port = match authority.strip_prefix('[') {
                Some(v6) => v6.contains("]:"),
                None => authority.contains(':'),
            };
            if !has_port {
                hosts.push(format!("{authority}:{}", if scheme == "https" { 443 } else { 80 }));
            }
        }
        hosts.sort();
        hosts.dedup();
        AllowedHosts(hosts)
    }

    /// Whether a request's `Host` value is one of them.
    pub fn allows(&self, host: &str) -> bool {
        self.0.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// Middleware: refuses a request whose `Host` (or absolute URI authority) is not allowed,
/// before routing, CORS or any handler sees it.
pub async fn check(State(allowed): State<Arc<AllowedHosts>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    let host_ok = host.is_some_and(|h| allowed.allows(h));
    let authority_ok = req.uri().authority().is_none_or(|a| allowed.allows(a.as_str()));
    if host_ok && authority_ok {
        next.run(req).await
    } else {
        AppError::WrongHost.into_response()
    }
}
