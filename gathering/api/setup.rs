//! `/api/setup`: first-run setup. `serve` prints a link with a one-time token when the database
//! has no admin (see `auth::setup`); the dashboard's `/setup` page reads the token from the
//! link's fragment and posts it here with the first admin's email and password. Both routes are
//! public; the POST is in the auth rate-limit tier.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, ClientMeta, SecureCookies};
use super::session::signed_in;
use super::views::{SessionView, SetupRequest, SetupStatus};
use crate::auth::NewUser;
use crate::auth::model::{Email, Password, Role};
use crate::auth::setup::{Claim, SetupError};

/// Whether first-run setup is open (a setup token is pending and no admin exists).
#[utoipa::path(get, path = "/api/setup", tag = "auth",
    responses((status = 200, description = "whether the setup link works now", body = SetupStatus)))]
pub async fn status(State(state): State<AppState>) -> Result<Json<SetupStatus>, ApiError> {
    let open = state.setup.is_open(&state.auth, &state.pool).await?;
    Ok(Json(SetupStatus { open }))
}

/// Create the first admin with the setup token, and sign in as them.
#[utoipa::path(post, path = "/api/setup", tag = "auth", request_body = SetupRequest,
    description = "Creates the first admin (audited, `user.created` event, no actor: as from the command line) with the one-time token of the link `gathering serve` printed (`/setup#token=...`), spends the token, and signs the new admin in as `POST /api/auth/session` does: the access token in the body, the `gathering_refresh` and `gathering_csrf` cookies set. Two requests with the right token at once create one admin; the other gets 409.",
    responses(
        (status = 201, description = "the first admin, signed in; `Set-Cookie`: gathering_refresh, gathering_csrf", body = SessionView),
        (status = 403, description = "`forbidden`: wrong token", body = ErrorBody),
        (status = 409, description = "`setup_closed`: an admin exists, or no token is pending on this instance", body = ErrorBody),
        (status = 422, description = "invalid email, password or display_name; `details.field` names it", body = ErrorBody),
        (status = 429, description = "rate limited; see Retry-After", body = ErrorBody),
    ))]
pub async fn complete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    SecureCookies(secure): SecureCookies,
    ApiJson(body): ApiJson<SetupRequest>,
) -> Result<Response, ApiError> {
    let admin = NewUser {
        email: Email::parse(&body.email).map_err(|e| ApiError::field("email", e))?,
        display_name: body
            .display_name
            .unwrap_or_else(|| "Administrator".to_owned()),
        password: Password::parse(&body.password).map_err(|e| ApiError::field("password", e))?,
        role: Role::Admin,
    };
    let claim = Claim {
        token: body.token,
        admin,
    };
    let session = state
        .setup
        .complete(&state.auth, &state.pool, claim, &meta)
        .await?;
    Ok(signed_in(&state, StatusCode::CREATED, session, secure))
}

impl From<SetupError> for ApiError {
    fn from(error: SetupError) -> Self {
        match error {
            SetupError::Closed => ApiError::new(ErrorCode::SetupClosed, error.to_string()),
            SetupError::WrongToken => ApiError::new(ErrorCode::Forbidden, error.to_string()),
            SetupError::Auth(e) => e.into(),
        }
    }
}
