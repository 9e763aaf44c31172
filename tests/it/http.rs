//! The HTTP spine: probes, error shape, request ids, headers, limits, metrics, OpenAPI.

use crate::support::{TestApp, json};

#[tokio::test]
async fn liveness_and_readiness_answer_200_when_started() {
    let app = TestApp::spawn().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status(), 200);
    assert_eq!(json(live).await["status"], "ok");
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(json(ready).await["status"], "ready");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_error_shape() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/no-such-thing").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "error bodies are JSON"
    );
    let body = json(response).await;
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/api/no-such-thing")
    );

    let response = app.http.post(app.url("/health/live")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
    assert_eq!(json(response).await["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");

    let first = app.get("/health/live").await;
    let second = app.get("/nope").await;
    let a = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let b = second.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(a, b);
    let parsed = uuid::Uuid::parse_str(&a).expect("generated ids are UUIDs");
    assert_eq!(parsed.get_version_num(), 7);
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/nope", "/api/openapi.json"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::spawn().await;
    let limit = gathering::config::Config::default().http.body_limit_bytes;
    let response = app
        .http
        .get(app.url("/health/live"))
        .header("content-type", "application/json")
        .body(vec![b' '; limit + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(json(response).await["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(app.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_report_the_pool() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(app.get("/health/live").await.status(), 200);
    }
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let count = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/health/live\"")
                && l.contains("status=\"200\"")
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<f64>().ok())
        .expect("a counter for /health/live");
    // The recorder is process-wide: other tests may add to it, never subtract.
    assert!(count >= 3.0, "{count}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(text.contains("db_pool_max_size 16"), "{text}");
}

#[tokio::test]
async fn openapi_document_describes_the_routes_and_docs_page_serves() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc = json(response).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/health/live", "/health/ready", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());

    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let db = crate::support::TestDb::migrated().await;
    let mut config = crate::support::test_config(&db);
    config.http.cors_origins = vec!["https://dash.example".to_owned()];
    let app = gathering::app::App::build(config).await.unwrap();
    let addr = app.local_addr();
    let token = app.shutdown_token();
    let server = tokio::spawn(app.run());
    let http = reqwest::Client::new();
    let allowed = http
        .get(format!("http://{addr}/health/live"))
        .header("origin", "https://dash.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dash.example"
    );
    let other = http
        .get(format!("http://{addr}/health/live"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    token.cancel();
    server.await.unwrap().unwrap();
}
