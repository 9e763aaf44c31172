//! `/api/memories`: memories in the scopes the caller may see (a viewer reads and searches,
//! a member writes, an admin purges and changes the embedding model). Every answer is filtered
//! by the caller's scopes in SQL; a memory the caller may not see is a 404, as if it did not
//! exist.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Admin, ApiJson, Authed, Member, Viewer};
use super::views::{Page, page_bounds};
use crate::core::error::DomainError;
use crate::memory::{
    EmbeddingStatus, Filters, Memory, MemoryDetail, MemoryPatch, MemoryType, NewMemory, Reader,
    ScopeKind, SearchMode, SearchRequest, SearchResult,
};

/// A search that needs vectors when no embedding model answers is a 503, not a busy agent.
pub(super) fn search_error(e: DomainError) -> ApiError {
    match e {
        DomainError::Busy(m) => ApiError::new(ErrorCode::ModelUnavailable, m),
        e => e.into(),
    }
}

/// `?scope=&scope_id=&type=&tag=&include_deleted=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemoryQuery {
    /// Only this scope: user, agent, conversation, circle or global.
    pub scope: Option<String>,
    /// Only this user, agent, conversation or circle.
    pub scope_id: Option<Uuid>,
    /// Only this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub memory_type: Option<String>,
    /// Only memories with this tag.
    pub tag: Option<String>,
    /// Soft-deleted (and expired) memories too.
    pub include_deleted: Option<bool>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List the memories you may see, newest first.
#[utoipa::path(get, path = "/api/memories", tag = "memory", security(("bearer" = ["viewer"])),
    params(MemoryQuery),
    responses(
        (status = 200, description = "a page of memories", body = Page<Memory>),
        (status = 422, description = "an invalid filter, named", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<MemoryQuery>,
) -> Result<Json<Page<Memory>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let filters = Filters {
        scopes: q
            .scope
            .as_deref()
            .map(ScopeKind::parse)
            .transpose()?
            .into_iter()
            .collect(),
        scope_id: q.scope_id,
        types: q
            .memory_type
            .as_deref()
            .map(MemoryType::parse)
            .transpose()?
            .into_iter()
            .collect(),
        tags: crate::memory::model::check_tags(&q.tag.into_iter().collect::<Vec<_>>())?,
        include_deleted: q.include_deleted.unwrap_or(false),
        ..Filters::default()
    };
    let reader = Reader::person(&authed.identity)?;
    let items = state.memories.list(&reader, &filters, after, limit).await?;
    Ok(Json(Page::of(items, limit, |m| m.id)))
}

/// Store a memory in a scope you may write: `user` (yours; blank `scope_id`), `agent` (an
/// agent you own), `conversation` (one of yours), `circle` (a circle you belong to), `global`
/// (admins).
#[utoipa::path(post, path = "/api/memories", tag = "memory", security(("bearer" = ["member"])),
    request_body = NewMemory,
    responses(
        (status = 201, description = "stored; searchable by keywords now, by meaning once `embedded`", body = Memory),
        (status = 403, description = "not a scope you may write", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<NewMemory>,
) -> Result<(StatusCode, Json<Memory>), ApiError> {
    let reader = Reader::person(&authed.identity)?;
    let memory = state.memories.create(&reader, body).await?;
    Ok((StatusCode::CREATED, Json(memory)))
}

/// One memory with every version, newest first.
#[utoipa::path(get, path = "/api/memories/{id}", tag = "memory", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the memory's id")),
    responses(
        (status = 200, description = "the memory and its versions", body = MemoryDetail),
        (status = 404, description = "no such memory you may see", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<MemoryDetail>, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    Ok(Json(state.memories.get(&reader, id).await?))
}

/// Change a memory: a new version; the old ones stay readable.
#[utoipa::path(patch, path = "/api/memories/{id}", tag = "memory", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the memory's id")),
    request_body = MemoryPatch,
    responses(
        (status = 200, description = "the new version", body = Memory),
        (status = 403, description = "you may read it but not change it", body = ErrorBody),
        (status = 404, description = "no such memory you may see", body = ErrorBody),
        (status = 409, description = "it is deleted", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<MemoryPatch>,
) -> Result<Json<Memory>, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    Ok(Json(state.memories.update(&reader, id, body).await?))
}

/// Delete a memory (soft: search no longer returns it; an admin can purge it).
#[utoipa::path(delete, path = "/api/memories/{id}", tag = "memory", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the memory's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "you may read it but not change it", body = ErrorBody),
        (status = 404, description = "no such memory you may see", body = ErrorBody),
        (status = 409, description = "already deleted", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    state.memories.delete(&reader, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a memory for good, with its versions, links and vectors (admins).
#[utoipa::path(post, path = "/api/memories/{id}/purge", tag = "memory", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the memory's id")),
    responses(
        (status = 204, description = "purged"),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such memory", body = ErrorBody),
    ))]
pub async fn purge(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    state.memories.purge(&reader, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/memories/search`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    pub query: String,
    /// `hybrid` (default), `semantic` or `keyword`.
    #[serde(default)]
    pub mode: SearchMode,
    /// 1 to 100; 10 by default.
    pub limit: Option<usize>,
    /// The least cosine similarity of a semantic match, 0 to 1.
    pub threshold: Option<f32>,
    /// Only these scopes.
    #[serde(default)]
    pub scopes: Vec<ScopeKind>,
    pub scope_id: Option<Uuid>,
    /// Only these types.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub types: Vec<MemoryType>,
    /// Only memories with all these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    pub min_importance: Option<f32>,
    /// Compare with every vector instead of walking the index (perfect recall, slower).
    #[serde(default)]
    pub exact: bool,
}

/// Search the memories you may see: by meaning, by keywords, or both fused by reciprocal rank.
#[utoipa::path(post, path = "/api/memories/search", tag = "memory", security(("bearer" = ["viewer"])),
    request_body = SearchBody,
    responses(
        (status = 200, description = "the best matches first", body = SearchResult),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
        (status = 503, description = "semantic search while no embedding model answers", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    ApiJson(body): ApiJson<SearchBody>,
) -> Result<Json<SearchResult>, ApiError> {
    if let Some(i) = body.min_importance
        && (!(0.0..=1.0).contains(&i) || i.is_nan())
    {
        return Err(ApiError::field("min_importance", "must be 0 to 1"));
    }
    let request = SearchRequest {
        query: body.query,
        mode: body.mode,
        limit: body.limit.unwrap_or(10),
        threshold: body.threshold,
        filters: Filters {
            scopes: body.scopes,
            scope_id: body.scope_id,
            types: body.types,
            tags: crate::memory::model::check_tags(&body.tags)?,
            since: body.since,
            until: body.until,
            min_importance: body.min_importance,
            include_deleted: false,
        },
        exact: body.exact,
    };
    let reader = Reader::person(&authed.identity)?;
    let found = state
        .memories
        .search(&reader, &request)
        .await
        .map_err(search_error)?;
    Ok(Json(found))
}

/// The embedding models and, for admins, how far their vectors are.
#[utoipa::path(get, path = "/api/memories/embedding", tag = "memory", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "serving and target models; coverage for admins", body = EmbeddingStatus),
    ))]
pub async fn embedding(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
) -> Result<Json<EmbeddingStatus>, ApiError> {
    let mut status = state.memories.embeddings().status().await?;
    if !authed.identity.is_admin() {
        status.memories = None;
        status.chunks = None;
    }
    Ok(Json(status))
}

/// `PUT /api/memories/embedding`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmbeddingBody {
    /// An enabled embedding model of the registry.
    pub model: String,
}

/// Change the embedding model (admins): everything is re-embedded in the background and the
/// new model serves search once done; the old one serves meanwhile.
#[utoipa::path(put, path = "/api/memories/embedding", tag = "memory", security(("bearer" = ["admin"])),
    request_body = EmbeddingBody,
    responses(
        (status = 200, description = "re-embedding started", body = EmbeddingStatus),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 422, description = "not an enabled embedding model", body = ErrorBody),
    ))]
pub async fn set_embedding(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<EmbeddingBody>,
) -> Result<Json<EmbeddingStatus>, ApiError> {
    let status = state
        .memories
        .embeddings()
        .switch(&authed.identity, body.model.trim())
        .await?;
    Ok(Json(status))
}
