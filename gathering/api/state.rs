//! `AppState`: the one `Clone` struct every handler reads, with `FromRef` substates. Built by
//! `app.rs`, the composition root.

use axum::extract::FromRef;
use deadpool_postgres::Pool;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::core::readiness::Readiness;

#[derive(Clone, FromRef)]
pub struct AppState {
    /// Connection pool (deadpool: its own internal locking, cheap to clone).
    pub pool: Pool,
    /// Start-up / shutdown phase, moved by `app.rs`, read by `/health/ready`.
    pub readiness: Readiness,
    /// Renders the process-wide Prometheus recorder.
    pub metrics: PrometheusHandle,
}
