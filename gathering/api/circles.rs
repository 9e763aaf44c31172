//! `/api/circles`: circles and their members. A circle you do not belong to is a 404, as if it
//! did not exist (admins see all); observers read, participants take part, owners manage.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::views::{Page, page_bounds};
use crate::circles::{
    AgentMember, AgentMembership, Circle, CircleDetail, CirclePatch, ListCircles, NewCircle,
    PersonMember, PersonMembership,
};

/// `?archived=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CircleQuery {
    /// Archived circles instead of active ones.
    pub archived: Option<bool>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The circles you belong to (admins: all), oldest first.
#[utoipa::path(get, path = "/api/circles", tag = "circles", security(("bearer" = ["viewer"])),
    params(CircleQuery),
    responses(
        (status = 200, description = "a page of circles", body = Page<Circle>),
        (status = 422, description = "an invalid query", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Query(q): Query<CircleQuery>,
) -> Result<Json<Page<Circle>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let query = ListCircles {
        archived: q.archived.unwrap_or(false),
        after,
        limit,
    };
    let items = state.circles.list(&authed.identity, query).await?;
    Ok(Json(Page::of(items, limit, |c| c.id)))
}

/// Create a circle; you are its first owner.
#[utoipa::path(post, path = "/api/circles", tag = "circles", security(("bearer" = ["member"])),
    request_body = NewCircle,
    responses(
        (status = 201, description = "created", body = Circle),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<NewCircle>,
) -> Result<(StatusCode, Json<Circle>), ApiError> {
    let circle = state.circles.create(&authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(circle)))
}

/// A circle with its agents and people, and your role in it.
#[utoipa::path(get, path = "/api/circles/{name}", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name")),
    responses(
        (status = 200, description = "the circle", body = CircleDetail),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(name): Path<String>,
) -> Result<Json<CircleDetail>, ApiError> {
    Ok(Json(state.circles.get(&authed.identity, &name).await?))
}

/// Change a circle's purpose or settings (owners).
#[utoipa::path(patch, path = "/api/circles/{name}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name")),
    request_body = CirclePatch,
    responses(
        (status = 200, description = "changed", body = Circle),
        (status = 403, description = "not an owner", body = ErrorBody),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 409, description = "archived", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<CirclePatch>,
) -> Result<Json<Circle>, ApiError> {
    Ok(Json(
        state.circles.update(&authed.identity, &name, body).await?,
    ))
}

/// Archive a circle (owners): its history stays, nothing new starts in it.
#[utoipa::path(delete, path = "/api/circles/{name}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name")),
    responses(
        (status = 204, description = "archived"),
        (status = 403, description = "not an owner", body = ErrorBody),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
    ))]
pub async fn archive(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.circles.archive(&authed.identity, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an agent you own to the circle, or change its role, competencies and what it reviews
/// (owners).
#[utoipa::path(put, path = "/api/circles/{name}/agents/{agent}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("agent" = String, Path, description = "the agent's name or id")),
    request_body = AgentMembership,
    responses(
        (status = 200, description = "the membership", body = AgentMember),
        (status = 403, description = "not an owner, or not your agent", body = ErrorBody),
        (status = 404, description = "no such circle or agent", body = ErrorBody),
        (status = 409, description = "archived, or a person has that handle", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn put_agent(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, agent)): Path<(String, String)>,
    ApiJson(body): ApiJson<AgentMembership>,
) -> Result<Json<AgentMember>, ApiError> {
    Ok(Json(
        state
            .circles
            .put_agent(&authed.identity, &name, &agent, body)
            .await?,
    ))
}

/// Remove an agent from the circle (owners).
#[utoipa::path(delete, path = "/api/circles/{name}/agents/{agent}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("agent" = String, Path, description = "the agent's name or id")),
    responses(
        (status = 204, description = "removed"),
        (status = 403, description = "not an owner", body = ErrorBody),
        (status = 404, description = "no such circle, or the agent is not in it", body = ErrorBody),
    ))]
pub async fn remove_agent(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, agent)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .circles
        .remove_agent(&authed.identity, &name, &agent)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a person to the circle, or change their role or handle (owners).
#[utoipa::path(put, path = "/api/circles/{name}/people/{user_id}", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("user_id" = Uuid, Path, description = "the user's id")),
    request_body = PersonMembership,
    responses(
        (status = 200, description = "the membership", body = PersonMember),
        (status = 403, description = "not an owner", body = ErrorBody),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 409, description = "archived, the handle is taken, or the last owner would go", body = ErrorBody),
        (status = 422, description = "an invalid field, or no such user", body = ErrorBody),
    ))]
pub async fn put_person(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, user_id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<PersonMembership>,
) -> Result<Json<PersonMember>, ApiError> {
    Ok(Json(
        state
            .circles
            .put_person(&authed.identity, &name, user_id, body)
            .await?,
    ))
}

/// Remove a person from the circle (owners; anyone may leave). The last owner cannot.
#[utoipa::path(delete, path = "/api/circles/{name}/people/{user_id}", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("user_id" = Uuid, Path, description = "the user's id")),
    responses(
        (status = 204, description = "removed"),
        (status = 403, description = "not an owner", body = ErrorBody),
        (status = 404, description = "no such circle, or the person is not in it", body = ErrorBody),
        (status = 409, description = "the last owner", body = ErrorBody),
    ))]
pub async fn remove_person(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path((name, user_id)): Path<(String, Uuid)>,
) -> Result<StatusCode, ApiError> {
    state
        .circles
        .remove_person(&authed.identity, &name, user_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
