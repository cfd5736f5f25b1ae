//! The few Vault (and OpenBao: the same API) endpoints the sink uses, as typed requests:
//! AppRole login, KV v2 metadata read and write, KV v2 data write with check-and-set.
//!
//! Secrets stay out of every log line and error: the token travels only in a header marked
//! sensitive (its `Debug` prints nothing), login and write bodies are never formatted, and
//! Vault's own error text (which never echoes a request's secret) is quoted escaped and cut
//! short. Redirects are not followed: they would carry the token header to another host.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use super::config::{Auth, VaultConfig};
use super::error::{chain, detail, VaultError};
use crate::SetupError;

/// The current state of one record, from its metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// 0 when there is no record yet.
    pub current_version: u64,
    /// The record's custom metadata (the sink writes the description of the version it wrote).
    pub custom: BTreeMap<String, String>,
    /// When the current version was written, Unix seconds (Vault's clock).
    pub current_created: Option<i64>,
}

/// What a check-and-set write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The new version's number.
    Version(u64),
    /// The record's version was no longer the one given: someone else wrote first.
    Conflict,
}

struct Token {
    header: HeaderValue,
    renew_at: Option<Instant>,
}

/// A Vault client for the sink's few requests.
pub struct Client {
    http: reqwest::Client,
    api: String,
    addr: String,
    mount: String,
    namespace: Option<HeaderValue>,
    auth: Auth,
    approle_mount: String,
    timeout_secs: u64,
    token: tokio::sync::Mutex<Option<Token>>,
}

fn read_secret(field: &'static str, path: &Path) -> Result<String, VaultError> {
    let err = |source| VaultError::SecretFile {
        field,
        path: path.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(err)?;
    let t = text.trim();
    if t.is_empty() {
        return Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is empty",
        )));
    }
    Ok(t.to_owned())
}

fn sensitive(value: &str) -> Option<HeaderValue> {
    let mut h = HeaderValue::from_str(value).ok()?;
    h.set_sensitive(true);
    Some(h)
}

#[derive(Serialize)]
struct Login<'a> {
    role_id: &'a str,
    secret_id: &'a str,
}

#[derive(Deserialize)]
struct LoginAnswer {
    auth: LoginAuth,
}

#[derive(Deserialize)]
struct LoginAuth {
    client_token: String,
    #[serde(default)]
    lease_duration: u64,
}

#[derive(Deserialize)]
struct MetaAnswer {
    data: MetaData,
}

#[derive(Deserialize)]
struct MetaData {
    current_version: u64,
    #[serde(default)]
    custom_metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    versions: BTreeMap<String, VersionMeta>,
}

#[derive(Deserialize)]
struct VersionMeta {
    #[serde(default)]
    created_time: String,
}

#[derive(Serialize)]
struct DataWrite<'a, T: Serialize> {
    options: Cas,
    data: &'a T,
}

#[derive(Serialize)]
struct Cas {
    cas: u64,
}

#[derive(Deserialize)]
struct DataAnswer {
    data: DataWritten,
}

#[derive(Deserialize)]
struct DataWritten {
    version: u64,
}

#[derive(Serialize)]
struct MetaWrite<'a> {
    custom_metadata: &'a BTreeMap<String, String>,
}

impl Client {
    /// Builds the client (TLS roots: the CA file only, when given; else the system's).
    pub fn new(cfg: &VaultConfig) -> Result<Self, SetupError> {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .connect_timeout(Duration::from_secs(cfg.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60));
        if let Some(ca) = &cfg.ca_file {
            let bad = |detail: String| SetupError::VaultCa {
                path: ca.clone(),
                detail,
            };
            let pem = std::fs::read(ca).map_err(|e| bad(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("no PEM certificate in it".into()));
            }
            b = b.tls_built_in_root_certs(false);
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b.build().map_err(|e| SetupError::VaultClient(e.to_string()))?;
        let namespace = match &cfg.namespace {
            Some(ns) => Some(HeaderValue::from_str(ns).map_err(|e| SetupError::VaultClient(e.to_string()))?),
            None => None,
        };
        Ok(Client {
            http,
            api: format!("{}/v1/", cfg.base()),
            addr: cfg.base().to_owned(),
            mount: cfg.mount.clone(),
            namespace,
            auth: cfg.auth()?,
            approle_mount: cfg.approle_mount.clone(),
            timeout_secs: cfg.timeout_secs,
            token: tokio::sync::Mutex::new(None),
        })
    }

    fn transport(&self, e: &reqwest::Error) -> VaultError {
        if e.is_timeout() {
            VaultError::Timeout(self.timeout_secs)
        } else {
            VaultError::Unreachable {
                addr: self.addr.clone(),
                detail: chain(e),
            }
        }
    }

    /// A token: the cached one, else a fresh one (file read or AppRole login).
    async fn token(&self, fresh: bool) -> Result<HeaderValue, VaultError> {
        let mut t = self.token.lock().await;
        if let Some(tok) = t.as_ref() {
            let due = tok.renew_at.is_some_and(|at| Instant::now() >= at);
            if !fresh && !due {
                return Ok(tok.header.clone());
            }
        }
        let new = match &self.auth {
            Auth::TokenFile(path) => {
                let v = read_secret("vault.token_file", path)?;
                Token {
                    header: sensitive(&v).ok_or_else(|| VaultError::SecretFile {
                        field: "vault.token_file",
                        path: path.clone(),
                        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not a token"),
                    })?,
                    renew_at: None,
                }
            }
            Auth::AppRole {
                role_id,
                secret_id_file,
            } => self.login(role_id, secret_id_file).await?,
        };
        let h = new.header.clone();
        *t = Some(new);
        Ok(h)
    }

    async fn login(&self, role_id: &str, secret_id_file: &Path) -> Result<Token, VaultError> {
        let secret_id = read_secret("vault.secret_id_file", secret_id_file)?;
        let mut req = self
            .http
            .post(format!("{}auth/{}/login", self.api, self.approle_mount))
            .json(&Login {
                role_id,
                secret_id: &secret_id,
            });
        if let Some(ns) = &self.namespace {
            req = req.header("X-Vault-Namespace", ns.clone());
        }
        let resp = req.send().await.map_err(|e| self.transport(&e))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| self.transport(&e))?;
        if !status.is_success() {
            return Err(VaultError::Login {
                mount: self.approle_mount.clone(),
                status: status.as_u16(),
                detail: detail(&body),
            });
        }
        let a: LoginAnswer = serde_json::from_slice(&body).map_err(|_| VaultError::BadAnswer {
            op: "login",
            path: format!("auth/{}/login", self.approle_mount),
        })?;
        let header = sensitive(&a.auth.client_token).ok_or_else(|| VaultError::BadAnswer {
            op: "login",
            path: format!("auth/{}/login", self.approle_mount),
        })?;
        // Log in again at 80% of the token's life, before Vault would refuse it.
        let renew_at =
            (a.auth.lease_duration > 0).then(|| Instant::now() + Duration::from_millis(a.auth.lease_duration * 800));
        tracing::debug!(mount = %self.approle_mount, ttl_secs = a.auth.lease_duration, "logged in to Vault (AppRole)");
        Ok(Token { header, renew_at })
    }

    /// One request with a token; a 403 is tried once more with a fresh token (it may have
    /// expired, been revoked, or Vault Agent may have written a new one).
    async fn call<B: Serialize>(
        &self,
        method: Method,
        op: &'static str,
        api_path: &str,
        body: Option<&B>,
    ) -> Result<(StatusCode, axum::body::Bytes), VaultError> {
        let mut fresh = false;
        loop {
            let token = self.token(fresh).await?;
            let mut req = self
                .http
                .request(method.clone(), format!("{}{api_path}", self.api))
                .header("X-Vault-Token", token);
            if let Some(ns) = &self.namespace {
                req = req.header("X-Vault-Namespace", ns.clone());
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await.map_err(|e| self.transport(&e))?;
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(|e| self.transport(&e))?;
            match status {
                StatusCode::FORBIDDEN if !fresh => fresh = true,
                StatusCode::FORBIDDEN => {
                    return Err(VaultError::PermissionDenied {
                        op,
                        path: api_path.to_owned(),
                    })
                }
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS | StatusCode::BAD_GATEWAY => {
                    return Err(VaultError::Unavailable(status.as_u16()))
                }
                _ => return Ok((status, bytes)),
            }
        }
    }

    /// The record's metadata (`GET <mount>/metadata/<path>`); version 0 if there is none.
    pub async fn read_meta(&self, path: &str) -> Result<Meta, VaultError> {
        let api_path = format!("{}/metadata/{path}", self.mount);
        let (status, body) = self.call::<()>(Method::GET, "metadata read", &api_path, None).await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(Meta::default());
        }
        let bad = || VaultError::BadAnswer {
            op: "metadata read",
            path: api_path.clone(),
        };
        if !status.is_success() {
            return Err(VaultError::Refused {
                op: "metadata read",
                path: api_path.clone(),
                status: status.as_u16(),
                detail: detail(&body),
            });
        }
        let m: MetaAnswer = serde_json::from_slice(&body).map_err(|_| bad())?;
        let current_created = m
            .data
            .versions
            .get(&m.data.current_version.to_string())
            .and_then(|v| crate::text::parse_time(&v.created_time));
        Ok(Meta {
            current_version: m.data.current_version,
            custom: m.data.custom_metadata.unwrap_or_default(),
            current_created,
        })
    }

    /// Writes `data` as the record's next version if its current version is still `cas`
    /// (`POST <mount>/data/<path>` with `options.cas`).
    pub async fn write_data<T: Serialize>(&self, path: &str, cas: u64, data: &T) -> Result<Written, VaultError> {
        let api_path = format!("{}/data/{path}", self.mount);
        let body = DataWrite {
            options: Cas { cas },
            data,
        };
        let (status, bytes) = self.call(Method::POST, "write", &api_path, Some(&body)).await?;
        if status.is_success() {
            let a: DataAnswer = serde_json::from_slice(&bytes).map_err(|_| VaultError::BadAnswer {
                op: "write",
                path: api_path.clone(),
            })?;
            return Ok(Written::Version(a.data.version));
        }
        let d = detail(&bytes);
        // KV v2 answers a check-and-set mismatch with 400 and this text.
        if status == StatusCode::BAD_REQUEST && d.contains("check-and-set") {
            return Ok(Written::Conflict);
        }
        Err(VaultError::Refused {
            op: "write",
            path: api_path,
            status: status.as_u16(),
            detail: d,
        })
    }

    /// Replaces the record's custom metadata (`POST <mount>/metadata/<path>` with only
    /// `custom_metadata`: Vault leaves the record's other settings as they are).
    pub async fn write_custom(&self, path: &str, custom: &BTreeMap<String, String>) -> Result<(), VaultError> {
        let api_path = format!("{}/metadata/{path}", self.mount);
        let body = MetaWrite {
            custom_metadata: custom,
        };
        let (status, bytes) = self
            .call(Method::POST, "metadata write", &api_path, Some(&body))
            .await?;
        if status.is_success() {
            return Ok(());
        }
        Err(VaultError::Refused {
            op: "metadata write",
            path: api_path,
            status: status.as_u16(),
            detail: detail(&bytes),
        })
    }
}
