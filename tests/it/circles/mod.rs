//! Circles against a real database: discussions run by the engine with agents on a scripted
//! OpenAI-compatible server (its answers depend on the model name and on what the last user
//! message asks; it records every request), people posting and steering, and access.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::IntoResponse;
use gathering::auth::model::Role;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::support::{TestApp, TestDb, json, test_config};

mod discussions;
mod steering;

/// What the scripted server saw, and permits the `hold` model waits for.
#[derive(Clone)]
pub struct Script {
    pub requests: Arc<Mutex<Vec<Value>>>,
    pub release: Arc<Semaphore>,
}

impl Script {
    /// The requests made with `model`, in order.
    pub fn asked(&self, model: &str) -> Vec<Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r["model"] == model)
            .cloned()
            .collect()
    }
}

fn sse(text: &str) -> axum::response::Response {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let usage = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}});
    let events = [
        chunk(json!({"role": "assistant", "content": text}), Value::Null),
        chunk(json!({}), json!("stop")),
        usage,
    ];
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    ([("content-type", "text/event-stream")], body).into_response()
}

/// The scripts, by model: `plain` says who it is; `to-bob` hands over to @bob; `done` ends
/// the discussion; `ask-ana` asks the person @ana; `facilitate` names Carol; `hold` waits for
/// a permit of `release` (then answers); `pick-carol` and `pick-zed` answer a selector's
/// question naming carol or an unknown agent.
pub async fn scripted() -> (String, Script) {
    let script = Script {
        requests: Arc::default(),
        release: Arc::new(Semaphore::new(0)),
    };
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
                let asked = last["content"].as_str().unwrap_or_default().to_owned();
                let me = asked
                    .split("It is your turn, ")
                    .nth(1)
                    .and_then(|rest| rest.split(':').next())
                    .unwrap_or("someone")
                    .to_owned();
                match model.as_str() {
                    "hold" => {
                        state.release.acquire().await.unwrap().forget();
                        sse("released")
                    }
                    "to-bob" => sse("@bob over to you"),
                    "done" => sse("We agree on everything. [DONE]"),
                    "ask-ana" => sse("@ana what do you think?"),
                    "facilitate" => sse("Carol, what do you think?"),
                    "pick-carol" => sse(r#"{"speaker": "carol", "reason": "she knows"}"#),
                    "pick-zed" => sse(r#"{"speaker": "zed", "reason": "why not"}"#),
                    _ => sse(&format!("{me} thinks so.")),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), script)
}

/// A server with the scripted models, a member (`owner`, addressed as @ana) who owns a circle
/// `c` and agents made from one persona.
pub struct World {
    pub app: TestApp,
    pub script: Script,
    pub admin: String,
    pub owner: String,
    pub owner_id: String,
    persona: String,
}

pub const MODELS: &[&str] = &[
    "plain",
    "to-bob",
    "done",
    "ask-ana",
    "facilitate",
    "hold",
    "pick-carol",
    "pick-zed",
];

impl World {
    pub async fn new() -> Self {
        let db = TestDb::migrated().await;
        let mut config = test_config(&db);
        config.models.provider_retries = 0;
        config.circles.poll_interval = Duration::from_millis(100);
        let app = TestApp::start_with(db, config).await;
        app.wait_ready().await;
        let (base_url, script) = scripted().await;
        let admin = app.signed_in(Role::Admin).await;
        let owner = app.signed_in(Role::Member).await;
        let body = json!({"name": "scripted", "kind": "openai", "base_url": base_url});
        assert_eq!(
            post(&app, "/api/llm/providers", &admin, body)
                .await
                .status(),
            201
        );
        for name in MODELS {
            let body = json!({"name": name, "provider": "scripted", "provider_model": name,
                              "kind": "chat", "context_window": 32000,
                              "input_price_per_mtok": 1.0, "output_price_per_mtok": 2.0});
            assert_eq!(
                post(&app, "/api/llm/models", &admin, body).await.status(),
                201
            );
        }
        let persona = json(
            post(
                &app,
                "/api/personas",
                &owner,
                json!({"name": "speaker", "display_name": "Speaker", "role": "Talks",
                       "default_model": null, "temperature": null, "prompt": "You talk."}),
            )
            .await,
        )
        .await["id"]
            .as_str()
            .expect("a persona")
            .to_owned();
        let me = json(app.get_as("/api/auth/me", &owner).await).await;
        let owner_id = me["id"].as_str().unwrap().to_owned();
        let world = Self {
            app,
            script,
            admin,
            owner,
            owner_id,
            persona,
        };
        let created = world
            .post("/api/circles", json!({"name": "c", "purpose": "tests"}))
            .await;
        assert_eq!(created.status(), 201);
        let path = format!("/api/circles/c/people/{}", world.owner_id);
        let handle = world
            .app
            .http
            .put(world.app.url(&path))
            .bearer_auth(&world.owner)
            .json(&json!({"role": "owner", "handle": "ana"}))
            .send()
            .await
            .unwrap();
        assert_eq!(handle.status(), 200);
        world
    }

    /// Adds agent `name` on `model` to circle `circle` with `role`.
    pub async fn agent(&self, circle: &str, name: &str, model: &str, role: &str) {
        let made = self
            .post(
                "/api/agents",
                json!({"name": name, "persona_id": self.persona, "model": model,
                       "memory_budget_tokens": 0}),
            )
            .await;
        assert!(
            made.status() == 201 || made.status() == 409,
            "agent {name}: {}",
            made.status()
        );
        let response = self
            .app
            .http
            .put(
                self.app
                    .url(&format!("/api/circles/{circle}/agents/{name}")),
            )
            .bearer_auth(&self.owner)
            .json(&json!({"role": role}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", json(response).await);
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        post(&self.app, path, &self.owner, body).await
    }

    /// Starts a discussion in circle `c`; its id.
    pub async fn start(&self, body: Value) -> String {
        let response = self.post("/api/circles/c/discussions", body).await;
        let status = response.status();
        let body = json(response).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    pub async fn discussion(&self, id: &str) -> Value {
        json(
            self.app
                .get_as(&format!("/api/circles/c/discussions/{id}"), &self.owner)
                .await,
        )
        .await
    }

    /// Polls the discussion until it satisfies `check` (20 s at most); its state then.
    pub async fn until(&self, id: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let d = self.discussion(id).await;
            if check(&d) {
                return d;
            }
            assert!(std::time::Instant::now() < deadline, "{what}: {d:#}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the discussion ended and its summary is written.
    pub async fn ended(&self, id: &str) -> Value {
        self.until(id, "ended", |d| d["summary"].is_string()).await
    }

    pub async fn messages(&self, id: &str) -> Vec<Value> {
        let page = json(
            self.app
                .get_as(
                    &format!("/api/circles/c/discussions/{id}/messages?limit=500"),
                    &self.owner,
                )
                .await,
        )
        .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    /// The speakers of the agent turns, in order.
    pub async fn speakers(&self, id: &str) -> Vec<String> {
        self.messages(id)
            .await
            .iter()
            .filter(|m| m["kind"] == "agent")
            .map(|m| m["speaker"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}
