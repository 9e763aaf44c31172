//! The event bus end to end: state changes reach subscribers through the outbox and the relay,
//! on this instance and on another one sharing the database, in commit order; a feed replays
//! from `since` and catches up after lagging with nothing lost or repeated; `/api/events`
//! pages history filtered by type and by what the caller may see.

use std::time::Duration;

use gathering::auth::model::Role;
use gathering::events::bus::Subscription;
use gathering::events::relay::Feed;
use gathering::events::{EventType, Filter, TypePattern};
use serde_json::json;

use crate::support::{TestApp, TestDb, json, test_config};

fn users_only() -> Filter {
    Filter {
        types: vec![TypePattern::parse("user.*").unwrap()],
        ..Filter::default()
    }
}

/// The next event on `subscription`, failing after 10 s.
async fn next(subscription: &mut Subscription) -> std::sync::Arc<gathering::events::Event> {
    let delivery = tokio::time::timeout(Duration::from_secs(10), subscription.recv())
        .await
        .expect("an event within 10 s")
        .expect("the bus is alive");
    match delivery {
        gathering::events::bus::Delivery::Event(event) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

async fn create_user_via_api(app: &TestApp, admin: &str, email: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/users"))
        .bearer_auth(admin)
        .json(&json!({"email": email, "display_name": email, "password": "long enough password", "role": "viewer"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn changes_reach_subscribers_on_this_and_another_instance_in_commit_order() {
    let db = TestDb::migrated().await;
    let second_db = db.same();
    let first = TestApp::start(db).await;
    first.wait_ready().await;
    let second = TestApp::start_with(second_db.same(), test_config(&second_db)).await;
    second.wait_ready().await;
    let mut here = first.bus.subscribe("test", users_only());
    let mut there = second.bus.subscribe("test", users_only());

    let admin = first.signed_in(Role::Admin).await;
    for n in 0..5 {
        let email = format!("u{n}@example.org");
        assert_eq!(
            create_user_via_api(&first, &admin, &email).await.status(),
            201
        );
    }
    let mut seen = Vec::new();
    for subscription in [&mut here, &mut there] {
        let mut seqs = Vec::new();
        // The admin made by `signed_in`, then the five.
        for _ in 0..6 {
            let event = next(subscription).await;
            assert_eq!(event.event_type, EventType::UserCreated);
            assert!(event.scope.user_id.is_some());
            seqs.push((event.seq.unwrap(), event.data["email"].clone()));
        }
        assert!(seqs.windows(2).all(|w| w[0].0 < w[1].0), "{seqs:?}");
        seen.push(seqs);
    }
    assert_eq!(
        seen[0], seen[1],
        "both instances saw the same events in the same order"
    );
    assert_eq!(seen[0][5].1, "u4@example.org");
}

#[tokio::test]
async fn a_feed_replays_from_since_and_catches_up_after_lagging_without_loss_or_repeats() {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.events.queue_capacity = 2;
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    for n in 0..3 {
        app.create_user(&format!("early{n}@example.org"), Role::Viewer)
            .await;
    }
    let mut feed = Feed::open(&app.bus, app.pool.clone(), "test", users_only(), Some(0));
    for n in 0..12 {
        app.create_user(&format!("late{n}@example.org"), Role::Viewer)
            .await;
    }
    // Nothing has been read yet, so the queue of two overflowed long ago.
    let mut emails = Vec::new();
    let mut last = 0;
    for _ in 0..15 {
        let event = tokio::time::timeout(Duration::from_secs(10), feed.next())
            .await
            .expect("an event within 10 s")
            .unwrap();
        let seq = event.seq.unwrap();
        assert!(seq > last, "{seq} after {last}");
        last = seq;
        emails.push(event.data["email"].as_str().unwrap().to_owned());
    }
    let mut expected: Vec<String> = (0..3).map(|n| format!("early{n}@example.org")).collect();
    expected.extend((0..12).map(|n| format!("late{n}@example.org")));
    assert_eq!(emails, expected);

    // And it continues live.
    app.create_user("later@example.org", Role::Viewer).await;
    let event = tokio::time::timeout(Duration::from_secs(10), feed.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.data["email"], "later@example.org");
    assert!(event.seq.unwrap() > last);
}

#[tokio::test]
async fn event_history_is_paged_and_filtered_by_type_and_visibility() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    let password = app.create_user("viv@example.org", Role::Viewer).await;
    let (viewer, _) = app.login("viv@example.org", &password).await;
    let me = json(app.get_as("/api/auth/me", &viewer).await).await;
    let key = app
        .http
        .post(app.url("/api/api-keys"))
        .bearer_auth(&viewer)
        .json(&json!({"name": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key.status(), 201);
    create_user_via_api(&app, &admin, "other@example.org").await;

    let all = json(app.get_as("/api/events", &admin).await).await;
    let types: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "user.created",
            "user.created",
            "api_key.created",
            "user.created"
        ]
    );
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["seq"].as_i64().is_some())
    );

    // A viewer sees only events about themselves.
    let mine = json(app.get_as("/api/events", &viewer).await).await;
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{mine}");
    assert!(items.iter().all(|e| e["scope"]["user_id"] == me["id"]));
    assert!(items.iter().all(|e| e["data"].get("secret").is_none()));

    let keys = json(app.get_as("/api/events?types=api_key.*", &admin).await).await;
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
    let first = json(app.get_as("/api/events?limit=2", &admin).await).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["more"], true);
    let since = first["next_since"].as_i64().unwrap();
    let rest = json(
        app.get_as(&format!("/api/events?since={since}"), &admin)
            .await,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["more"], false);
    let bad = app.get_as("/api/events?types=user.deleted", &admin).await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn retention_keeps_the_newest_events_within_age_and_count() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        app.create_user(&format!("r{n}@example.org"), Role::Viewer)
            .await;
    }
    let client = app.pool.get().await.unwrap();
    let purged = gathering::events::outbox::purge(&**client, Duration::from_secs(3600), 2)
        .await
        .unwrap();
    assert_eq!(purged, 3);
    let left = gathering::events::outbox::page(&**client, 0, 100)
        .await
        .unwrap();
    let emails: Vec<&str> = left
        .events
        .iter()
        .map(|e| e.data["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["r3@example.org", "r4@example.org"]);
    client
        .execute(
            "UPDATE events.outbox SET ts = now() - interval '2 hours'",
            &[],
        )
        .await
        .unwrap();
    let purged = gathering::events::outbox::purge(&**client, Duration::from_secs(3600), 100)
        .await
        .unwrap();
    assert_eq!(purged, 2, "older than the age limit");
}

#[tokio::test]
async fn events_appended_together_keep_their_order_scope_and_data() {
    use gathering::events::{NewEvent, Scope, outbox};
    let app = TestApp::spawn().await;
    let mut client = app.pool.get().await.unwrap();
    let head = outbox::head(&**client).await.unwrap();
    let run = uuid::Uuid::now_v7();
    let scope = Scope {
        run_id: Some(run),
        ..Scope::default()
    };
    let events: Vec<NewEvent> = [
        EventType::PipelineNodeStarted,
        EventType::PipelineNodeCompleted,
        EventType::PipelineRunCompleted,
    ]
    .into_iter()
    .enumerate()
    .map(|(n, t)| NewEvent::new(t, scope.clone(), None).data(json!({ "n": n })))
    .collect();
    let tx = client.transaction().await.unwrap();
    let seqs = outbox::append_all(&tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    let page = outbox::page(&**client, head, 100).await.unwrap();
    let written: Vec<(Option<i64>, &str, i64, Option<uuid::Uuid>)> = page
        .events
        .iter()
        .filter(|e| e.scope.run_id == Some(run))
        .map(|e| {
            (
                e.seq,
                e.event_type.as_str(),
                e.data["n"].as_i64().unwrap(),
                e.scope.run_id,
            )
        })
        .collect();
    assert_eq!(
        written,
        [
            (Some(seqs[0]), "pipeline_node.started", 0, Some(run)),
            (Some(seqs[1]), "pipeline_node.completed", 1, Some(run)),
            (Some(seqs[2]), "pipeline_run.completed", 2, Some(run)),
        ]
    );
}
