//! Event schedules: one run per matching event, a lagging listener catching up from the
//! outbox, and events published while no scheduler ran.

use super::*;

#[tokio::test]
async fn an_event_schedule_fires_once_per_matching_event_and_notifies_its_owner() {
    let app = spawn().await;
    let (base, hook) = hook_server().await;
    let member = app.signed_in(Role::Member).await;
    let s = create(
        &app,
        &member,
        json!({"name": "on-pipeline", "kind": "event",
               "event": {"type": "pipeline.created",
                         "filter": {"data": {"pipeline": {"name": "wanted"}}}},
               "action": {"type": "send_notification", "title": "New pipeline",
                          "message": "wanted exists", "level": "warning",
                          "webhook": format!("{base}/notify")}}),
    )
    .await;
    assert_eq!(s["next_fire_times"], json!([]));
    let pipeline = |name: &str| {
        json!({"name": name, "nodes": [{"id": "t", "type": "trigger", "name": "t", "config": {}}],
               "edges": []})
    };
    for name in ["other", "wanted"] {
        let made = post(&app, "/api/pipelines", &member, pipeline(name)).await;
        assert_eq!(made.status(), 201);
    }
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") == 1).await;
    // "other" came first on the bus and did not match.
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["trigger"], "event");
    assert!(done[0]["event_id"].is_string());
    let notes = json(app.get_as("/api/notifications", &member).await).await;
    let items = notes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{notes:#}");
    assert_eq!(items[0]["title"], "New pipeline");
    assert_eq!(items[0]["level"], "warning");
    assert_eq!(items[0]["run_id"], done[0]["id"]);
    let hooked = hook.seen.lock().unwrap().clone();
    assert_eq!(hooked.len(), 1);
    assert_eq!(hooked[0].2["message"], "wanted exists");
    // Read, and only by its owner.
    let id = items[0]["id"].as_str().unwrap();
    let other = app.signed_in(Role::Member).await;
    let theirs = post(
        &app,
        &format!("/api/notifications/{id}/read"),
        &other,
        json!({}),
    )
    .await;
    assert_eq!(theirs.status(), 404);
    let read = post(
        &app,
        &format!("/api/notifications/{id}/read"),
        &member,
        json!({}),
    )
    .await;
    assert!(json(read).await["read_at"].is_string());
    let unread = json(app.get_as("/api/notifications?unread=true", &member).await).await;
    assert_eq!(unread["items"], json!([]));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_event_schedule_whose_listener_lags_reads_what_it_missed_from_the_outbox() {
    let db = TestDb::migrated().await;
    let mut config = config(&db);
    // A tiny queue: the listener, which writes a run per event, falls behind a burst.
    config.events.queue_capacity = 2;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let member = app.signed_in(Role::Member).await;
    let s = create(
        &app,
        &member,
        json!({"name": "every-pipeline", "kind": "event", "event": {"type": "pipeline.created"},
               "overlap": "allow",
               "action": {"type": "send_notification", "message": "a pipeline"}}),
    )
    .await;
    let n = 40;
    let mut made = Vec::new();
    for i in 0..n {
        let body = json!({"name": format!("p{i}"), "nodes": [
            {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
        made.push(post(&app, "/api/pipelines", &member, body));
    }
    for response in futures_util::future::join_all(made).await {
        assert_eq!(response.status(), 201);
    }
    let done = wait_runs(&app, &member, &s["id"], |r| count(r, "completed") == n).await;
    let mut events: Vec<&str> = done
        .iter()
        .map(|r| r["event_id"].as_str().unwrap())
        .collect();
    events.sort();
    events.dedup();
    assert_eq!(events.len(), n, "one run per event");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn events_published_while_no_scheduler_ran_fire_event_schedules_when_one_starts() {
    let db = TestDb::migrated().await;
    let first = TestApp::start_with(db.same(), config(&db)).await;
    first.wait_ready().await;
    let member = first.signed_in(Role::Member).await;
    let s = create(
        &first,
        &member,
        json!({"name": "on-late", "kind": "event",
               "event": {"type": "pipeline.created", "filter": {"data": {"pipeline": {"name": "late"}}}},
               "action": {"type": "send_notification", "message": "late arrived"}}),
    )
    .await;
    first.shutdown().await.unwrap();
    // A server without a scheduler stores the event; nobody fires on it.
    let mut quiet = config(&db);
    quiet.scheduler.enabled = false;
    let second = TestApp::start_with(db.same(), quiet).await;
    second.wait_ready().await;
    let body = json!({"name": "late", "nodes": [
        {"id": "t", "type": "trigger", "name": "t", "config": {}}], "edges": []});
    assert_eq!(
        post(&second, "/api/pipelines", &member, body)
            .await
            .status(),
        201
    );
    assert!(runs(&second, &member, &s["id"]).await.is_empty());
    second.shutdown().await.unwrap();
    // A scheduler starting reads it from the outbox.
    let third = TestApp::start_with(db.same(), config(&db)).await;
    third.wait_ready().await;
    let done = wait_runs(&third, &member, &s["id"], |r| count(r, "completed") == 1).await;
    assert_eq!(done[0]["trigger"], "event");
    third.shutdown().await.unwrap();
}
