//! `/api/schedules` and `/api/notifications`: schedules (members create them; the owner or an
//! admin reads and changes them), pause, resume and a manual trigger, their runs with
//! `scheduled_for`, and the caller's in-app notifications (what `send_notification` sends).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Authed, ClientMeta, Member, Viewer};
use super::views::{Page, PageQuery, page_bounds};
use crate::orchestration::scheduler::service::{PREVIEW_MAX, Preview};
use crate::orchestration::scheduler::store::{Notification, ScheduleRun};
use crate::orchestration::scheduler::{Schedule, ScheduleRequest};

// Moved here from `api/pipelines.rs` (which now passes `&auth.identity`) until the schedules
// service takes an `Identity` too.
fn actor<'a>(
    p: &crate::auth::model::Principal,
    meta: &'a crate::audit::RequestMeta,
) -> crate::agents::Actor<'a> {
    crate::agents::Actor {
        user_id: p.user_id,
        role: p.role,
        meta,
    }
}

/// The caller's schedules (everyone's for an admin), oldest first.
#[utoipa::path(get, path = "/api/schedules", tag = "schedules", security(("bearer" = ["viewer"])),
    params(PageQuery),
    responses(
        (status = 200, description = "a page of schedules", body = Page<Schedule>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<Schedule>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let p = &authed.principal;
    let items = state
        .schedules
        .list(p.user_id, p.role, after, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |s| s.id)))
}

/// Create a schedule, owned by the caller. Its actions act as its owner. Every field is checked;
/// 422 names the first one that is wrong in `details.field`.
#[utoipa::path(post, path = "/api/schedules", tag = "schedules", security(("bearer" = ["member"])),
    request_body = ScheduleRequest,
    responses(
        (status = 201, description = "stored, with its next five fire times", body = Schedule),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "a field is invalid (details.field names it)", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let schedule = state
        .schedules
        .create(actor(&authed.principal, &meta), body)
        .await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

/// `POST /api/schedules/preview`'s body: a schedule definition (every field of
/// [`ScheduleRequest`], unknown ones refused) and `count`, how many occurrences to list.
#[derive(Debug)]
pub struct PreviewRequest {
    pub schedule: ScheduleRequest,
    pub count: Option<i64>,
}

impl<'de> Deserialize<'de> for PreviewRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `#[serde(flatten)]` would let unknown fields through: take `count` off, then read
        // the rest as the create endpoint does.
        let mut fields = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let count = match fields.remove("count") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_i64()
                    .ok_or_else(|| D::Error::custom("count: must be an integer"))?,
            ),
        };
        let schedule =
            ScheduleRequest::deserialize(Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(Self { schedule, count })
    }
}

impl utoipa::PartialSchema for PreviewRequest {
    fn schema() -> RefOr<Schema> {
        let count = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(PREVIEW_MAX as f64))
            .description(Some("how many occurrences to list (default 5, at most 50)"));
        AllOfBuilder::new()
            .item(Ref::from_schema_name("ScheduleRequest"))
            .item(ObjectBuilder::new().property("count", count))
            .description(Some(
                "a schedule definition, as `POST /api/schedules` takes it, and `count`",
            ))
            .into()
    }
}

impl utoipa::ToSchema for PreviewRequest {}

/// The next fire times of a schedule definition, computed from now and not stored. The body is
/// what `POST /api/schedules` takes, plus `count`; it is checked as creating it would be (422
/// names the field). An event schedule has no fire times: `fires_on` says what fires it.
#[utoipa::path(post, path = "/api/schedules/preview", tag = "schedules", security(("bearer" = ["member"])),
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "the next occurrences", body = Preview),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 422, description = "a field is invalid (details.field names it)", body = ErrorBody),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    _authed: Authed<Member>,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> Result<Json<Preview>, ApiError> {
    let count = match body.count {
        None => 5,
        Some(n) if (1..=PREVIEW_MAX as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(ApiError::field(
                "count",
                format!("must be 1 to {PREVIEW_MAX}"),
            ));
        }
    };
    Ok(Json(state.schedules.preview(&body.schedule, count).await?))
}

/// One schedule with its next five fire times.
#[utoipa::path(get, path = "/api/schedules/{id}", tag = "schedules", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    responses(
        (status = 200, description = "the schedule", body = Schedule),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Schedule>, ApiError> {
    let p = &authed.principal;
    Ok(Json(state.schedules.get(p.user_id, p.role, id).await?))
}

/// Replace a schedule's definition (the owner or an admin); its next occurrence is computed from
/// now, its count of executions kept.
#[utoipa::path(put, path = "/api/schedules/{id}", tag = "schedules", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    request_body = ScheduleRequest,
    responses(
        (status = 200, description = "the changed schedule", body = Schedule),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
        (status = 422, description = "a field is invalid (details.field names it)", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<ScheduleRequest>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        state
            .schedules
            .update(actor(&authed.principal, &meta), id, body)
            .await?,
    ))
}

/// Delete a schedule and its runs (the owner or an admin).
#[utoipa::path(delete, path = "/api/schedules/{id}", tag = "schedules", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .schedules
        .delete(actor(&authed.principal, &meta), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pause: nothing fires until resumed (occurrences meanwhile are not caught up).
#[utoipa::path(post, path = "/api/schedules/{id}/pause", tag = "schedules", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    responses(
        (status = 200, description = "paused", body = Schedule),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        state
            .schedules
            .set_paused(actor(&authed.principal, &meta), id, true)
            .await?,
    ))
}

/// Resume from the next occurrence after now.
#[utoipa::path(post, path = "/api/schedules/{id}/resume", tag = "schedules", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    responses(
        (status = 200, description = "active again", body = Schedule),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn resume(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        state
            .schedules
            .set_paused(actor(&authed.principal, &meta), id, false)
            .await?,
    ))
}

/// Execute the action now, as a `manual` run (also when paused or finished; not counted
/// against `max_executions`). 202: the run is executed asynchronously; follow it in `runs`.
#[utoipa::path(post, path = "/api/schedules/{id}/trigger", tag = "schedules", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the schedule's id")),
    responses(
        (status = 202, description = "the run, pending", body = ScheduleRun),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn trigger(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<ScheduleRun>), ApiError> {
    let run = state
        .schedules
        .trigger(actor(&authed.principal, &meta), id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// The schedule's executions, newest occurrence first: `scheduled_for`, status, attempts,
/// instance, start, end, duration, fire lag, output or error.
#[utoipa::path(get, path = "/api/schedules/{id}/runs", tag = "schedules", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the schedule's id"), PageQuery),
    responses(
        (status = 200, description = "a page of runs", body = Page<ScheduleRun>),
        (status = 404, description = "no such schedule of yours", body = ErrorBody),
    ))]
pub async fn runs(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<ScheduleRun>>, ApiError> {
    let (before, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let p = &authed.principal;
    let items = state
        .schedules
        .runs(p.user_id, p.role, id, before, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |r| r.id)))
}

/// `?unread=true&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only those not read yet.
    #[serde(default)]
    pub unread: bool,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "schedules", security(("bearer" = ["viewer"])),
    params(NotificationQuery),
    responses(
        (status = 200, description = "a page of notifications", body = Page<Notification>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn notifications(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<NotificationQuery>,
) -> Result<Json<Page<Notification>>, ApiError> {
    let (before, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let items = state
        .schedules
        .notifications(authed.principal.user_id, q.unread, before, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |n| n.id)))
}

/// Mark one of the caller's notifications read.
#[utoipa::path(post, path = "/api/notifications/{id}/read", tag = "schedules", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the notification's id")),
    responses(
        (status = 200, description = "read", body = Notification),
        (status = 404, description = "no such notification of yours", body = ErrorBody),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Notification>, ApiError> {
    Ok(Json(
        state
            .schedules
            .mark_read(authed.principal.user_id, id)
            .await?,
    ))
}
