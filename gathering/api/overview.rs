//! `GET /api/overview`: a dashboard's first page in one call (counts, runs, today's usage, the
//! newest event's seq, readiness), each part as the caller may see it.

use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Authed, Viewer};
use crate::core::readiness::Phase;
use crate::overview::{self, Overview};

/// What there is and what is going on. Counts follow the lists' rules: schedules are the
/// caller's own (everyone's for an admin), `users` and `mcp_servers` are `null` unless the
/// caller is an admin, and `usage_today` is the caller's own calls (everyone's for an admin).
#[utoipa::path(get, path = "/api/overview", tag = "overview", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "the overview", body = Overview),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
) -> Result<Json<Overview>, ApiError> {
    let p = &authed.principal;
    let mut overview = overview::load(&state.pool, p.user_id, p.role, chrono::Utc::now()).await?;
    overview.ready = state.readiness.get().0 == Phase::Ready;
    Ok(Json(overview))
}
