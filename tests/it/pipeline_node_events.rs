//! A run's end tells live clients about every node it cancelled: one `pipeline_node.cancelled`
//! for each node still running and each node that never started, none for the nodes that ran.

use std::time::Duration;

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, node, post, start, wait_for};
use crate::support::{TestApp, TestDb, json, poll_until, test_config};

/// The `pipeline_node.*` events of `run`, in order, once its run-ending event is listed.
async fn node_events(app: &TestApp, token: &str, run: &str, ended: &str) -> Vec<Value> {
    let fetch = || async {
        let page = json(
            app.get_as(
                "/api/events?types=pipeline_node.*,pipeline_run.*&limit=500",
                token,
            )
            .await,
        )
        .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["data"]["run_id"] == run)
            .cloned()
            .collect::<Vec<Value>>()
    };
    let listed = poll_until(Duration::from_secs(20), || async {
        fetch().await.iter().any(|e| e["type"] == ended)
    })
    .await;
    assert!(listed, "{ended} of run {run} was never listed");
    fetch()
        .await
        .into_iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("pipeline_node."))
        .collect()
}

/// The types of `node`'s events, in order.
fn types_of(events: &[Value], node: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["data"]["node_id"] == node)
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

fn cancelled_of<'a>(events: &'a [Value], node: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["type"] == "pipeline_node.cancelled" && e["data"]["node_id"] == node)
        .collect()
}

#[tokio::test]
async fn a_cancelled_run_tells_every_node_it_cancelled_once_and_leaves_those_that_ran() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let id = create(
        &app,
        &member,
        json!({"name": "cancel-tells", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "wait", "type": "delay", "config": {"seconds": 3600}},
            {"id": "after", "type": "transform", "config": {"expression": "1"}},
            {"id": "last", "type": "transform", "config": {"expression": "2"}}],
          "edges": [{"from": "t", "to": "wait"}, {"from": "wait", "to": "after"},
                    {"from": "after", "to": "last"}]}),
    )
    .await;
    let run = start(&app, &member, &id, json!({})).await;
    wait_for(&app, &member, &run, |r| {
        node(r, "wait")["status"] == "running"
    })
    .await;
    let asked = post(
        &app,
        &format!("/api/pipeline-runs/{run}/cancel"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(asked.status(), 200);
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "cancelled", "{done:#}");
    let events = node_events(&app, &member, &run, "pipeline_run.cancelled").await;

    // The trigger ran: its events are as before, and it is not cancelled.
    assert_eq!(node(&done, "t")["status"], "completed");
    assert_eq!(
        types_of(&events, "t"),
        ["pipeline_node.started", "pipeline_node.completed"]
    );
    // The running delay was stopped; the two after it never started.
    assert_eq!(
        types_of(&events, "wait"),
        ["pipeline_node.started", "pipeline_node.cancelled"]
    );
    for never in ["after", "last"] {
        assert_eq!(node(&done, never)["status"], "cancelled");
        assert_eq!(types_of(&events, never), ["pipeline_node.cancelled"]);
    }
    let pipeline_id = done["pipeline_id"].clone();
    for (id, kind) in [
        ("wait", "delay"),
        ("after", "transform"),
        ("last", "transform"),
    ] {
        let found = cancelled_of(&events, id);
        assert_eq!(found.len(), 1, "{events:#?}");
        assert_eq!(
            found[0]["data"],
            json!({"run_id": run, "pipeline_id": pipeline_id, "node_id": id,
                   "node_type": kind, "reason": "cancelled"})
        );
        assert_eq!(found[0]["scope"]["run_id"], run.as_str());
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_failed_node_leaves_its_successors_cancelled_and_told_so() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let id = create(
        &app,
        &member,
        json!({"name": "failure-tells", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "bad", "type": "transform", "config": {"expression": "trigger.n / 0"}},
            {"id": "next", "type": "transform", "config": {"expression": "1"}}],
          "edges": [{"from": "t", "to": "bad"}, {"from": "bad", "to": "next"}]}),
    )
    .await;
    let run = start(&app, &member, &id, json!({"n": 1})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "failed", "{done:#}");
    let events = node_events(&app, &member, &run, "pipeline_run.failed").await;

    assert_eq!(node(&done, "bad")["status"], "failed");
    // The node that failed is told failed, once, and not cancelled.
    let bad = types_of(&events, "bad");
    assert_eq!(bad.last().map(String::as_str), Some("pipeline_node.failed"));
    assert!(cancelled_of(&events, "bad").is_empty(), "{bad:?}");
    assert_eq!(
        types_of(&events, "t"),
        ["pipeline_node.started", "pipeline_node.completed"]
    );
    assert_eq!(node(&done, "next")["status"], "cancelled");
    assert_eq!(types_of(&events, "next"), ["pipeline_node.cancelled"]);
    assert_eq!(
        cancelled_of(&events, "next")[0]["data"],
        json!({"run_id": run, "pipeline_id": done["pipeline_id"], "node_id": "next",
               "node_type": "transform", "reason": "failed"})
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_pending_run_cancelled_tells_each_of_its_nodes() {
    // One run at a time: the second stays pending behind the first's long delay.
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.pipelines.max_concurrent_runs = 1;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let member = app.signed_in(Role::Member).await;
    let id = create(
        &app,
        &member,
        json!({"name": "pending-tells", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "wait", "type": "delay", "config": {"seconds": 3600}}],
          "edges": [{"from": "t", "to": "wait"}]}),
    )
    .await;
    let busy = start(&app, &member, &id, json!({})).await;
    wait_for(&app, &member, &busy, |r| {
        node(r, "wait")["status"] == "running"
    })
    .await;
    let run = start(&app, &member, &id, json!({})).await;
    let cancel = |run: String| {
        let (app, member) = (&app, &member);
        async move {
            post(
                app,
                &format!("/api/pipeline-runs/{run}/cancel"),
                member,
                json!({}),
            )
            .await
        }
    };
    let ended = json(cancel(run.clone()).await).await;
    assert_eq!(ended["status"], "cancelled", "{ended:#}");
    assert_eq!(ended["error"], "cancelled before it started");
    let events = node_events(&app, &member, &run, "pipeline_run.cancelled").await;
    for (node_id, kind) in [("t", "trigger"), ("wait", "delay")] {
        assert_eq!(node(&ended, node_id)["status"], "cancelled");
        assert_eq!(types_of(&events, node_id), ["pipeline_node.cancelled"]);
        assert_eq!(
            cancelled_of(&events, node_id)[0]["data"],
            json!({"run_id": run, "pipeline_id": id, "node_id": node_id,
                   "node_type": kind, "reason": "cancelled"})
        );
    }
    assert_eq!(cancel(busy).await.status(), 200);
    app.shutdown().await.unwrap();
}
