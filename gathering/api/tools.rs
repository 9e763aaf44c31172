//! `/api/tools` (every tool with its schema, risk and timeout; anyone signed in) and
//! `/api/mcp-servers` (admins register, refresh and remove MCP servers; audited).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Admin, ApiJson, Authed, Viewer};
use crate::tools::servers::{self, McpServer, NewMcpServer};

/// A tool as listed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ToolView {
    pub name: String,
    pub description: String,
    /// The JSON Schema of its arguments.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    /// read_only, side_effects or dangerous.
    pub risk: String,
    pub timeout_seconds: f64,
    /// `builtin` or `mcp:<server>`.
    pub source: String,
}

/// Every tool agents may be granted.
#[utoipa::path(get, path = "/api/tools", tag = "agents", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "every tool", body = Vec<ToolView>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
) -> Result<Json<Vec<ToolView>>, ApiError> {
    let defs = state.agents.tools().definitions().await?;
    Ok(Json(
        defs.into_iter()
            .map(|d| ToolView {
                name: d.name,
                description: d.description,
                parameters: d.parameters,
                risk: d.risk.as_str().into(),
                timeout_seconds: d.timeout.as_secs_f64(),
                source: d.source,
            })
            .collect(),
    ))
}

/// Registered MCP servers.
#[utoipa::path(get, path = "/api/mcp-servers", tag = "agents", security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "every MCP server", body = Vec<McpServer>),
        (status = 403, description = "not an admin", body = ErrorBody),
    ))]
pub async fn list_servers(
    State(state): State<AppState>,
    _authed: Authed<Admin>,
) -> Result<Json<Vec<McpServer>>, ApiError> {
    Ok(Json(servers::list(&state.pool).await?))
}

/// Register an MCP server: a command run over stdio, or a streamable HTTP URL. The server is
/// reached and its tools listed before anything is stored.
#[utoipa::path(post, path = "/api/mcp-servers", tag = "agents", security(("bearer" = ["admin"])),
    request_body = NewMcpServer,
    responses(
        (status = 201, description = "registered", body = McpServer),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, or a server that cannot be reached", body = ErrorBody),
    ))]
pub async fn create_server(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    ApiJson(body): ApiJson<NewMcpServer>,
) -> Result<(StatusCode, Json<McpServer>), ApiError> {
    let s = servers::create(&state.pool, &authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// List a server's tools again.
#[utoipa::path(post, path = "/api/mcp-servers/{id}/refresh", tag = "agents", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the server's id")),
    responses(
        (status = 200, description = "refreshed", body = McpServer),
        (status = 404, description = "no such server", body = ErrorBody),
        (status = 422, description = "the server cannot be reached", body = ErrorBody),
    ))]
pub async fn refresh_server(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<Json<McpServer>, ApiError> {
    Ok(Json(
        servers::refresh(
            &state.pool,
            state.agents.tools().mcp(),
            &authed.identity,
            id,
        )
        .await?,
    ))
}

/// Remove a server (its connection closes; agents keep the grant, which fails until a server
/// of that name returns).
#[utoipa::path(delete, path = "/api/mcp-servers/{id}", tag = "agents", security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "the server's id")),
    responses(
        (status = 204, description = "removed"),
        (status = 404, description = "no such server", body = ErrorBody),
    ))]
pub async fn delete_server(
    State(state): State<AppState>,
    authed: Authed<Admin>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    servers::delete(
        &state.pool,
        state.agents.tools().mcp(),
        &authed.identity,
        id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
