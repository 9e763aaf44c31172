//! Circles from pipelines and schedules: a `circle` node runs a discussion on a topic filled in
//! from its inputs and outputs its summary and transcript id; a `start_discussion` action does
//! the same on a schedule's run; a retry finds the discussion it started instead of another.

use serde_json::{Value, json};

use super::World;
use crate::pipeline_runs::{create, node, start, wait_for};
use crate::support::json;

#[tokio::test]
async fn a_pipeline_node_and_a_schedule_run_discussions_and_return_their_summaries() {
    let w = World::new().await;
    for name in ["alice", "bob"] {
        w.agent("c", name, "plain", "member").await;
    }
    // A pipeline: the trigger's title becomes the discussion's topic.
    let pipeline = create(
        &w.app,
        &w.owner,
        json!({"name": "review", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "talk", "type": "circle", "config": {
                "circle": "c", "topic": "Review {{trigger.title}}",
                "participants": ["alice", "bob"], "limits": {"max_turns": 2}}}],
          "edges": [{"from": "t", "to": "talk"}]}),
    )
    .await;
    let run = start(
        &w.app,
        &w.owner,
        &pipeline,
        json!({"title": "the launch plan"}),
    )
    .await;
    let done = wait_for(&w.app, &w.owner, &run, |r| {
        r["status"] == "completed" || r["status"] == "failed"
    })
    .await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let output = &node(&done, "talk")["output"];
    assert_eq!(output["status"], "completed", "{output}");
    assert_eq!(output["end_reason"], "max_turns");
    assert_eq!(output["turns"], 2);
    assert!(
        output["summary"].as_str().unwrap().contains("alice"),
        "{output}"
    );
    let id = output["discussion_id"].as_str().unwrap();
    assert_eq!(output["transcript_id"], id);
    let d = w.discussion(id).await;
    assert_eq!(d["topic"], "Review the launch plan");
    assert_eq!(w.speakers(id).await, ["alice", "bob"]);

    // The node's key is its discussion's origin: asked again, it is found, not started again.
    let client = w.app.pool.get().await.unwrap();
    let origin: String = client
        .query_one(
            "SELECT origin FROM circles.discussions WHERE id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(origin, format!("run:{run}:talk"));

    // A schedule's action, triggered by hand; a bad discussion is refused when it is created.
    let bad = w
        .post(
            "/api/schedules",
            json!({"name": "bad", "kind": "cron", "cron": "0 9 * * 1",
                   "action": {"type": "start_discussion", "circle": "c", "topic": ""}}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(
        json(bad).await["error"]["message"]
            .as_str()
            .unwrap()
            .contains("topic")
    );
    let response = w
        .post(
            "/api/schedules",
            json!({"name": "weekly", "kind": "cron", "cron": "0 9 * * 1",
                   "action": {"type": "start_discussion", "circle": "c",
                              "topic": "The week ahead", "limits": {"max_turns": 1}}}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let schedule = json(response).await;
    let path = format!("/api/schedules/{}", schedule["id"].as_str().unwrap());
    assert!(
        w.post(&format!("{path}/trigger"), json!({}))
            .await
            .status()
            .is_success()
    );
    let mut last = Value::Null;
    for _ in 0..400 {
        let page = json(w.app.get_as(&format!("{path}/runs"), &w.owner).await).await;
        last = page["items"][0].clone();
        if last["status"] == "completed" || last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last["status"], "completed", "{last:#}");
    assert_eq!(last["output"]["turns"], 1, "{last:#}");
    let scheduled = last["output"]["discussion_id"].as_str().unwrap();
    assert_eq!(w.discussion(scheduled).await["topic"], "The week ahead");
}
