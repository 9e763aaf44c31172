//! The pipeline engine against a real database: runs executed asynchronously with every
//! node's state stored, concurrency, skip and join, retries and non-retryable errors, circuit
//! breakers across runs, timeouts, cancellation, approvals, the original's format and fan-outs.
//! Actions call a local HTTP server that records what it receives. Stored pipelines over their
//! life are in `pipeline_versions.rs`, the documented examples in `pipeline_examples.rs`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use gathering::auth::model::Role;
use serde_json::{Value, json};

pub use crate::pipeline_examples::examples_app;
use crate::support::{TestApp, TestDb, json, poll_until, test_config};

/// What the hook server received, and what it answers next.
#[derive(Clone, Default)]
pub struct Hook {
    /// `(idempotency key, path, body)` of every request.
    pub seen: Arc<Mutex<Vec<(String, String, Value)>>>,
    /// Statuses to answer, in order; 200 when empty.
    pub answers: Arc<Mutex<VecDeque<u16>>>,
    /// How long to wait before answering a path that starts with `/slow`, in ms.
    pub delay_ms: Arc<Mutex<u64>>,
    /// Requests being answered now, and the most there ever were at once.
    pub in_flight: Arc<Mutex<(usize, usize)>>,
}

impl Hook {
    pub fn answer(&self, statuses: &[u16]) {
        self.answers
            .lock()
            .unwrap()
            .extend(statuses.iter().copied());
    }

    pub fn keys(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.0.clone())
            .collect()
    }

    /// The idempotency keys of the requests to `path`.
    pub fn keys_of(&self, path: &str) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.1 == path)
            .map(|s| s.0.clone())
            .collect()
    }
}

async fn hooked(
    State(hook): State<Hook>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    hook.seen
        .lock()
        .unwrap()
        .push((key, uri.path().to_owned(), body));
    {
        let mut n = hook.in_flight.lock().unwrap();
        n.0 += 1;
        n.1 = n.1.max(n.0);
    }
    let delay = *hook.delay_ms.lock().unwrap();
    if delay > 0 && uri.path().starts_with("/slow") {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    hook.in_flight.lock().unwrap().0 -= 1;
    let status = hook.answers.lock().unwrap().pop_front().unwrap_or(200);
    (
        StatusCode::from_u16(status).unwrap(),
        json!({"ok": status < 400}).to_string(),
    )
}

/// A local HTTP server recording requests; its base URL.
pub async fn hook_server() -> (String, Hook) {
    let hook = Hook::default();
    let router = axum::Router::new()
        .fallback(hooked)
        .with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), hook)
}

pub async fn spawn() -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.tools.http_allow_private = true;
    config.pipelines.cancel_grace = Duration::from_millis(500);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
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

/// Stores `document`; its id.
pub async fn create(app: &TestApp, token: &str, document: Value) -> String {
    let response = post(app, "/api/pipelines", token, document).await;
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Starts a run; its id.
pub async fn start(app: &TestApp, token: &str, pipeline: &str, data: Value) -> String {
    let response = post(
        app,
        &format!("/api/pipelines/{pipeline}/runs"),
        token,
        json!({"trigger_data": data}),
    )
    .await;
    let status = response.status();
    let body = json(response).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "pending");
    body["id"].as_str().unwrap().to_owned()
}

pub async fn run_of(app: &TestApp, token: &str, run: &str) -> Value {
    json(
        app.get_as(&format!("/api/pipeline-runs/{run}"), token)
            .await,
    )
    .await
}

/// Polls the run until `done` says so (120 s at most: agents on the local model are slow
/// when the whole suite runs at once); the run.
pub async fn wait_for(
    app: &TestApp,
    token: &str,
    run: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let last = std::cell::RefCell::new(Value::Null);
    let reached = poll_until(Duration::from_secs(120), || {
        let fetched = run_of(app, token, run);
        let (last, done) = (&last, &done);
        async move {
            let value = fetched.await;
            let reached = done(&value);
            *last.borrow_mut() = value;
            reached
        }
    })
    .await;
    let last = last.into_inner();
    assert!(reached, "the run never reached the state: {last:#}");
    last
}

pub async fn finished(app: &TestApp, token: &str, run: &str) -> Value {
    wait_for(app, token, run, |r| {
        ["completed", "failed", "cancelled", "timeout"]
            .contains(&r["status"].as_str().unwrap_or(""))
    })
    .await
}

pub fn node<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node_id"] == id)
        .unwrap_or_else(|| panic!("no node {id} in {run:#}"))
}

fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn independent_branches_overlap_and_a_false_condition_skips_only_what_it_feeds() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let mut events = app.bus.subscribe(
        "test",
        gathering::events::Filter {
            types: vec![gathering::events::TypePattern::parse("pipeline_run.*").unwrap()],
            ..Default::default()
        },
    );
    let id = create(
        &app,
        &member,
        json!({"name": "overlap", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "slow_a", "type": "delay", "config": {"seconds": 0.6}},
            {"id": "slow_b", "type": "delay", "config": {"seconds": 0.6}},
            {"id": "gate", "type": "condition", "config": {"condition": "trigger.n > 10"}},
            {"id": "big", "type": "transform", "config": {"expression": "{'size': 'big'}"}},
            {"id": "count", "type": "transform", "config": {"expression": "{'n': trigger.n * 2}"}},
            {"id": "join", "type": "merge"},
            {"id": "after_big", "type": "transform", "config": {"expression": "1"}}],
          "edges": [
            {"id": "e1", "from": "t", "to": "slow_a"}, {"id": "e2", "from": "t", "to": "slow_b"},
            {"id": "e3", "from": "t", "to": "gate"}, {"id": "e4", "from": "gate", "to": "big"},
            {"id": "e5", "from": "t", "to": "count"},
            {"id": "e6", "from": "big", "to": "join"}, {"id": "e7", "from": "count", "to": "join"},
            {"id": "e8", "from": "slow_a", "to": "join"}, {"id": "e9", "from": "slow_b", "to": "join"},
            {"id": "e10", "from": "big", "to": "after_big"}],
          "settings": {"max_parallel": 4}}),
    )
    .await;
    let run = start(&app, &member, &id, json!({"n": 3})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let (a, b) = (node(&done, "slow_a"), node(&done, "slow_b"));
    assert!(
        time(&a["started_at"]) < time(&b["finished_at"])
            && time(&b["started_at"]) < time(&a["finished_at"]),
        "the two delays ran one after the other: {a} {b}"
    );
    assert_eq!(node(&done, "gate")["status"], "completed");
    assert_eq!(node(&done, "gate")["output"]["result"], false);
    assert_eq!(node(&done, "big")["status"], "skipped");
    assert_eq!(node(&done, "after_big")["status"], "skipped");
    let join = node(&done, "join");
    assert_eq!(join["status"], "completed");
    assert_eq!(join["output"]["count"], json!({"n": 6}));
    assert!(join["output"].get("big").is_none(), "{join}");
    assert_eq!(done["output"]["join"]["count"]["n"], 6);
    for n in done["nodes"].as_array().unwrap() {
        if n["status"] == "completed" {
            assert_eq!(n["attempts"], 1, "{n}");
        }
    }
    // The bus carried the run from start to end.
    let mut seen = Vec::new();
    while !seen.contains(&"pipeline_run.completed".to_owned()) {
        let delivery = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("run events on the bus")
            .unwrap();
        if let gathering::events::bus::Delivery::Event(e) = delivery
            && e.scope.run_id.map(|r| r.to_string()) == Some(run.clone())
        {
            seen.push(e.event_type.as_str().to_owned());
        }
    }
    assert_eq!(
        seen.first().map(String::as_str),
        Some("pipeline_run.created")
    );
    assert!(
        seen.contains(&"pipeline_run.started".to_owned()),
        "{seen:?}"
    );

    // The same pipeline with a true condition runs the branch.
    let run = start(&app, &member, &id, json!({"n": 30})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(node(&done, "big")["status"], "completed");
    assert_eq!(node(&done, "join")["output"]["big"], json!({"size": "big"}));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn retryable_failures_are_retried_with_one_idempotency_key_and_others_fail_at_once() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    let id = create(
        &app,
        &member,
        json!({"name": "retries", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "call", "type": "action", "config": {"action": "call_api",
             "url": format!("{base}/call"), "method": "POST", "body": {"n": "{{trigger.n}}"}}}],
          "edges": [{"from": "t", "to": "call"}],
          "settings": {"max_retries_per_node": 3, "retry_backoff_base": 0.05,
                       "retry_backoff_max": 0.2}}),
    )
    .await;
    hook.answer(&[503, 500]);
    let run = start(&app, &member, &id, json!({"n": 7})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let call = node(&done, "call");
    assert_eq!(call["attempts"], 3);
    assert_eq!(call["output"]["status"], 200);
    let keys = hook.keys();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| *k == format!("{run}:call")), "{keys:?}");
    assert_eq!(hook.seen.lock().unwrap()[0].2, json!({"n": "7"}));

    // A 404 is not retried: the node and the run fail at once.
    hook.answer(&[404]);
    let run = start(&app, &member, &id, json!({"n": 1})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "failed");
    assert!(
        done["error"].as_str().unwrap().contains("node call failed"),
        "{done}"
    );
    let call = node(&done, "call");
    assert_eq!(call["attempts"], 1);
    assert_eq!(call["error_code"], "http_status");
    assert_eq!(hook.keys().len(), 4);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_breaker_opens_after_repeated_failures_across_runs_and_recovers_through_half_open() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    let id = create(
        &app,
        &member,
        json!({"name": "breaker", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "flaky", "type": "action", "config": {"action": "call_api",
             "url": format!("{base}/flaky"), "max_retries": 0, "failure_threshold": 2,
             "recovery_seconds": 1}}],
          "edges": [{"from": "t", "to": "flaky"}]}),
    )
    .await;
    hook.answer(&[500, 500]);
    for _ in 0..2 {
        let run = start(&app, &member, &id, json!({})).await;
        assert_eq!(finished(&app, &member, &run).await["status"], "failed");
    }
    let breakers = json(
        app.get_as(&format!("/api/pipelines/{id}/breakers"), &member)
            .await,
    )
    .await;
    assert_eq!(breakers[0]["state"], "open", "{breakers}");
    assert_eq!(breakers[0]["failures"], 2);
    // Open: the node fails at once, without a request.
    let run = start(&app, &member, &id, json!({})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(
        node(&done, "flaky")["error_code"],
        "breaker_open",
        "{done:#}"
    );
    assert_eq!(hook.keys().len(), 2);
    // After the recovery time one probe goes through; it succeeds and closes the breaker.
    let opened = time(&breakers[0]["opened_at"]);
    assert!(
        poll_until(Duration::from_secs(10), || async {
            chrono::Utc::now() > opened + chrono::Duration::milliseconds(1100)
        })
        .await
    );
    let run = start(&app, &member, &id, json!({})).await;
    assert_eq!(finished(&app, &member, &run).await["status"], "completed");
    let breakers = json(
        app.get_as(&format!("/api/pipelines/{id}/breakers"), &member)
            .await,
    )
    .await;
    assert_eq!(breakers[0]["state"], "closed", "{breakers}");
    assert_eq!(breakers[0]["failures"], 0);
    assert_eq!(hook.keys().len(), 3);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_run_times_out_and_a_cancel_stops_a_running_node() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let slow = |name: &str, timeout: f64| {
        json!({"name": name, "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "wait", "type": "delay", "config": {"seconds": 60}},
            {"id": "after", "type": "transform", "config": {"expression": "1"}}],
          "edges": [{"from": "t", "to": "wait"}, {"from": "wait", "to": "after"}],
          "settings": {"timeout_seconds": timeout}})
    };
    let id = create(&app, &member, slow("times-out", 1.0)).await;
    let run = start(&app, &member, &id, json!({})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "timeout", "{done:#}");
    assert_eq!(node(&done, "wait")["status"], "cancelled");
    assert_eq!(node(&done, "after")["status"], "cancelled");

    let id = create(&app, &member, slow("cancelled", 3600.0)).await;
    let run = start(&app, &member, &id, json!({})).await;
    wait_for(&app, &member, &run, |r| {
        node(r, "wait")["status"] == "running"
    })
    .await;
    let viewer = app.signed_in(Role::Viewer).await;
    let refused = post(
        &app,
        &format!("/api/pipeline-runs/{run}/cancel"),
        &viewer,
        json!({}),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let asked = post(
        &app,
        &format!("/api/pipeline-runs/{run}/cancel"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(asked.status(), 200);
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "cancelled");
    assert_eq!(node(&done, "wait")["status"], "cancelled");
    let stopped = time(&node(&done, "wait")["finished_at"]);
    let began = time(&node(&done, "wait")["started_at"]);
    assert!(
        stopped - began < chrono::Duration::seconds(30),
        "the delay was not stopped"
    );
    let again = post(
        &app,
        &format!("/api/pipeline-runs/{run}/cancel"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(again.status(), 409);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn approvals_are_approved_rejected_or_time_out_to_their_default() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let document = |name: &str, timeout: f64, default: &str| {
        json!({"name": name, "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "ask", "type": "approval", "config": {"message": "Ship it?",
             "timeout_seconds": timeout, "default": default}},
            {"id": "ship", "type": "transform", "config": {"expression": "{'shipped': true}"}}],
          "edges": [{"from": "t", "to": "ask"}, {"from": "ask", "to": "ship"}]})
    };
    let id = create(&app, &member, document("approve-me", 3600.0, "reject")).await;
    for (decision, ship) in [("approve", "completed"), ("reject", "skipped")] {
        let run = start(&app, &member, &id, json!({})).await;
        let waiting = wait_for(&app, &member, &run, |r| r["status"] == "waiting").await;
        assert_eq!(node(&waiting, "ask")["status"], "waiting");
        let path = format!("/api/pipeline-runs/{run}/approvals/ask");
        let refused = post(&app, &path, &viewer, json!({"decision": decision})).await;
        assert_eq!(refused.status(), 403);
        let bad = post(&app, &path, &member, json!({"decision": "maybe"})).await;
        assert_eq!(bad.status(), 422);
        let decided = post(
            &app,
            &path,
            &member,
            json!({"decision": decision, "comment": "ok"}),
        )
        .await;
        assert_eq!(decided.status(), 200);
        let done = finished(&app, &member, &run).await;
        assert_eq!(done["status"], "completed", "{done:#}");
        assert_eq!(
            node(&done, "ask")["output"]["approved"],
            decision == "approve"
        );
        assert_eq!(node(&done, "ask")["output"]["decision"]["comment"], "ok");
        assert_eq!(node(&done, "ship")["status"], ship);
        let twice = post(&app, &path, &member, json!({"decision": decision})).await;
        assert_eq!(twice.status(), 409);
    }
    let id = create(&app, &member, document("timing-out", 0.5, "approve")).await;
    let run = start(&app, &member, &id, json!({})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(node(&done, "ask")["output"]["approved"], true, "{done:#}");
    assert_eq!(node(&done, "ask")["output"]["decision"]["timed_out"], true);
    assert_eq!(node(&done, "ship")["status"], "completed");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_originals_format_runs_unchanged() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    // As the original's dashboard writes it: integer ids, from_node/to_node, delay_seconds,
    // `input.<key>` and predecessor-id conditions, call_api with its tool_name.
    let id = create(
        &app,
        &member,
        json!({"name": "original", "description": "", "status": "active",
          "nodes": [
            {"id": 1, "type": "trigger", "name": "Start", "config": {"trigger_type": "manual"},
             "position": {"x": 50, "y": 100}},
            {"id": 2, "type": "condition", "name": "Has PR?", "config": {"condition": "input.pr"}},
            {"id": 3, "type": "delay", "name": "Wait", "config": {"delay_seconds": 0.1}},
            {"id": 4, "type": "parallel", "name": "Fan", "config": {}},
            {"id": 5, "type": "action", "name": "Notify",
             "config": {"action": "call_api", "url": format!("{base}/hook"), "tool_name": "http_post"}}],
          "edges": [{"id": "e1", "from_node": 1, "to_node": 2}, {"id": "e2", "from": 2, "to": 3},
                    {"id": "e3", "from": 3, "to": 4, "condition": "true"},
                    {"id": "e4", "from": 4, "to": 5, "condition": "4"}],
          "settings": {"timeout_seconds": 60, "max_retries_per_node": 1,
                       "retry_backoff_base": 1.0, "retry_backoff_max": 60}}),
    )
    .await;
    let run = start(&app, &member, &id, json!({"pr": {"number": 12}})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    for n in ["1", "2", "3", "4", "5"] {
        assert_eq!(node(&done, n)["status"], "completed", "{n}: {done:#}");
    }
    assert_eq!(hook.keys(), vec![format!("{run}:5")]);
    let run = start(&app, &member, &id, json!({})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(node(&done, "3")["status"], "skipped");
    assert_eq!(node(&done, "5")["status"], "skipped");
    assert_eq!(hook.keys().len(), 1);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_fan_out_runs_its_body_once_per_item_bounded_and_a_merge_collects_the_results() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    *hook.delay_ms.lock().unwrap() = 500;
    let id = create(
        &app,
        &member,
        json!({"name": "fan-out", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "each", "type": "parallel",
             "config": {"items": "trigger.orders", "max_concurrency": 2}},
            {"id": "big", "type": "condition", "config": {"condition": "input.item.amount > 50"}},
            {"id": "post", "type": "action", "config": {"action": "call_api",
             "url": format!("{base}/slow/{{{{input.item.id}}}}"), "method": "POST",
             "body": {"order": "{{input.item.id}}", "index": "{{input.index}}"}}},
            {"id": "label", "type": "transform",
             "config": {"expression": "{'id': input.item.id, 'big': input.result}"}},
            {"id": "all", "type": "merge"},
            {"id": "tally", "type": "transform",
             "config": {"expression": "{'labels': size(input.label)}"}}],
          "edges": [
            {"id": "e1", "from": "t", "to": "each"}, {"id": "e2", "from": "each", "to": "big"},
            {"id": "e3", "from": "big", "to": "post"}, {"id": "e4", "from": "big", "to": "label"},
            {"id": "e5", "from": "post", "to": "all"}, {"id": "e6", "from": "label", "to": "all"},
            {"id": "e7", "from": "all", "to": "tally"}]}),
    )
    .await;

    let orders = json!([{"id": "o1", "amount": 10}, {"id": "o2", "amount": 90},
                        {"id": "o3", "amount": 70}, {"id": "o4", "amount": 99},
                        {"id": "o5", "amount": 5}]);
    let run = start(&app, &member, &id, json!({"orders": orders})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let each = node(&done, "each");
    assert_eq!(each["output"]["count"], 5, "{each}");
    let item_runs: Vec<String> = each["output"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(item_runs.len(), 5);
    // The body ran once per item: the condition in every item, the call only for big orders,
    // each with the key of its own item's run, never more than two items at once.
    let mut posted: Vec<(String, String, Value)> = hook.seen.lock().unwrap().clone();
    posted.sort_by(|a, b| a.1.cmp(&b.1));
    let paths: Vec<&str> = posted.iter().map(|p| p.1.as_str()).collect();
    assert_eq!(paths, ["/slow/o2", "/slow/o3", "/slow/o4"]);
    for (key, path, body) in &posted {
        let index = ["o1", "o2", "o3", "o4", "o5"]
            .iter()
            .position(|o| path.ends_with(o))
            .unwrap();
        assert_eq!(key, &format!("{}:post", item_runs[index]));
        assert_eq!(body["index"], index.to_string());
    }
    assert_eq!(
        hook.in_flight.lock().unwrap().1,
        2,
        "items overlap, two at most at once"
    );
    // Each body node holds its outputs across the items, null where an item skipped it.
    let big = node(&done, "big");
    assert_eq!(big["status"], "completed");
    let results: Vec<Value> = big["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["result"].clone())
        .collect();
    assert_eq!(results, [false, true, true, true, false].map(Value::Bool));
    let post_out = node(&done, "post")["output"].as_array().unwrap().clone();
    assert_eq!(post_out.len(), 5);
    assert!(
        post_out[0].is_null() && post_out[4].is_null(),
        "{post_out:?}"
    );
    assert_eq!(post_out[1]["status"], 200, "{post_out:?}");
    assert_eq!(node(&done, "post")["attempts"], 3);
    let labels = node(&done, "label")["output"].clone();
    assert_eq!(labels[3], json!({"id": "o4", "big": true}));
    // The merge after the fan-out collects both lists.
    let all = node(&done, "all");
    assert_eq!(all["status"], "completed");
    assert_eq!(all["output"]["label"], labels, "{all}");
    assert_eq!(node(&done, "tally")["output"]["labels"], 5);
    // Each item is a run of its own, a child of this one, not listed among the pipeline's runs.
    let item = run_of(&app, &member, &item_runs[1]).await;
    assert_eq!(item["trigger"], "fan_out");
    assert_eq!(item["parent_run_id"], run.as_str());
    assert_eq!(item["item_index"], 1);
    assert_eq!(item["trigger_data"]["item"]["id"], "o2");
    assert_eq!(node(&item, "post")["status"], "completed");
    let listed = json(
        app.get_as(&format!("/api/pipelines/{id}/runs"), &member)
            .await,
    )
    .await;
    let listed = listed["items"]
        .as_array()
        .or(listed.as_array())
        .unwrap()
        .clone();
    assert_eq!(listed.len(), 1, "{listed:?}");

    // One failing item fails the fan-out (its error names the item) and the run.
    hook.answer(&[404]);
    *hook.delay_ms.lock().unwrap() = 0;
    let run = start(
        &app,
        &member,
        &id,
        json!({"orders": [{"id": "x1", "amount": 60}]}),
    )
    .await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "failed", "{done:#}");
    let each = node(&done, "each");
    assert_eq!(each["status"], "failed");
    assert_eq!(each["error_code"], "fan_out");
    assert!(
        each["error"].as_str().unwrap().starts_with("item 0 (run "),
        "{each}"
    );
    // An empty list runs nothing; the merge gets empty lists.
    let run = start(&app, &member, &id, json!({"orders": []})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    assert_eq!(node(&done, "each")["output"]["count"], 0);
    assert_eq!(node(&done, "label")["status"], "skipped");
    app.shutdown().await.unwrap();
}
