//! `/api/circles/{name}/tasks` and `/api/circles/{name}/conflicts`: circle tasks, routed by
//! the facilitator, accepted or refused by their agent (or a person acting for it), worked and
//! reviewed by agents (or a person). A circle you do not belong to, and a task of another
//! circle, are 404s; observers read, participants change; a step the task's status does not
//! allow is a 409.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::views::{Page, page_bounds};
use crate::circles::tasks::{
    Conflict, ListTasks, NewTask, Review, Task, TaskDetail, TaskPatch, TaskStatus,
};

/// `?status=&assignee=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// open, offered, claimed, in_progress, review, changes_requested, done or blocked.
    pub status: Option<String>,
    /// The assignee agent's name or id.
    pub assignee: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConflictQuery {
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `POST …/tasks/{id}/accept`: the agent the task is offered to takes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CircleTaskAccept)]
pub struct AcceptBody {
    /// The agent's name or id.
    pub agent: String,
}

/// `POST …/tasks/{id}/refuse`: the agent the task is offered to refuses it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CircleTaskRefuse)]
pub struct RefuseBody {
    /// The agent's name or id.
    pub agent: String,
    #[serde(default)]
    pub reason: String,
}

/// A circle's tasks, oldest first.
#[utoipa::path(get, path = "/api/circles/{name}/tasks", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"), TaskQuery),
    responses(
        (status = 200, description = "a page of tasks", body = Page<Task>),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 422, description = "an invalid query", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(name): Path<String>,
    Query(q): Query<TaskQuery>,
) -> Result<Json<Page<Task>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let status = q.status.as_deref().map(TaskStatus::parse).transpose()?;
    let query = ListTasks {
        status,
        assignee: q.assignee,
        after,
        limit,
    };
    let items = state
        .circles
        .list_tasks(&authed.identity, &name, query)
        .await?;
    Ok(Json(Page::of(items, limit, |t| t.id)))
}

/// Create a task (participants); it is open until routed.
#[utoipa::path(post, path = "/api/circles/{name}/tasks", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name")),
    request_body = NewTask,
    responses(
        (status = 201, description = "created", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 409, description = "the circle is archived", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<NewTask>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let task = state
        .circles
        .create_task(&authed.identity, &name, body)
        .await?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// A task with every step it went through.
#[utoipa::path(get, path = "/api/circles/{name}/tasks/{id}", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    responses(
        (status = 200, description = "the task and its history", body = TaskDetail),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<TaskDetail>, ApiError> {
    Ok(Json(state.circles.task(&authed.identity, &name, id).await?))
}

/// Change an open task's title, description, priority, competencies or resources.
#[utoipa::path(patch, path = "/api/circles/{name}/tasks/{id}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    request_body = TaskPatch,
    responses(
        (status = 200, description = "changed", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
        (status = 409, description = "the task is no longer open", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<TaskPatch>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state
            .circles
            .patch_task(&authed.identity, &name, id, body)
            .await?,
    ))
}

/// The facilitator offers an open or blocked task to the best-scoring agent (blocked and
/// escalated to the owners when no agent may take it).
#[utoipa::path(post, path = "/api/circles/{name}/tasks/{id}/route", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    responses(
        (status = 200, description = "offered (or blocked)", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
        (status = 409, description = "the task is neither open nor blocked", body = ErrorBody),
    ))]
pub async fn route(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state
            .circles
            .route_task(&authed.identity, &name, id)
            .await?,
    ))
}

/// Accept an offered task for the agent it is offered to.
#[utoipa::path(post, path = "/api/circles/{name}/tasks/{id}/accept", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    request_body = AcceptBody,
    responses(
        (status = 200, description = "claimed by the agent", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
        (status = 409, description = "not offered, or offered to another agent", body = ErrorBody),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<AcceptBody>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state
            .circles
            .accept_task(&authed.identity, &name, id, &body.agent)
            .await?,
    ))
}

/// Refuse an offered task for the agent it is offered to: the next best agent is offered it.
#[utoipa::path(post, path = "/api/circles/{name}/tasks/{id}/refuse", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    request_body = RefuseBody,
    responses(
        (status = 200, description = "offered to the next agent (or blocked)", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
        (status = 409, description = "not offered, or offered to another agent", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn refuse(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<RefuseBody>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state
            .circles
            .refuse_task(&authed.identity, &name, id, &body.agent, &body.reason)
            .await?,
    ))
}

/// Review a submission: approve (done), ask for changes (a new iteration) or reject (blocked,
/// escalated to the owners).
#[utoipa::path(post, path = "/api/circles/{name}/tasks/{id}/review", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the task's id")),
    request_body = Review,
    responses(
        (status = 200, description = "reviewed", body = Task),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such task in a circle you belong to", body = ErrorBody),
        (status = 409, description = "the task is not in review", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn review(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<Review>,
) -> Result<Json<Task>, ApiError> {
    Ok(Json(
        state
            .circles
            .review_task(&authed.identity, &name, id, body)
            .await?,
    ))
}

/// The circle's conflicts (two agents' live tasks on one resource), oldest first.
#[utoipa::path(get, path = "/api/circles/{name}/conflicts", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"), ConflictQuery),
    responses(
        (status = 200, description = "a page of conflicts", body = Page<Conflict>),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 422, description = "an invalid query", body = ErrorBody),
    ))]
pub async fn conflicts(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(name): Path<String>,
    Query(q): Query<ConflictQuery>,
) -> Result<Json<Page<Conflict>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let items = state
        .circles
        .conflicts(&authed.identity, &name, after, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |c| c.id)))
}
