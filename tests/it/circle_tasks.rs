//! Circle tasks against a real database, with agents played by a local server speaking
//! OpenAI's streaming wire format (`scripted_openai`): it answers by the model's name and by
//! what the prompt asks (an offer, the work, a review). Outcomes are awaited by polling the API
//! with a deadline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::IntoResponse;
use gathering::auth::model::Role;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::support::{TestApp, TestDb, json, poll_until, repo_root, test_config};

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
                        "picky" if !prompt.contains("fixed as asked") => {
                            text("CHANGES: add tests")
                        }
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

async fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> reqwest::Response {
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

/// A circle `name` owned by a new member, with agents (name, model, competencies, reviews,
/// role); returns the owner's token. `review_required` as given.
struct Setup {
    app: TestApp,
    owner: String,
    script: Script,
}

async fn setup(name: &str, review_required: bool, agents: &[(&str, &str, &[&str], &[&str], &str)]) -> Setup {
    let app = spawn_app().await;
    let (base_url, script) = scripted_openai().await;
    let admin = app.signed_in(Role::Admin).await;
    let body = json!({"name": "scripted", "kind": "openai", "base_url": base_url});
    ok(send(&app, "POST", "/api/llm/providers", &admin, body).await, 201).await;
    for model in ["eager", "refuser", "picky", "harsh", "slow", "mute"] {
        let body = json!({"name": model, "provider": "scripted", "provider_model": model,
                          "kind": "chat", "context_window": 32000});
        ok(send(&app, "POST", "/api/llm/models", &admin, body).await, 201).await;
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
        let path = format!("/api/circles/{circle}/tasks/{}/route", task["id"].as_str().unwrap());
        ok(send(&self.app, "POST", &path, &self.owner, json!({})).await, 200).await
    }

    async fn get(&self, circle: &str, task: &Value) -> Value {
        let path = format!("/api/circles/{circle}/tasks/{}", task["id"].as_str().unwrap());
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
        let page = ok(self.app.get_as(&format!("/api/events?types={types}&limit=200"), &self.owner).await, 200).await;
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

#[tokio::test]
async fn routing_picks_the_best_match_then_the_least_loaded_and_conflicts_are_recorded() {
    let s = setup(
        "routing",
        false,
        &[
            ("aaron", "eager", &["rust"], &[], "observer"),
            ("ann", "slow", &["rust"], &[], "member"),
            ("bob", "slow", &["rust"], &[], "member"),
            ("cy", "eager", &["python"], &[], "member"),
        ],
    )
    .await;
    let c = "routing";
    // A tie on competencies and load: the name decides; the observer is never offered.
    let t1 = s
        .task(c, json!({"title": "parser", "competencies": ["Rust"],
                        "resources": ["src/lib.rs", "docs/a.md"]}))
        .await;
    assert_eq!(t1["status"], "open");
    let routed = s.route(c, &t1).await;
    assert_eq!(
        (routed["status"].as_str(), routed["offered_to_name"].as_str()),
        (Some("offered"), Some("ann"))
    );
    // ann accepts (an agent turn) and works (held): her load is 1.
    s.until(c, &t1, "ann works", |t| t["status"] == "in_progress")
        .await;
    let t2 = s
        .task(c, json!({"title": "lexer", "competencies": ["rust"], "resources": ["src/lib.rs"]}))
        .await;
    assert_eq!(s.route(c, &t2).await["offered_to_name"], "bob");
    // Competency outweighs load: the only python agent.
    let t3 = s
        .task(c, json!({"title": "notebook", "competencies": ["python"]}))
        .await;
    assert_eq!(s.route(c, &t3).await["offered_to_name"], "cy");

    // bob takes a task on ann's file: a conflict.
    s.until(c, &t2, "bob works", |t| t["status"] == "in_progress")
        .await;
    let conflicts = ok(s.app.get_as("/api/circles/routing/conflicts", &s.owner).await, 200).await;
    let items = conflicts["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{conflicts}");
    assert_eq!(items[0]["resource"], "src/lib.rs");
    assert_eq!(items[0]["task_ids"], json!([id(&t1), id(&t2)]));
    assert!(items[0]["resolved_at"].is_null());
    let detected = s.events("circle.conflict_detected").await;
    assert_eq!(detected.len(), 1);
    assert_eq!(detected[0]["data"]["resource"], "src/lib.rs");
    assert_eq!(detected[0]["data"]["agent_names"], json!(["ann", "bob"]));

    // The work goes on: with no review required, the submission finishes the task.
    s.script.gate.add_permits(10);
    let done = s.until(c, &t1, "t1 done", |t| t["status"] == "done").await;
    assert_eq!(done["result"], "the work, first draft");
    assert_eq!(done["assignee_name"], "ann");
    assert_eq!(
        steps(&done),
        ["created", "offered", "accepted", "started", "submitted"]
    );
    s.until(c, &t3, "t3 done", |t| t["status"] == "done").await;
    s.until(c, &t2, "t2 done", |t| t["status"] == "done").await;
    let conflicts = ok(s.app.get_as("/api/circles/routing/conflicts", &s.owner).await, 200).await;
    assert!(conflicts["items"][0]["resolved_at"].is_string());
    let listed = ok(
        s.app
            .get_as("/api/circles/routing/tasks?status=done&assignee=bob", &s.owner)
            .await,
        200,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], t2["id"]);
}

#[tokio::test]
async fn a_refusal_goes_to_the_next_and_when_all_refuse_the_task_is_escalated() {
    let s = setup(
        "refusals",
        false,
        &[
            ("amy", "refuser", &["rust"], &[], "member"),
            ("ben", "mute", &["rust"], &[], "member"),
            ("cal", "refuser", &[], &[], "member"),
        ],
    )
    .await;
    let c = "refusals";
    // amy refuses by her turn; ben is next (his turn waits): a person accepts for him.
    let t1 = s.task(c, json!({"title": "port", "competencies": ["rust"]})).await;
    assert_eq!(s.route(c, &t1).await["offered_to_name"], "amy");
    let offered = s
        .until(c, &t1, "offered to ben", |t| t["offered_to_name"] == "ben")
        .await;
    let history = offered["history"].as_array().unwrap();
    let refused = history.iter().find(|h| h["step"] == "refused").unwrap();
    assert_eq!(refused["detail"]["agent"], "amy");
    assert_eq!(refused["detail"]["reason"], "not my field");
    assert_eq!(offered["refused_by"], json!([refused["agent_id"]]));
    assert_eq!(steps(&offered), ["created", "offered", "refused", "offered"]);
    let path = format!("/api/circles/{c}/tasks/{}/accept", id(&t1));
    let accepted = ok(send(&s.app, "POST", &path, &s.owner, json!({"agent": "ben"})).await, 200).await;
    assert_eq!(
        (accepted["status"].as_str(), accepted["assignee_name"].as_str()),
        (Some("claimed"), Some("ben"))
    );

    // amy and cal refuse by their turns, a person refuses for ben: nobody is left.
    let t2 = s.task(c, json!({"title": "rewrite"})).await;
    s.route(c, &t2).await;
    s.until(c, &t2, "offered to ben", |t| t["offered_to_name"] == "ben")
        .await;
    let path = format!("/api/circles/{c}/tasks/{}/refuse", id(&t2));
    let body = json!({"agent": "amy", "reason": "x"});
    ok(send(&s.app, "POST", &path, &s.owner, body).await, 409).await;
    let body = json!({"agent": "ben", "reason": "on leave"});
    let blocked = ok(send(&s.app, "POST", &path, &s.owner, body).await, 200).await;
    assert_eq!(blocked["status"], "blocked");
    assert_eq!(blocked["refused_by"].as_array().unwrap().len(), 3);
    let blocked = s.get(c, &t2).await;
    assert_eq!(steps(&blocked).last().unwrap(), "escalated");
    let me = ok(s.app.get_as("/api/auth/me", &s.owner).await, 200).await;
    let escalated = s.events("circle.task_escalated").await;
    assert_eq!(escalated.len(), 1);
    let data = &escalated[0]["data"];
    assert_eq!(data["task_id"], t2["id"]);
    assert_eq!(data["circle"], "refusals");
    assert_eq!(data["owners"][0]["user_id"], me["id"]);
    assert!(data["reason"].as_str().unwrap().contains("no agent"));

    // ben's work goes on once his model answers.
    s.script.gate.add_permits(100);
    let done = s.until(c, &t1, "ben did it", |t| t["status"] == "done").await;
    assert_eq!(done["result"], "the work, first draft");
}

#[tokio::test]
async fn a_reviewer_other_than_the_author_asks_for_changes_approves_or_rejects() {
    let s = setup(
        "review",
        true,
        &[
            ("ada", "eager", &["rust", "go"], &["docs"], "member"),
            ("pia", "picky", &[], &["rust"], "reviewer"),
            ("hal", "harsh", &[], &["go"], "reviewer"),
        ],
    )
    .await;
    let c = "review";
    let good = s.task(c, json!({"title": "api", "competencies": ["rust"]})).await;
    let bad = s.task(c, json!({"title": "cli", "competencies": ["go"]})).await;
    assert_eq!(s.route(c, &good).await["offered_to_name"], "ada");
    assert_eq!(s.route(c, &bad).await["offered_to_name"], "ada");

    // pia asks for changes once; the second iteration's prompt carries her note.
    let done = s.until(c, &good, "approved", |t| t["status"] == "done").await;
    assert_eq!(done["iteration"], 2);
    assert_eq!(done["reviewer_name"], "pia");
    assert_eq!(done["assignee_name"], "ada");
    assert_eq!(done["result"], "the work, fixed as asked");
    let reviews: Vec<&Value> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["step"] == "reviewed")
        .collect();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["detail"]["verdict"], "changes");
    assert_eq!(reviews[0]["detail"]["note"], "add tests");
    assert_eq!(reviews[0]["detail"]["agent"], "pia");
    assert_eq!(reviews[1]["detail"]["verdict"], "approve");
    assert!(
        s.prompts()
            .iter()
            .any(|p| p.contains("iteration 2") && p.contains("add tests")),
        "no second iteration carried the note"
    );

    // hal rejects: blocked and escalated to the owners.
    let blocked = s.until(c, &bad, "rejected", |t| t["status"] == "blocked").await;
    assert_eq!(blocked["review_note"], "wrong approach");
    assert_eq!(&steps(&blocked)[steps(&blocked).len() - 2..], ["reviewed", "escalated"]);
    let escalated = s.events("circle.task_escalated").await;
    assert_eq!(escalated.len(), 1);
    assert!(escalated[0]["data"]["reason"].as_str().unwrap().contains("wrong approach"));
    // No agent ever reviewed its own work.
    for h in done["history"].as_array().unwrap().iter().chain(blocked["history"].as_array().unwrap()) {
        if h["step"] == "reviewed" {
            assert_ne!(h["detail"]["agent"], "ada");
        }
    }

    // A person reviews too: a task in review with no reviewer agent for its competency.
    let docs = s.task(c, json!({"title": "guide", "competencies": ["writing"]})).await;
    s.route(c, &docs).await;
    let waiting = s.until(c, &docs, "in review", |t| t["status"] == "review").await;
    assert!(waiting["reviewer_id"].is_null(), "{waiting}");
    let path = format!("/api/circles/{c}/tasks/{}/review", id(&docs));
    let body = json!({"verdict": "approve", "note": "fine"});
    let reviewed = ok(send(&s.app, "POST", &path, &s.owner, body.clone()).await, 200).await;
    assert_eq!(reviewed["status"], "done");
    ok(send(&s.app, "POST", &path, &s.owner, body).await, 409).await;
}

#[tokio::test]
async fn outsiders_see_nothing_observers_read_and_fields_are_checked() {
    let s = setup("main", false, &[("ada", "eager", &[], &[], "member")]).await;
    let app = &s.app;
    // A participant in `other`, so its tasks exist; the ids stay another circle's.
    ok(send(app, "POST", "/api/circles", &s.owner, json!({"name": "other"})).await, 201).await;
    let foreign = s.task("other", json!({"title": "theirs"})).await;

    let mut created = Vec::new();
    for priority in ["low", "MEDIUM", "High", "critical"] {
        let t = s.task("main", json!({"title": "t", "priority": priority})).await;
        assert_eq!(t["priority"], priority.to_lowercase());
        created.push(t);
    }
    let urgent = send(app, "POST", "/api/circles/main/tasks", &s.owner,
                      json!({"title": "t", "priority": "urgent"})).await;
    let body = ok(urgent, 422).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("priority"), "{body}");
    let body = ok(send(app, "POST", "/api/circles/main/tasks", &s.owner, json!({"title": " "})).await, 422).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("title"), "{body}");
    let body = ok(send(app, "POST", "/api/circles/main/tasks", &s.owner,
                       json!({"title": "t", "colour": "red"})).await, 422).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("colour"), "{body}");
    ok(app.get_as("/api/circles/main/tasks?status=nope", &s.owner).await, 422).await;

    let task = &created[0];
    let t = id(task);
    let writes: Vec<(&str, String, Value)> = vec![
        ("POST", "/api/circles/main/tasks".into(), json!({"title": "x"})),
        ("PATCH", format!("/api/circles/main/tasks/{t}"), json!({"title": "y"})),
        ("POST", format!("/api/circles/main/tasks/{t}/route"), json!({})),
        ("POST", format!("/api/circles/main/tasks/{t}/accept"), json!({"agent": "ada"})),
        ("POST", format!("/api/circles/main/tasks/{t}/refuse"), json!({"agent": "ada", "reason": "x"})),
        ("POST", format!("/api/circles/main/tasks/{t}/review"), json!({"verdict": "approve", "note": ""})),
    ];
    let reads = [
        "/api/circles/main/tasks".to_owned(),
        format!("/api/circles/main/tasks/{t}"),
        "/api/circles/main/conflicts".to_owned(),
    ];

    let outsider = app.signed_in(Role::Member).await;
    for path in &reads {
        ok(app.get_as(path, &outsider).await, 404).await;
    }
    for (method, path, body) in &writes {
        ok(send(app, method, path, &outsider, body.clone()).await, 404).await;
    }

    let observer = app.signed_in(Role::Member).await;
    let me = ok(app.get_as("/api/auth/me", &observer).await, 200).await;
    let path = format!("/api/circles/main/people/{}", id(&me));
    ok(send(app, "PUT", &path, &s.owner, json!({"role": "observer"})).await, 200).await;
    for path in &reads {
        ok(app.get_as(path, &observer).await, 200).await;
    }
    for (method, path, body) in &writes {
        ok(send(app, method, path, &observer, body.clone()).await, 403).await;
    }

    // Another circle's task is not found here.
    ok(app.get_as(&format!("/api/circles/main/tasks/{}", id(&foreign)), &s.owner).await, 404).await;
    let path = format!("/api/circles/main/tasks/{}/route", id(&foreign));
    ok(send(app, "POST", &path, &s.owner, json!({})).await, 404).await;

    // Steps in the wrong status.
    let path = format!("/api/circles/main/tasks/{t}/review");
    ok(send(app, "POST", &path, &s.owner, json!({"verdict": "approve"})).await, 409).await;
    let path = format!("/api/circles/main/tasks/{t}/accept");
    ok(send(app, "POST", &path, &s.owner, json!({"agent": "ada"})).await, 409).await;
    let patched = send(app, "PATCH", &format!("/api/circles/main/tasks/{t}"), &s.owner,
                       json!({"title": "renamed", "priority": "HIGH", "resources": ["a.txt"]})).await;
    let patched = ok(patched, 200).await;
    assert_eq!((patched["title"].as_str(), patched["priority"].as_str()), (Some("renamed"), Some("high")));
    s.route("main", task).await;
    let patched = send(app, "PATCH", &format!("/api/circles/main/tasks/{t}"), &s.owner,
                       json!({"title": "again"})).await;
    ok(patched, 409).await;
}
