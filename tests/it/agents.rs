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
    let meta = gathering::audit::RequestMeta::default();
    let editor = gathering::personas::Editor {
        user_id: None,
        role: Role::Admin,
        meta: &meta,
    };
    let first = gathering::personas::import_dir(&pool, editor, dir.path())
        .await
        .unwrap();
    assert_eq!(first.created, ["tester"]);
    assert_eq!(first.failed.len(), 1);
    assert!(first.failed[0].path.ends_with("broken.md"));
    assert_eq!(first.failed[0].line, Some(5), "{:?}", first.failed[0]);

    let again = gathering::personas::import_dir(&pool, editor, dir.path())
        .await
        .unwrap();
    assert_eq!(again.unchanged, ["tester"]);
    std::fs::write(
        dir.path().join("tester.md"),
        good.replace("You test.", "You test well."),
    )
    .unwrap();
    let changed = gathering::personas::import_dir(&pool, editor, dir.path())
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

#[tokio::test]
async fn the_tool_loop_runs_validates_refuses_and_stops() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let make = |name: &str, model: &str, iterations: i32| {
        json!({"name": name, "persona_id": persona, "model": model, "tools": ["calculator"],
               "max_tool_iterations": iterations})
    };

    // A valid call runs, and its result reaches the model.
    let valid = agent(&app, &member, make("valid", "valid", 5)).await;
    let reply = chat(&app, &member, &valid, "what is 6 times 7?").await;
    assert_eq!(reply["tool_calls"][0]["ok"], true);
    assert_eq!(reply["tool_rounds"], 1);
    assert!(reply["content"].as_str().unwrap().contains("42"), "{reply}");
    {
        let requests = script.requests.lock().unwrap();
        let second = &requests[1]["messages"];
        let tool = second.as_array().unwrap().last().unwrap();
        assert_eq!(tool["role"], "tool");
        assert_eq!(tool["tool_call_id"], "call_1");
        assert!(tool["content"].as_str().unwrap().contains("42"));
        assert_eq!(requests[0]["tools"][0]["function"]["name"], "calculator");
    }
    // The exchange is stored, in order, with tokens, and published.
    let conversation = reply["conversation_id"].as_str().unwrap();
    let transcript = json(
        app.get_as(
            &format!("/api/conversations/{conversation}/messages"),
            &member,
        )
        .await,
    )
    .await;
    let roles: Vec<&str> = transcript["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    assert_eq!(
        transcript["items"][1]["tool_calls"][0]["name"],
        "calculator"
    );
    assert_eq!(transcript["items"][3]["completion_tokens"], 5);
    let listed = json(
        app.get_as(
            &format!(
                "/api/conversations?agent_id={}",
                valid["id"].as_str().unwrap()
            ),
            &member,
        )
        .await,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], conversation);
    let client = app.db.client().await;
    let published = poll_until(Duration::from_secs(10), || async {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM events.outbox WHERE type = 'conversation.message'
                  AND scope->>'conversation_id' = $1",
                &[&conversation],
            )
            .await
            .unwrap()
            .get(0);
        n == 4
    })
    .await;
    assert!(published);
    // Usage per agent and per conversation: two calls of 10 + 5 tokens.
    let usage = poll_until(Duration::from_secs(10), || async {
        let totals = json(
            app.get_as(
                &format!(
                    "/api/llm/usage?group_by=conversation&agent_id={}",
                    valid["id"].as_str().unwrap()
                ),
                &member,
            )
            .await,
        )
        .await;
        totals[0]["key"] == conversation && totals[0]["prompt_tokens"] == 20
    })
    .await;
    assert!(usage);

    // An invalid argument is reported back, and the model corrects it.
    let fix = agent(&app, &member, make("fix", "fix", 5)).await;
    let reply = chat(&app, &member, &fix, "what is 6 times 7?").await;
    let calls = reply["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["ok"], false);
    assert!(
        calls[0]["result"]
            .as_str()
            .unwrap()
            .contains("invalid arguments"),
        "{reply}"
    );
    assert_eq!(calls[1]["ok"], true);
    assert!(reply["content"].as_str().unwrap().contains("42"));

    // A tool the agent was not granted is refused, audited and published.
    let forbidden = agent(&app, &member, make("forbidden", "forbidden", 5)).await;
    let reply = chat(&app, &member, &forbidden, "what time is it?").await;
    assert_eq!(reply["tool_calls"][0]["ok"], false);
    assert!(
        reply["tool_calls"][0]["result"]
            .as_str()
            .unwrap()
            .starts_with("refused"),
        "{reply}"
    );
    let audit = json(app.get_as("/api/audit?action=tool.refused", &admin).await).await;
    let entry = &audit["items"][0];
    assert_eq!(entry["outcome"], "failure");
    assert_eq!(entry["details"]["tool"], "current_time");
    let refused: i64 = client
        .query_one(
            "SELECT count(*) FROM events.outbox WHERE type = 'tool.refused'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(refused, 1);

    // Iterations are bounded: two rounds of tools, then one call without tools, then stop.
    let before = script.requests.lock().unwrap().len();
    let looping = agent(&app, &member, make("looping", "loop", 2)).await;
    let reply = chat(&app, &member, &looping, "loop forever").await;
    assert_eq!(reply["finish"], "iteration_limit");
    assert_eq!(reply["tool_rounds"], 2);
    {
        let requests = script.requests.lock().unwrap();
        assert_eq!(requests.len() - before, 3);
        assert!(
            requests
                .last()
                .unwrap()
                .get("tools")
                .is_none_or(|t| t.as_array().is_none_or(|a| a.is_empty()))
        );
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_busy_agent_queues_then_refuses_and_a_client_that_leaves_cancels() {
    let app = spawn_app(|c| {
        c.agents.max_concurrent_turns = 1;
        c.agents.max_queued_turns = 1;
    })
    .await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let held = agent(
        &app,
        &member,
        json!({"name": "held", "persona_id": persona, "model": "hold", "tools": []}),
    )
    .await;
    let path = format!("/api/agents/{}/chat", held["id"].as_str().unwrap());
    let stream = |message: &str| {
        app.http
            .post(app.url(&path))
            .bearer_auth(&member)
            .header("accept", "text/event-stream")
            .json(&json!({"message": message}))
            .send()
    };
    // The first runs (its request waits in the scripted server)...
    let mut first = stream("one").await.unwrap();
    assert_eq!(first.status(), 200);
    let mut seen = String::new();
    while !seen.contains("event: started") {
        seen.push_str(&String::from_utf8_lossy(
            &first.chunk().await.unwrap().unwrap(),
        ));
    }
    let arrived = poll_until(Duration::from_secs(10), || async {
        !script.requests.lock().unwrap().is_empty()
    })
    .await;
    assert!(arrived);
    // ...the second waits in the queue and is told so...
    let mut second = stream("two").await.unwrap();
    assert_eq!(second.status(), 200);
    let mut seen2 = String::new();
    while !seen2.contains("event: queued") {
        seen2.push_str(&String::from_utf8_lossy(
            &second.chunk().await.unwrap().unwrap(),
        ));
    }
    assert!(seen2.contains("\"ahead\":0"), "{seen2}");
    // ...and the third is refused, clearly.
    let third = stream("three").await.unwrap();
    assert_eq!(third.status(), 429);
    assert!(third.headers().contains_key("retry-after"));
    assert_eq!(json(third).await["error"]["code"], "agent_busy");

    // The first client leaves: its turn is cancelled and stored as such, and the queued one runs.
    let conversation = seen
        .split("\"conversation_id\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    drop(first);
    let client = app.db.client().await;
    let cancelled = poll_until(Duration::from_secs(10), || async {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM agents.messages WHERE conversation_id = $1::text::uuid
                   AND role = 'assistant' AND finish = 'cancelled'",
                &[&conversation],
            )
            .await
            .unwrap()
            .get(0);
        n == 1
    })
    .await;
    assert!(cancelled, "the abandoned turn is stored as cancelled");
    script.release.notify_one();
    let arrived = poll_until(Duration::from_secs(10), || async {
        script.requests.lock().unwrap().len() == 2
    })
    .await;
    assert!(arrived, "the queued turn ran");
    script.release.notify_one();
    while !seen2.contains("event: completed") {
        match second.chunk().await.unwrap() {
            Some(bytes) => seen2.push_str(&String::from_utf8_lossy(&bytes)),
            None => break,
        }
    }
    assert!(seen2.contains("released"), "{seen2}");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_agent_from_a_shipped_persona_answers_through_the_local_model_streamed() {
    let app = spawn_app(|_| {}).await;
    let member = app.signed_in(Role::Member).await;
    let persona = persona_id(&app, &member, "devils-advocate").await;
    let created = agent(
        &app,
        &member,
        json!({"name": "skeptic", "persona_id": persona, "max_tokens": 12, "temperature": 0}),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .http
        .post(app.url(&format!("/api/agents/{id}/chat")))
        .bearer_auth(&member)
        .header("accept", "text/event-stream")
        .json(&json!({"message": "Should we rewrite everything in Rust?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let body = response.text().await.unwrap();
    let events: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(events.first(), Some(&"started"), "{body}");
    assert_eq!(events.last(), Some(&"completed"), "{body}");
    assert!(events.contains(&"delta"), "{body}");
    let completed: Value = serde_json::from_str(
        body.lines()
            .rev()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap(),
    )
    .unwrap();
    let content = completed["content"].as_str().unwrap();
    assert!(!content.trim().is_empty());
    assert_eq!(completed["model"], "smollm2-135m-instruct");

    // In the database, and on the bus.
    let conversation = completed["conversation_id"].as_str().unwrap();
    let client = app.db.client().await;
    let rows = client
        .query(
            "SELECT role, content FROM agents.messages WHERE conversation_id = $1::text::uuid
              ORDER BY position",
            &[&conversation],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].get::<_, &str>(1), content);
    let done = poll_until(Duration::from_secs(10), || async {
        let events = json(
            app.get_as("/api/events?types=conversation.*", &member)
                .await,
        )
        .await;
        let types: Vec<String> = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect();
        types
            == [
                "conversation.created",
                "conversation.message",
                "conversation.message",
                "conversation.turn_completed",
            ]
    })
    .await;
    assert!(done);
    app.shutdown().await.unwrap();
}

/// The official OpenAI Python SDK, unchanged, talks to an agent as `agent:<name>`.
#[tokio::test]
async fn the_openai_sdk_talks_to_an_agent() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    agent(
        &app,
        &member,
        json!({"name": "calc", "persona_id": persona, "model": "valid", "tools": ["calculator"]}),
    )
    .await;
    let created = post_as(&app, "/api/api-keys", &member, json!({"name": "sdk"})).await;
    let key = json(created).await["secret"].as_str().unwrap().to_owned();
    let report = run_sdk_script(&app, "openai_agent.py", &key).await;
    assert!(
        report["models"]
            .as_array()
            .unwrap()
            .contains(&json!("agent:calc"))
    );
    assert!(
        report["answer"].as_str().unwrap().contains("42"),
        "{report}"
    );
    assert_eq!(report["streamed"], report["answer"]);
    assert_eq!(report["unknown_agent_status"], 404);
    app.shutdown().await.unwrap();
}

/// An admin registers a real MCP server (tests/mcp/server.py over stdio); its tools are listed
/// and can be granted; a slow one times out under the server's limit while the other call of the
/// same round completes, and the turn ends.
#[tokio::test]
async fn mcp_tools_are_granted_like_builtins_and_a_slow_one_times_out() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    assert!(python.exists(), "run scripts/bootstrap sdk");
    let server = json!({"name": "tests", "timeout_ms": 1000, "risk": "read_only",
        "transport": {"kind": "stdio", "command": python,
                      "args": [repo_root().join("tests/mcp/server.py"), "stdio"]}});
    assert_eq!(
        post_as(&app, "/api/mcp-servers", &member, server.clone())
            .await
            .status(),
        403,
        "running a command is for admins"
    );
    let created = post_as(&app, "/api/mcp-servers", &admin, server).await;
    assert_eq!(created.status(), 201);
    let bad =
        json!({"name": "ghost", "transport": {"kind": "stdio", "command": "/no/such/server"}});
    let refused = post_as(&app, "/api/mcp-servers", &admin, bad).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        json(refused).await["error"]["details"]["field"],
        "transport"
    );

    let tools = json(app.get_as("/api/tools", &member).await).await;
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in [
        "calculator",
        "current_time",
        "http_request",
        "tests__add",
        "tests__slow",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let add = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "tests__add")
        .unwrap();
    assert_eq!(add["source"], "mcp:tests");
    assert!(add["parameters"]["properties"]["a"].is_object(), "{add}");

    let slow = agent(
        &app,
        &member,
        json!({"name": "patient", "persona_id": persona, "model": "slow",
               "tools": ["tests__slow", "calculator"]}),
    )
    .await;
    let reply = chat(&app, &member, &slow, "be slow").await;
    let calls = reply["tool_calls"].as_array().unwrap();
    let by_name = |n: &str| calls.iter().find(|c| c["name"] == n).unwrap().clone();
    let timed_out = by_name("tests__slow");
    assert_eq!(timed_out["ok"], false);
    assert!(
        timed_out["result"]
            .as_str()
            .unwrap()
            .starts_with("timed out"),
        "{reply}"
    );
    assert_eq!(by_name("calculator")["ok"], true);
    assert_eq!(reply["finish"], "stop");
    app.shutdown().await.unwrap();
}

/// `/ws/agents/{id}` carries a turn's steps (ephemeral `agent.stream` events) to the user who
/// started it.
#[tokio::test]
async fn the_agent_socket_carries_the_turn() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let created = agent(
        &app,
        &member,
        json!({"name": "watched", "persona_id": persona, "model": "valid", "tools": ["calculator"]}),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let mut request = format!("ws://{}/ws/agents/{id}", app.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!("bearer, {member}").parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    // The socket is subscribed once its first frame (the acknowledgement) arrives.
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .unwrap();
    assert!(first.is_some());
    let reply = chat(&app, &member, &created, "what is 6 times 7?").await;
    let mut steps = Vec::new();
    while steps.last().map(String::as_str) != Some("completed") {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .unwrap()
            .unwrap();
        let Message::Text(text) = message else {
            continue;
        };
        let frame: Value = serde_json::from_str(&text).unwrap();
        if frame["type"] == "event" && frame["event"]["type"] == "agent.stream" {
            assert_eq!(frame["event"]["scope"]["agent_id"], id);
            steps.push(frame["event"]["data"]["type"].as_str().unwrap().to_owned());
            if steps.last().unwrap() == "completed" {
                assert_eq!(frame["event"]["data"]["content"], reply["content"]);
            }
        }
    }
    assert_eq!(steps.first().map(String::as_str), Some("started"));
    assert!(steps.contains(&"tool_call".to_owned()) && steps.contains(&"tool_result".to_owned()));
    app.shutdown().await.unwrap();
}

/// A conversation longer than the model's context: the older messages are summarised (by the
/// agent's own model), the summary is stored, and the next request carries it instead of them.
#[tokio::test]
async fn a_long_conversation_is_summarised_into_the_agents_context() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let small = json!({"name": "small", "provider": "scripted", "provider_model": "plain",
                       "kind": "chat", "context_window": 100});
    assert_eq!(
        post_as(&app, "/api/llm/models", &admin, small)
            .await
            .status(),
        201
    );
    let created = agent(
        &app,
        &member,
        json!({"name": "forgetful", "persona_id": persona, "model": "small", "tools": [],
               "max_tokens": 50}),
    )
    .await;
    let path = format!("/api/agents/{}/chat", created["id"].as_str().unwrap());
    let long = "tell me about the quarterly numbers and what they mean for us ".repeat(8);
    let first = post_as(&app, &path, &member, json!({"message": long})).await;
    let conversation = json(first).await["conversation_id"].clone();
    let second = post_as(
        &app,
        &path,
        &member,
        json!({"message": "and next quarter?", "conversation_id": conversation}),
    )
    .await;
    assert_eq!(second.status(), 200);
    let requests = script.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "answer, summary, answer");
    let summary_request = requests[1]["messages"].to_string();
    assert!(
        summary_request.contains("running summary"),
        "{summary_request}"
    );
    assert!(summary_request.contains("quarterly numbers"));
    let system = requests[2]["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Summary of the earlier conversation:\nhello"),
        "{system}"
    );
    let history = requests[2]["messages"].as_array().unwrap();
    assert!(
        !history[1..].iter().any(|m| m["content"]
            .as_str()
            .unwrap_or_default()
            .contains("quarterly")),
        "the summarised messages are not sent again"
    );
    let stored = json(
        app.get_as(
            &format!("/api/conversations/{}", conversation.as_str().unwrap()),
            &member,
        )
        .await,
    )
    .await;
    assert_eq!(stored["summary"], "hello");
    assert_eq!(stored["summary_upto"], 2);
    app.shutdown().await.unwrap();
}

/// A dangerous tool (an MCP server an admin marked so): only an admin may grant it, it runs only
/// for an admin-owned agent called by an admin, and every call and refusal is audited.
#[tokio::test]
async fn dangerous_tools_need_an_admin_owned_agent_and_are_audited() {
    let app = spawn_app(|_| {}).await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let (base_url, _script) = scripted_openai().await;
    let persona = register_scripts(&app, &admin, &base_url).await;
    let python = repo_root().join(".gathering/sdk-venv/bin/python");
    let server = json!({"name": "tests", "risk": "dangerous",
        "transport": {"kind": "stdio", "command": python,
                      "args": [repo_root().join("tests/mcp/server.py"), "stdio"]}});
    assert_eq!(
        post_as(&app, "/api/mcp-servers", &admin, server)
            .await
            .status(),
        201
    );
    let body = |name: &str| json!({"name": name, "persona_id": persona, "model": "mcp-add", "tools": ["tests__add"]});
    let refused = post_as(&app, "/api/agents", &member, body("mine")).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(json(refused).await["error"]["details"]["field"], "tools");
    let owned = agent(&app, &admin, body("root-adder")).await;

    // A member may chat with the admin's agent, but the dangerous tool does not run for them.
    let reply = chat(&app, &member, &owned, "add 2 and 3").await;
    assert_eq!(reply["tool_calls"][0]["ok"], false);
    assert!(
        reply["tool_calls"][0]["result"]
            .as_str()
            .unwrap()
            .contains("only an admin"),
        "{reply}"
    );
    // For the admin it runs, and is audited.
    let reply = chat(&app, &admin, &owned, "add 2 and 3").await;
    assert_eq!(reply["tool_calls"][0]["ok"], true, "{reply}");
    assert!(reply["content"].as_str().unwrap().contains('5'));
    let audit = json(app.get_as("/api/audit?action=tool.called", &admin).await).await;
    assert_eq!(audit["items"][0]["details"]["tool"], "tests__add");
    assert_eq!(audit["items"][0]["outcome"], "success");
    let audit = json(app.get_as("/api/audit?action=tool.refused", &admin).await).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    app.shutdown().await.unwrap();
}
