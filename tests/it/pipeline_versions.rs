//! Stored pipelines over their life, one behaviour per test: bad input is refused, a re-run
//! keeps what completed, an update is a new version (with a diff) that runs started before do
//! not see, the webhook starts runs only with the pipeline's secret, and a pipeline's runs are
//! listed until the pipeline is deleted.

use gathering::auth::model::Role;
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, hook_server, node, post, spawn, start};
use crate::support::{TestApp, json};

/// Version 1 of the pipeline these tests store: a transform, then a call to `base`.
fn version_1(base: &str) -> Value {
    json!({"name": "versioned", "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "first", "type": "transform", "config": {"expression": "{'x': 1}"}},
        {"id": "call", "type": "action", "config": {"action": "call_api",
         "url": format!("{base}/v"), "max_retries": 0}}],
      "edges": [{"from": "t", "to": "first"}, {"from": "first", "to": "call"}]})
}

/// Version 2: the transform outputs `{x: 2}`, and a description.
fn version_2(base: &str) -> Value {
    let mut v2 = version_1(base);
    v2["nodes"][1]["config"]["expression"] = json!("{'x': 2}");
    v2["description"] = json!("second");
    v2
}

async fn put(app: &TestApp, id: &str, token: &str, doc: &Value) -> reqwest::Response {
    app.http
        .put(app.url(&format!("/api/pipelines/{id}")))
        .bearer_auth(token)
        .json(doc)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn invalid_documents_taken_names_viewers_and_bad_trigger_data_are_refused() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, _hook) = hook_server().await;
    let v1 = version_1(&base);
    let id = create(&app, &member, v1.clone()).await;
    // Invalid documents: 422 with every problem; nothing stored.
    let bad = post(
        &app,
        "/api/pipelines",
        &member,
        json!({"name": "bad", "nodes": [{"id": "x", "type": "teleport"}], "edges": []}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let body = json(bad).await;
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["details"]["errors"].as_array().unwrap().len() >= 2,
        "{body}"
    );
    let taken = post(&app, "/api/pipelines", &member, v1.clone()).await;
    assert_eq!(taken.status(), 409);
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(
        post(&app, "/api/pipelines", &viewer, v1.clone())
            .await
            .status(),
        403
    );
    let bad_data = post(
        &app,
        &format!("/api/pipelines/{id}/runs"),
        &member,
        json!({"trigger_data": [1, 2]}),
    )
    .await;
    assert_eq!(bad_data.status(), 422);
    let unknown = post(
        &app,
        &format!("/api/pipelines/{id}/runs"),
        &member,
        json!({"trigger": {}}),
    )
    .await;
    assert_eq!(unknown.status(), 422);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rerun_of_a_failed_run_keeps_its_completed_nodes_and_a_completed_run_is_not_rerun() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    let id = create(&app, &member, version_1(&base)).await;
    // A failed run, then a re-run that keeps the completed node.
    hook.answer(&[400]);
    let failed = start(&app, &member, &id, json!({"k": 1})).await;
    let failed_run = finished(&app, &member, &failed).await;
    assert_eq!(failed_run["status"], "failed");
    let rerun = post(
        &app,
        &format!("/api/pipeline-runs/{failed}/rerun"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(rerun.status(), 201);
    let rerun = json(rerun).await;
    assert_eq!(rerun["rerun_of"], failed.as_str());
    let again = finished(&app, &member, rerun["id"].as_str().unwrap()).await;
    assert_eq!(again["status"], "completed", "{again:#}");
    assert_eq!(
        node(&again, "first")["started_at"],
        node(&failed_run, "first")["started_at"]
    );
    assert_eq!(node(&again, "call")["status"], "completed");
    assert_eq!(again["trigger_data"], json!({"k": 1}));
    let completed = post(
        &app,
        &format!("/api/pipeline-runs/{}/rerun", again["id"].as_str().unwrap()),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(completed.status(), 409);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_update_by_the_owner_is_a_new_version_with_a_diff_and_earlier_runs_keep_theirs() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let other = app.signed_in(Role::Member).await;
    let (base, hook) = hook_server().await;
    let id = create(&app, &member, version_1(&base)).await;
    // A run started before the update.
    hook.answer(&[400]);
    let before = start(&app, &member, &id, json!({"k": 1})).await;
    let before_run = finished(&app, &member, &before).await;

    // Versions: an update makes version 2; runs started before keep version 1.
    let v2 = version_2(&base);
    assert_eq!(put(&app, &id, &other, &v2).await.status(), 403);
    let updated = json(put(&app, &id, &member, &v2).await).await;
    assert_eq!(updated["version"], 2);
    assert_eq!(before_run["version"], 1);
    let versions = json(
        app.get_as(&format!("/api/pipelines/{id}/versions"), &member)
            .await,
    )
    .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let diff = json(
        app.get_as(&format!("/api/pipelines/{id}/diff?from=1&to=2"), &member)
            .await,
    )
    .await;
    assert_eq!(diff["nodes"]["changed"][0]["id"], "first", "{diff}");
    assert_eq!(
        diff["nodes"]["changed"][0]["after"]["config"]["expression"],
        "{'x': 2}"
    );
    assert_eq!(diff["fields"]["description"]["after"], "second");
    let missing = app
        .get_as(&format!("/api/pipelines/{id}/diff?from=1&to=9"), &member)
        .await;
    assert_eq!(missing.status(), 404);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_webhook_starts_a_run_of_the_newest_version_only_with_the_pipelines_secret() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, _hook) = hook_server().await;
    let id = create(&app, &member, version_1(&base)).await;
    assert_eq!(
        put(&app, &id, &member, &version_2(&base)).await.status(),
        200
    );

    // The webhook: a wrong secret is refused; the right one starts a run as the owner.
    let hook_url = app.url(&format!("/api/pipelines/{id}/webhook"));
    let none = app
        .http
        .post(&hook_url)
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 403);
    let secret = post(
        &app,
        &format!("/api/pipelines/{id}/webhook-secret"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(secret.status(), 201);
    let secret = json(secret).await["secret"].as_str().unwrap().to_owned();
    let wrong = app
        .http
        .post(&hook_url)
        .header("x-gathering-webhook-secret", "whsec_nope")
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let started = app
        .http
        .post(&hook_url)
        .header("x-gathering-webhook-secret", &secret)
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 201);
    let started = json(started).await;
    assert_eq!(started["trigger"], "webhook");
    assert_eq!(started["version"], 2);
    let done = finished(&app, &member, started["id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(node(&done, "first")["output"], json!({"x": 2}));
    assert_eq!(node(&done, "t")["output"], json!({"a": 1}));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_pipelines_runs_are_listed_and_a_deleted_pipeline_is_gone() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let (base, _hook) = hook_server().await;
    let id = create(&app, &member, version_1(&base)).await;
    for k in 0..3 {
        let run = start(&app, &member, &id, json!({"k": k})).await;
        finished(&app, &member, &run).await;
    }
    let runs = json(
        app.get_as(&format!("/api/pipelines/{id}/runs"), &member)
            .await,
    )
    .await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 3);
    let deleted = app
        .http
        .delete(app.url(&format!("/api/pipelines/{id}")))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.get_as(&format!("/api/pipelines/{id}"), &member)
            .await
            .status(),
        404
    );
    app.shutdown().await.unwrap();
}
