//! WebSockets: `/ws` (multiplexed: subscribe and unsubscribe by message) and one socket per
//! topic (`/ws/circles/{name}`, `/ws/agents/{id}`, `/ws/workspace/{id}`, `/ws/pipelines/{id}`).
//! Every socket is authenticated, by `Sec-WebSocket-Protocol: bearer, <token>` before the
//! upgrade or by a first `{"action":"auth","token":"..."}` message (never a token in the URL),
//! and every topic is authorised. `?since=SEQ` replays what the client missed, then streams
//! live, with no gap and no duplicate. The protocol is in `docs/events.md`.
//!
//! Part of the API layer (it shares `AppState`, the error shape and the client-address rules):
//! routes here, one connection's loop in `connection.rs`, frames serialised once for all
//! sockets in `frames.rs`.

mod connection;
mod frames;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::error::{ApiError, ErrorCode};
use crate::api::extract::client_addr_of;
use crate::auth::AuthError;
use crate::events::topic::Topic;

pub use connection::{ClientMessage, ServerFrame, Settings};
pub use frames::FrameCache;

/// The WebSocket routes, merged into the API router (and so behind the same layers).
/// `/ws/{kind}/{key}` is one socket per topic: `circles/NAME`, `agents/ID`, `workspace/ID`,
/// `pipelines/ID` (and `users/ID`); anything else is 404.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ws", get(multiplexed))
        .route("/ws/{kind}/{key}", get(topic_socket))
}

/// `?since=SEQ`: replay events after it before streaming live ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketQuery {
    pub since: Option<i64>,
}

async fn multiplexed(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<SocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    open(state, peer, headers, query, upgrade, None).await
}

async fn topic_socket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((kind, key)): Path<(String, String)>,
    Query(query): Query<SocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let topic = format!("{kind}/{key}");
    open(state, peer, headers, query, upgrade, Some(topic)).await
}

/// Checks what can be checked before the upgrade (the topic's syntax, `since`, a token in
/// the protocol header), then hands the socket to a connection task.
async fn open(
    state: AppState,
    peer: SocketAddr,
    headers: HeaderMap,
    query: SocketQuery,
    upgrade: WebSocketUpgrade,
    topic: Option<String>,
) -> Response {
    if query.since.is_some_and(|s| s < 0) {
        return ApiError::new(ErrorCode::ValidationFailed, "since must be 0 or more")
            .into_response();
    }
    let topic = match topic.as_deref().map(Topic::parse).transpose() {
        Ok(topic) => topic,
        Err(e) => return ApiError::new(ErrorCode::NotFound, e.to_string()).into_response(),
    };
    let offered = protocol_token(&headers);
    let credentials = match offered {
        Some(token) => match state.auth.authenticate(&state.pool, token).await {
            Ok(principal) => Some((principal, token.to_owned())),
            Err(AuthError::InvalidToken) => {
                let addr = client_addr_of(peer.ip(), &headers, &state.network);
                if let Some(refusal) = state.rate_limits.charge_failed_auth(Some(addr)) {
                    return refusal;
                }
                return ApiError::new(
                    ErrorCode::Unauthenticated,
                    "the token is invalid, expired or revoked",
                )
                .into_response();
            }
            Err(other) => return ApiError::from(other).into_response(),
        },
        None => None,
    };
    if let (Some((principal, _)), Some(topic)) = (&credentials, &topic) {
        let viewer = match state
            .circles
            .viewer(principal.user_id, principal.role)
            .await
        {
            Ok(viewer) => viewer,
            Err(e) => return ApiError::from(e).into_response(),
        };
        if let Err(e) = topic.authorize(&viewer) {
            return ApiError::new(ErrorCode::Forbidden, e.to_string()).into_response();
        }
    }
    let upgrade = if credentials.is_some() {
        upgrade.protocols(["bearer"])
    } else {
        upgrade
    };
    let settings = state.websocket;
    upgrade
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| {
            connection::serve(socket, state, credentials, topic, query.since, settings)
        })
}

/// The token of `Sec-WebSocket-Protocol: bearer, <token>`.
fn protocol_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("sec-websocket-protocol")?.to_str().ok()?;
    let mut parts = value.split(',').map(str::trim);
    let scheme = parts.next()?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    parts.next().filter(|t| !t.is_empty())
}
