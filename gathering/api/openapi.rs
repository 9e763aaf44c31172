//! The OpenAPI 3.1 document, generated from the handlers' annotations, served at
//! `/api/openapi.json` with an interactive page at `/api/docs`.

use utoipa::OpenApi;

use super::{error, health, metrics};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gathering",
        description = "Self-hosted multi-agent collaboration platform with DAG pipelines. Every error has the shape `{\"error\": {\"code\", \"message\", \"details\"}}`; codes are listed in docs/api.md."
    ),
    paths(health::live, health::ready, metrics::render),
    components(schemas(error::ErrorBody, error::ErrorDetail, health::HealthStatus)),
    tags((name = "health", description = "Probes and metrics"))
)]
pub struct ApiDoc;

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
