//! `/metrics`: Prometheus text exposition of request counts, latency histograms by route and
//! pool statistics. The recorder is process-wide (the `metrics` facade has one global).

use std::sync::OnceLock;

use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;
use super::extract::{Authed, Viewer};

/// Latency buckets in seconds, from 1 ms to 30 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide recorder's handle, installed on first use.
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".to_owned()),
                    LATENCY_BUCKETS,
                )
                .expect("buckets are non-empty")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed, which nothing else here does.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Prometheus metrics. Public unless `http.metrics_public = false`, in which case any
/// signed-in principal (for example a viewer API key given to the scraper) may read them.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, description = "metrics are private and no credentials were sent"),
    ))]
pub async fn render(State(state): State<AppState>, mut parts: Parts) -> Response {
    if !state.metrics_public
        && let Err(refusal) = Authed::<Viewer>::from_request_parts(&mut parts, &state).await
    {
        return refusal;
    }
    let (handle, pool) = (state.metrics, state.pool);
    let status = pool.status();
    metrics::gauge!("db_pool_max_size").set(status.max_size as f64);
    metrics::gauge!("db_pool_size").set(status.size as f64);
    metrics::gauge!("db_pool_available").set(status.available as f64);
    metrics::gauge!("db_pool_waiting").set(status.waiting as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
