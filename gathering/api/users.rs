//! `/api/users`: admins list and create users (self-registration is off).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Admin, ApiJson, Authed, ClientMeta};
use super::views::{CreateUserRequest, Page, PageQuery, UserView};
use crate::auth::NewUser;
use crate::auth::model::{Email, Password};

/// Create a user.
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "created", body = UserView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "email taken", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let invalid = |field: &str, message: String| {
        ApiError::new(ErrorCode::ValidationFailed, format!("{field}: {message}"))
            .with_details(serde_json::json!({"field": field}))
    };
    let new = NewUser {
        email: Email::parse(&body.email).map_err(|e| invalid("email", e))?,
        display_name: body.display_name,
        password: Password::parse(&body.password).map_err(|e| invalid("password", e))?,
        role: body.role.parse().map_err(|e| invalid("role", e))?,
    };
    let user = state
        .auth
        .create_user(&state.pool, new, Some(authed.principal.user_id), &meta)
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// List users, oldest first.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "a page of users", body = Page<UserView>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Admin>,
    Query(page): Query<PageQuery>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let limit = page.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "limit must be 1 to 200",
        ));
    }
    let after = match page.cursor.as_deref() {
        Some(cursor) => Some(
            Uuid::parse_str(cursor)
                .map_err(|_| ApiError::new(ErrorCode::ValidationFailed, "cursor is not valid"))?,
        ),
        None => None,
    };
    let users = state.auth.list_users(&state.pool, after, limit).await?;
    let next_cursor = (users.len() as i64 == limit)
        .then(|| users.last().map(|u| u.id.to_string()))
        .flatten();
    Ok(Json(Page {
        items: users.into_iter().map(UserView::from).collect(),
        next_cursor,
    }))
}
