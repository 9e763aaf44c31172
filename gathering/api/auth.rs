//! `/api/auth/*`: login, refresh, logout, me, and self-registration when enabled. Login,
//! refresh and register are public; the rest need a signed-in principal.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, ClientMeta, Viewer};
use super::views::{LoginRequest, RefreshRequest, RegisterRequest, TokenView, UserView};
use crate::auth::NewUser;
use crate::auth::model::{Email, Password, Role};

/// Exchange email and password for an access token and a refresh token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in", body = TokenView),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 422, description = "malformed body", body = ErrorBody),
        (status = 429, description = "too many attempts (rate limit or per-account backoff); see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<TokenView>, ApiError> {
    let (_, pair) = state
        .auth
        .login(&state.pool, &body.email, &body.password, &meta)
        .await?;
    Ok(Json(pair.into()))
}

/// Exchange a refresh token for a new pair; the old refresh token stops working. Presenting
/// it again revokes the whole session.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "new tokens", body = TokenView),
        (status = 401, description = "invalid, expired, used or revoked refresh token", body = ErrorBody),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<TokenView>, ApiError> {
    let (_, pair) = state
        .auth
        .refresh(&state.pool, &body.refresh_token, &meta)
        .await?;
    Ok(Json(pair.into()))
}

/// Revoke this access token and its session's refresh tokens.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = ["viewer"])),
    responses(
        (status = 204, description = "signed out"),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Viewer>,
) -> Result<StatusCode, ApiError> {
    state
        .auth
        .logout(&state.pool, &authed.principal, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "the user", body = UserView),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn me(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .auth
        .get_user(&state.pool, authed.principal.user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "the user no longer exists"))?;
    Ok(Json(user.into()))
}

/// Create an account, when self-registration is on (`auth.self_registration`; off by
/// default). The account gets `auth.self_registration_role` (viewer by default).
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "created; sign in next", body = UserView),
        (status = 403, description = "self-registration is off", body = ErrorBody),
        (status = 409, description = "email taken", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    // Closed registration answers the same whatever the body says.
    if !state.auth.registration_open() {
        return Err(crate::auth::users::registration_closed().into());
    }
    let new = NewUser {
        email: Email::parse(&body.email).map_err(|e| ApiError::field("email", e))?,
        display_name: body.display_name,
        password: Password::parse(&body.password).map_err(|e| ApiError::field("password", e))?,
        role: Role::Viewer,
    };
    let user = state.auth.register(&state.pool, new, &meta).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}
