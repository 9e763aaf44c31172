//! Hostile input, one test per class of defect found by attacking a release build: JSON nested
//! past what can be read back (refused at the edge, computed values failing their node), a
//! poisoned stored row that no reader may die on (the relay, `/api/events`, run reads, the
//! scheduler's replay after a restart), NUL characters anywhere a client can put them, and the
//! sign-in budget that a made-up API key must not reset.

use std::time::Duration;

use gathering::auth::model::Role;
use gathering::events::bus::{Delivery, Subscription};
use gathering::events::{Filter, TypePattern};
use serde_json::{Value, json};

use crate::pipeline_runs::{create, finished, node, post, start};
use crate::support::{TestApp, TestDb, json, poll_until, test_config};

/// `levels` arrays nested around `1`.
fn nested(levels: usize) -> Value {
    let mut value = json!(1);
    for _ in 0..levels {
        value = json!([value]);
    }
    value
}

/// The same as JSON text built by hand: `serde_json` itself cannot serialise past its limit
/// in every version, and an attacker's body is text anyway.
fn nested_text(levels: usize) -> String {
    format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: String,
) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// The next user event on `subscription` (10 s at most).
async fn next_event(subscription: &mut Subscription) -> std::sync::Arc<gathering::events::Event> {
    loop {
        let delivery = tokio::time::timeout(Duration::from_secs(10), subscription.recv())
            .await
            .expect("an event within 10 s")
            .expect("the bus is alive");
        if let Delivery::Event(event) = delivery {
            return event;
        }
    }
}

fn users_only() -> Filter {
    Filter {
        types: vec![TypePattern::parse("user.*").unwrap()],
        ..Filter::default()
    }
}

async fn create_user(app: &TestApp, admin: &str, email: &str) {
    let response = app
        .http
        .post(app.url("/api/users"))
        .bearer_auth(admin)
        .json(&json!({"email": email, "display_name": email,
                      "password": "long enough password", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn json_nested_past_the_limit_is_refused_at_the_edge_and_a_computed_one_fails_its_node() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    // Ten objects around the input: within the limit for a small input, past it for a deep one.
    let wrapped = (0..10).fold("input".to_owned(), |inner, _| format!("{{'a': {inner}}}"));
    let id = create(
        &app,
        &member,
        json!({"name": "wrap", "nodes": [
            {"id": "t", "type": "trigger", "name": "t", "config": {}},
            {"id": "x", "type": "transform", "name": "x", "config": {"expression": wrapped}}],
          "edges": [{"id": "e", "from": "t", "to": "x"}]}),
    )
    .await;

    // A body nested 118 deep (the issue's reproduction) is refused whole: nothing is stored.
    let refused = post_raw(
        &app,
        &format!("/api/pipelines/{id}/runs"),
        Some(&member),
        format!("{{\"trigger_data\": {{\"d\": {}}}}}", nested_text(118)),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = json(refused).await;
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(body["error"]["details"]["max_depth"], 64);

    // The webhook, reachable without an account, applies the same limit before anything else.
    let hook = post_raw(
        &app,
        &format!("/api/pipelines/{id}/webhook"),
        None,
        nested_text(126),
    )
    .await;
    assert_eq!(hook.status(), 422);
    let runs = json(
        app.get_as(&format!("/api/pipelines/{id}/runs"), &member)
            .await,
    )
    .await;
    assert_eq!(runs["items"], json!([]), "no run was stored");

    // Within the limit the body is accepted; the transform's deeper result fails its node
    // (stored values always read back), and the run and its events stay readable.
    let run = start(&app, &member, &id, json!({"d": nested(59)})).await;
    let done = finished(&app, &member, &run).await;
    assert_eq!(done["status"], "failed", "{done:#}");
    assert_eq!(node(&done, "x")["error_code"], "value_too_deep");
    let small = start(&app, &member, &id, json!({"v": 1})).await;
    let done = finished(&app, &member, &small).await;
    assert_eq!(done["status"], "completed", "{done:#}");
    let events = app.get_as("/api/events?limit=500", &member).await;
    assert_eq!(events.status(), 200);
}

#[tokio::test]
async fn a_poisoned_row_stops_no_reader_and_is_reported() {
    let db = TestDb::migrated().await;
    let app = TestApp::start_with(db.same(), test_config(&db)).await;
    app.wait_ready().await;
    let admin = app.signed_in(Role::Admin).await;
    // An event schedule that must keep firing after the poisoned row.
    let schedule = post(
        &app,
        "/api/schedules",
        &admin,
        json!({"name": "on-user", "kind": "event", "event": {"type": "user.created"}, "overlap": "allow",
               "action": {"type": "send_notification", "message": "a user"}}),
    )
    .await;
    assert_eq!(schedule.status(), 201);
    let schedule_id = json(schedule).await["id"].as_str().unwrap().to_owned();
    // A run whose stored output another tool made unreadable.
    let pipeline = create(
        &app,
        &admin,
        json!({"name": "p", "nodes": [{"id": "t", "type": "trigger", "name": "t", "config": {}}],
               "edges": []}),
    )
    .await;
    let run = start(&app, &admin, &pipeline, json!({})).await;
    finished(&app, &admin, &run).await;

    let mut users = app.bus.subscribe("test", users_only());
    let client = db.client().await;
    let deep = format!("'{}'::jsonb", nested_text(150));
    client
        .batch_execute(&format!(
            "UPDATE pipeline.runs SET output = {deep} WHERE id = '{run}';
             UPDATE pipeline.run_nodes SET output = {deep} WHERE run_id = '{run}';
             INSERT INTO events.outbox (seq, id, type, scope, actor, data)
             VALUES (nextval('events.outbox_seq'), gen_random_uuid(), 'user.created', '{{}}', NULL, {deep});
             SELECT pg_notify('gathering_events', '0');"
        ))
        .await
        .expect("poison the database");

    // The relay reads past the row and keeps delivering.
    create_user(&app, &admin, "after@example.org").await;
    let event = next_event(&mut users).await;
    assert_eq!(event.data["email"], "after@example.org");
    // History pages skip it; the run reads with a note where the value was.
    let events = app.get_as("/api/events?limit=500", &admin).await;
    assert_eq!(events.status(), 200);
    let run_view = app
        .get_as(&format!("/api/pipeline-runs/{run}"), &admin)
        .await;
    assert_eq!(run_view.status(), 200);
    let run_view = json(run_view).await;
    assert!(
        run_view["output"]
            .as_str()
            .is_some_and(|s| s.contains("unreadable")),
        "{run_view:#}"
    );
    // Reported: counted in /metrics.
    let metrics = app.get_as("/metrics", &admin).await.text().await.unwrap();
    assert!(metrics.contains("events_unreadable_total"), "{metrics}");
    assert!(metrics.contains("db_unreadable_values_total"));
    app.shutdown().await.unwrap();

    // After a restart the scheduler's replay reads past it, and event schedules still fire.
    let again = TestApp::start_with(db.same(), test_config(&db)).await;
    again.wait_ready().await;
    create_user(&again, &admin, "later@example.org").await;
    let notified = poll_until(Duration::from_secs(30), || async {
        let page = json(again.get_as("/api/notifications", &admin).await).await;
        page["items"]
            .as_array()
            .is_some_and(|items| items.len() >= 2)
    })
    .await;
    let page = json(again.get_as("/api/notifications", &admin).await).await;
    let sid = schedule_id.clone();
    let runs = json(
        again
            .get_as(&format!("/api/schedules/{sid}/runs"), &admin)
            .await,
    )
    .await;
    assert!(
        notified,
        "the event schedule stopped firing: {page:#} {runs:#}"
    );
    let ready = again.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    again.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_nul_character_is_refused_with_422_naming_where_on_every_kind_of_input() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let field = |body: &Value| body["error"]["details"]["field"].clone();

    // A body, without an account (the login), names the field.
    let login = post_raw(
        &app,
        "/api/auth/login",
        None,
        r#"{"email": "a\u0000@example.org", "password": "x"}"#.into(),
    )
    .await;
    assert_eq!(login.status(), 422);
    assert_eq!(field(&json(login).await), "email");
    // Nested values and keys.
    let nested = post_raw(
        &app,
        "/api/pipelines/validate",
        Some(&admin),
        r#"{"name": "n", "nodes": [{"id": "t", "type": "trigger", "config": {"k\u0000": 1}}], "edges": []}"#.into(),
    )
    .await;
    assert_eq!(nested.status(), 422);
    assert_eq!(field(&json(nested).await), "nodes[0].config.k\\u0000");
    // A query parameter and a path segment.
    let query = app.get_as("/api/events?types=user.%00", &admin).await;
    assert_eq!(query.status(), 422);
    assert_eq!(field(&json(query).await), "types");
    let path = app.get_as("/api/personas/a%00b", &admin).await;
    assert_eq!(path.status(), 422);
    assert_eq!(field(&json(path).await), "path");
    // Nothing was stored, and the server answers as before.
    let users = json(app.get_as("/api/users", &admin).await).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_made_up_api_key_does_not_buy_a_fresh_sign_in_budget() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.rate_limits.auth_per_minute = 3;
    config.rate_limits.read_per_minute = 3;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    let password = app.create_user("key@example.org", Role::Member).await;
    let (token, _) = app.login("key@example.org", &password).await;
    let created = post(
        &app,
        "/api/api-keys",
        &token,
        json!({"name": "k", "role": "member"}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let key = json(created).await["secret"].as_str().unwrap().to_owned();
    // Spend the address's sign-in budget (one of three went on the login above).
    for _ in 0..2 {
        let wrong = app
            .http
            .post(app.url("/api/auth/login"))
            .json(&json!({"email": "key@example.org", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
    }
    // Each login carrying a new made-up key is still this address's: refused, none checked.
    for i in 0..10 {
        let attempt = app
            .http
            .post(app.url("/api/auth/login"))
            .bearer_auth(format!("gk_made_up_{i}"))
            .json(&json!({"email": "key@example.org", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(attempt.status(), 429, "attempt {i}");
    }
    // A real key, once it has authenticated a request (charged to the address, as it is not
    // yet known), has budgets of its own; a made-up one never does.
    assert_eq!(app.get_as("/api/auth/me", &key).await.status(), 200);
    for _ in 0..2 {
        assert_eq!(app.get("/api/openapi.json").await.status(), 200);
    }
    assert_eq!(
        app.get("/api/openapi.json").await.status(),
        429,
        "the address's reads are spent"
    );
    for _ in 0..2 {
        assert_eq!(app.get_as("/api/auth/me", &key).await.status(), 200);
    }
    let made_up = app.get_as("/api/openapi.json", "gk_made_up_read").await;
    assert_eq!(made_up.status(), 429);
}
