//! `/api/pipelines`: for now, validation. A document is checked whole and every problem is
//! returned at once (`{valid, errors}`); storing and running pipelines come with the engine.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::Value;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, Authed, Viewer};
use crate::orchestration::pipeline::{Problem, validate};

/// What validation found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValidationReport {
    pub valid: bool,
    /// Every problem, each with a code, its node or edge id and a JSON pointer.
    pub errors: Vec<Problem>,
}

/// Check a pipeline document without storing it: the shape, unknown keys, node types and
/// configs (JSON Schema per type), edges, cycles (with their path), reachability from a
/// trigger, and every expression. 200 whether or not it is valid.
#[utoipa::path(post, path = "/api/pipelines/validate", tag = "pipelines", security(("bearer" = ["viewer"])),
    request_body(content = Object, description = "a pipeline document (docs/pipelines.md)"),
    responses(
        (status = 200, description = "the verdict and every problem", body = ValidationReport),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 422, description = "the body is not JSON", body = ErrorBody),
    ))]
pub async fn validate_document(
    State(_state): State<AppState>,
    _authed: Authed<Viewer>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<ValidationReport>, ApiError> {
    let errors = match validate(&body) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    Ok(Json(ValidationReport {
        valid: errors.is_empty(),
        errors,
    }))
}
