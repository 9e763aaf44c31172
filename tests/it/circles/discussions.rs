//! Discussion modes, transition graphs and termination, with the scripted models: who speaks
//! in which order, why it ends, the digest summary saved as a circle memory, and a turn stored
//! once.

use serde_json::json;

use super::World;
use crate::support::json;

#[tokio::test]
async fn round_robin_runs_to_max_turns_and_its_digest_is_a_circle_memory() {
    let w = World::new().await;
    for name in ["alice", "bob", "carol"] {
        w.agent("c", name, "plain", "member").await;
    }
    w.agent("c", "olga", "plain", "observer").await;
    let id = w
        .start(json!({"topic": "naming the release", "mode": "round_robin",
                      "limits": {"max_turns": 4}, "save_summary": true}))
        .await;
    let d = w.ended(&id).await;
    assert_eq!(d["status"], "completed");
    assert_eq!(d["end_reason"], "max_turns");
    assert_eq!(d["turns"], 4);
    assert_eq!(d["tokens"], 60);
    // Every non-observer agent member, in membership order; never the same twice in a row.
    assert_eq!(w.speakers(&id).await, ["alice", "bob", "carol", "alice"]);
    let messages = w.messages(&id).await;
    assert_eq!(messages[0]["kind"], "prompt");
    assert_eq!(messages[0]["content"], "naming the release");
    assert_eq!(messages[1]["content"], "alice thinks so.");
    assert_eq!(messages[1]["turn"], 1);
    assert!(messages[1]["conversation_id"].is_string());
    assert_eq!(messages[1]["mentions"], json!([]));
    // The digest has a line per turn, and it is a circle memory the creator reads.
    let summary = d["summary"].as_str().unwrap();
    assert!(summary.contains("- bob: bob thinks so."), "{summary}");
    let memory = d["summary_memory_id"].as_str().expect("saved");
    let m = json(
        w.app
            .get_as(&format!("/api/memories/{memory}"), &w.owner)
            .await,
    )
    .await;
    assert_eq!(m["scope"], "circle");
    assert!(m["content"].as_str().unwrap().contains("alice thinks so."));

    // A turn is stored once: the unique turn index refuses a second copy.
    let client = w.app.pool.get().await.unwrap();
    let did: uuid::Uuid = id.parse().unwrap();
    let copy = client
        .execute(
            "INSERT INTO circles.discussion_messages
                (id, discussion_id, seq, kind, speaker, content, turn)
             VALUES ($1, $2, 99, 'agent', 'alice', 'again', 1)",
            &[&uuid::Uuid::now_v7(), &did],
        )
        .await;
    assert!(copy.is_err());
    let turns: Vec<i32> = client
        .query(
            "SELECT turn FROM circles.discussion_messages
              WHERE discussion_id = $1 AND turn IS NOT NULL ORDER BY seq",
            &[&did],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(turns, [1, 2, 3, 4]);
}

#[tokio::test]
async fn mention_free_facilitator_and_transitions_choose_in_order() {
    let w = World::new().await;
    w.agent("c", "alice", "to-bob", "member").await;
    w.agent("c", "bob", "plain", "member").await;
    w.agent("c", "carol", "plain", "member").await;
    w.agent("c", "fran", "facilitate", "lead").await;

    // Mention: alice hands over to @bob, then round robin after bob.
    let id = w
        .start(json!({"topic": "t", "mode": "mention",
                      "participants": ["alice", "carol", "bob"], "limits": {"max_turns": 3}}))
        .await;
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["alice", "bob", "alice"]);

    // A transition graph constrains round robin: alice -> carol -> bob -> alice.
    let id = w
        .start(
            json!({"topic": "t", "participants": ["alice", "bob", "carol"],
                      "transitions": {"alice": ["carol"], "carol": ["bob"], "bob": ["alice"]},
                      "limits": {"max_turns": 4}}),
        )
        .await;
    let d = w.ended(&id).await;
    assert_eq!(d["transitions"]["alice"], json!(["carol"]));
    assert_eq!(w.speakers(&id).await, ["alice", "carol", "bob", "alice"]);

    // Free mode: the same seed gives the same speakers.
    let mut orders = Vec::new();
    for _ in 0..2 {
        let id = w
            .start(json!({"topic": "t", "mode": "free", "seed": 42,
                          "participants": ["bob", "carol", "fran"],
                          "limits": {"max_turns": 5}}))
            .await;
        w.ended(&id).await;
        orders.push(w.speakers(&id).await);
    }
    assert_eq!(orders[0], orders[1]);
    assert!(orders[0].windows(2).all(|p| p[0] != p[1]), "{orders:?}");

    // Facilitator: fran speaks first and after everyone, and names carol ("Carol, ...").
    let id = w
        .start(
            json!({"topic": "t", "mode": "facilitator", "facilitator": "fran",
                      "participants": ["fran", "bob", "carol"], "limits": {"max_turns": 4}}),
        )
        .await;
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["fran", "carol", "fran", "carol"]);
}

#[tokio::test]
async fn selector_picks_and_falls_back_and_markers_end_discussions() {
    let w = World::new().await;
    w.agent("c", "alice", "plain", "member").await;
    w.agent("c", "bob", "plain", "member").await;
    w.agent("c", "carol", "plain", "member").await;
    w.agent("c", "sel", "pick-carol", "observer").await;
    w.agent("c", "zel", "pick-zed", "observer").await;
    w.agent("c", "dora", "done", "member").await;

    // The selector's model names carol; the next time carol is the last speaker, so its
    // repeated choice falls back to round robin after carol (alice).
    let id = w
        .start(
            json!({"topic": "t", "mode": "selector", "facilitator": "sel",
                      "participants": ["alice", "bob", "carol"], "limits": {"max_turns": 2}}),
        )
        .await;
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["carol", "alice"]);
    let asked = w.script.asked("pick-carol");
    assert_eq!(asked.len(), 2);
    let question = asked[1]["messages"][0]["content"].as_str().unwrap();
    assert!(question.contains("carol: carol thinks so."), "{question}");

    // An unknown speaker falls back to round robin.
    let id = w
        .start(
            json!({"topic": "t", "mode": "selector", "facilitator": "zel",
                      "participants": ["alice", "bob", "carol"], "limits": {"max_turns": 3}}),
        )
        .await;
    w.ended(&id).await;
    assert_eq!(w.speakers(&id).await, ["alice", "bob", "carol"]);

    // A marker ends the discussion after the turn that says it.
    let id = w
        .start(
            json!({"topic": "t", "participants": ["alice", "dora", "bob"],
                      "limits": {"max_turns": 10}}),
        )
        .await;
    let d = w.ended(&id).await;
    assert_eq!(d["status"], "completed");
    assert_eq!(d["end_reason"], "marker");
    assert_eq!(w.speakers(&id).await, ["alice", "dora"]);
}

#[tokio::test]
async fn a_timed_out_turn_is_recorded_and_the_discussion_goes_on() {
    let w = World::new().await;
    w.agent("c", "slow", "hold", "member").await;
    w.agent("c", "bob", "plain", "member").await;
    let id = w
        .start(json!({"topic": "t", "participants": ["slow", "bob"],
                      "limits": {"max_turns": 2, "turn_timeout_secs": 1}}))
        .await;
    let d = w.ended(&id).await;
    assert_eq!(d["end_reason"], "max_turns");
    let messages = w.messages(&id).await;
    let turns: Vec<(&str, &str)> = messages
        .iter()
        .filter(|m| m["kind"] == "agent")
        .map(|m| {
            (
                m["speaker"].as_str().unwrap(),
                m["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(turns, [("slow", "timed_out"), ("bob", "ok")]);

    // With on_timeout stop, the discussion stops at the timed-out turn.
    let id = w
        .start(json!({"topic": "t", "participants": ["slow", "bob"],
                      "limits": {"max_turns": 5, "turn_timeout_secs": 1, "on_timeout": "stop"}}))
        .await;
    let d = w.ended(&id).await;
    assert_eq!(d["status"], "stopped");
    assert_eq!(d["end_reason"], "timeout");
    assert_eq!(d["turns"], 1);
}

#[tokio::test]
async fn bad_discussions_are_refused_with_the_field_named() {
    let w = World::new().await;
    w.agent("c", "alice", "plain", "member").await;
    w.agent("c", "bob", "plain", "member").await;
    w.agent("c", "olga", "plain", "observer").await;
    for (body, field) in [
        (json!({"topic": ""}), "topic"),
        (
            json!({"topic": "t", "participants": ["nobody"]}),
            "participants",
        ),
        (
            json!({"topic": "t", "participants": ["olga"]}),
            "participants",
        ),
        (json!({"topic": "t", "participants": []}), "participants"),
        (json!({"topic": "t", "mode": "chaos"}), "mode"),
        (json!({"topic": "t", "mode": "facilitator"}), "facilitator"),
        (json!({"topic": "t", "mode": "selector"}), "facilitator"),
        (
            json!({"topic": "t", "mode": "facilitator", "facilitator": "olga"}),
            "facilitator",
        ),
        (
            json!({"topic": "t", "transitions": {"alice": ["zed"]}}),
            "transitions",
        ),
        (
            json!({"topic": "t", "limits": {"max_turns": 0}}),
            "limits.max_turns",
        ),
        (json!({"topic": "t", "seed": -1}), "seed"),
        (
            json!({"topic": "t", "prompt": "x".repeat(16 * 1024 + 1)}),
            "prompt",
        ),
    ] {
        let response = w.post("/api/circles/c/discussions", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(
            json(response).await["error"]["details"]["field"],
            field,
            "{body}"
        );
    }
    let unknown = w
        .post(
            "/api/circles/c/discussions",
            json!({"topic": "t", "colour": "red"}),
        )
        .await;
    assert_eq!(unknown.status(), 422);
}
