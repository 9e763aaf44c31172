//! `GET /api/events`: the event history after a `seq`, filtered by type patterns and by what
//! the caller may see, paged in seq order (the resume path of live clients); and
//! `GET /api/events/stream`, the live stream as Server-Sent Events for clients that cannot
//! use WebSockets.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Authed, Viewer, bearer_token};
use super::views::{EventPage, EventView, EventsQuery, StreamQuery};
use crate::events::relay::Feed;
use crate::events::topic::Topic;
use crate::events::{Filter, TypePattern, outbox};

/// Page through events after `since`.
#[utoipa::path(get, path = "/api/events", tag = "events", security(("bearer" = ["viewer"])),
    params(EventsQuery),
    responses(
        (status = 200, description = "events after `since` that you may see, oldest first", body = EventPage),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 422, description = "invalid query", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(query): Query<EventsQuery>,
) -> Result<Json<EventPage>, ApiError> {
    let since = query.since.unwrap_or(0);
    let limit = query.limit.unwrap_or(100);
    if since < 0 || !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "since must be 0 or more and limit 1 to 500",
        ));
    }
    let filter = Filter {
        types: parse_types(query.types.as_deref())?,
        ..Filter::default()
    };
    let client = state.pool.get().await.map_err(ApiError::internal)?;
    let page = outbox::page(&**client, since, limit)
        .await
        .map_err(ApiError::internal)?;
    let principal = &authed.principal;
    let viewer = state
        .circles
        .viewer(principal.user_id, principal.role)
        .await?;
    let items = page
        .events
        .into_iter()
        .filter(|e| filter.matches(e) && e.visible_to(&viewer))
        .map(EventView::from)
        .collect();
    Ok(Json(EventPage {
        items,
        next_since: page.last.unwrap_or(since),
        more: page.rows as i64 == limit,
    }))
}

/// What an SSE stream carries between events.
struct StreamState {
    feed: Feed,
    /// Who reads, with their circles (reloaded at every credential check).
    viewer: crate::events::Viewer,
    token: String,
    checked: tokio::time::Instant,
}

/// `types=user.*,api_key.created` as patterns; an unknown one is a 422 naming it.
pub fn parse_types(raw: Option<&str>) -> Result<Vec<TypePattern>, ApiError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            TypePattern::parse(t).map_err(|e| {
                ApiError::new(ErrorCode::ValidationFailed, format!("types: {e}"))
                    .with_details(serde_json::json!({"field": "types"}))
            })
        })
        .collect()
}

/// The live event stream as Server-Sent Events: history after `since` (or the
/// `Last-Event-ID` header), then live events on the given topics, with no gap and no
/// duplicate. Each message has `id: <seq>`, `event: <type>` and the event as JSON data; a
/// `lagged` message says events were skipped while the client was slow (durable ones follow).
#[utoipa::path(get, path = "/api/events/stream", tag = "events", security(("bearer" = ["viewer"])),
    params(StreamQuery),
    responses(
        (status = 200, description = "an endless text/event-stream", content_type = "text/event-stream"),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a topic you may not subscribe to", body = ErrorBody),
        (status = 422, description = "invalid query", body = ErrorBody),
    ))]
pub async fn stream(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let since = query.since.or(last_event_id);
    if since.is_some_and(|s| s < 0) {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "since must be 0 or more",
        ));
    }
    let principal = authed.principal;
    let viewer = state
        .circles
        .viewer(principal.user_id, principal.role)
        .await?;
    let topics = query
        .topics
        .as_deref()
        .unwrap_or("events")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|raw| {
            let topic = Topic::parse(raw)
                .map_err(|e| ApiError::new(ErrorCode::ValidationFailed, format!("topics: {e}")))?;
            topic
                .authorize(&viewer)
                .map_err(|e| ApiError::new(ErrorCode::Forbidden, e.to_string()))?;
            Ok(topic)
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    if topics.is_empty() || topics.len() > 100 {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "topics: name 1 to 100 topics",
        ));
    }
    let token = bearer_token(&headers).unwrap_or_default().to_owned();
    let filter = Filter {
        types: parse_types(query.types.as_deref())?,
        ..Filter::default()
    };
    let feed = Feed::open(&state.bus, state.pool.clone(), "sse", filter, since);
    let stream_state = StreamState {
        feed,
        viewer,
        token,
        checked: tokio::time::Instant::now(),
    };
    let (auth, pool, circles) = (
        state.auth.clone(),
        state.pool.clone(),
        state.circles.clone(),
    );
    // As often as WebSockets ping (`events.ws_ping_interval_secs`).
    let recheck = state.websocket.ping_interval;
    let stream = futures_util::stream::unfold(stream_state, move |mut live| {
        let topics = topics.clone();
        let (auth, pool, circles) = (auth.clone(), pool.clone(), circles.clone());
        async move {
            loop {
                // The credential is checked again every `recheck`, so a logout, a revoked key,
                // a disabled user, a demotion or an expired token ends the stream.
                if live.checked.elapsed() >= recheck {
                    let viewer = match auth.authenticate(&pool, &live.token).await {
                        Ok(principal) => circles.viewer(principal.user_id, principal.role).await,
                        Err(e) => Err(crate::core::error::DomainError::Forbidden(e.to_string())),
                    };
                    match viewer {
                        Ok(viewer) if topics.iter().all(|t| t.authorize(&viewer).is_ok()) => {
                            live.viewer = viewer;
                            live.checked = tokio::time::Instant::now();
                        }
                        _ => return None,
                    }
                }
                let next = tokio::time::timeout_at(live.checked + recheck, live.feed.next()).await;
                let event = match next {
                    Err(_) => continue,
                    Ok(Ok(event)) => event,
                    Ok(Err(e)) => {
                        tracing::warn!("event stream ended: {e}");
                        return None;
                    }
                };
                let (feed, viewer) = (&mut live.feed, &live.viewer);
                if let Some((first_missed, missed)) = feed.take_lag_notice() {
                    let data = serde_json::json!({"first_missed": first_missed, "missed": missed});
                    let message = SseEvent::default().event("lagged").data(data.to_string());
                    // The event itself follows with the next poll of the stream.
                    feed.push_front(event);
                    return Some((Ok(message), live));
                }
                if !(event.visible_to(viewer) && topics.iter().any(|t| t.matches(&event, viewer))) {
                    continue;
                }
                let mut message = SseEvent::default().event(event.event_type.as_str());
                if let Some(seq) = event.seq {
                    message = message.id(seq.to_string());
                }
                let view = EventView::from((*event).clone());
                let data = serde_json::to_string(&view).unwrap_or_default();
                return Some((Ok(message.data(data)), live));
            }
        }
    });
    let stream = futures_util::StreamExt::take_until(stream, state.stopping.cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
