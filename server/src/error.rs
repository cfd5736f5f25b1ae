//! Every refusal the HTTP API answers with: a stable code, a status, and a message for people
//! that never holds a secret, an internal detail or anything the client sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use eca_guard::pairing::{ErrorBody, ErrorDetail, OpenError};

use crate::store::StoreError;

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
