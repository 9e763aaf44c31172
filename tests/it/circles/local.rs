//! A discussion of two agents on the real local model (SmolLM2), end to end: each turn is a
//! real generation, streamed to the circle's topic and stored with its tokens and model.

use std::time::Duration;

use futures_util::StreamExt;
use gathering::auth::model::Role;
use serde_json::{Value, json};

use super::post;
use crate::support::{TestApp, TestDb, json, poll_until, repo_root, test_config};
use crate::websocket::{connect, frame};

#[tokio::test]
async fn two_agents_on_the_local_model_discuss_and_the_circle_hears_every_token() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.models.dir = repo_root().join(".gathering/models");
    config.agents.personas_dir = repo_root().join("personas");
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let owner = app.signed_in(Role::Member).await;
    let page = json(app.get_as("/api/personas?limit=200", &owner).await).await;
    let persona = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "data-analyst")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        post(&app, "/api/circles", &owner, json!({"name": "local"}))
            .await
            .status(),
        201
    );
    for name in ["ann", "ben"] {
        let made = post(
            &app,
            "/api/agents",
            &owner,
            json!({"name": name, "persona_id": persona,
            "max_tokens": 24, "tools": [], "memory_budget_tokens": 0}),
        )
        .await;
        assert_eq!(made.status(), 201);
        let joined = app
            .http
            .put(app.url(&format!("/api/circles/local/agents/{name}")))
            .bearer_auth(&owner)
            .json(&json!({"role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(joined.status(), 200);
    }
    let head = app.outbox_head().await;
    let mut socket = connect(
        &app,
        &format!("/ws/circles/local?since={head}"),
        Some(&owner),
    )
    .await
    .unwrap();
    assert_eq!(frame(&mut socket).await["type"], "ready");
    let started = post(
        &app,
        "/api/circles/local/discussions",
        &owner,
        json!({
        "topic": "Name one fruit.", "limits": {"max_turns": 2, "turn_timeout_secs": 600}}),
    )
    .await;
    assert_eq!(started.status(), 201);
    let id = json(started).await["id"].as_str().unwrap().to_owned();

    // Live: each turn's tokens stream on the circle's topic before the turn is stored. The
    // small model may write a closing marker itself (it sometimes echoes the instruction), so
    // the discussion ends after one or two turns.
    let mut deltas = 0;
    let mut stored = 0;
    loop {
        let f = tokio::time::timeout(Duration::from_secs(600), socket.next())
            .await
            .expect("the discussion goes on")
            .unwrap()
            .unwrap();
        let tokio_tungstenite::tungstenite::Message::Text(text) = f else {
            continue;
        };
        let f: Value = serde_json::from_str(&text).unwrap();
        match f["event"]["type"].as_str() {
            Some("circle.stream") if f["event"]["data"]["step"]["type"] == "delta" => deltas += 1,
            Some("circle.message") if f["event"]["data"]["kind"] == "agent" => {
                assert!(
                    deltas > 0,
                    "a turn was stored before any of its tokens streamed"
                );
                deltas = 0;
                stored += 1;
            }
            Some("circle.discussion_ended") => break,
            _ => {}
        }
    }
    assert!((1..=2).contains(&stored), "{stored} turns");
    let path = format!("/api/circles/local/discussions/{id}");
    let ended = poll_until(Duration::from_secs(120), || async {
        json(app.get_as(&path, &owner).await).await["summary"].is_string()
    })
    .await;
    assert!(ended);
    let d = json(app.get_as(&path, &owner).await).await;
    assert_eq!(d["status"], "completed", "{d:#}");
    let reason = d["end_reason"].as_str().unwrap();
    assert!(
        reason == "max_turns" || (reason == "marker" && stored <= 2),
        "{d:#}"
    );
    let messages = json(app.get_as(&format!("{path}/messages"), &owner).await).await;
    let turns: Vec<&Value> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "agent")
        .collect();
    assert_eq!(turns.len(), stored);
    for (turn, speaker) in turns.iter().zip(["ann", "ben"]) {
        assert_eq!(turn["speaker"], speaker);
        assert_eq!(turn["status"], "ok");
        assert_eq!(turn["model"], "smollm2-135m-instruct");
        assert!(
            !turn["content"].as_str().unwrap().trim().is_empty(),
            "{turn}"
        );
        assert!(turn["completion_tokens"].as_i64().unwrap() > 0);
    }
}
