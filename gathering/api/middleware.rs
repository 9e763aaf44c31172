//! Cross-cutting HTTP layers: request ids, request metrics, one error shape for every error
//! response (including those made by tower layers), 5xx logged once, security headers.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::{MakeRequestId, RequestId};

use super::error::{ApiError, ErrorCause, ErrorCode};

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids are UUIDv7: unique and sortable by time.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeRequestUuidV7;

impl MakeRequestId for MakeRequestUuidV7 {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// Counts requests and records their latency, labelled by route template (not raw path, so
/// ids do not explode the series).
pub async fn track_metrics(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Rewrites error responses that are not already in the error shape (404 from the router, 413
/// from the body limit, 503 from the timeout, 500 from a caught panic) and logs each 5xx once,
/// with its cause when a handler supplied one.
pub async fn error_shape(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let mut response = response;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // Every 401 carries the challenge (RFC 9110), whichever handler produced it.
    if status == StatusCode::UNAUTHORIZED
        && !response.headers().contains_key(header::WWW_AUTHENTICATE)
    {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"gathering\""),
        );
    }
    // The one log line of a 5xx (the trace layer's own failure log is off). 503s are the
    // expected answers of readiness probes and timeouts: a warning, not an error.
    let cause = response
        .extensions()
        .get::<ErrorCause>()
        .map(|c| c.0.clone());
    match (status, cause) {
        (StatusCode::SERVICE_UNAVAILABLE, _) => {
            tracing::warn!(%method, %path, status = status.as_u16(), "request not served");
        }
        (s, Some(cause)) if s.is_server_error() => {
            tracing::error!(%method, %path, status = s.as_u16(), cause = %cause, "request failed");
        }
        (s, None) if s.is_server_error() => {
            tracing::error!(%method, %path, status = s.as_u16(), "request failed");
        }
        _ => {}
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let code = ErrorCode::for_status(status);
    let message = match code {
        ErrorCode::NotFound => format!("no route for {method} {path}"),
        ErrorCode::MethodNotAllowed => format!("{method} is not allowed on {path}"),
        ErrorCode::PayloadTooLarge => "request body too large".to_owned(),
        ErrorCode::RequestTimeout => "the request took too long and was cancelled".to_owned(),
        ErrorCode::Internal => {
            "internal error; the request id identifies it in the server log".to_owned()
        }
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let (mut parts, _) = response.into_parts();
    let mut rewritten = ApiError::new(code, message).into_response();
    // Keep the original status (e.g. 408 vs 503) and headers such as `allow`.
    *rewritten.status_mut() = status;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &parts.headers {
        rewritten.headers_mut().insert(name.clone(), value.clone());
    }
    rewritten
}

/// Headers every response carries unless a handler chose otherwise.
pub fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

/// Refuses a NUL character anywhere in the path or the query string (percent-encoded or not)
/// with 422 naming where, before any handler runs: PostgreSQL cannot store `\u0000` in text,
/// so no route could do anything useful with it. Bodies are checked by [`super::extract::ApiJson`].
pub async fn refuse_nul_in_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let decoded_path = percent_decode(uri.path().as_bytes());
    if decoded_path.contains(&0) {
        return nul_refusal("path");
    }
    if let Some(query) = uri.query() {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            if key.contains('\0') || value.contains('\0') {
                return nul_refusal(&key.replace('\0', "\\u0000"));
            }
        }
        // Invalid UTF-8 decodes to U+FFFD above; a raw %00 in it is still a NUL.
        if percent_decode(query.as_bytes()).contains(&0) {
            return nul_refusal("query");
        }
    }
    next.run(request).await
}

fn nul_refusal(field: &str) -> Response {
    ApiError::new(
        ErrorCode::ValidationFailed,
        format!("`{field}` contains a NUL character (\\u0000), which cannot be stored"),
    )
    .with_details(serde_json::json!({"field": field}))
    .into_response()
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%'
            && let (Some(h), Some(l)) = (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// A handler panic becomes a plain 500, then `error_shape` gives it the error shape.
pub fn panic_response(_: Box<dyn std::any::Any + Send>) -> Response<Body> {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
