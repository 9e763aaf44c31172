//! Health probes: `/health/live` (the process answers) and `/health/ready` (it should get
//! traffic: started, not shutting down, database reachable).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use deadpool_postgres::Pool;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorBody, ErrorCode};
use crate::core::readiness::{Phase, Readiness};
use crate::models::LlmService;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// `ok` for liveness, `ready` for readiness.
    pub status: &'static str,
    /// Readiness only: where the local models run and which are loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<ModelsStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelsStatus {
    /// e.g. `cpu (burn-flex, 2 threads)` or `cuda:0 (burn-cuda)`.
    pub device: String,
    /// Local models in memory now (they load on first use unless `models.preload`).
    pub loaded: Vec<&'static str>,
}

/// The process is alive.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "alive", body = HealthStatus)))]
pub async fn live() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok",
        models: None,
    })
}

/// The process is ready for traffic.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "ready", body = HealthStatus),
        (status = 503, description = "starting, shutting down or database unreachable; the message says which", body = ErrorBody),
    ))]
pub async fn ready(
    State(readiness): State<Readiness>,
    State(pool): State<Pool>,
    State(llm): State<LlmService>,
) -> Result<Json<HealthStatus>, ApiError> {
    let (phase, reason) = readiness.get();
    if phase != Phase::Ready {
        return Err(ApiError::new(ErrorCode::NotReady, reason));
    }
    match tokio::time::timeout(Duration::from_secs(2), crate::db::ping(&pool)).await {
        Ok(Ok(())) => Ok(Json(HealthStatus {
            status: "ready",
            models: Some(ModelsStatus {
                device: llm.local().device().describe(),
                loaded: llm.local().loaded(),
            }),
        })),
        Ok(Err(e)) => {
            tracing::warn!("readiness: database unavailable: {e}");
            Err(ApiError::new(ErrorCode::NotReady, "database unavailable"))
        }
        Err(_) => Err(ApiError::new(
            ErrorCode::NotReady,
            "database did not answer within 2s",
        )),
    }
}
