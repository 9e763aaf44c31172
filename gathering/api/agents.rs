//! `/api/agents`: anyone signed in lists and reads agents; members create them (from a persona,
//! in one call) and chat with them; the owner or an admin changes or deletes one. Chat answers
//! whole (JSON) or as Server-Sent Events when the client asks for `text/event-stream`.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::views::{Page, page_bounds, search_term};
use crate::agents::runtime::{RecalledMemory, Turn, TurnEvent, TurnInput};
use crate::agents::{Agent, AgentPatch, NewAgent};
use crate::llm::Usage;

/// `?owner_id=&q=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgentQuery {
    /// Only this user's agents.
    pub owner_id: Option<Uuid>,
    /// Only agents whose name, or whose persona's name or display name, contains this text,
    /// ignoring case (at most 200 characters; blank means no filter).
    pub q: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List agents, oldest first; `q` searches their names.
#[utoipa::path(get, path = "/api/agents", tag = "agents", security(("bearer" = ["viewer"])),
    params(AgentQuery),
    responses(
        (status = 200, description = "a page of agents", body = Page<Agent>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Query(q): Query<AgentQuery>,
) -> Result<Json<Page<Agent>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let search = search_term(q.q.as_deref())?;
    let items = state
        .agents
        .list(q.owner_id, search.as_deref(), after, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |a| a.id)))
}

/// One agent.
#[utoipa::path(get, path = "/api/agents/{id}", tag = "agents", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the agent's id")),
    responses(
        (status = 200, description = "the agent", body = Agent),
        (status = 404, description = "no such agent", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Agent>, ApiError> {
    Ok(Json(state.agents.get(id).await?))
}

/// Create an agent from a persona. The model defaults to the persona's, else the server's;
/// the tools to the persona's `allowed_skills`.
#[utoipa::path(post, path = "/api/agents", tag = "agents", security(("bearer" = ["member"])),
    request_body = NewAgent,
    responses(
        (status = 201, description = "created", body = Agent),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field (unknown persona, model or tool), named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<Agent>), ApiError> {
    let agent = state.agents.create(&authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

/// Change an agent (its owner or an admin).
#[utoipa::path(patch, path = "/api/agents/{id}", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the agent's id")),
    request_body = AgentPatch,
    responses(
        (status = 200, description = "changed", body = Agent),
        (status = 403, description = "not its owner nor an admin", body = ErrorBody),
        (status = 404, description = "no such agent", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<AgentPatch>,
) -> Result<Json<Agent>, ApiError> {
    Ok(Json(state.agents.update(&authed.identity, id, body).await?))
}

/// Delete an agent and its place in conversations (its owner or an admin).
#[utoipa::path(delete, path = "/api/agents/{id}", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the agent's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not its owner nor an admin", body = ErrorBody),
        (status = 404, description = "no such agent", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.agents.delete(&authed.identity, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agents/{id}/chat`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatBody {
    pub message: String,
    /// Continue this conversation (yours); without it a new one starts.
    pub conversation_id: Option<Uuid>,
    /// Stream as Server-Sent Events (also chosen by `Accept: text/event-stream`).
    #[serde(default)]
    pub stream: bool,
    /// Overrides the agent's answer length for this turn.
    pub max_tokens: Option<u32>,
    /// Overrides the agent's temperature for this turn.
    pub temperature: Option<f32>,
}

/// A tool call of a turn and its result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToolCallView {
    pub id: String,
    pub name: String,
    pub arguments: String,
    pub ok: Option<bool>,
    pub result: Option<String>,
}

/// The whole answer of a turn.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatReply {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub content: String,
    /// stop, length or iteration_limit.
    pub finish: String,
    pub model: String,
    #[schema(value_type = Object)]
    pub usage: Usage,
    pub tool_calls: Vec<ToolCallView>,
    pub tool_rounds: u32,
    pub latency_ms: u64,
    /// The memories the turn's prompt was given, most relevant first.
    pub recalled: Vec<RecalledMemory>,
}

/// Reads a turn to its end.
pub(super) async fn collect(mut turn: Turn) -> Result<ChatReply, ApiError> {
    let mut calls: Vec<ToolCallView> = Vec::new();
    let mut recalled = Vec::new();
    while let Some(event) = turn.events.recv().await {
        match event {
            TurnEvent::Recalled { memories } => recalled = memories,
            TurnEvent::ToolCall {
                id,
                name,
                arguments,
            } => calls.push(ToolCallView {
                id,
                name,
                arguments,
                ok: None,
                result: None,
            }),
            TurnEvent::ToolResult {
                id, ok, content, ..
            } => {
                if let Some(c) = calls.iter_mut().rev().find(|c| c.id == id) {
                    c.ok = Some(ok);
                    c.result = Some(content);
                }
            }
            TurnEvent::Completed {
                conversation_id,
                message_id,
                content,
                finish,
                model,
                usage,
                tool_rounds,
                latency_ms,
            } => {
                return Ok(ChatReply {
                    conversation_id,
                    message_id,
                    content,
                    finish,
                    model,
                    usage,
                    tool_calls: calls,
                    tool_rounds,
                    latency_ms,
                    recalled,
                });
            }
            TurnEvent::Error { code, message } => {
                return Err(ApiError::new(
                    ErrorCode::by_name(&code).unwrap_or(ErrorCode::Internal),
                    message,
                ));
            }
            TurnEvent::Queued { .. } | TurnEvent::Started { .. } | TurnEvent::Delta { .. } => {}
        }
    }
    Err(ApiError::internal(anyhow::anyhow!(
        "the turn ended without an answer"
    )))
}

pub(super) fn wants_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

/// Talk to an agent. Whole answer as JSON, or with `stream: true` / `Accept:
/// text/event-stream` Server-Sent Events named by step: `queued`, `started`, `delta`,
/// `tool_call`, `tool_result`, `completed` or `error`. A busy agent queues the turn; a full
/// queue answers 429 `agent_busy`. Closing the connection cancels the turn.
#[utoipa::path(post, path = "/api/agents/{id}/chat", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the agent's id")),
    request_body = ChatBody,
    responses(
        (status = 200, description = "the answer (or its event stream)", body = ChatReply),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such agent or conversation", body = ErrorBody),
        (status = 409, description = "the agent is disabled", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
        (status = 429, description = "the agent's queue is full", body = ErrorBody),
        (status = 503, description = "the agent's model is unavailable", body = ErrorBody),
    ))]
pub async fn chat(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<Response, ApiError> {
    if let Some(t) = body.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(ApiError::field("temperature", "must be 0 to 2"));
    }
    if body.max_tokens.is_some_and(|m| !(1..=32768).contains(&m)) {
        return Err(ApiError::field("max_tokens", "must be 1 to 32768"));
    }
    let agent = state.agents.get(id).await?;
    let stream = body.stream || wants_event_stream(&headers);
    let turn = state
        .agents
        .start_turn(TurnInput {
            agent,
            caller: authed.identity,
            conversation_id: body.conversation_id,
            message: body.message,
            history: None,
            max_tokens: body.max_tokens,
            temperature: body.temperature,
        })
        .await?;
    if !stream {
        return Ok(Json(collect(turn).await?).into_response());
    }
    let events = tokio_stream_of(turn)
        .take_until(state.stopping.clone().cancelled_owned())
        .map(|event| {
            let name = match &event {
                TurnEvent::Queued { .. } => "queued",
                TurnEvent::Started { .. } => "started",
                TurnEvent::Recalled { .. } => "recalled",
                TurnEvent::Delta { .. } => "delta",
                TurnEvent::ToolCall { .. } => "tool_call",
                TurnEvent::ToolResult { .. } => "tool_result",
                TurnEvent::Completed { .. } => "completed",
                TurnEvent::Error { .. } => "error",
            };
            let data = serde_json::to_string(&event).unwrap_or_default();
            Ok::<_, Infallible>(SseEvent::default().event(name).data(data))
        });
    Ok(super::openai::sse_response(events))
}

/// The steps of a turn as a stream (ends when the turn does).
pub(super) fn tokio_stream_of(turn: Turn) -> impl futures_util::Stream<Item = TurnEvent> + Send {
    futures_util::stream::unfold(turn.events, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    })
}
