//! `/api/pipelines` and `/api/pipeline-runs`: validate a document without storing it; store
//! pipelines (members; changes by the owner or an admin, each a new version, with a diff);
//! start runs (201 at once, executed by any instance's engine), read them with every node's
//! state, cancel, re-run from the failed nodes, decide approvals; breakers; a webhook with a
//! per-pipeline secret that starts runs without a user's token.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, ClientMeta, Member, Viewer};
use super::views::{Page, SearchPageQuery, page_bounds, search_term};
use crate::orchestration::pipeline::check::{Budget, VALIDATION_BUDGET};
use crate::orchestration::pipeline::model::MAX_PROBLEMS;
use crate::orchestration::pipeline::records::{Breaker, Run, RunStatus, StoredPipeline, Version};
use crate::orchestration::pipeline::schemas;
use crate::orchestration::pipeline::{
    PipelineError, Problem, Problems, Trigger, validate_off_thread,
};

/// What validation found.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValidationReport {
    pub valid: bool,
    /// The problems, each with a code, its node or edge id and a JSON pointer: the first 100
    /// found.
    pub errors: Vec<Problem>,
    /// How many more problems were found than `errors` lists (0 when it lists them all).
    pub omitted: usize,
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Invalid(problems) => ApiError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "the pipeline is not valid: {} problem(s); details.errors lists {}",
                    problems.total(),
                    if problems.omitted == 0 {
                        "them".to_owned()
                    } else {
                        format!("the first {MAX_PROBLEMS}")
                    }
                ),
            )
            .with_details(serde_json::json!({
                "errors": problems.listed,
                "omitted": problems.omitted,
            })),
            PipelineError::OverBudget => over_budget(),
            PipelineError::Domain(e) => e.into(),
        }
    }
}

/// A validation that did not finish within its budget (a busy server, or a document too big
/// to check in time): 503, try again later or send a smaller document.
fn over_budget() -> ApiError {
    ApiError::new(
        ErrorCode::RequestTimeout,
        format!(
            "validating the pipeline took longer than {} s; try again later, or send a \
             smaller document",
            VALIDATION_BUDGET.as_secs()
        ),
    )
}

/// A node type, for an editor's palette.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NodeTypeView {
    /// The wire name (`trigger`, `agent`, ...), what a node's `type` holds.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub label: &'static str,
    /// `start`, `compute`, `effect` (breaker, timeout and retries apply) or `wait`.
    pub category: &'static str,
    pub description: &'static str,
    /// What the node outputs.
    pub output: &'static str,
    /// The JSON Schema its `config` is validated against: the very schema validation uses.
    #[schema(value_type = Object)]
    pub config_schema: Value,
    /// A minimal config the schema accepts.
    #[schema(value_type = Object)]
    pub example_config: Value,
    /// The most edges into the node; `null`: any number (validation bounds none).
    pub inputs: Option<u32>,
    /// The most edges out of the node; `null`: any number.
    pub outputs: Option<u32>,
}

/// Every node type the validator knows, in the order of docs/pipelines.md, with the JSON
/// Schema of its `config`.
#[utoipa::path(get, path = "/api/pipelines/node-types", tag = "pipelines", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "every node type", body = Vec<NodeTypeView>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn node_types(_authed: Authed<Viewer>) -> Json<Vec<NodeTypeView>> {
    Json(
        schemas::NODE_TYPE_INFO
            .iter()
            .filter_map(|info| {
                Some(NodeTypeView {
                    kind: info.kind,
                    label: info.label,
                    category: info.category,
                    description: info.description,
                    output: info.output,
                    config_schema: schemas::config_schema(info.kind)?,
                    example_config: (info.example)(),
                    inputs: None,
                    outputs: None,
                })
            })
            .collect(),
    )
}

/// Check a pipeline document without storing it: the shape, unknown keys, node types and
/// configs (JSON Schema per type), edges, cycles (with their path), reachability from a
/// trigger, and every expression. 200 whether or not it is valid; `errors` lists the first 100
/// problems and `omitted` counts the rest. The check runs off the async workers in time linear
/// in the document, within a 5 s budget (503 `request_timeout` past it).
#[utoipa::path(post, path = "/api/pipelines/validate", tag = "pipelines", security(("bearer" = ["viewer"])),
    request_body(content = Object, description = "a pipeline document (docs/pipelines.md)"),
    responses(
        (status = 200, description = "the verdict and every problem", body = ValidationReport),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 422, description = "the body is not JSON", body = ErrorBody),
        (status = 503, description = "the check took longer than its budget", body = ErrorBody),
    ))]
pub async fn validate_document(
    State(_state): State<AppState>,
    _authed: Authed<Viewer>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<ValidationReport>, ApiError> {
    let problems = match validate_off_thread(std::sync::Arc::new(body), Budget::Request).await {
        Ok(Ok(_)) => Problems::default(),
        Ok(Err(problems)) => problems,
        Err(_) => return Err(over_budget()),
    };
    Ok(Json(ValidationReport {
        valid: problems.total() == 0,
        errors: problems.listed,
        omitted: problems.omitted,
    }))
}

/// List pipelines, oldest first, each with its newest document; `q` searches their name and
/// description.
#[utoipa::path(get, path = "/api/pipelines", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(SearchPageQuery),
    responses(
        (status = 200, description = "a page of pipelines", body = Page<StoredPipeline>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Query(q): Query<SearchPageQuery>,
) -> Result<Json<Page<StoredPipeline>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let search = search_term(q.q.as_deref())?;
    let items = state
        .pipelines
        .list(search.as_deref(), after, limit)
        .await?;
    Ok(Json(Page::of(items, limit, |p| p.id)))
}

/// Store a pipeline (version 1). The document is validated whole; 422 lists the problems in
/// `details.errors` (the first 100; `details.omitted` counts the rest).
#[utoipa::path(post, path = "/api/pipelines", tag = "pipelines", security(("bearer" = ["member"])),
    request_body(content = Object, description = "a pipeline document (docs/pipelines.md)"),
    responses(
        (status = 201, description = "stored", body = StoredPipeline),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "not valid: details.errors has the first 100 problems, details.omitted counts the rest", body = ErrorBody),
        (status = 503, description = "validation took longer than its budget", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<StoredPipeline>), ApiError> {
    let stored = state.pipelines.create(&authed.identity, body).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// One pipeline with its newest document.
#[utoipa::path(get, path = "/api/pipelines/{id}", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    responses(
        (status = 200, description = "the pipeline", body = StoredPipeline),
        (status = 404, description = "no such pipeline", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<StoredPipeline>, ApiError> {
    Ok(Json(state.pipelines.get(id).await?))
}

/// Replace the document (the owner or an admin): a new version. Runs already started keep
/// the version they started on.
#[utoipa::path(put, path = "/api/pipelines/{id}", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    request_body(content = Object, description = "the whole new document"),
    responses(
        (status = 200, description = "the new version", body = StoredPipeline),
        (status = 403, description = "not its owner nor an admin", body = ErrorBody),
        (status = 404, description = "no such pipeline", body = ErrorBody),
        (status = 422, description = "not valid: details.errors has the first 100 problems, details.omitted counts the rest", body = ErrorBody),
        (status = 503, description = "validation took longer than its budget", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<StoredPipeline>, ApiError> {
    Ok(Json(
        state.pipelines.update(&authed.identity, id, body).await?,
    ))
}

/// Delete a pipeline with its versions, runs and breakers (the owner or an admin).
#[utoipa::path(delete, path = "/api/pipelines/{id}", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not its owner nor an admin", body = ErrorBody),
        (status = 404, description = "no such pipeline", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.pipelines.delete(&authed.identity, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every version, newest first.
#[utoipa::path(get, path = "/api/pipelines/{id}/versions", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    responses(
        (status = 200, description = "the versions", body = Vec<Version>),
        (status = 404, description = "no such pipeline", body = ErrorBody),
    ))]
pub async fn versions(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Version>>, ApiError> {
    Ok(Json(state.pipelines.versions(id).await?))
}

/// One version's document.
#[utoipa::path(get, path = "/api/pipelines/{id}/versions/{version}", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id"),
           ("version" = i32, Path, description = "the version number")),
    responses(
        (status = 200, description = "the version", body = Version),
        (status = 404, description = "no such pipeline or version", body = ErrorBody),
    ))]
pub async fn version(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path((id, version)): Path<(Uuid, i32)>,
) -> Result<Json<Version>, ApiError> {
    Ok(Json(state.pipelines.version(id, version).await?))
}

/// `?from=&to=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    pub from: i32,
    pub to: i32,
}

/// What changed between two versions: nodes and edges added, removed and changed (before and
/// after), and the top-level fields that changed.
#[utoipa::path(get, path = "/api/pipelines/{id}/diff", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id"), DiffQuery),
    responses(
        (status = 200, description = "{nodes, edges, fields}", body = Object),
        (status = 404, description = "no such pipeline or version", body = ErrorBody),
    ))]
pub async fn diff(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
    Query(q): Query<DiffQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.pipelines.diff(id, q.from, q.to).await?))
}

/// The body of `POST /api/pipelines/{id}/runs`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRun {
    /// What the trigger node outputs (a JSON object; `{}` by default).
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub trigger_data: Option<Value>,
}

/// Start a run of the newest version. Answers 201 at once with the pending run; an engine
/// (this instance's, or another's) executes it. Progress: `GET /api/pipeline-runs/{id}`,
/// `pipeline_run.*` and `pipeline_node.*` events, `/ws/pipelines/{id}`.
#[utoipa::path(post, path = "/api/pipelines/{id}/runs", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    request_body = StartRun,
    responses(
        (status = 201, description = "the run, pending", body = Run),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 404, description = "no such pipeline", body = ErrorBody),
        (status = 422, description = "trigger_data is not an object", body = ErrorBody),
    ))]
pub async fn start_run(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<StartRun>,
) -> Result<(StatusCode, Json<Run>), ApiError> {
    let data = body
        .trigger_data
        .unwrap_or_else(|| Value::Object(Default::default()));
    let run = state
        .pipelines
        .start_run(&authed.identity, id, data, Trigger::Manual)
        .await?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// `?status=&limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    /// Only runs in this status: `pending`, `running`, `waiting`, `completed`, `failed`,
    /// `cancelled` or `timeout`.
    pub status: Option<String>,
    /// 1 to 200; 50 by default.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The runs of a pipeline, newest first (without their nodes; `GET /api/pipeline-runs/{id}`
/// has them), optionally only those in one status.
#[utoipa::path(get, path = "/api/pipelines/{id}/runs", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id"), RunsQuery),
    responses(
        (status = 200, description = "a page of runs", body = Page<Run>),
        (status = 404, description = "no such pipeline", body = ErrorBody),
        (status = 422, description = "an unknown status, or a bad limit or cursor", body = ErrorBody),
    ))]
pub async fn list_runs(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
    Query(q): Query<RunsQuery>,
) -> Result<Json<Page<Run>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            RunStatus::parse(s).ok_or_else(|| {
                ApiError::field(
                    "status",
                    "must be pending, running, waiting, completed, failed, cancelled or timeout",
                )
            })
        })
        .transpose()?;
    let items = state.pipelines.runs(id, status, after, limit).await?;
    Ok(Json(Page::of(items, limit, |r| r.id)))
}

/// The circuit breakers of a pipeline's nodes (those that have run).
#[utoipa::path(get, path = "/api/pipelines/{id}/breakers", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    responses(
        (status = 200, description = "the breakers", body = Vec<Breaker>),
        (status = 404, description = "no such pipeline", body = ErrorBody),
    ))]
pub async fn breakers(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Breaker>>, ApiError> {
    Ok(Json(state.pipelines.breakers(id).await?))
}

/// A new webhook secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookSecret {
    /// `POST` here with the secret in `X-Gathering-Webhook-Secret` to start a run.
    pub url: String,
    /// Shown once; only its hash is kept.
    pub secret: String,
}

/// Make (or replace) the pipeline's webhook secret (the owner or an admin); audited.
#[utoipa::path(post, path = "/api/pipelines/{id}/webhook-secret", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the pipeline's id")),
    responses(
        (status = 201, description = "the secret, shown once", body = WebhookSecret),
        (status = 403, description = "not its owner nor an admin", body = ErrorBody),
        (status = 404, description = "no such pipeline", body = ErrorBody),
    ))]
pub async fn rotate_webhook(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<WebhookSecret>), ApiError> {
    let secret = state.pipelines.rotate_webhook(&authed.identity, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookSecret {
            url: format!("/api/pipelines/{id}/webhook"),
            secret,
        }),
    ))
}

/// Start a run from outside, without a user's token: the pipeline's webhook secret in
/// `X-Gathering-Webhook-Secret`, the body (a JSON object, or anything, kept under `body`) as
/// the trigger data. The run acts as the pipeline's owner. 403 for a wrong or missing secret.
#[utoipa::path(post, path = "/api/pipelines/{id}/webhook", tag = "pipelines",
    params(("id" = Uuid, Path, description = "the pipeline's id"),
           ("X-Gathering-Webhook-Secret" = String, Header, description = "the pipeline's webhook secret")),
    request_body(content = Object, description = "the trigger data"),
    responses(
        (status = 201, description = "the run, pending", body = Run),
        (status = 403, description = "wrong or missing secret", body = ErrorBody),
    ))]
pub async fn webhook(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Value>,
) -> Result<(StatusCode, Json<Run>), ApiError> {
    let secret = headers
        .get("x-gathering-webhook-secret")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let run = state.pipelines.webhook_run(id, secret, body, &meta).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// One run with every node's state.
#[utoipa::path(get, path = "/api/pipeline-runs/{id}", tag = "pipelines", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the run", body = Run),
        (status = 404, description = "no such run", body = ErrorBody),
    ))]
pub async fn get_run(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Run>, ApiError> {
    Ok(Json(state.pipelines.run(id).await?))
}

/// Stop a run (who started it, the pipeline's owner or an admin): its running nodes are
/// cancelled (aborted if they do not stop within `pipelines.cancel_grace_secs`), wherever it
/// runs. 409 when it has already ended.
#[utoipa::path(post, path = "/api/pipeline-runs/{id}/cancel", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the run (cancelled, or being stopped)", body = Run),
        (status = 403, description = "not allowed", body = ErrorBody),
        (status = 404, description = "no such run", body = ErrorBody),
        (status = 409, description = "the run has ended", body = ErrorBody),
    ))]
pub async fn cancel_run(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<Json<Run>, ApiError> {
    Ok(Json(state.pipelines.cancel(&authed.identity, id).await?))
}

/// Run a failed, cancelled or timed-out run again as a new run: its completed and skipped
/// nodes keep their outputs; the others run.
#[utoipa::path(post, path = "/api/pipeline-runs/{id}/rerun", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the run's id")),
    responses(
        (status = 201, description = "the new run, pending", body = Run),
        (status = 404, description = "no such run", body = ErrorBody),
        (status = 409, description = "the run did not fail", body = ErrorBody),
    ))]
pub async fn rerun(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<Run>), ApiError> {
    let run = state.pipelines.rerun(&authed.identity, id).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// The body of an approval's decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `approve` or `reject`.
    pub decision: DecisionKind,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
}

/// Decide an approval node that waits: its `approvers` (user ids or emails), or any member
/// when it names none. 409 when it is not waiting (decided, timed out, or not started).
#[utoipa::path(post, path = "/api/pipeline-runs/{id}/approvals/{node_id}", tag = "pipelines", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the run's id"),
           ("node_id" = String, Path, description = "the approval node's id")),
    request_body = Decision,
    responses(
        (status = 200, description = "the run", body = Run),
        (status = 403, description = "not an approver", body = ErrorBody),
        (status = 404, description = "no such run or node", body = ErrorBody),
        (status = 409, description = "the node is not waiting", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path((id, node_id)): Path<(Uuid, String)>,
    ApiJson(body): ApiJson<Decision>,
) -> Result<Json<Run>, ApiError> {
    let approve = matches!(body.decision, DecisionKind::Approve);
    Ok(Json(
        state
            .pipelines
            .decide(&authed.identity, id, &node_id, approve, body.comment)
            .await?,
    ))
}
