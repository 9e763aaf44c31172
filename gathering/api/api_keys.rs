//! `/api/api-keys`: any signed-in user creates, lists and revokes their own API keys (admins
//! may list and revoke anyone's). Creating and revoking need a password session, not a key.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Viewer};
use super::views::{
    ApiKeyQuery, ApiKeyView, CreateApiKeyRequest, CreatedApiKeyView, Page, page_bounds,
};
use crate::auth::api_keys::NewApiKey;
use crate::auth::model::Role;

/// Create an API key. Its secret is in this response and never again.
#[utoipa::path(post, path = "/api/api-keys", tag = "api-keys", security(("bearer" = ["viewer"])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, description = "created; `secret` is shown only now", body = CreatedApiKeyView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a role above yours, or called with an API key", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    ApiJson(body): ApiJson<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKeyView>), ApiError> {
    let role = body
        .role
        .as_deref()
        .map(str::parse::<Role>)
        .transpose()
        .map_err(|e| ApiError::field("role", e))?;
    let new = NewApiKey {
        name: body.name,
        role,
        expires_at: body.expires_at,
    };
    let created = state
        .auth
        .create_api_key(&state.pool, &authed.identity, new)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// List API keys (revoked ones included), oldest first.
#[utoipa::path(get, path = "/api/api-keys", tag = "api-keys", security(("bearer" = ["viewer"])),
    params(ApiKeyQuery),
    responses(
        (status = 200, description = "a page of keys", body = Page<ApiKeyView>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "another user's keys, and not an admin", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(query): Query<ApiKeyQuery>,
) -> Result<Json<Page<ApiKeyView>>, ApiError> {
    let principal = &authed.principal;
    let user_id = query.user_id.unwrap_or(principal.user_id);
    if user_id != principal.user_id && principal.role != Role::Admin {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only admins may list other users' keys",
        ));
    }
    let (after, limit) = page_bounds(query.limit, query.cursor.as_deref())?;
    let keys = state
        .auth
        .list_api_keys(&state.pool, user_id, after, limit)
        .await?;
    let views = keys.into_iter().map(ApiKeyView::from).collect();
    Ok(Json(Page::of(views, limit, |k: &ApiKeyView| k.id)))
}

/// Revoke an API key: it stops working at once, on every instance.
#[utoipa::path(delete, path = "/api/api-keys/{id}", tag = "api-keys",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the key's id")),
    responses(
        (status = 200, description = "revoked (or already was)", body = ApiKeyView),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "called with an API key", body = ErrorBody),
        (status = 404, description = "no such key among yours", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<ApiKeyView>, ApiError> {
    let key = state
        .auth
        .revoke_api_key(&state.pool, &authed.identity, id)
        .await?;
    Ok(Json(key.into()))
}
