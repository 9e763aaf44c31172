//! A circle discussion across processes: the server running it is killed (SIGKILL) in the
//! middle of a turn, and the other server finishes it, every stored turn kept exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::response::IntoResponse;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::*;

/// A server of circle discussions on `db` with a 2 s lease (a survivor takes over fast).
fn circle_server(db: &TestDb, config: &std::path::Path) -> tokio::process::Child {
    serve_with(
        db,
        config,
        "[circles]\nlease_secs = 2\npoll_interval_ms = 100\n[auth]\nbcrypt_cost = 4\n",
    )
}

/// An OpenAI-compatible server whose second chat request never answers (the turn in flight
/// when its server is killed); every other request answers "turn <n>".
async fn stalling_model() -> (String, Arc<AtomicUsize>, Arc<Notify>) {
    let count = Arc::new(AtomicUsize::new(0));
    let stalled = Arc::new(Notify::new());
    let (c, s) = (count.clone(), stalled.clone());
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            let (count, stalled) = (c.clone(), s.clone());
            async move {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                if n == 2 {
                    stalled.notify_one();
                    std::future::pending::<()>().await;
                }
                let chunk = |delta: Value, finish: Value| {
                    json!({"id": "c", "object": "chat.completion.chunk", "created": 1,
                           "model": "m", "choices": [{"index": 0, "delta": delta,
                           "finish_reason": finish}]})
                };
                let body = format!(
                    "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
                    chunk(
                        json!({"role": "assistant", "content": format!("turn {n}")}),
                        Value::Null
                    ),
                    chunk(json!({}), json!("stop")),
                );
                ([("content-type", "text/event-stream")], body).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), count, stalled)
}

async fn created(http: &reqwest::Client, url: String, token: &str, body: Value) -> Value {
    let response = http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test]
async fn a_discussion_whose_server_is_killed_mid_turn_is_finished_by_the_other_turn_by_turn() {
    let db = TestDb::migrated().await;
    let dir = scratch_dir();
    let config = dir.path().join("gathering.toml");
    let (base_url, requests, stalled) = stalling_model().await;
    let http = reqwest::Client::new();
    let mut a = circle_server(&db, &config);
    let addr = listening_and_ready(&mut a).await;
    let token = admin_token(&http, &addr).await;
    let api = |path: &str| format!("http://{addr}{path}");

    created(
        &http,
        api("/api/llm/providers"),
        &token,
        json!({"name": "scripted", "kind": "openai", "base_url": base_url}),
    )
    .await;
    created(
        &http,
        api("/api/llm/models"),
        &token,
        json!({"name": "script", "provider": "scripted", "provider_model": "script",
               "kind": "chat", "context_window": 32000}),
    )
    .await;
    let persona = created(
        &http,
        api("/api/personas"),
        &token,
        json!({"name": "speaker", "display_name": "Speaker", "role": "panelist",
               "prompt": "You take part in discussions."}),
    )
    .await;
    created(&http, api("/api/circles"), &token, json!({"name": "relay"})).await;
    for name in ["ada", "bea"] {
        created(
            &http,
            api("/api/agents"),
            &token,
            json!({"name": name, "persona_id": persona["id"], "model": "script", "tools": [],
                   "memory_budget_tokens": 0}),
        )
        .await;
        let put = http
            .put(api(&format!("/api/circles/relay/agents/{name}")))
            .bearer_auth(&token)
            .json(&json!({"role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 200);
    }
    let discussion = created(
        &http,
        api("/api/circles/relay/discussions"),
        &token,
        json!({"topic": "Pass it on", "participants": ["ada", "bea"],
               "limits": {"max_turns": 4}}),
    )
    .await;
    let id = discussion["id"].as_str().unwrap().to_owned();

    // A is inside turn 2 (its model call never answers); B starts and A is killed.
    tokio::time::timeout(Duration::from_secs(60), stalled.notified())
        .await
        .expect("turn 2 never started");
    let mut b = circle_server(&db, &config);
    let b_addr = listening_and_ready(&mut b).await;
    a.kill().await.unwrap();

    let path = format!("http://{b_addr}/api/circles/relay/discussions/{id}");
    let last = std::cell::RefCell::new(Value::Null);
    let ended = poll_until(Duration::from_secs(60), || {
        let fetched = http.get(&path).bearer_auth(&token).send();
        let last = &last;
        async move {
            let value: Value = fetched.await.unwrap().json().await.unwrap();
            let done = value["status"] == "completed" || value["status"] == "failed";
            *last.borrow_mut() = value;
            done
        }
    })
    .await;
    let last = last.into_inner();
    assert!(
        ended,
        "the survivor never finished the discussion: {last:#}"
    );
    assert_eq!(last["status"], "completed", "{last:#}");
    assert_eq!(last["end_reason"], "max_turns");
    assert_eq!(last["turns"], 4);

    // Every turn once, in order, alternating; turn 2 was asked again (request 3), nothing else.
    let page: Value = http
        .get(format!("{path}/messages?limit=100"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let turns: Vec<(i64, String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "agent")
        .map(|m| {
            (
                m["turn"].as_i64().unwrap(),
                m["speaker"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(i64, String, String)> =
        [(1, "ada", 1), (2, "bea", 3), (3, "ada", 4), (4, "bea", 5)]
            .into_iter()
            .map(|(t, s, n)| (t, s.to_owned(), format!("turn {n}")))
            .collect();
    assert_eq!(turns, expected);
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    let client = db.client().await;
    let stored: i64 = client
        .query_one(
            "SELECT count(*) FROM circles.discussion_messages
              WHERE discussion_id = $1::text::uuid AND turn IS NOT NULL",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 4);
    let claims: i64 = client
        .query_one(
            "SELECT count(*) FROM events.outbox
              WHERE type = 'circle.discussion_started' AND data->>'discussion_id' = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(claims, 2, "claimed by A, then by B");
    b.kill().await.unwrap();
}
