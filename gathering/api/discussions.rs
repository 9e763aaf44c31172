//! `/api/circles/{name}/discussions`: a circle's discussions, their messages, and steering
//! them (post, pause, resume, stop, choose the next speaker, continue a finished one). A circle
//! you do not belong to, or a discussion of another circle, is a 404; observers read (403 on
//! writes); a change the discussion's state forbids is a 409.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::views::{Page, PageQuery, page_bounds};
use crate::circles::discussion::{
    ContinueDiscussion, Discussion, DiscussionMessage, NewDiscussion, NewPost, Paging,
    SpeakerChoice,
};

/// `?after=&limit=`: messages after a seq.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// Messages after this seq (0 by default: from the start).
    pub after: Option<i32>,
    /// 1 to 500; 200 by default.
    pub limit: Option<i64>,
}

/// The messages of a discussion after a seq; `next_after` is the seq to ask after next.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MessagePage {
    pub items: Vec<DiscussionMessage>,
    /// The last seq of this page (or `after` when it is empty).
    pub next_after: i32,
}

/// The circle's discussions, newest first.
#[utoipa::path(get, path = "/api/circles/{name}/discussions", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"), PageQuery),
    responses(
        (status = 200, description = "a page of discussions", body = Page<Discussion>),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 422, description = "an invalid query", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path(name): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<Discussion>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let items = state
        .circles
        .list_discussions(&authed.identity, &name, Paging { after, limit })
        .await?;
    Ok(Json(Page::of(items, limit, |d| d.id)))
}

/// Start a discussion (owners and participants); it runs in the background.
#[utoipa::path(post, path = "/api/circles/{name}/discussions", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name")),
    request_body = NewDiscussion,
    responses(
        (status = 201, description = "started (pending)", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle you belong to", body = ErrorBody),
        (status = 409, description = "the circle is archived", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<NewDiscussion>,
) -> Result<(StatusCode, Json<Discussion>), ApiError> {
    let d = state
        .circles
        .start_discussion(&authed.identity, &name, body)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A discussion.
#[utoipa::path(get, path = "/api/circles/{name}/discussions/{id}", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    responses(
        (status = 200, description = "the discussion", body = Discussion),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(
        state
            .circles
            .get_discussion(&authed.identity, &name, id)
            .await?,
    ))
}

/// A discussion's messages after a seq, in order.
#[utoipa::path(get, path = "/api/circles/{name}/discussions/{id}/messages", tag = "circles", security(("bearer" = ["viewer"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id"), MessagesQuery),
    responses(
        (status = 200, description = "messages", body = MessagePage),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 422, description = "an invalid query", body = ErrorBody),
    ))]
pub async fn messages(
    State(state): State<AppState>,
    authed: Authed<Viewer>,
    Path((name, id)): Path<(String, Uuid)>,
    Query(q): Query<MessagesQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) || after < 0 {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "limit must be 1 to 500 and after at least 0",
        ));
    }
    let items = state
        .circles
        .messages(&authed.identity, &name, id, after, limit)
        .await?;
    let next_after = items.last().map_or(after, |m| m.seq);
    Ok(Json(MessagePage { items, next_after }))
}

/// Post a message in a discussion (owners and participants); a discussion waiting for you
/// goes on.
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/messages", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    request_body = NewPost,
    responses(
        (status = 201, description = "posted", body = DiscussionMessage),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "the discussion is finished", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn post(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<NewPost>,
) -> Result<(StatusCode, Json<DiscussionMessage>), ApiError> {
    let m = state
        .circles
        .post(&authed.identity, &name, id, body)
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Pause a discussion: the turn in flight finishes, then it holds.
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/pause", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    responses(
        (status = 200, description = "paused", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "already paused, or finished", body = ErrorBody),
    ))]
pub async fn pause(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(
        state.circles.pause(&authed.identity, &name, id).await?,
    ))
}

/// Resume a paused discussion.
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/resume", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    responses(
        (status = 200, description = "running again", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "not paused", body = ErrorBody),
    ))]
pub async fn resume(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(
        state.circles.resume(&authed.identity, &name, id).await?,
    ))
}

/// Stop a discussion now: the turn in flight is cancelled; the summary follows.
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/stop", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    responses(
        (status = 200, description = "stopped", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "already finished", body = ErrorBody),
    ))]
pub async fn stop(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(state.circles.stop(&authed.identity, &name, id).await?))
}

/// Choose who speaks next (manual mode, or an override in any mode).
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/speaker", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    request_body = SpeakerChoice,
    responses(
        (status = 200, description = "chosen", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "the discussion is finished", body = ErrorBody),
        (status = 422, description = "not a participant who may speak now", body = ErrorBody),
    ))]
pub async fn speaker(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<SpeakerChoice>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(
        state
            .circles
            .choose_speaker(&authed.identity, &name, id, body)
            .await?,
    ))
}

/// Continue a finished discussion with its whole history.
#[utoipa::path(post, path = "/api/circles/{name}/discussions/{id}/continue", tag = "circles", security(("bearer" = ["member"])),
    params(("name" = String, Path, description = "the circle's name"),
           ("id" = Uuid, Path, description = "the discussion's id")),
    request_body = ContinueDiscussion,
    responses(
        (status = 200, description = "pending again", body = Discussion),
        (status = 403, description = "an observer", body = ErrorBody),
        (status = 404, description = "no such circle or discussion", body = ErrorBody),
        (status = 409, description = "not finished, or its summary is being written", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn continue_discussion(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((name, id)): Path<(String, Uuid)>,
    ApiJson(body): ApiJson<ContinueDiscussion>,
) -> Result<Json<Discussion>, ApiError> {
    Ok(Json(
        state
            .circles
            .continue_discussion(&authed.identity, &name, id, body)
            .await?,
    ))
}
