//! `/api/auth/session`: the browser's session. Sign-in answers the access token (kept in memory
//! by the dashboard) and sets two cookies: `gathering_refresh`, the refresh token (`HttpOnly`,
//! `SameSite=Strict`, sent only to `/api/auth/session*`), and `gathering_csrf`, readable by
//! scripts, `hex(sha256("gathering-csrf:" + refresh token))`. Refreshing and signing out need
//! the `X-CSRF-Token` header equal to that cookie: a cross-site page can make the browser send
//! the refresh cookie (were `SameSite` ever bypassed) but can neither read the CSRF cookie nor
//! set a custom header without CORS, which never allows credentials here. The token pair and
//! its rotation, reuse detection, login backoff and audit are the auth service's, unchanged.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, ClientMeta, SecureCookies, bearer_token};
use super::views::{LoginRequest, SessionView};
use crate::auth::AuthError;
use crate::auth::model::{Credential, TokenPair, User};
use crate::auth::tokens;

/// The refresh token's cookie.
pub const REFRESH_COOKIE: &str = "gathering_refresh";
/// The CSRF token's cookie (readable by scripts).
pub const CSRF_COOKIE: &str = "gathering_csrf";
/// The header that must repeat the CSRF cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The refresh cookie goes to these routes only.
const REFRESH_PATH: &str = "/api/auth/session";

/// Sign in with email and password: the access token in the body, the refresh token in an
/// `HttpOnly` cookie.
#[utoipa::path(post, path = "/api/auth/session", tag = "auth", request_body = LoginRequest,
    description = "Sign in for a browser. Same checks, login backoff and rate-limit tier as `POST /api/auth/login`. The body has the access token (keep it in memory) and the user, never the refresh token. Sets two cookies, both `SameSite=Strict` with `Max-Age` = the refresh-token lifetime, `Secure` over HTTPS (or with `auth.secure_cookies`): `gathering_refresh=<refresh token>; HttpOnly; Path=/api/auth/session` and `gathering_csrf=<hex sha256 of \"gathering-csrf:\" + refresh token>; Path=/` (readable by scripts: send it back as `X-CSRF-Token`).",
    responses(
        (status = 200, description = "signed in; `Set-Cookie`: gathering_refresh, gathering_csrf", body = SessionView),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 422, description = "malformed body", body = ErrorBody),
        (status = 429, description = "too many attempts (rate limit or per-account backoff); see Retry-After", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    SecureCookies(secure): SecureCookies,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .auth
        .login(&state.pool, &body.email, &body.password, &meta)
        .await?;
    Ok(signed_in(&state, StatusCode::OK, session, secure))
}

/// Rotate the session's refresh token (from its cookie) for a new access token.
#[utoipa::path(post, path = "/api/auth/session/refresh", tag = "auth",
    description = "No body. Needs the `gathering_refresh` cookie and the header `X-CSRF-Token` equal to the `gathering_csrf` cookie. Answers like `POST /api/auth/session` with both cookies rotated. A refresh token presented twice revokes its whole session (reuse detection). A missing, invalid, expired or revoked refresh cookie is 401 and clears both cookies (`Max-Age=0`); a missing or wrong `X-CSRF-Token` is 403 `csrf_failed` and changes nothing.",
    params(("X-CSRF-Token" = String, Header, description = "the value of the gathering_csrf cookie")),
    responses(
        (status = 200, description = "new access token; `Set-Cookie`: the rotated gathering_refresh and gathering_csrf", body = SessionView),
        (status = 401, description = "no valid refresh cookie; both cookies cleared", body = ErrorBody),
        (status = 403, description = "`csrf_failed`: X-CSRF-Token missing or not this session's", body = ErrorBody),
        (status = 429, description = "rate limited; see Retry-After", body = ErrorBody),
    ))]
pub async fn refresh_session(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    SecureCookies(secure): SecureCookies,
    headers: HeaderMap,
) -> Response {
    let Some(refresh_token) = cookie(&headers, REFRESH_COOKIE) else {
        return signed_out(
            ApiError::new(
                ErrorCode::Unauthenticated,
                "no session: sign in with POST /api/auth/session",
            )
            .into_response(),
            secure,
        );
    };
    if let Err(refusal) = check_csrf(&headers, refresh_token) {
        return refusal.into_response();
    }
    match state.auth.refresh(&state.pool, refresh_token, &meta).await {
        Ok(session) => signed_in(&state, StatusCode::OK, session, secure),
        Err(AuthError::InvalidToken) => signed_out(
            ApiError::from(AuthError::InvalidToken).into_response(),
            secure,
        ),
        Err(other) => ApiError::from(other).into_response(),
    }
}

/// Sign out: revoke the cookie's session, and the bearer access token if one is sent.
#[utoipa::path(delete, path = "/api/auth/session", tag = "auth",
    description = "Revokes the session of the `gathering_refresh` cookie (its refresh tokens and the access tokens issued with them); with `Authorization: Bearer <access token>` also that token, as `POST /api/auth/logout` does. Clears both cookies. Idempotent: without a valid cookie it still answers 204 and clears them. When the refresh cookie is present, `X-CSRF-Token` must match the `gathering_csrf` cookie (else 403 `csrf_failed`, nothing revoked).",
    params(("X-CSRF-Token" = Option<String>, Header, description = "the value of the gathering_csrf cookie; required when the gathering_refresh cookie is sent")),
    responses(
        (status = 204, description = "signed out; both cookies cleared"),
        (status = 403, description = "`csrf_failed`: X-CSRF-Token missing or not this session's", body = ErrorBody),
    ))]
pub async fn sign_out(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    SecureCookies(secure): SecureCookies,
    headers: HeaderMap,
) -> Response {
    let refresh_token = cookie(&headers, REFRESH_COOKIE);
    if let Some(refresh_token) = refresh_token
        && let Err(refusal) = check_csrf(&headers, refresh_token)
    {
        return refusal.into_response();
    }
    // A bearer token is not sent by the browser on its own: no CSRF concern. One that does not
    // authenticate is ignored, like a missing cookie.
    if let Some(token) = bearer_token(&headers)
        && let Ok(principal) = state.auth.authenticate(&state.pool, token).await
        && matches!(principal.credential, Credential::Session { .. })
        && let Err(e) = state.auth.logout(&state.pool, &principal, &meta).await
    {
        return ApiError::from(e).into_response();
    }
    if let Some(refresh_token) = refresh_token
        && let Err(e) = state
            .auth
            .end_session(&state.pool, refresh_token, &meta)
            .await
    {
        return ApiError::from(e).into_response();
    }
    signed_out(StatusCode::NO_CONTENT.into_response(), secure)
}

/// The answer of a new or refreshed browser session (its user and tokens): the view, and both
/// cookies set.
pub fn signed_in(
    state: &AppState,
    status: StatusCode,
    (user, pair): (User, TokenPair),
    secure: bool,
) -> Response {
    let max_age = state.auth.refresh_ttl().as_secs();
    let csrf = tokens::csrf_token(&pair.refresh_token);
    let cookies = [
        set_cookie(
            REFRESH_COOKIE,
            &pair.refresh_token,
            Attributes::refresh(max_age, secure),
        ),
        set_cookie(CSRF_COOKIE, &csrf, Attributes::csrf(max_age, secure)),
    ];
    let view = SessionView::new(user, &pair);
    (
        status,
        AppendHeaders(cookies.map(|c| (header::SET_COOKIE, c))),
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(view),
    )
        .into_response()
}

/// `response` with both cookies cleared.
fn signed_out(mut response: Response, secure: bool) -> Response {
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(REFRESH_COOKIE, "", Attributes::refresh(0, secure)),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(CSRF_COOKIE, "", Attributes::csrf(0, secure)),
    );
    response
}

/// 403 `csrf_failed` unless `X-CSRF-Token` and the CSRF cookie both equal the refresh token's
/// CSRF token (compared in constant time).
fn check_csrf(headers: &HeaderMap, refresh_token: &str) -> Result<(), ApiError> {
    let expected = tokens::csrf_token(refresh_token);
    let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) else {
        return Err(ApiError::new(
            ErrorCode::CsrfFailed,
            "send the X-CSRF-Token header with the value of the gathering_csrf cookie",
        ));
    };
    let from_cookie = cookie(headers, CSRF_COOKIE).unwrap_or_default();
    let header_ok = crate::core::secret::same(sent.trim().as_bytes(), expected.as_bytes());
    let cookie_ok = crate::core::secret::same(from_cookie.as_bytes(), expected.as_bytes());
    if header_ok && cookie_ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::CsrfFailed,
            "the X-CSRF-Token header does not match this session's gathering_csrf cookie",
        ))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first one wins).
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The attributes of one of the two cookies.
struct Attributes {
    http_only: bool,
    path: &'static str,
    max_age: u64,
    secure: bool,
}

impl Attributes {
    fn refresh(max_age: u64, secure: bool) -> Self {
        Self {
            http_only: true,
            path: REFRESH_PATH,
            max_age,
            secure,
        }
    }

    fn csrf(max_age: u64, secure: bool) -> Self {
        Self {
            http_only: false,
            path: "/",
            max_age,
            secure,
        }
    }
}

/// A `Set-Cookie` value. The values are hex or `grt_` tokens: nothing to escape.
fn set_cookie(name: &str, value: &str, attributes: Attributes) -> HeaderValue {
    let mut text = format!("{name}={value}");
    if attributes.http_only {
        text.push_str("; HttpOnly");
    }
    text.push_str("; SameSite=Strict; Path=");
    text.push_str(attributes.path);
    text.push_str(&format!("; Max-Age={}", attributes.max_age));
    if attributes.secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others_and_set_with_their_attributes() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; gathering_csrf=c"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("gathering_refresh=grt_x"),
        );
        assert_eq!(cookie(&headers, CSRF_COOKIE), Some("c"));
        assert_eq!(cookie(&headers, REFRESH_COOKIE), Some("grt_x"));
        assert_eq!(cookie(&headers, "gathering"), None);
        assert_eq!(
            set_cookie(REFRESH_COOKIE, "grt_x", Attributes::refresh(60, true)),
            "gathering_refresh=grt_x; HttpOnly; SameSite=Strict; Path=/api/auth/session; Max-Age=60; Secure"
        );
        assert_eq!(
            set_cookie(CSRF_COOKIE, "", Attributes::csrf(0, false)),
            "gathering_csrf=; SameSite=Strict; Path=/; Max-Age=0"
        );
    }
}
