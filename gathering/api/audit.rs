//! `GET /api/audit`: the audit log for admins, newest first, filtered by action, actor,
//! outcome and time.

use axum::Json;
use axum::extract::{Query, State};

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{Admin, Authed};
use super::views::{AuditEventView, AuditQuery, Page, page_bounds};
use crate::audit;

/// Read the audit log.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = ["admin"])),
    params(AuditQuery),
    responses(
        (status = 200, description = "a page of audit rows, newest first", body = Page<AuditEventView>),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 422, description = "invalid filter", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Admin>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Page<AuditEventView>>, ApiError> {
    let (before, limit) = page_bounds(query.limit, query.cursor.as_deref())?;
    let outcome = query
        .outcome
        .as_deref()
        .map(str::parse::<audit::Outcome>)
        .transpose()
        .map_err(|e| ApiError::new(ErrorCode::ValidationFailed, format!("outcome: {e}")))?;
    let filter = audit::Filter {
        action: query.action,
        actor_id: query.actor_id,
        outcome,
        since: query.since,
        until: query.until,
        before,
        limit,
    };
    let client = state.pool.get().await.map_err(ApiError::internal)?;
    let events = audit::store::list(&client, &filter)
        .await
        .map_err(ApiError::internal)?;
    let views = events.into_iter().map(AuditEventView::from).collect();
    Ok(Json(Page::of(views, limit, |e: &AuditEventView| e.id)))
}
