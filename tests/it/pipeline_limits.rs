//! Hostile pipeline input gets a bounded answer: the chain of 3,000 fan-outs, a
//! document over the node limit, and a run whose `items` ask for more item runs than a
//! fan-out may start.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, node, post, start};
use crate::support::{TestApp, json};

/// A trigger then `n` parallel nodes in a chain, each fanning out over `input.items`.
fn chain_of_fan_outs(n: usize) -> Value {
    let mut nodes = vec![json!({"id": "t", "type": "trigger"})];
    let mut edges = Vec::new();
    for i in 0..n {
        nodes.push(json!({"id": format!("p{i}"), "type": "parallel",
                          "config": {"items": "input.items"}}));
        let from = if i == 0 {
            "t".to_owned()
        } else {
            format!("p{}", i - 1)
        };
        edges.push(json!({"id": format!("e{i}"), "from": from, "to": format!("p{i}")}));
    }
    json!({"name": "chain", "nodes": nodes, "edges": edges})
}

/// Fails on the code before this change: the answer listed 4.5 M problems (923 MB), after
/// about a minute on an async worker.
#[tokio::test]
async fn the_chain_of_three_thousand_fan_outs_gets_capped_problems_and_a_count() {
    let app = TestApp::spawn().await;
    app.wait_ready().await;
    let viewer = app.signed_in(Role::Viewer).await;
    let member = app.signed_in(Role::Member).await;
    let chain = chain_of_fan_outs(3_000);

    let answer = post(&app, "/api/pipelines/validate", &viewer, chain.clone()).await;
    assert_eq!(answer.status(), 200);
    let bytes = answer.bytes().await.unwrap();
    assert!(bytes.len() < 100 * 1024, "{} bytes", bytes.len());
    let report: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"].as_array().unwrap().len(), 100);
    assert_eq!(report["omitted"], 2_999 - 100);
    assert_eq!(report["errors"][0]["code"], "fan_out");

    // Storing it: 422 with the same cap and count.
    let refused = post(&app, "/api/pipelines", &member, chain).await;
    assert_eq!(refused.status(), 422);
    let body = json(refused).await;
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(
        body["error"]["details"]["errors"].as_array().unwrap().len(),
        100
    );
    assert_eq!(body["error"]["details"]["omitted"], 2_999 - 100);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2999 problem(s)"),
        "{body}"
    );

    // Over the node limit: one problem naming the field, nothing else checked.
    let answer = post(
        &app,
        "/api/pipelines/validate",
        &viewer,
        chain_of_fan_outs(5_000),
    )
    .await;
    assert_eq!(answer.status(), 200);
    let report = json(answer).await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["omitted"], 0);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["code"], "too_large");
    assert_eq!(errors[0]["path"], "/nodes");

    // A valid document still answers as before.
    let ok = post(
        &app,
        "/api/pipelines/validate",
        &viewer,
        json!({"name": "ok", "nodes": [{"id": "t", "type": "trigger"}]}),
    )
    .await;
    assert_eq!(
        json(ok).await,
        json!({"valid": true, "errors": [], "omitted": 0})
    );
    app.shutdown().await.unwrap();
}

/// Fails on the code before this change: 1,001 items started 1,001 item runs.
#[tokio::test]
async fn a_fan_out_over_its_item_limit_fails_before_starting_any_item() {
    let app = TestApp::spawn().await;
    app.wait_ready().await;
    let member = app.signed_in(Role::Member).await;
    let id = create(
        &app,
        &member,
        json!({"name": "wide", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "each", "type": "parallel", "config": {"items": "trigger.xs"}},
            {"id": "one", "type": "transform", "config": {"expression": "input.item"}},
            {"id": "all", "type": "merge"}],
          "edges": [
            {"id": "e1", "from": "t", "to": "each"}, {"id": "e2", "from": "each", "to": "one"},
            {"id": "e3", "from": "one", "to": "all"}]}),
    )
    .await;
    let xs: Vec<usize> = (0..1_001).collect();
    let run = start(&app, &member, &id, json!({"xs": xs})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "failed", "{done:#}");
    let each = node(&done, "each");
    assert_eq!(each["error_code"], "too_many_items", "{each}");
    assert!(
        each["error"].as_str().unwrap().contains("at most 1000"),
        "{each}"
    );
    assert_eq!(each["output"], Value::Null, "no item ran: {each}");
    app.shutdown().await.unwrap();
}

/// Fan-outs nested through sub-pipelines multiplied: now every child run charges its nodes to
/// its root run, and a child that would take the tree past its budget is not created. Here: an
/// outer fan-out of 3 items, each starting a sub-pipeline that fans out over 2 items.
#[tokio::test]
async fn child_runs_charge_their_nodes_to_the_root_and_a_tree_past_its_budget_is_refused() {
    use gathering::orchestration::pipeline::store;
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let inner = create(
        &app,
        &member,
        json!({"name": "inner", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "p", "type": "parallel", "config": {"items": "input.items"}},
            {"id": "x", "type": "transform", "config": {"expression": "input.item"}}],
          "edges": [{"id": "e1", "from": "t", "to": "p"}, {"id": "e2", "from": "p", "to": "x"}]}),
    )
    .await;
    let outer = create(
        &app,
        &member,
        json!({"name": "outer", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "p", "type": "parallel", "config": {"items": "input.items"}},
            {"id": "sub", "type": "action", "config": {"action": "execute_pipeline",
                "pipeline_id": inner, "input": {"items": [1, 2]}}}],
          "edges": [{"id": "e1", "from": "t", "to": "p"}, {"id": "e2", "from": "p", "to": "sub"}]}),
    )
    .await;
    let run = start(&app, &member, &outer, json!({"items": [1, 2, 3]})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    // 3 items of 2 nodes, 3 sub-runs of 3 nodes, 6 inner items of 2 nodes.
    let client = app.pool.get().await.unwrap();
    let root: uuid::Uuid = run.parse().unwrap();
    assert_eq!(store::tree_node_runs(&client, root).await.unwrap(), 27);
    // The budget is the root's whatever child asks: a charge that would pass it is refused
    // and leaves the count as it was.
    let child: uuid::Uuid = node(&done, "p")["output"]["runs"][0]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(store::charge_tree(&client, child, 3, 30).await.unwrap());
    assert!(!store::charge_tree(&client, child, 1, 30).await.unwrap());
    assert_eq!(store::tree_node_runs(&client, root).await.unwrap(), 30);
}
