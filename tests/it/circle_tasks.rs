//! Circle tasks against a real database, with agents played by a local server speaking
//! OpenAI's streaming wire format (`scripted_openai`): it answers by the model's name and by
//! what the prompt asks (an offer, the work, a review). Outcomes are awaited by polling the API
//! with a deadline.

mod access;
mod flow;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::IntoResponse;
use gathering::auth::model::Role;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::support::{TestApp, TestDb, poll_until, repo_root, test_config};

async fn spawn_app() -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.models.dir = repo_root().join(".gathering/models");
    config.models.provider_retries = 0;
    config.models.provider_timeout = Duration::from_secs(10);
    config.agents.personas_dir = repo_root().join("personas");
    config.circles.poll_interval = Duration::from_millis(100);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

/// What the scripted server saw, and the gate the `slow` model's work waits on.
#[derive(Clone)]
struct Script {
    requests: Arc<Mutex<Vec<String>>>,
    gate: Arc<Semaphore>,
}

fn sse(events: Vec<Value>) -> axum::response::Response {
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    ([("content-type", "text/event-stream")], body).into_response()
}

fn text(t: &str) -> axum::response::Response {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    sse(vec![
        chunk(json!({"role": "assistant", "content": t}), Value::Null),
        chunk(json!({}), json!("stop")),
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5,
               "total_tokens": 15}}),
    ])
}

/// The scripts, by model. Offers: `refuser` refuses, the others accept. Work: an answer that
/// says which iteration it is and, after changes were asked, that it was fixed (`slow` waits
/// for the test's gate first). Reviews: `picky` asks for changes until the work says it was
/// fixed, `harsh` rejects, the others approve. `mute` waits for the gate before any answer.
async fn scripted_openai() -> (String, Script) {
    let script = Script {
        requests: Arc::default(),
        gate: Arc::new(Semaphore::new(0)),
    };
    let state = script.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let state = state.clone();
            async move {
                let model = body["model"].as_str().unwrap_or_default().to_owned();
                let prompt: String = body["messages"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                state.requests.lock().unwrap().push(prompt.clone());
                if model == "mute" {
                    let _held = state.gate.acquire().await;
                }
                if prompt.contains("Answer ACCEPT or REFUSE") {
                    return match model.as_str() {
                        "refuser" => text("REFUSE: not my field"),
                        _ => text("ACCEPT"),
                    };
                }
                if prompt.contains("Answer APPROVE") {
                    return match model.as_str() {
                        "picky" if !prompt.contains("fixed as asked") => text("CHANGES: add tests"),
                        "harsh" => text("REJECT: wrong approach"),
                        _ => text("APPROVE"),
                    };
                }
                if model == "slow" {
                    let _held = state.gate.acquire().await;
                }
                if prompt.contains("asked for changes") {
                    text("the work, fixed as asked")
                } else {
                    text("the work, first draft")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), script)
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    app.http
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn ok(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

/// An agent member: name, model, competencies, what it reviews, role.
type AgentSpec<'a> = (&'a str, &'a str, &'a [&'a str], &'a [&'a str], &'a str);

/// A circle `name` owned by a new member, with agents (name, model, competencies, reviews,
/// role); returns the owner's token. `review_required` as given.
struct Setup {
    app: TestApp,
    owner: String,
    script: Script,
}

async fn setup(name: &str, review_required: bool, agents: &[AgentSpec<'_>]) -> Setup {
    let app = spawn_app().await;
    let (base_url, script) = scripted_openai().await;
    let admin = app.signed_in(Role::Admin).await;
    let body = json!({"name": "scripted", "kind": "openai", "base_url": base_url});
    ok(
        send(&app, "POST", "/api/llm/providers", &admin, body).await,
        201,
    )
    .await;
    for model in ["eager", "refuser", "picky", "harsh", "slow", "mute"] {
        let body = json!({"name": model, "provider": "scripted", "provider_model": model,
                          "kind": "chat", "context_window": 32000});
        ok(
            send(&app, "POST", "/api/llm/models", &admin, body).await,
            201,
        )
        .await;
    }
    let owner = app.signed_in(Role::Member).await;
    let personas = ok(app.get_as("/api/personas?limit=200", &owner).await, 200).await;
    let persona = personas["items"].as_array().unwrap()[0]["id"].clone();
    let settings = json!({"review_required": review_required});
    let body = json!({"name": name, "settings": settings});
    ok(send(&app, "POST", "/api/circles", &owner, body).await, 201).await;
    for (agent, model, competencies, reviews, role) in agents {
        let body = json!({"name": agent, "persona_id": persona, "model": model, "tools": []});
        ok(send(&app, "POST", "/api/agents", &owner, body).await, 201).await;
        let body = json!({"role": role, "competencies": competencies, "reviews": reviews});
        let path = format!("/api/circles/{name}/agents/{agent}");
        ok(send(&app, "PUT", &path, &owner, body).await, 200).await;
    }
    Setup { app, owner, script }
}

impl Setup {
    async fn task(&self, circle: &str, body: Value) -> Value {
        let path = format!("/api/circles/{circle}/tasks");
        ok(send(&self.app, "POST", &path, &self.owner, body).await, 201).await
    }

    async fn route(&self, circle: &str, task: &Value) -> Value {
        let path = format!(
            "/api/circles/{circle}/tasks/{}/route",
            task["id"].as_str().unwrap()
        );
        ok(
            send(&self.app, "POST", &path, &self.owner, json!({})).await,
            200,
        )
        .await
    }

    async fn get(&self, circle: &str, task: &Value) -> Value {
        let path = format!(
            "/api/circles/{circle}/tasks/{}",
            task["id"].as_str().unwrap()
        );
        ok(self.app.get_as(&path, &self.owner).await, 200).await
    }

    /// Polls the task until `check` holds (30 s at most); returns it with its history.
    async fn until(
        &self,
        circle: &str,
        task: &Value,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let last = Arc::new(Mutex::new(Value::Null));
        let check = &check;
        let reached = poll_until(Duration::from_secs(30), || {
            let last = last.clone();
            async move {
                let fetched = self.get(circle, task).await;
                let good = check(&fetched);
                *last.lock().unwrap() = fetched;
                good
            }
        })
        .await;
        let last = last.lock().unwrap().clone();
        assert!(reached, "{what}: {last:#}");
        last
    }

    async fn events(&self, types: &str) -> Vec<Value> {
        let page = ok(
            self.app
                .get_as(&format!("/api/events?types={types}&limit=200"), &self.owner)
                .await,
            200,
        )
        .await;
        page["items"].as_array().unwrap().clone()
    }

    fn prompts(&self) -> Vec<String> {
        self.script.requests.lock().unwrap().clone()
    }
}

fn steps(task: &Value) -> Vec<String> {
    task["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["step"].as_str().unwrap().to_owned())
        .collect()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}
