//! `GET /api/events`: the event history after a `seq`, filtered by type patterns and by what
//! the caller may see, paged in seq order. The resume path of WebSocket and SSE clients.

use axum::Json;
use axum::extract::{Query, State};

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Authed, Viewer};
use super::views::{EventPage, EventView, EventsQuery};
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
    let items = page
        .events
        .into_iter()
        .filter(|e| filter.matches(e) && e.visible_to(principal.user_id, principal.role))
        .map(EventView::from)
        .collect();
    Ok(Json(EventPage {
        items,
        next_since: page.last.unwrap_or(since),
        more: page.rows as i64 == limit,
    }))
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
