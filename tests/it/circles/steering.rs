//! People in discussions: pause, resume and stop; posting (the next agent sees it); being
//! addressed and answering; choosing speakers in manual mode; continuing a finished
//! discussion with its history; and who may do what (outsiders see nothing, observers read).

use gathering::auth::model::Role;
use serde_json::{Value, json};

use super::{World, post};
use crate::support::{json, poll_until};

fn all_text(request: &Value) -> String {
    request["messages"].to_string()
}

#[tokio::test]
async fn pause_lets_the_turn_finish_resume_goes_on_and_stop_cancels_the_turn() {
    let w = World::new().await;
    w.agent("c", "slow", "hold", "member").await;
    let id = w
        .start(json!({"topic": "t", "limits": {"max_turns": 10, "turn_timeout_secs": 60}}))
        .await;
    let base = format!("/api/circles/c/discussions/{id}");
    let in_flight = |n: usize| {
        let script = w.script.clone();
        async move {
            poll_until(std::time::Duration::from_secs(20), || {
                let asked = script.asked("hold").len();
                async move { asked >= n }
            })
            .await
        }
    };
    assert!(in_flight(1).await, "the first turn never started");
    let paused = json(w.post(&format!("{base}/pause"), json!({})).await).await;
    assert_eq!(paused["status"], "paused");
    assert_eq!(
        w.post(&format!("{base}/pause"), json!({})).await.status(),
        409
    );
    // The turn in flight finishes and is stored; then the discussion holds.
    w.script.release.add_permits(1);
    let d = w
        .until(&id, "the paused turn stored", |d| d["turns"] == 1)
        .await;
    assert_eq!(d["status"], "paused");
    let resumed = json(w.post(&format!("{base}/resume"), json!({})).await).await;
    assert_eq!(resumed["status"], "running");
    assert!(in_flight(2).await, "no turn after resuming");
    // A stop cancels the turn in flight: it is not stored, and the summary is written.
    let stopped = json(w.post(&format!("{base}/stop"), json!({})).await).await;
    assert_eq!(stopped["status"], "stopped");
    let d = w.ended(&id).await;
    assert_eq!(d["end_reason"], "stopped");
    assert_eq!(d["turns"], 1);
    assert_eq!(w.speakers(&id).await, ["slow"]);
    // Nothing more happens to a finished discussion.
    for action in ["pause", "resume", "stop"] {
        let response = w.post(&format!("{base}/{action}"), json!({})).await;
        assert_eq!(response.status(), 409, "{action}");
    }
    let late = w
        .post(&format!("{base}/messages"), json!({"content": "hello?"}))
        .await;
    assert_eq!(late.status(), 409);
}

#[tokio::test]
async fn people_choose_speakers_post_and_are_answered_when_addressed() {
    let w = World::new().await;
    w.agent("c", "alice", "plain", "member").await;
    w.agent("c", "bob", "plain", "member").await;
    w.agent("c", "asker", "ask-ana", "member").await;

    // Manual: the discussion waits for a person to choose; the person's post is the next
    // thing the chosen agent sees.
    let id = w
        .start(json!({"topic": "pricing", "mode": "manual",
                      "participants": ["alice", "bob"], "limits": {"max_turns": 1}}))
        .await;
    let base = format!("/api/circles/c/discussions/{id}");
    let d = w
        .until(&id, "waiting for a speaker", |d| d["status"] == "waiting")
        .await;
    assert_eq!(d["waiting_for"], "speaker");
    let posted = w
        .post(
            &format!("{base}/messages"),
            json!({"content": "please mind the cost, @bob"}),
        )
        .await;
    assert_eq!(posted.status(), 201);
    let posted = json(posted).await;
    assert_eq!(posted["speaker"], "ana");
    assert_eq!(posted["mentions"], json!(["bob"]));
    let bad = w
        .post(&format!("{base}/speaker"), json!({"agent": "zed"}))
        .await;
    assert_eq!(bad.status(), 422);
    let chosen = json(
        w.post(&format!("{base}/speaker"), json!({"agent": "bob"}))
            .await,
    )
    .await;
    assert_eq!(chosen["next_speaker"]["name"], "bob");
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["bob"]);
    let asked = w.script.asked("plain");
    assert!(all_text(asked.last().unwrap()).contains("ana: please mind the cost, @bob"));

    // An agent addressing @ana waits for her; her answer lets it go on.
    let id = w
        .start(json!({"topic": "t", "participants": ["asker", "alice"],
                      "limits": {"max_turns": 2}}))
        .await;
    let d = w
        .until(&id, "waiting for ana", |d| d["status"] == "waiting")
        .await;
    assert_eq!(d["waiting_for"], format!("person:{}", w.owner_id));
    let answer = w
        .post(
            &format!("/api/circles/c/discussions/{id}/messages"),
            json!({"content": "I think we ship friday"}),
        )
        .await;
    assert_eq!(answer.status(), 201);
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["asker", "alice"]);
    let asked = w.script.asked("plain");
    assert!(all_text(asked.last().unwrap()).contains("ana: I think we ship friday"));

    // Continuing keeps the history: turn numbers go on, and the next turn sees the earlier ones.
    let more = w
        .post(
            &format!("/api/circles/c/discussions/{id}/continue"),
            json!({"turns": 1, "prompt": "one more thing"}),
        )
        .await;
    assert_eq!(more.status(), 200);
    let d = w
        .until(&id, "continued", |d| {
            d["turns"] == 3 && d["summary"].is_string()
        })
        .await;
    assert_eq!(d["status"], "completed");
    let messages = w.messages(&id).await;
    let turns: Vec<i64> = messages.iter().filter_map(|m| m["turn"].as_i64()).collect();
    assert_eq!(turns, [1, 2, 3]);
    let last = w.script.asked("ask-ana");
    let seen = all_text(last.last().unwrap());
    assert!(seen.contains("ana: one more thing"), "{seen}");
    assert!(seen.contains("alice thinks so."), "{seen}");
    let again = w
        .post(
            &format!("/api/circles/c/discussions/{id}/continue"),
            json!({"turns": 0}),
        )
        .await;
    assert_eq!(again.status(), 422);
}

#[tokio::test]
async fn outsiders_see_nothing_and_observers_only_read() {
    let w = World::new().await;
    w.agent("c", "alice", "plain", "member").await;
    let id = w
        .start(json!({"topic": "t", "limits": {"max_turns": 1}}))
        .await;
    w.ended(&id).await;

    let outsider = w.app.signed_in(Role::Member).await;
    let observer = w.app.signed_in(Role::Member).await;
    let me = json(w.app.get_as("/api/auth/me", &observer).await).await;
    let path = format!("/api/circles/c/people/{}", me["id"].as_str().unwrap());
    let added = w
        .app
        .http
        .put(w.app.url(&path))
        .bearer_auth(&w.owner)
        .json(&json!({"role": "observer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);

    let base = format!("/api/circles/c/discussions/{id}");
    let reads = [
        "/api/circles/c/discussions".to_owned(),
        base.clone(),
        format!("{base}/messages"),
    ];
    let writes = [
        (
            "/api/circles/c/discussions".to_owned(),
            json!({"topic": "t"}),
        ),
        (format!("{base}/messages"), json!({"content": "hi"})),
        (format!("{base}/pause"), json!({})),
        (format!("{base}/resume"), json!({})),
        (format!("{base}/stop"), json!({})),
        (format!("{base}/speaker"), json!({"agent": "alice"})),
        (format!("{base}/continue"), json!({})),
    ];
    for path in &reads {
        assert_eq!(w.app.get_as(path, &outsider).await.status(), 404, "{path}");
        assert_eq!(w.app.get_as(path, &observer).await.status(), 200, "{path}");
    }
    for (path, body) in &writes {
        let response = post(&w.app, path, &outsider, body.clone()).await;
        assert_eq!(response.status(), 404, "{path}");
        let response = post(&w.app, path, &observer, body.clone()).await;
        assert_eq!(response.status(), 403, "{path}");
    }

    // A discussion of another circle is not found through this one.
    assert_eq!(
        w.post("/api/circles", json!({"name": "other"}))
            .await
            .status(),
        201
    );
    let elsewhere = format!("/api/circles/other/discussions/{id}");
    assert_eq!(w.app.get_as(&elsewhere, &w.owner).await.status(), 404);
    let unknown = format!("/api/circles/c/discussions/{}", uuid::Uuid::now_v7());
    assert_eq!(w.app.get_as(&unknown, &w.owner).await.status(), 404);
    let admin_view = w.app.get_as(&base, &w.admin).await;
    assert_eq!(admin_view.status(), 200);
}
