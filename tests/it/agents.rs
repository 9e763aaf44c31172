//! Personas, agents, chat and the tool loop, against a real database: a hosted model played by a
//! local server speaking OpenAI's streaming wire format with scripted tool calls (keyed by the
//! model name it is asked for), the real local model for a shipped persona, and the official
//! OpenAI Python SDK talking to an agent through `/v1`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::IntoResponse;
use gathering::auth::model::Role;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::support::{TestApp, TestDb, json, poll_until, repo_root, test_config};

mod chat;
mod memory;
mod tools;

async fn post_as(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn spawn_app(tweak: impl FnOnce(&mut gathering::config::Config)) -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.models.dir = repo_root().join(".gathering/models");
    config.models.provider_retries = 0;
    config.models.provider_timeout = Duration::from_secs(10);
    config.agents.personas_dir = repo_root().join("personas");
    tweak(&mut config);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

/// What the scripted server saw, and a gate the `hold` script waits on.
#[derive(Clone, Default)]
struct Script {
    requests: Arc<Mutex<Vec<Value>>>,
    release: Arc<Notify>,
}

fn sse(events: Vec<Value>) -> axum::response::Response {
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    ([("content-type", "text/event-stream")], body).into_response()
}

fn chunk(delta: Value, finish: Value) -> Value {
    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

fn usage() -> Value {
    json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
           "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
}

fn text(t: &str) -> axum::response::Response {
    sse(vec![
        chunk(json!({"role": "assistant", "content": t}), Value::Null),
        chunk(json!({}), json!("stop")),
        usage(),
    ])
}

fn calls(list: &[(&str, &str, Value)]) -> axum::response::Response {
    let mut events: Vec<Value> = list
        .iter()
        .enumerate()
        .map(|(i, (id, name, args))| {
            chunk(
                json!({"tool_calls": [{"index": i, "id": id, "type": "function",
                    "function": {"name": name, "arguments": args.to_string()}}]}),
                Value::Null,
            )
        })
        .collect();
    events.push(chunk(json!({}), json!("tool_calls")));
    events.push(usage());
    sse(events)
}

/// The scripts, by model: `valid` calls the calculator once; `fix` first sends a wrong
/// argument, then the right one; `forbidden` calls a tool the agent was not granted; `slow`
/// calls a slow MCP tool and the calculator together; `loop` always calls the calculator;
/// `hold` waits for the test to release it. After a tool result, each answers with the text
/// "result: <last tool result>".
async fn scripted_openai() -> (String, Script) {
    let script = Script::default();
    let state = script.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let state = state.clone();
            async move {
                state.requests.lock().unwrap().push(body.clone());
                let model = body["model"].as_str().unwrap_or_default().to_owned();
                let messages = body["messages"].as_array().cloned().unwrap_or_default();
                let last = messages.last().cloned().unwrap_or_default();
                let tool_results = messages.iter().filter(|m| m["role"] == "tool").count();
                if model == "hold" {
                    state.release.notified().await;
                    return text("released");
                }
                if model == "loop" {
                    return calls(&[(
                        &format!("call_{tool_results}"),
                        "calculator",
                        json!({"expression": "1+1"}),
                    )]);
                }
                if last["role"] == "tool" {
                    let result = last["content"].as_str().unwrap_or_default().to_owned();
                    if model == "fix" && result.contains("invalid arguments") {
                        return calls(&[("call_2", "calculator", json!({"expression": "6*7"}))]);
                    }
                    if model == "slow" && tool_results < 2 {
                        return text("waiting");
                    }
                    return text(&format!("result: {result}"));
                }
                match model.as_str() {
                    "valid" => calls(&[("call_1", "calculator", json!({"expression": "6*7"}))]),
                    "fix" => calls(&[("call_1", "calculator", json!({"expr": "6*7"}))]),
                    "forbidden" => calls(&[("call_1", "current_time", json!({}))]),
                    "mcp-add" => calls(&[("call_1", "tests__add", json!({"a": 2, "b": 3}))]),
                    "slow" => calls(&[
                        ("call_slow", "tests__slow", json!({"seconds": 30})),
                        ("call_calc", "calculator", json!({"expression": "2+3"})),
                    ]),
                    _ => text("hello"),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), script)
}

/// Registers the scripted server and one model per script; returns the id of the persona the
/// tests build agents from.
async fn register_scripts(app: &TestApp, admin: &str, base_url: &str) -> String {
    let body = json!({"name": "scripted", "kind": "openai", "base_url": base_url});
    assert_eq!(
        post_as(app, "/api/llm/providers", admin, body)
            .await
            .status(),
        201
    );
    for name in [
        "valid",
        "fix",
        "forbidden",
        "slow",
        "loop",
        "hold",
        "mcp-add",
    ] {
        let body = json!({"name": name, "provider": "scripted", "provider_model": name,
                          "kind": "chat", "context_window": 32000,
                          "input_price_per_mtok": 1.0, "output_price_per_mtok": 2.0});
        assert_eq!(
            post_as(app, "/api/llm/models", admin, body).await.status(),
            201
        );
    }
    persona_id(app, admin, "data-analyst").await
}

async fn persona_id(app: &TestApp, token: &str, name: &str) -> String {
    let page = json(app.get_as("/api/personas?limit=200", token).await).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("persona {name} not imported: {page}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn agent(app: &TestApp, token: &str, body: Value) -> Value {
    let response = post_as(app, "/api/agents", token, body).await;
    assert_eq!(response.status(), 201);
    json(response).await
}

async fn chat(app: &TestApp, token: &str, agent: &Value, message: &str) -> Value {
    let path = format!("/api/agents/{}/chat", agent["id"].as_str().unwrap());
    let response = post_as(app, &path, token, json!({"message": message})).await;
    assert_eq!(response.status(), 200);
    json(response).await
}

#[tokio::test]
async fn shipped_personas_are_imported_and_agents_are_made_from_them() {
    let app = spawn_app(|_| {}).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let member = app.signed_in(Role::Member).await;
    let other = app.signed_in(Role::Member).await;

    let page = json(app.get_as("/api/personas?limit=5", &viewer).await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert!(page["next_cursor"].is_string());
    let all = json(app.get_as("/api/personas?limit=200", &viewer).await).await;
    assert!(all["items"].as_array().unwrap().len() >= 10);
    let analyst = persona_id(&app, &viewer, "data-analyst").await;

    // One call makes an agent from a persona: the model and tools come from the defaults.
    let created = agent(
        &app,
        &member,
        json!({"name": "numbers", "persona_id": analyst}),
    )
    .await;
    assert_eq!(created["model"], "smollm2-135m-instruct");
    assert_eq!(created["tools"], json!(["calculator"]));
    assert_eq!(created["persona_name"], "data-analyst");

    // Bad input is named and nothing is stored; viewers cannot create; names are unique.
    for (body, field) in [
        (json!({"name": "Bad Name", "persona_id": analyst}), "name"),
        (
            json!({"name": "x", "persona_id": uuid::Uuid::now_v7()}),
            "persona_id",
        ),
        (
            json!({"name": "x", "persona_id": analyst, "model": "nope"}),
            "model",
        ),
        (
            json!({"name": "x", "persona_id": analyst, "tools": ["rm-rf"]}),
            "tools",
        ),
        (
            json!({"name": "x", "persona_id": analyst, "temperature": 7}),
            "temperature",
        ),
    ] {
        let response = post_as(&app, "/api/agents", &member, body).await;
        assert_eq!(response.status(), 422);
        assert_eq!(json(response).await["error"]["details"]["field"], field);
    }
    let unknown = post_as(
        &app,
        "/api/agents",
        &member,
        json!({"name": "y", "persona_id": analyst, "colour": "red"}),
    )
    .await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(
        post_as(
            &app,
            "/api/agents",
            &viewer,
            json!({"name": "v", "persona_id": analyst})
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        post_as(
            &app,
            "/api/agents",
            &member,
            json!({"name": "numbers", "persona_id": analyst})
        )
        .await
        .status(),
        409
    );
    let agents = json(app.get_as("/api/agents", &viewer).await).await;
    assert_eq!(agents["items"].as_array().unwrap().len(), 1);

    // Only the owner (or an admin) changes an agent.
    let path = format!("/api/agents/{}", created["id"].as_str().unwrap());
    let patch = |token: &str| {
        app.http
            .patch(app.url(&path))
            .bearer_auth(token.to_owned())
            .json(&json!({"max_tokens": 64}))
            .send()
    };
    assert_eq!(patch(&other).await.unwrap().status(), 403);
    let changed = patch(&member).await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_eq!(json(changed).await["max_tokens"], 64);

    // A persona in use cannot be deleted.
    let admin = app.signed_in(Role::Admin).await;
    let response = app
        .http
        .delete(app.url(&format!("/api/personas/{analyst}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    // The change is on the bus, scoped to the agent and its owner.
    let events = json(app.get_as("/api/events?types=agent.*", &member).await).await;
    let types: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["agent.created", "agent.updated"]);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn importing_twice_updates_and_reports_malformed_files_with_their_line() {
    let db = TestDb::migrated().await;
    let pool = gathering::db::connect(
        &gathering::db::Target::parse(&db.url).unwrap(),
        gathering::db::Settings {
            max_connections: 2,
            connect_timeout: Duration::from_secs(10),
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = "---\nname: tester\ndisplay_name: Tester\nrole: Tests things\n---\nYou test.\n";
    std::fs::write(dir.path().join("tester.md"), good).unwrap();
    std::fs::write(
        dir.path().join("broken.md"),
        "---\nname: broken\ndisplay_name: Broken\nrole: x\ntemperature: hot\n---\nBody.\n",
    )
    .unwrap();
    let editor = gathering::core::identity::Identity::system();
    let first = gathering::personas::import_dir(&pool, &editor, dir.path())
        .await
        .unwrap();
    assert_eq!(first.created, ["tester"]);
    assert_eq!(first.failed.len(), 1);
    assert!(first.failed[0].path.ends_with("broken.md"));
    assert_eq!(first.failed[0].line, Some(5), "{:?}", first.failed[0]);

    let again = gathering::personas::import_dir(&pool, &editor, dir.path())
        .await
        .unwrap();
    assert_eq!(again.unchanged, ["tester"]);
    std::fs::write(
        dir.path().join("tester.md"),
        good.replace("You test.", "You test well."),
    )
    .unwrap();
    let changed = gathering::personas::import_dir(&pool, &editor, dir.path())
        .await
        .unwrap();
    assert_eq!(changed.updated, ["tester"]);
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT prompt FROM agents.personas WHERE name = 'tester'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "never duplicated");
    assert_eq!(rows[0].get::<_, &str>(0), "You test well.");
}
