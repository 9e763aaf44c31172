//! Scopes are access control: an outsider walks every scope and finds nothing, whether listing,
//! reading, searching (every mode), counting, changing or watching events; owners, agents'
//! owners and admins see what is theirs.

use gathering::auth::model::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    agent, all_embedded, contents, conversation, delete, patch, post, remember, search, spawn_app,
    user,
};
use crate::support::{TestApp, json};

/// Every memory content a token can find, by listing and by each search mode.
async fn everything_seen(app: &TestApp, token: &str) -> Vec<String> {
    let mut seen: Vec<String> =
        json(app.get_as("/api/memories?limit=200", token).await).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_owned())
            .collect();
    for mode in ["keyword", "semantic", "hybrid"] {
        let found = search(
            app,
            token,
            json!({"query": "secret launch code orchid", "mode": mode, "limit": 100}),
        )
        .await;
        seen.extend(contents(&found));
    }
    seen.sort();
    seen.dedup();
    seen
}

fn memory_events(events: &Value) -> Vec<Value> {
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("memory."))
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_outsider_sees_nothing_of_any_scope() {
    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, alice_id) = user(&app, Role::Member).await;
    let (bob, _) = user(&app, Role::Member).await;
    let (viewer, _) = user(&app, Role::Viewer).await;
    let alices_agent = agent(&app, &alice, "alice-helper").await;
    let alices_talk = conversation(&app, alice_id, alices_agent).await;
    let circle = Uuid::now_v7();

    let user_memory = remember(
        &app,
        &alice,
        json!({"scope": "user", "content": "Alice's secret launch code is orchid-7."}),
    )
    .await;
    let agent_memory = remember(
        &app,
        &alice,
        json!({"scope": "agent", "scope_id": alices_agent,
               "content": "The helper keeps the secret launch code orchid-8."}),
    )
    .await;
    let conversation_memory = remember(
        &app,
        &alice,
        json!({"scope": "conversation", "scope_id": alices_talk,
               "content": "In this talk the secret launch code was orchid-9."}),
    )
    .await;
    // Circles have no members yet: only an admin writes and reads a circle's memories.
    let response = post(
        &app,
        "/api/memories",
        &alice,
        json!({"scope": "circle", "scope_id": circle, "content": "orchid circle"}),
    )
    .await;
    assert_eq!(response.status(), 403);
    let circle_memory = remember(
        &app,
        &admin,
        json!({"scope": "circle", "scope_id": circle,
               "content": "The circle's secret launch code is orchid-10."}),
    )
    .await;
    let ids: Vec<&str> = [
        &user_memory,
        &agent_memory,
        &conversation_memory,
        &circle_memory,
    ]
    .iter()
    .map(|m| m["id"].as_str().unwrap())
    .collect();
    all_embedded(&app, &admin).await;

    // Bob, another member, and a viewer: nothing anywhere.
    for outsider in [&bob, &viewer] {
        assert!(everything_seen(&app, outsider).await.is_empty());
        for id in &ids {
            let path = format!("/api/memories/{id}");
            assert_eq!(app.get_as(&path, outsider).await.status(), 404);
            let changed = patch(&app, &path, outsider, json!({"content": "mine now"})).await;
            assert!(
                matches!(changed.status().as_u16(), 403 | 404),
                "{}",
                changed.status()
            );
            assert!(matches!(
                delete(&app, &path, outsider).await.status().as_u16(),
                403 | 404
            ));
        }
        // Filtering on the scope ids shows nothing either.
        for q in [
            format!("/api/memories?scope=agent&scope_id={alices_agent}"),
            format!("/api/memories?scope=conversation&scope_id={alices_talk}"),
            format!("/api/memories?scope=user&scope_id={alice_id}"),
            format!("/api/memories?scope=circle&scope_id={circle}"),
        ] {
            let page = json(app.get_as(&q, outsider).await).await;
            assert!(page["items"].as_array().unwrap().is_empty(), "{q}");
        }
        let events = json(app.get_as("/api/events?limit=200", outsider).await).await;
        assert!(memory_events(&events).is_empty(), "{events}");
    }
    // Bob cannot write into Alice's scopes, nor global.
    for body in [
        json!({"scope": "user", "scope_id": alice_id, "content": "x"}),
        json!({"scope": "agent", "scope_id": alices_agent, "content": "x"}),
        json!({"scope": "conversation", "scope_id": alices_talk, "content": "x"}),
        json!({"scope": "global", "content": "x"}),
        json!({"scope": "user", "content": "x", "source": {"conversation_id": alices_talk}}),
    ] {
        let status = post(&app, "/api/memories", &bob, body.clone())
            .await
            .status();
        assert!(matches!(status.as_u16(), 403 | 422), "{body}: {status}");
    }

    // Alice sees her three (not the circle's); the admin sees all four.
    let hers = everything_seen(&app, &alice).await;
    assert_eq!(hers.len(), 3, "{hers:?}");
    assert!(!hers.iter().any(|c| c.contains("orchid-10")));
    assert_eq!(everything_seen(&app, &admin).await.len(), 4);
    let her_events = memory_events(&json(app.get_as("/api/events?limit=200", &alice).await).await);
    assert_eq!(her_events.len(), 3, "{her_events:?}");

    // Global memories: every signed-in user reads them, only admins write them.
    let global = remember(
        &app,
        &admin,
        json!({"scope": "global", "content": "Everyone knows the secret launch code is not orchid."}),
    )
    .await;
    for reader in [&bob, &viewer, &alice] {
        let seen = everything_seen(&app, reader).await;
        assert!(seen.contains(&global["content"].as_str().unwrap().to_owned()));
    }
    let path = format!("/api/memories/{}", global["id"].as_str().unwrap());
    assert_eq!(
        patch(&app, &path, &bob, json!({"content": "no"}))
            .await
            .status(),
        403
    );
    // Viewers read but never write.
    let status = post(
        &app,
        "/api/memories",
        &viewer,
        json!({"scope": "user", "content": "v"}),
    )
    .await
    .status();
    assert_eq!(status, 403);
}
