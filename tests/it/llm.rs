//! The model registry, the OpenAI-compatible surface (local models with their real weights, and a
//! hosted provider played by a local server speaking OpenAI's wire format), fallback, usage and
//! cost, and the official OpenAI Python SDK against our `/v1`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::response::IntoResponse;
use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, TestDb, json, poll_until, repo_root, run_sdk_script, test_config};

async fn post_as(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A member's API key (what an OpenAI client is given).
async fn member_key(app: &TestApp) -> String {
    let session = app.signed_in(Role::Member).await;
    let created = post_as(app, "/api/api-keys", &session, json!({"name": "sdk"})).await;
    assert_eq!(created.status(), 201);
    json(created).await["secret"].as_str().unwrap().to_owned()
}

async fn spawn_app() -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.models.dir = repo_root().join(".gathering/models");
    config.models.provider_retries = 0;
    config.models.provider_timeout = Duration::from_secs(10);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

#[tokio::test]
async fn the_registry_is_seeded_and_only_admins_edit_it() {
    let app = spawn_app().await;
    let viewer = app.signed_in(Role::Viewer).await;
    let member = app.signed_in(Role::Member).await;
    let admin = app.signed_in(Role::Admin).await;

    let models = json(app.get_as("/api/llm/models", &viewer).await).await;
    let names: Vec<&str> = models
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["all-minilm-l6-v2", "smollm2-135m-instruct"]);
    assert_eq!(models[0]["dimension"], 384);
    assert_eq!(models[1]["provider"], "local");

    let provider =
        json!({"name": "ollama", "kind": "openai", "base_url": "http://127.0.0.1:11434/v1"});
    assert_eq!(
        post_as(&app, "/api/llm/providers", &member, provider.clone())
            .await
            .status(),
        403
    );
    let created = post_as(&app, "/api/llm/providers", &admin, provider.clone()).await;
    assert_eq!(created.status(), 201);
    let provider_id = json(created).await["id"].as_str().unwrap().to_owned();
    assert_eq!(
        post_as(&app, "/api/llm/providers", &admin, provider)
            .await
            .status(),
        409
    );

    // Bad fields are named, and nothing is written.
    for (body, field) in [
        (
            json!({"name": "x", "kind": "openai", "base_url": "ftp://h"}),
            "base_url",
        ),
        (
            json!({"name": "y", "kind": "openai", "base_url": "http://h", "secret_ref": "sk-123"}),
            "secret_ref",
        ),
        (json!({"name": "z", "kind": "local"}), "kind"),
        (
            json!({"name": "a/b", "kind": "openai", "base_url": "http://h"}),
            "name",
        ),
        (
            json!({"name": "w", "kind": "openai", "base_url": "http://h",
                "secret_ref": "env:GATHERING_JWT_SECRET"}),
            "secret_ref",
        ),
    ] {
        let response = post_as(&app, "/api/llm/providers", &admin, body).await;
        assert_eq!(response.status(), 422);
        assert_eq!(json(response).await["error"]["details"]["field"], field);
    }
    let model = |name: &str, fallback: Option<&str>| {
        json!({"name": name, "provider": "ollama", "provider_model": "llama3.2", "kind": "chat",
               "context_window": 8192, "input_price_per_mtok": 1.5, "output_price_per_mtok": 2.0,
               "capabilities": ["streaming", "tools"], "fallback": fallback})
    };
    let response = post_as(
        &app,
        "/api/llm/models",
        &admin,
        model("llama", Some("nope")),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(
        json(response).await["error"]["details"]["field"],
        "fallback"
    );
    let response = post_as(
        &app,
        "/api/llm/models",
        &admin,
        model("llama", Some("smollm2-135m-instruct")),
    )
    .await;
    assert_eq!(response.status(), 201);
    let llama = json(response).await;
    assert_eq!(llama["fallback"], "smollm2-135m-instruct");
    assert_eq!(llama["input_price_per_mtok"], 1.5);

    // A fallback loop is refused.
    let local_id = models[1]["id"].as_str().unwrap();
    let response = app
        .http
        .patch(app.url(&format!("/api/llm/models/{local_id}")))
        .bearer_auth(&admin)
        .json(&json!({"fallback": "llama"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    // In use: the provider cannot go; the built-in models cannot be deleted.
    let response = app
        .http
        .delete(app.url(&format!("/api/llm/providers/{provider_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let response = app
        .http
        .delete(app.url(&format!("/api/llm/models/{local_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    // Every change is audited and on the bus.
    let client = app.db.client().await;
    let audited: i64 = client
        .query_one("SELECT count(*) FROM audit.events WHERE action IN ('llm_provider.created', 'llm_model.created')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(audited, 2);
    let published: i64 = client
        .query_one(
            "SELECT count(*) FROM events.outbox WHERE type LIKE 'llm_%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(published, 2);
    app.shutdown().await.unwrap();
}

/// Reads an SSE body into its `data:` payloads.
fn sse_data(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn v1_serves_the_local_models() {
    let app = spawn_app().await;
    let key = member_key(&app).await;

    let response = app.http.get(app.url("/v1/models")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let listed = json(app.get_as("/v1/models", &key).await).await;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"smollm2-135m-instruct") && ids.contains(&"all-minilm-l6-v2"));

    // Embeddings: unit vectors of 384; base64 carries the same floats.
    let texts = json!([
        "A man is playing a guitar.",
        "Someone plays the guitar.",
        "The stock market fell."
    ]);
    let body = json!({"model": "all-minilm-l6-v2", "input": texts});
    let floats = json(post_as(&app, "/v1/embeddings", &key, body).await).await;
    let vectors: Vec<Vec<f64>> = floats["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(vectors.len(), 3);
    assert!(vectors.iter().all(|v| v.len() == 384));
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    assert!((dot(&vectors[0], &vectors[0]) - 1.0).abs() < 1e-4);
    assert!(dot(&vectors[0], &vectors[1]) > dot(&vectors[0], &vectors[2]) + 0.2);
    assert!(floats["usage"]["prompt_tokens"].as_u64().unwrap() > 10);
    let body = json!({"model": "all-minilm-l6-v2", "input": "A man is playing a guitar.", "encoding_format": "base64"});
    let encoded = json(post_as(&app, "/v1/embeddings", &key, body).await).await;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded["data"][0]["embedding"].as_str().unwrap())
        .unwrap();
    let decoded: Vec<f64> = bytes
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
        .collect();
    assert!(
        decoded
            .iter()
            .zip(&vectors[0])
            .all(|(a, b)| (a - b).abs() < 1e-6)
    );

    // Chat, whole and streamed, greedy: the same answer both ways.
    let ask = |stream: bool| {
        json!({"model": "smollm2-135m-instruct", "stream": stream, "temperature": 0, "max_tokens": 24,
               "stream_options": {"include_usage": true},
               "messages": [{"role": "user", "content": "What is the capital of Japan?"}]})
    };
    let whole = json(post_as(&app, "/v1/chat/completions", &key, ask(false)).await).await;
    let answer = whole["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(answer.contains("Tokyo"), "{answer}");
    assert_eq!(whole["object"], "chat.completion");
    assert!(whole["usage"]["prompt_tokens"].as_u64().unwrap() > 20);
    let response = post_as(&app, "/v1/chat/completions", &key, ask(true)).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let events = sse_data(&response.text().await.unwrap());
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let streamed: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(streamed, answer);
    let last = chunks.last().unwrap();
    assert_eq!(last["usage"], whole["usage"]);

    // Client mistakes are 4xx with the field named.
    let response = post_as(
        &app,
        "/v1/chat/completions",
        &key,
        json!({"model": "smollm2-135m-instruct", "n": 2,
        "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert_eq!(json(response).await["error"]["details"]["field"], "n");
    let response = post_as(
        &app,
        "/v1/chat/completions",
        &key,
        json!({"model": "gpt-17",
        "messages": [{"role": "user", "content": "hi"}]}),
    )
    .await;
    assert_eq!(response.status(), 404);
    let response = post_as(
        &app,
        "/v1/embeddings",
        &key,
        json!({"model": "smollm2-135m-instruct", "input": "x"}),
    )
    .await;
    assert_eq!(response.status(), 400);
    // More tokens than the local embedding engine takes per request: refused before it runs.
    let long = "the quick brown fox jumps over the lazy dog ".repeat(40);
    let response = post_as(
        &app,
        "/v1/embeddings",
        &key,
        json!({"model": "all-minilm-l6-v2", "input": vec![long; 100]}),
    )
    .await;
    assert_eq!(response.status(), 422);
    let refused = json(response).await;
    assert_eq!(refused["error"]["code"], "validation_failed");
    assert_eq!(refused["error"]["details"]["field"], "input");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("25600 tokens"), "{message}");

    // Every call is in the ledger, with its tokens (local models cost nothing).
    let client = app.db.client().await;
    let recorded = poll_until(Duration::from_secs(10), || async {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM llm.usage WHERE outcome = 'success'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        n == 4
    })
    .await;
    assert!(recorded, "two embedding and two chat calls are recorded");
    // A direct call through an API key is the key's and its user's, made for no agent.
    let misattributed: i64 = client
        .query_one(
            "SELECT count(*) FROM llm.usage WHERE outcome = 'success'
               AND (user_id IS NULL OR api_key_id IS NULL
                    OR agent_id IS NOT NULL OR conversation_id IS NOT NULL)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(misattributed, 0, "usage rows name the key and its user");
    let usage = json(app.get_as("/api/llm/usage?group_by=model", &key).await).await;
    let chat = usage
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["key"] == "smollm2-135m-instruct")
        .unwrap();
    assert_eq!(chat["calls"], 2);
    assert!(chat["completion_tokens"].as_i64().unwrap() >= 2);
    app.shutdown().await.unwrap();
}

/// A hosted provider, played by a local server speaking OpenAI's chat-completions stream: it
/// always answers with two tool calls, 12 prompt and 7 completion tokens.
async fn fake_openai() -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                assert_eq!(body["stream"], true);
                let chunk = |delta: Value, finish: Value| {
                    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
                };
                let events = [
                    chunk(json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                        "function": {"name": "calculator", "arguments": "{\"expr"}}]}), Value::Null),
                    chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": "ession\": \"2+2\"}"}}]}), Value::Null),
                    chunk(json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
                        "function": {"name": "now", "arguments": "{}"}}]}), Value::Null),
                    chunk(json!({}), json!("tool_calls")),
                    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
                           "usage": {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}}),
                ];
                let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
                body.push_str("data: [DONE]\n\n");
                ([("content-type", "text/event-stream")], body).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), calls)
}

#[tokio::test]
async fn hosted_models_pass_tool_calls_through_fall_back_and_cost_money() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Admin).await;
    let key = member_key(&app).await;
    let (base_url, calls) = fake_openai().await;
    for (name, url) in [
        ("remote", base_url.as_str()),
        ("dead", "http://127.0.0.1:1/v1"),
    ] {
        let body = json!({"name": name, "kind": "openai", "base_url": url});
        assert_eq!(
            post_as(&app, "/api/llm/providers", &admin, body)
                .await
                .status(),
            201
        );
    }
    let model = |name: &str, provider: &str, fallback: Option<&str>| {
        json!({"name": name, "provider": provider, "provider_model": "gpt-test", "kind": "chat",
               "context_window": 128000, "input_price_per_mtok": 2.5, "output_price_per_mtok": 10.0,
               "fallback": fallback})
    };
    for body in [
        model("tools-model", "remote", None),
        model("flaky", "dead", Some("tools-model")),
    ] {
        assert_eq!(
            post_as(&app, "/api/llm/models", &admin, body)
                .await
                .status(),
            201
        );
    }
    let request = |model: &str| {
        json!({"model": model, "messages": [{"role": "user", "content": "what is 2+2, and the time?"}],
               "tools": [{"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}},
                         {"type": "function", "function": {"name": "now"}}]})
    };
    for model in ["tools-model", "flaky"] {
        let response = post_as(&app, "/v1/chat/completions", &key, request(model)).await;
        assert_eq!(response.status(), 200);
        let body = json(response).await;
        let choice = &body["choices"][0];
        assert_eq!(choice["finish_reason"], "tool_calls");
        assert_eq!(choice["message"]["content"], Value::Null);
        assert_eq!(
            choice["message"]["tool_calls"],
            json!([{"id": "call_a", "type": "function", "function": {"name": "calculator", "arguments": "{\"expression\": \"2+2\"}"}},
                   {"id": "call_b", "type": "function", "function": {"name": "now", "arguments": "{}"}}])
        );
        assert_eq!(body["model"], "tools-model", "the answering model is named");
        assert_eq!(body["usage"]["total_tokens"], 19);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The ledger: two paid successes (12 * 2.5 + 7 * 10 per million each) and the dead provider's error.
    let client = app.db.client().await;
    let settled = poll_until(Duration::from_secs(10), || async {
        let n: i64 = client
            .query_one("SELECT count(*) FROM llm.usage", &[])
            .await
            .unwrap()
            .get(0);
        n == 3
    })
    .await;
    assert!(settled);
    let rows = client
        .query(
            "SELECT model_name, outcome, cost_usd::float8 FROM llm.usage ORDER BY at, model_name",
            &[],
        )
        .await
        .unwrap();
    let failed: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r.get::<_, &str>(1) == "error")
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(failed, [("flaky".to_string(), "error".to_string())]);
    let cost: f64 = rows.iter().map(|r| r.get::<_, f64>(2)).sum();
    assert!(
        (cost - 2.0 * (12.0 * 2.5 + 7.0 * 10.0) / 1e6).abs() < 1e-12,
        "{cost}"
    );
    let totals = json(app.get_as("/api/llm/usage?group_by=model", &admin).await).await;
    let flaky = totals
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "flaky")
        .unwrap();
    assert_eq!(flaky["errors"], 1);
    app.shutdown().await.unwrap();
}

/// The official OpenAI Python SDK (installed by `scripts/bootstrap sdk`) against our `/v1`,
/// unchanged: it lists models, chats whole and streamed, gets tool calls, and embeds (the SDK
/// asks for base64 by default).
#[tokio::test]
async fn the_openai_python_sdk_works_unchanged() {
    let app = spawn_app().await;
    let admin = app.signed_in(Role::Admin).await;
    let key = member_key(&app).await;
    let (base_url, _) = fake_openai().await;
    let body = json!({"name": "remote", "kind": "openai", "base_url": base_url});
    assert_eq!(
        post_as(&app, "/api/llm/providers", &admin, body)
            .await
            .status(),
        201
    );
    let body = json!({"name": "tools-model", "provider": "remote", "provider_model": "gpt-test",
                      "kind": "chat", "context_window": 128000});
    assert_eq!(
        post_as(&app, "/api/llm/models", &admin, body)
            .await
            .status(),
        201
    );

    let report = run_sdk_script(&app, "openai_sdk.py", &key).await;
    assert!(
        report["models"]
            .as_array()
            .unwrap()
            .contains(&json!("smollm2-135m-instruct"))
    );
    assert!(
        report["answer"].as_str().unwrap().contains("Tokyo"),
        "{report}"
    );
    assert_eq!(report["streamed"], report["answer"]);
    assert_eq!(report["tool_calls"], json!(["calculator", "now"]));
    assert_eq!(report["embedding_dims"], json!([384, 384]));
    assert_eq!(report["bad_key_status"], 401);
    app.shutdown().await.unwrap();
}
