//! The pairing code (`ecag1.…`) the server prints and the admin pastes, and the server address
//! it carries.

use serde::{Deserialize, Serialize};

use super::codec::{Reader, Writer};
use super::error::PairingError;
use super::keys::short_fingerprint;
use super::{CODE_PREFIX, TOKEN_LEN};
use crate::error::Error;

/// A decoded pairing code.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The server's origin, e.g. `http://127.0.0.1:8787`.
    pub server: String,
    /// SHA-256 of the server's public key.
    pub fingerprint: [u8; 32],
    /// The one-time token.
    pub token: [u8; TOKEN_LEN],
}

impl std::fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingCode")
            .field("server", &self.server)
            .field("fingerprint", &short_fingerprint(&self.fingerprint))
            .finish_non_exhaustive()
    }
}

/// Normalises a server address to its origin (`scheme://host[:port]`, host lower-cased, default
/// port dropped), refusing anything but http(s) with a plain host name, IPv4 or bracketed IPv6
/// address, an optional port, and nothing after it but one `/`. Deliberately strict and
/// self-contained (no URL parser): the address comes from a code the admin pastes.
pub fn normalise_server(address: &str) -> Result<String, Error> {
    let bad = |why: &'static str| Error::from(PairingError::ServerAddress(why));
    let a = address.trim();
    let (scheme, rest) = a
        .split_once("://")
        .ok_or_else(|| bad("must start with http:// or https://"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err(bad("must start with http:// or https://")),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (h, after) = v6.split_once(']').ok_or_else(|| bad("has an unclosed `[`"))?;
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(bad("has an invalid IPv6 address"));
        }
        (
            format!("[{}]", h.to_ascii_lowercase()),
            after
                .strip_prefix(':')
                .map(str::to_owned)
                .or_else(|| (!after.is_empty()).then(|| "x".into())),
        )
    } else {
        let (h, p) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.to_owned())),
            None => (rest, None),
        };
        let ok = !h.is_empty()
            && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !h.starts_with(['.', '-']);
        if !ok {
            return Err(bad(
                "must be scheme://host[:port] with nothing else (no path, user or query)",
            ));
        }
        (h.to_ascii_lowercase(), p)
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("has an invalid port"))?,
        ),
    };
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

impl PairingCode {
    /// Encodes as `ecag1.<base64url(fingerprint ‖ token ‖ origin)>`.
    pub fn encode(&self) -> String {
        Writer::default()
            .bytes(&self.fingerprint)
            .bytes(&self.token)
            .bytes(self.server.as_bytes())
            .finish(CODE_PREFIX)
    }

    /// Decodes a code as pasted (surrounding white space and line breaks are ignored).
    pub fn decode(code: &str) -> Result<Self, Error> {
        let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.starts_with(CODE_PREFIX) {
            return Err(PairingError::NotACode.into());
        }
        let raw = Reader::decode(&compact, CODE_PREFIX).ok_or(PairingError::CodeDamaged)?;
        let mut r = Reader::new(&raw);
        let (fingerprint, token, server) =
            (|| Some((r.fixed()?, r.fixed()?, r.rest_str()?)))().ok_or(PairingError::CodeDamaged)?;
        Ok(PairingCode {
            server: normalise_server(server)?,
            fingerprint,
            token,
        })
    }
}

/// What the browser must do with a code before pairing: fetch `infoUrl`, check the key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PairingStart {
    /// The server's origin.
    pub server: String,
    /// Host permission pattern to request (`<origin>/*`).
    pub origin_pattern: String,
    /// `GET` this; its `publicKey` must match the code's fingerprint.
    pub info_url: String,
    /// `POST` the pair request here.
    pub pair_url: String,
    /// Short fingerprint for the user to compare with the server's `pair` output.
    pub fingerprint: String,
}

/// Decodes a code into what the browser fetches next.
pub fn begin(code: &str) -> Result<PairingStart, Error> {
    let c = PairingCode::decode(code)?;
    Ok(PairingStart {
        origin_pattern: format!("{}/*", c.server),
        info_url: format!("{}/v1/info", c.server),
        pair_url: format!("{}/v1/pair", c.server),
        fingerprint: short_fingerprint(&c.fingerprint),
        server: c.server,
    })
}
