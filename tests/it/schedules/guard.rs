//! What may fire an event schedule (issue 19): only events its owner may see, on the live path
//! and on the catch-up from the outbox; and a chain of runs that trigger each other is refused
//! past its depth or rate bound, the schedule paused with the reason, its owner told.

use serde_json::{Value, json};

use super::{config, count, create, runs, schedule, spawn, wait_runs};
use crate::pipeline_runs::post;
use crate::support::{TestApp, TestDb, json};
use gathering::auth::model::Role;

fn notify(message: &str) -> Value {
    json!({"type": "send_notification", "message": message})
}

/// A member's schedule that would learn an email was registered, an admin's one on the same
/// event, and a member's sentinel on `pipeline.created` (an event the member may see).
async fn spy_watch_sentinel(app: &TestApp, member: &str, admin: &str) -> (Value, Value, Value) {
    let event = json!({"type": "user.created",
                       "filter": {"data": {"email": "target@example.org"}}});
    let spy = create(
        app,
        member,
        json!({"name": "spy", "kind": "event", "event": event, "action": notify("registered")}),
    )
    .await;
    let watch = create(
        app,
        admin,
        json!({"name": "watch", "kind": "event", "event": event, "action": notify("registered")}),
    )
    .await;
    let sentinel = create(
        app,
        member,
        json!({"name": "sentinel", "kind": "event", "event": {"type": "pipeline.created"},
               "action": notify("a pipeline")}),
    )
    .await;
    (spy, watch, sentinel)
}

/// The admin creates the user, then the member a pipeline (later in the outbox).
async fn register_then_sentinel(app: &TestApp, member: &str, admin: &str) {
    let made = post(
        app,
        "/api/users",
        admin,
        json!({"email": "target@example.org", "display_name": "Target",
               "password": "a long enough password", "role": "member"}),
    )
    .await;
    assert_eq!(made.status(), 201, "{}", json(made).await);
    let body = json!({"name": "after", "nodes": [
        {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
    assert_eq!(
        post(app, "/api/pipelines", member, body).await.status(),
        201
    );
}

/// Once the sentinel (a later event) fired, the user's creation was heard: the admin's schedule
/// fired on it, the member's did not, and the member got no notification about it.
async fn only_the_admin_heard(
    app: &TestApp,
    member: &str,
    admin: &str,
    ids: (Value, Value, Value),
) {
    let (spy, watch, sentinel) = ids;
    wait_runs(app, member, &sentinel["id"], |r| count(r, "completed") == 1).await;
    wait_runs(app, admin, &watch["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(runs(app, member, &spy["id"]).await, Vec::<Value>::new());
    let notes = json(app.get_as("/api/notifications", member).await).await;
    let messages: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, vec!["a pipeline"], "{notes:#}");
}

#[tokio::test]
async fn an_event_schedule_does_not_fire_on_an_event_its_owner_may_not_see() {
    let app = spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let member = app.signed_in(Role::Member).await;
    let ids = spy_watch_sentinel(&app, &member, &admin).await;
    register_then_sentinel(&app, &member, &admin).await;
    only_the_admin_heard(&app, &member, &admin, ids).await;
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_catch_up_from_the_outbox_applies_the_same_visibility_rule() {
    let db = TestDb::migrated().await;
    let first = TestApp::start_with(db.same(), config(&db)).await;
    first.wait_ready().await;
    let admin = first.signed_in(Role::Admin).await;
    let member = first.signed_in(Role::Member).await;
    let ids = spy_watch_sentinel(&first, &member, &admin).await;
    first.shutdown().await.unwrap();
    // The events are stored while no scheduler runs ...
    let mut quiet = config(&db);
    quiet.scheduler.enabled = false;
    let second = TestApp::start_with(db.same(), quiet).await;
    second.wait_ready().await;
    register_then_sentinel(&second, &member, &admin).await;
    second.shutdown().await.unwrap();
    // ... and read from the outbox by the scheduler that starts next.
    let third = TestApp::start_with(db.same(), config(&db)).await;
    third.wait_ready().await;
    only_the_admin_heard(&third, &member, &admin, ids).await;
    third.shutdown().await.unwrap();
}

/// A pipeline with one trigger node, made by `token`; its id.
async fn pipeline(app: &TestApp, token: &str, name: &str) -> String {
    let body = json!({"name": name, "nodes": [
        {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
    let made = post(app, "/api/pipelines", token, body).await;
    assert_eq!(made.status(), 201);
    json(made).await["id"].as_str().unwrap().to_owned()
}

/// The schedule was paused by the scheduler and its owner was told why.
async fn paused_and_reported(app: &TestApp, member: &str, s: &Value, failed: &Value, why: &str) {
    let view = schedule(app, member, &s["id"]).await;
    assert_eq!(view["status"], "paused", "{view:#}");
    let reason = view["paused_reason"].as_str().unwrap_or_default();
    assert!(reason.contains(why), "{view:#}");
    assert_eq!(failed["error"].as_str(), Some(reason), "{failed:#}");
    let notes = json(app.get_as("/api/notifications", member).await).await;
    let note = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["run_id"] == failed["id"])
        .cloned()
        .unwrap_or_else(|| panic!("no notification of the refusal: {notes:#}"));
    assert_eq!(note["level"], "error");
    assert_eq!(note["message"].as_str(), Some(reason));
    // Every `schedule.paused` the owner may read (the page is of outbox rows: follow it).
    let mut paused = Vec::new();
    let mut since = 0;
    loop {
        let path = format!("/api/events?types=schedule.paused&limit=500&since={since}");
        let page = json(app.get_as(&path, member).await).await;
        paused.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["scope"]["schedule_id"] == s["id"])
                .cloned(),
        );
        if page["more"] != true {
            break;
        }
        since = page["next_since"].as_i64().unwrap();
    }
    assert_eq!(paused.len(), 1, "{paused:#?}");
    assert_eq!(paused[0]["data"]["reason"].as_str(), Some(reason));
}

#[tokio::test]
async fn a_schedule_that_restarts_its_pipeline_is_refused_past_the_depth_bound() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let id = pipeline(&app, &member, "looped").await;
    // Each completed run of the pipeline starts the next one: a chain, one hop per run.
    let s = create(
        &app,
        &member,
        json!({"name": "loop", "kind": "event", "overlap": "allow",
               "event": {"type": "pipeline_run.completed", "filter": {"scope": {"pipeline_id": id}}},
               "action": {"type": "execute_pipeline", "pipeline": "looped", "wait": false}}),
    )
    .await;
    let started = post(
        &app,
        &format!("/api/pipelines/{id}/runs"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(started.status(), 201);
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "failed") == 1).await;
    // The bound is 8 hops: runs at depth 1..=8 executed, the 9th was refused.
    let mut depths: Vec<i64> = done.iter().map(|r| r["depth"].as_i64().unwrap()).collect();
    depths.sort();
    assert_eq!(depths, (1..=9).collect::<Vec<_>>(), "{done:#?}");
    assert_eq!(count(&done, "completed"), 8, "{done:#?}");
    let failed = done.iter().find(|r| r["status"] == "failed").unwrap();
    assert_eq!(failed["depth"], 9);
    paused_and_reported(&app, &member, &s, failed, "chain").await;
    // The first run was the person's, the other eight the schedule's, each carrying its cause.
    let page = json(
        app.get_as(&format!("/api/pipelines/{id}/runs?limit=100"), &member)
            .await,
    )
    .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 9, "{page:#}");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_schedule_on_every_event_of_its_own_pipeline_is_stopped_by_the_rate_bound() {
    let app = spawn().await;
    let member = app.signed_in(Role::Member).await;
    let id = pipeline(&app, &member, "storm").await;
    // The case: every event of every run starts another run (several per run).
    let s = create(
        &app,
        &member,
        json!({"name": "storm", "kind": "event", "overlap": "allow",
               "event": {"type": "pipeline_run.*", "filter": {"scope": {"pipeline_id": id}}},
               "action": {"type": "execute_pipeline", "pipeline": "storm", "wait": false}}),
    )
    .await;
    let started = post(
        &app,
        &format!("/api/pipelines/{id}/runs"),
        &member,
        json!({}),
    )
    .await;
    assert_eq!(started.status(), 201);
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "failed") == 1).await;
    // At most the bound (120 a minute) fired before the refusal.
    assert!(done.len() <= 121, "{} runs", done.len());
    let failed = done.iter().find(|r| r["status"] == "failed").unwrap();
    paused_and_reported(&app, &member, &s, failed, "runaway").await;
    app.shutdown().await.unwrap();
}
