//! The one error shape of the HTTP API, `{"error": {"code", "message", "details"}}`, and the
//! table of error codes: a stable contract, kept here and nowhere else.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Every error code the API answers with. Adding one is fine; renaming one breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    CsrfFailed,
    NotFound,
    Conflict,
    SetupClosed,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    InvalidDocument,
    RateLimited,
    LoginThrottled,
    RequestTimeout,
    NotReady,
    AuthUnavailable,
    ModelUnavailable,
    UpstreamError,
    UpstreamTimeout,
    AgentBusy,
    Internal,
}

/// code, HTTP status, what it means. `docs/api.md` reproduces this table.
pub const ERROR_CODES: &[(ErrorCode, &str, StatusCode, &str)] = &[
    (
        ErrorCode::BadRequest,
        "bad_request",
        StatusCode::BAD_REQUEST,
        "the request is malformed",
    ),
    (
        ErrorCode::Unauthenticated,
        "unauthenticated",
        StatusCode::UNAUTHORIZED,
        "no valid access token; the WWW-Authenticate header says how",
    ),
    (
        ErrorCode::InvalidCredentials,
        "invalid_credentials",
        StatusCode::UNAUTHORIZED,
        "wrong email or password (never says which)",
    ),
    (
        ErrorCode::Forbidden,
        "forbidden",
        StatusCode::FORBIDDEN,
        "signed in, but the role is too weak",
    ),
    (
        ErrorCode::CsrfFailed,
        "csrf_failed",
        StatusCode::FORBIDDEN,
        "a browser-session request without the X-CSRF-Token header matching the gathering_csrf cookie; nothing was changed",
    ),
    (
        ErrorCode::SetupClosed,
        "setup_closed",
        StatusCode::CONFLICT,
        "first-run setup is over: an admin exists, or this instance has no setup token",
    ),
    (
        ErrorCode::Conflict,
        "conflict",
        StatusCode::CONFLICT,
        "the resource already exists",
    ),
    (
        ErrorCode::NotFound,
        "not_found",
        StatusCode::NOT_FOUND,
        "no such route or resource",
    ),
    (
        ErrorCode::MethodNotAllowed,
        "method_not_allowed",
        StatusCode::METHOD_NOT_ALLOWED,
        "the route exists but not for this method",
    ),
    (
        ErrorCode::PayloadTooLarge,
        "payload_too_large",
        StatusCode::PAYLOAD_TOO_LARGE,
        "the body exceeds http.body_limit_bytes (an upload: memory.max_upload_bytes)",
    ),
    (
        ErrorCode::UnsupportedMediaType,
        "unsupported_media_type",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "the body is not application/json (an upload: not multipart/form-data, or a file of a kind not read)",
    ),
    (
        ErrorCode::ValidationFailed,
        "validation_failed",
        StatusCode::UNPROCESSABLE_ENTITY,
        "the body is well-formed but invalid; details say where",
    ),
    (
        ErrorCode::InvalidDocument,
        "invalid_document",
        StatusCode::UNPROCESSABLE_ENTITY,
        "an uploaded document cannot be read (corrupt, or without text); details.file names it, and nothing was stored",
    ),
    (
        ErrorCode::RateLimited,
        "rate_limited",
        StatusCode::TOO_MANY_REQUESTS,
        "this client's request budget is spent; Retry-After says when to retry",
    ),
    (
        ErrorCode::LoginThrottled,
        "login_throttled",
        StatusCode::TOO_MANY_REQUESTS,
        "too many failed sign-ins for this email; Retry-After says when to retry",
    ),
    (
        ErrorCode::RequestTimeout,
        "request_timeout",
        StatusCode::SERVICE_UNAVAILABLE,
        "the request took longer than http.request_timeout_secs, or a step of it longer than its own budget (pipeline validation: 5 s)",
    ),
    (
        ErrorCode::NotReady,
        "not_ready",
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is starting or shutting down",
    ),
    (
        ErrorCode::AuthUnavailable,
        "auth_unavailable",
        StatusCode::SERVICE_UNAVAILABLE,
        "credentials could not be checked, so the request is refused",
    ),
    (
        ErrorCode::ModelUnavailable,
        "model_unavailable",
        StatusCode::SERVICE_UNAVAILABLE,
        "the model's provider cannot answer now (not loaded, unreachable, or its secret unset), fallbacks included",
    ),
    (
        ErrorCode::UpstreamError,
        "upstream_error",
        StatusCode::BAD_GATEWAY,
        "the model's provider refused the call; the message carries its reason",
    ),
    (
        ErrorCode::UpstreamTimeout,
        "upstream_timeout",
        StatusCode::GATEWAY_TIMEOUT,
        "the model's provider did not answer in time",
    ),
    (
        ErrorCode::AgentBusy,
        "agent_busy",
        StatusCode::TOO_MANY_REQUESTS,
        "the agent's queue of waiting turns is full; Retry-After says when to retry",
    ),
    (
        ErrorCode::Internal,
        "internal_error",
        StatusCode::INTERNAL_SERVER_ERROR,
        "a fault on our side, logged with the request id",
    ),
];

impl ErrorCode {
    fn row(self) -> &'static (ErrorCode, &'static str, StatusCode, &'static str) {
        ERROR_CODES
            .iter()
            .find(|row| row.0 == self)
            .expect("every ErrorCode has a row in ERROR_CODES")
    }

    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    /// The code named `name` in the table.
    pub fn by_name(name: &str) -> Option<Self> {
        ERROR_CODES
            .iter()
            .find(|row| row.1 == name)
            .map(|row| row.0)
    }

    pub fn status(self) -> StatusCode {
        self.row().2
    }

    /// The code a bare status (from a middleware layer) stands for.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::CONFLICT => Self::Conflict,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Self::ValidationFailed,
            StatusCode::TOO_MANY_REQUESTS => Self::RateLimited,
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => Self::RequestTimeout,
            s if s.is_server_error() => Self::Internal,
            _ => Self::BadRequest,
        }
    }
}

/// The wire shape of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code from the error-code table.
    pub code: &'static str,
    /// Human-readable text; never internals for 5xx.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// The cause of a 5xx, carried in the response's extensions to the middleware that logs it
/// once with the request id; it never reaches the client.
#[derive(Debug, Clone)]
pub struct ErrorCause(pub std::sync::Arc<String>);

/// An error a handler returns.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<serde_json::Value>,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
    cause: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            cause: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 422 for one invalid field, named in the message and in `details.field`.
    pub fn field(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::ValidationFailed, format!("{field}: {message}"))
            .with_details(serde_json::json!({"field": field}))
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// A fault on our side: the client sees a generic message, the log gets `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "internal error; the request id identifies it in the server log".to_owned(),
            details: None,
            retry_after: None,
            cause: Some(cause.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.code.status(), Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        if let Some(cause) = self.cause {
            response
                .extensions_mut()
                .insert(ErrorCause(std::sync::Arc::new(format!("{cause:#}"))));
        }
        response
    }
}

impl From<crate::core::error::DomainError> for ApiError {
    fn from(e: crate::core::error::DomainError) -> Self {
        use crate::core::error::DomainError;
        match e {
            DomainError::NotFound(m) => ApiError::new(ErrorCode::NotFound, m),
            DomainError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            DomainError::Forbidden(m) => ApiError::new(ErrorCode::Forbidden, m),
            DomainError::Invalid { field, message } => ApiError::field(&field, message),
            DomainError::Busy(m) => ApiError::new(ErrorCode::AgentBusy, m).with_retry_after(5),
            DomainError::Unexpected(cause) => ApiError::internal(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_statuses_are_errors() {
        let mut seen = std::collections::HashSet::new();
        for (_, code, status, meaning) in ERROR_CODES {
            assert!(seen.insert(*code), "duplicate code {code}");
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code}"
            );
            assert!(!meaning.is_empty());
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let response = ApiError::internal(anyhow::anyhow!("password=hunter2")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let cause = response.extensions().get::<ErrorCause>().unwrap();
        assert!(cause.0.contains("hunter2"));
    }
}
