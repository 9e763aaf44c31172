//! `/api/conversations`: your conversations (admins: anyone's), filtered by agent, with their
//! transcripts in pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Authed, Member, Viewer};
use super::views::{Page, PageQuery, page_bounds};
use crate::conversations::{self, Conversation, StoredMessage};

/// `?agent_id=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConversationQuery {
    /// Only conversations this agent takes part in.
    pub agent_id: Option<Uuid>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List conversations: your own (admins: everyone's), oldest first.
#[utoipa::path(get, path = "/api/conversations", tag = "agents", security(("bearer" = ["viewer"])),
    params(ConversationQuery),
    responses(
        (status = 200, description = "a page of conversations", body = Page<Conversation>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<ConversationQuery>,
) -> Result<Json<Page<Conversation>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let me = &authed.identity;
    let owner = if me.is_admin() { None } else { me.user_id };
    let items = conversations::list(&state.pool, owner, q.agent_id, after, limit).await?;
    Ok(Json(Page::of(items, limit, |c| c.id)))
}

/// One conversation.
#[utoipa::path(get, path = "/api/conversations/{id}", tag = "agents", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the conversation's id")),
    responses(
        (status = 200, description = "the conversation", body = Conversation),
        (status = 404, description = "no such conversation of yours", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Conversation>, ApiError> {
    let c = conversations::get(&state.pool, id).await?;
    conversations::may_access(&c, &authed.identity)?;
    Ok(Json(c))
}

/// A page of the transcript, oldest first (`cursor`: the last message id of the page before).
#[utoipa::path(get, path = "/api/conversations/{id}/messages", tag = "agents", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the conversation's id"), PageQuery),
    responses(
        (status = 200, description = "a page of messages", body = Page<StoredMessage>),
        (status = 404, description = "no such conversation of yours", body = ErrorBody),
    ))]
pub async fn messages(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<StoredMessage>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let c = conversations::get(&state.pool, id).await?;
    conversations::may_access(&c, &authed.identity)?;
    let items = conversations::messages(&state.pool, id, after, limit).await?;
    Ok(Json(Page::of(items, limit, |m| m.id)))
}

/// Delete a conversation and its messages (its owner or an admin).
#[utoipa::path(delete, path = "/api/conversations/{id}", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the conversation's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, description = "no such conversation of yours", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let c = conversations::get(&state.pool, id).await?;
    conversations::may_access(&c, &authed.identity)?;
    conversations::delete(&state.pool, &c, &authed.identity).await?;
    Ok(StatusCode::NO_CONTENT)
}
