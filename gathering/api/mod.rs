//! The HTTP API and the WebSockets (`ws/`): routes, the error shape, middleware, OpenAPI.
//! Handlers are thin: extract, parse, one domain call, map to a view. Only `api/` imports axum.

pub mod agents;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod circle_tasks;
pub mod circles;
pub mod conversations;
pub mod dashboard;
pub mod discussions;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod knowledge;
pub mod llm;
pub mod memories;
pub mod metrics;
pub mod middleware;
pub mod openai;
pub mod openai_agents;
pub mod openapi;
pub mod overview;
pub mod personas;
pub mod pipelines;
pub mod rate_limit;
pub mod schedules;
pub mod session;
pub mod settings;
pub mod setup;
pub mod state;
pub mod tools;
pub mod users;
pub mod views;
pub mod ws;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::routing::{delete, get, patch, post, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

pub use settings::{HttpSettings, RateLimitSettings};
pub use state::{AppState, Network};

/// The whole HTTP application.
pub fn router(state: AppState, http: &HttpSettings) -> Router {
    let routes = Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/refresh", post(auth::refresh))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/me", get(auth::me))
        .route("/api/auth/register", post(auth::register))
        .route(
            "/api/auth/session",
            post(session::sign_in).delete(session::sign_out),
        )
        .route("/api/auth/session/refresh", post(session::refresh_session))
        .route("/api/setup", get(setup::status).post(setup::complete))
        .route("/api/users", get(users::list).post(users::create))
        .route("/api/users/{id}", get(users::get).patch(users::update))
        .route("/api/api-keys", get(api_keys::list).post(api_keys::create))
        .route("/api/api-keys/{id}", delete(api_keys::revoke))
        .route("/api/audit", get(audit::list))
        .route("/api/overview", get(overview::get))
        .route("/api/events", get(events::list))
        .route("/api/events/stream", get(events::stream))
        .route(
            "/api/llm/providers",
            get(llm::list_providers).post(llm::create_provider),
        )
        .route(
            "/api/llm/providers/{id}",
            patch(llm::update_provider).delete(llm::delete_provider),
        )
        .route(
            "/api/llm/models",
            get(llm::list_models).post(llm::create_model),
        )
        .route(
            "/api/llm/models/{id}",
            patch(llm::update_model).delete(llm::delete_model),
        )
        .route("/api/llm/usage", get(llm::usage))
        .route("/api/personas", get(personas::list).post(personas::create))
        .route("/api/personas/check", post(personas::check))
        .route(
            "/api/personas/{id}",
            get(personas::get)
                .put(personas::update)
                .delete(personas::delete),
        )
        .route("/api/agents", get(agents::list).post(agents::create))
        .route(
            "/api/agents/{id}",
            get(agents::get)
                .patch(agents::update)
                .delete(agents::delete),
        )
        .route("/api/conversations", get(conversations::list))
        .route(
            "/api/conversations/{id}",
            get(conversations::get).delete(conversations::delete),
        )
        .route(
            "/api/conversations/{id}/messages",
            get(conversations::messages),
        )
        .route("/api/memories", get(memories::list).post(memories::create))
        .route("/api/memories/search", post(memories::search))
        .route(
            "/api/memories/embedding",
            get(memories::embedding).put(memories::set_embedding),
        )
        .route(
            "/api/memories/{id}",
            get(memories::get)
                .patch(memories::update)
                .delete(memories::delete),
        )
        .route("/api/memories/{id}/purge", post(memories::purge))
        .route(
            "/api/knowledge/collections",
            get(knowledge::list_collections).post(knowledge::create_collection),
        )
        .route(
            "/api/knowledge/collections/{collection}",
            get(knowledge::get_collection)
                .patch(knowledge::update_collection)
                .delete(knowledge::delete_collection),
        )
        .route(
            "/api/knowledge/documents/{id}",
            get(knowledge::get_document).delete(knowledge::delete_document),
        )
        .route("/api/knowledge/search", post(knowledge::search))
        .route("/api/circles", get(circles::list).post(circles::create))
        .route(
            "/api/circles/{name}",
            get(circles::get)
                .patch(circles::update)
                .delete(circles::archive),
        )
        .route(
            "/api/circles/{name}/agents/{agent}",
            put(circles::put_agent).delete(circles::remove_agent),
        )
        .route(
            "/api/circles/{name}/people/{user_id}",
            put(circles::put_person).delete(circles::remove_person),
        )
        .route(
            "/api/circles/{name}/discussions",
            get(discussions::list).post(discussions::create),
        )
        .route(
            "/api/circles/{name}/discussions/{id}",
            get(discussions::get),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/messages",
            get(discussions::messages).post(discussions::post),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/pause",
            post(discussions::pause),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/resume",
            post(discussions::resume),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/stop",
            post(discussions::stop),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/speaker",
            post(discussions::speaker),
        )
        .route(
            "/api/circles/{name}/discussions/{id}/continue",
            post(discussions::continue_discussion),
        )
        .route(
            "/api/circles/{name}/tasks",
            get(circle_tasks::list).post(circle_tasks::create),
        )
        .route(
            "/api/circles/{name}/tasks/{id}",
            get(circle_tasks::get).patch(circle_tasks::update),
        )
        .route(
            "/api/circles/{name}/tasks/{id}/route",
            post(circle_tasks::route),
        )
        .route(
            "/api/circles/{name}/tasks/{id}/accept",
            post(circle_tasks::accept),
        )
        .route(
            "/api/circles/{name}/tasks/{id}/refuse",
            post(circle_tasks::refuse),
        )
        .route(
            "/api/circles/{name}/tasks/{id}/review",
            post(circle_tasks::review),
        )
        .route(
            "/api/circles/{name}/conflicts",
            get(circle_tasks::conflicts),
        )
        .route("/api/tools", get(tools::list))
        .route("/api/pipelines/node-types", get(pipelines::node_types))
        .route(
            "/api/pipelines/validate",
            post(pipelines::validate_document),
        )
        .route(
            "/api/pipelines",
            get(pipelines::list).post(pipelines::create),
        )
        .route(
            "/api/pipelines/{id}",
            get(pipelines::get)
                .put(pipelines::update)
                .delete(pipelines::delete),
        )
        .route("/api/pipelines/{id}/versions", get(pipelines::versions))
        .route(
            "/api/pipelines/{id}/versions/{version}",
            get(pipelines::version),
        )
        .route("/api/pipelines/{id}/diff", get(pipelines::diff))
        .route(
            "/api/pipelines/{id}/runs",
            get(pipelines::list_runs).post(pipelines::start_run),
        )
        .route("/api/pipelines/{id}/breakers", get(pipelines::breakers))
        .route(
            "/api/pipelines/{id}/webhook-secret",
            post(pipelines::rotate_webhook),
        )
        .route("/api/pipelines/{id}/webhook", post(pipelines::webhook))
        .route("/api/pipeline-runs/{id}", get(pipelines::get_run))
        .route(
            "/api/pipeline-runs/{id}/cancel",
            post(pipelines::cancel_run),
        )
        .route("/api/pipeline-runs/{id}/rerun", post(pipelines::rerun))
        .route(
            "/api/pipeline-runs/{id}/approvals/{node_id}",
            post(pipelines::decide),
        )
        .route(
            "/api/schedules",
            get(schedules::list).post(schedules::create),
        )
        .route("/api/schedules/preview", post(schedules::preview))
        .route(
            "/api/schedules/{id}",
            get(schedules::get)
                .put(schedules::update)
                .delete(schedules::delete),
        )
        .route("/api/schedules/{id}/pause", post(schedules::pause))
        .route("/api/schedules/{id}/resume", post(schedules::resume))
        .route("/api/schedules/{id}/trigger", post(schedules::trigger))
        .route("/api/schedules/{id}/runs", get(schedules::runs))
        .route("/api/notifications", get(schedules::notifications))
        .route("/api/notifications/{id}/read", post(schedules::mark_read))
        .route(
            "/api/mcp-servers",
            get(tools::list_servers).post(tools::create_server),
        )
        .route("/api/mcp-servers/{id}", delete(tools::delete_server))
        .route("/api/mcp-servers/{id}/refresh", post(tools::refresh_server))
        .route("/v1/models", get(openai::models))
        .merge(ws::routes())
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi::document()))
        .fallback(dashboard::serve)
        .with_state(state.clone());

    // `Router::layer` wraps each route (and the fallback); the last layer added is the
    // outermost. Innermost first: panics, body limit, timeout, then the error shape sees all
    // of their responses, the rate limit refuses before any of them run, and the metrics see
    // the final status (429s included). CORS is outside them all, so refusals carry it too.
    // Generation is bounded by max_tokens and ends when the client goes away, not by the
    // request timeout: a whole answer from a CPU model can take longer than it.
    let generation = Router::new()
        .route("/v1/chat/completions", post(openai::chat_completions))
        .route("/v1/embeddings", post(openai::embeddings))
        .route("/api/agents/{id}/chat", post(agents::chat))
        .with_state(state.clone())
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(DefaultBodyLimit::max(http.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(http.body_limit_bytes));
    // Knowledge uploads: multipart under `memory.max_upload_bytes`, not the JSON body limit.
    let uploads = knowledge::upload_routes(state.clone(), http);
    let mut router = routes
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(DefaultBodyLimit::max(http.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            http.request_timeout,
        ))
        .merge(generation)
        .merge(uploads)
        .layer(axum::middleware::from_fn(middleware::refuse_nul_in_uri))
        .layer(axum::middleware::from_fn(middleware::error_shape))
        .layer(axum::middleware::from_fn_with_state(
            state,
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn(middleware::track_metrics))
        .layer(CompressionLayer::new());
    if let Some(cors) = cors_layer(&http.cors_origins) {
        router = router.layer(cors);
    }
    for (name, value) in middleware::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(
                middleware::REQUEST_ID.clone(),
                middleware::MakeRequestUuidV7,
            ))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::new(middleware::REQUEST_ID.clone())),
    )
}

/// Serves `router` on `listener` until `stop` completes, then waits for in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(stop)
        .await
}

fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| o.parse().ok()))
    };
    let exposed = [
        "x-request-id",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "www-authenticate",
    ]
    .map(HeaderName::from_static);
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers(exposed),
    )
}
