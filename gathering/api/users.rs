//! `/api/users`: admins list, create and change users (disable rather than delete, so the
//! audit log keeps meaning).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Admin, ApiJson, Authed};
use super::views::{
    CreateUserRequest, Page, UpdateUserRequest, UserListQuery, UserView, page_bounds, search_term,
};
use crate::auth::model::{Email, Password, UserStatus};
use crate::auth::{NewUser, UserChanges, UserFilter};

/// Create a user.
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = ["admin"])),
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
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let new = NewUser {
        email: Email::parse(&body.email).map_err(|e| ApiError::field("email", e))?,
        display_name: body.display_name,
        password: Password::parse(&body.password).map_err(|e| ApiError::field("password", e))?,
        role: body.role.parse().map_err(|e| ApiError::field("role", e))?,
    };
    let user = state
        .auth
        .create_user(&state.pool, new, &authed.identity)
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// List users, oldest first; `q` searches their email and display name, `role` and `status`
/// narrow the list.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = ["admin"])),
    params(UserListQuery),
    responses(
        (status = 200, description = "a page of users", body = Page<UserView>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 422, description = "an unknown role or status, a long q, or a bad limit or cursor", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Admin>,
    Query(query): Query<UserListQuery>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let (after, limit) = page_bounds(query.limit, query.cursor.as_deref())?;
    let search = search_term(query.q.as_deref())?;
    let role = query
        .role
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::field("role", e))?;
    let status = query
        .status
        .as_deref()
        .map(str::parse::<UserStatus>)
        .transpose()
        .map_err(|e| ApiError::field("status", e))?;
    let filter = UserFilter {
        search: search.as_deref(),
        role,
        status,
    };
    let users = state
        .auth
        .list_users(&state.pool, &filter, after, limit)
        .await?;
    let views = users.into_iter().map(UserView::from).collect();
    Ok(Json(Page::of(views, limit, |u: &UserView| u.id)))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the user's id")),
    responses(
        (status = 200, description = "the user", body = UserView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .auth
        .get_user(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such user"))?;
    Ok(Json(user.into()))
}

/// Change a user's name, role or disabled state. Takes effect on their next request; the
/// last enabled admin cannot be demoted or disabled.
#[utoipa::path(patch, path = "/api/users/{id}", tag = "users", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "the user as changed", body = UserView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "it would leave no enabled admin", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    let role = body
        .role
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::field("role", e))?;
    let changes = UserChanges {
        display_name: body.display_name,
        role,
        disabled: body.disabled,
    };
    let user = state
        .auth
        .update_user(&state.pool, &authed.identity, id, changes)
        .await?;
    Ok(Json(user.into()))
}
