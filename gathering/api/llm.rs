//! `/api/llm/*`: the provider and model registry (anyone signed in reads it; admins edit it) and
//! the usage ledger (your own usage; admins see everyone's).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Admin, ApiJson, Authed, Viewer};
use crate::models::{
    self, Model, ModelPatch, NewModel, NewProvider, Provider, ProviderPatch, RegistryError,
    UsageFilter, UsageGroup, UsageTotal,
};

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        match e {
            RegistryError::NotFound(m) => ApiError::new(ErrorCode::NotFound, m),
            RegistryError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            RegistryError::Invalid { field, message } => ApiError::field(field, message),
            RegistryError::Db(cause) => ApiError::internal(cause),
        }
    }
}

/// List providers.
#[utoipa::path(get, path = "/api/llm/providers", tag = "llm", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "every provider", body = Vec<Provider>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list_providers(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
) -> Result<Json<Vec<Provider>>, ApiError> {
    Ok(Json(models::list_providers(&state.pool).await?))
}

/// Add a provider (an OpenAI-compatible server or Anthropic). Its API key stays in the
/// server's environment: `secret_ref` names the variable (`env:NAME`).
#[utoipa::path(post, path = "/api/llm/providers", tag = "llm", security(("bearer" = ["admin"])),
    request_body = NewProvider,
    responses(
        (status = 201, description = "created", body = Provider),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create_provider(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<NewProvider>,
) -> Result<(StatusCode, Json<Provider>), ApiError> {
    let p = models::create_provider(&state.pool, &authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Change a provider's URL or secret reference.
#[utoipa::path(patch, path = "/api/llm/providers/{id}", tag = "llm", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the provider's id")),
    request_body = ProviderPatch,
    responses(
        (status = 200, description = "changed", body = Provider),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such provider", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update_provider(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<ProviderPatch>,
) -> Result<Json<Provider>, ApiError> {
    Ok(Json(
        models::update_provider(&state.pool, &authed.identity, id, body).await?,
    ))
}

/// Delete a provider no model uses.
#[utoipa::path(delete, path = "/api/llm/providers/{id}", tag = "llm", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the provider's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such provider", body = ErrorBody),
        (status = 409, description = "models use it, or it is the local provider", body = ErrorBody),
    ))]
pub async fn delete_provider(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    models::delete_provider(&state.pool, &authed.identity, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List models (disabled ones included).
#[utoipa::path(get, path = "/api/llm/models", tag = "llm", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "every model", body = Vec<Model>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list_models(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
) -> Result<Json<Vec<Model>>, ApiError> {
    Ok(Json(models::list_models(&state.pool).await?))
}

/// Register a model of a provider.
#[utoipa::path(post, path = "/api/llm/models", tag = "llm", security(("bearer" = ["admin"])),
    request_body = NewModel,
    responses(
        (status = 201, description = "created", body = Model),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create_model(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<NewModel>,
) -> Result<(StatusCode, Json<Model>), ApiError> {
    let m = models::create_model(&state.pool, &authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Change a model: prices, limits, capabilities, fallback, enabled.
#[utoipa::path(patch, path = "/api/llm/models/{id}", tag = "llm", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the model's id")),
    request_body = ModelPatch,
    responses(
        (status = 200, description = "changed", body = Model),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such model", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update_model(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<ModelPatch>,
) -> Result<Json<Model>, ApiError> {
    Ok(Json(
        models::update_model(&state.pool, &authed.identity, id, body).await?,
    ))
}

/// Delete a model (the built-in local ones can only be disabled).
#[utoipa::path(delete, path = "/api/llm/models/{id}", tag = "llm", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the model's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such model", body = ErrorBody),
        (status = 409, description = "a built-in local model", body = ErrorBody),
    ))]
pub async fn delete_model(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    models::delete_model(&state.pool, &authed.identity, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// `model` (default), `user`, `day`, `agent` or `conversation`.
    pub group_by: Option<UsageGroup>,
    /// Only this user's calls (admins; others always see only their own).
    pub user_id: Option<Uuid>,
    /// Only calls made for this agent.
    pub agent_id: Option<Uuid>,
    /// Only calls made in this conversation.
    pub conversation_id: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Tokens and cost, grouped by model, user, day, agent or conversation.
#[utoipa::path(get, path = "/api/llm/usage", tag = "llm", security(("bearer" = ["viewer"])),
    params(UsageQuery),
    responses(
        (status = 200, description = "totals per group", body = Vec<UsageTotal>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "another user's usage, and not an admin", body = ErrorBody),
    ))]
pub async fn usage(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<UsageQuery>,
) -> Result<Json<Vec<UsageTotal>>, ApiError> {
    let me = &authed.identity;
    let user = match q.user_id {
        wanted if me.is_admin() => wanted,
        Some(other) if !me.is(other) => {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only admins may see other users' usage",
            ));
        }
        _ => me.user_id,
    };
    let group = q.group_by.unwrap_or(UsageGroup::Model);
    Ok(Json(
        models::usage_totals(
            &state.pool,
            group,
            UsageFilter {
                user_id: user,
                agent_id: q.agent_id,
                conversation_id: q.conversation_id,
                since: q.since,
                until: q.until,
            },
        )
        .await?,
    ))
}
