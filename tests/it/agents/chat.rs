//! Chat turns of agents: the per-agent queue and cancellation, the real local model streamed, the
//! OpenAI SDK through `/v1`, the agent's WebSocket, and the summarised history window.

use super::*;
use crate::support::run_sdk_script;

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
