//! Memories against a real database with the real local embedding model: every scope walked by
//! an outsider (lists, reads, searches, counts and events show nothing), versions and soft
//! deletes, duplicate links, the embedding cache, hybrid search and filtered recall
//! (`search.rs`), and switching the embedding model (`reembed.rs`).

use std::time::Duration;

use gathering::auth::model::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{TestApp, TestDb, json, poll_until, repo_root, test_config};

mod reembed;
mod scopes;
mod search;

pub async fn spawn_app() -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.models.dir = repo_root().join(".gathering/models");
    config.agents.personas_dir = repo_root().join("personas");
    config.memory.embed_poll = Duration::from_millis(100);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

/// A signed-in user of `role`: (token, user id).
pub async fn user(app: &TestApp, role: Role) -> (String, Uuid) {
    let token = app.signed_in(role).await;
    let me = json(app.get_as("/api/auth/me", &token).await).await;
    let id = Uuid::parse_str(me["id"].as_str().expect("an id")).unwrap();
    (token, id)
}

pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.http
        .patch(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.http
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Stores a memory, asserting 201; returns it.
pub async fn remember(app: &TestApp, token: &str, body: Value) -> Value {
    let response = post(app, "/api/memories", token, body.clone()).await;
    let status = response.status();
    let out = json(response).await;
    assert_eq!(status, 201, "{body} → {out}");
    out
}

/// Searches; returns the result.
pub async fn search(app: &TestApp, token: &str, body: Value) -> Value {
    let response = post(app, "/api/memories/search", token, body.clone()).await;
    let status = response.status();
    let out = json(response).await;
    assert_eq!(status, 200, "{body} → {out}");
    out
}

/// The contents of a search's hits, best first.
pub fn contents(result: &Value) -> Vec<String> {
    result["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["memory"]["content"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until every live memory has a vector of the serving model (`token`: an admin's).
pub async fn all_embedded(app: &TestApp, token: &str) {
    let done = poll_until(Duration::from_secs(120), || async {
        let status = json(app.get_as("/api/memories/embedding", token).await).await;
        !status["reembedding"].as_bool().unwrap_or(true)
            && status["memories"]["total"] == status["memories"]["embedded"]
    })
    .await;
    assert!(done, "memories were not embedded in time");
}

/// An agent of the member `token`, from a shipped persona.
pub async fn agent(app: &TestApp, token: &str, name: &str) -> Uuid {
    let page = json(app.get_as("/api/personas?limit=200", token).await).await;
    let persona = page["items"][0]["id"].as_str().unwrap().to_owned();
    let response = post(
        app,
        "/api/agents",
        token,
        json!({"name": name, "persona_id": persona}),
    )
    .await;
    let body = json(response).await;
    Uuid::parse_str(body["id"].as_str().unwrap_or_else(|| panic!("{body}"))).unwrap()
}

/// A conversation of `owner` with `agent`, written as the agents module stores one.
pub async fn conversation(app: &TestApp, owner: Uuid, agent: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    let client = app.db.client().await;
    client
        .execute(
            "INSERT INTO agents.conversations (id, owner_id, title) VALUES ($1, $2, 'test')",
            &[&id, &owner],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO agents.participants (conversation_id, agent_id) VALUES ($1, $2)",
            &[&id, &agent],
        )
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn versions_soft_delete_and_purge() {
    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, _) = user(&app, Role::Member).await;
    let m = remember(
        &app,
        &alice,
        json!({"scope": "user", "content": "Alice prefers tea.", "type": "PREFERENCE",
               "tags": ["Drinks"], "importance": 0.7}),
    )
    .await;
    assert_eq!(m["type"], "preference");
    assert_eq!(m["tags"], json!(["drinks"]));
    assert_eq!(m["version"], 1);
    let id = m["id"].as_str().unwrap();
    let path = format!("/api/memories/{id}");

    let v2 = json(
        patch(
            &app,
            &path,
            &alice,
            json!({"content": "Alice prefers green tea."}),
        )
        .await,
    )
    .await;
    assert_eq!(v2["version"], 2);
    let v3 = json(
        patch(
            &app,
            &path,
            &alice,
            json!({"importance": 0.9, "expires_at": null}),
        )
        .await,
    )
    .await;
    assert_eq!(v3["version"], 3);
    let detail = json(app.get_as(&path, &alice).await).await;
    let versions: Vec<(i64, String)> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        vec![
            (3, "Alice prefers green tea.".to_owned()),
            (2, "Alice prefers green tea.".to_owned()),
            (1, "Alice prefers tea.".to_owned()),
        ]
    );
    // Invalid changes are refused with the field named, and change nothing.
    for bad in [
        json!({"importance": 2}),
        json!({"content": "  "}),
        json!({"tags": [""]}),
        json!({"colour": "red"}),
    ] {
        let response = patch(&app, &path, &alice, bad.clone()).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    assert_eq!(json(app.get_as(&path, &alice).await).await["version"], 3);

    assert_eq!(delete(&app, &path, &alice).await.status(), 204);
    let listed = json(app.get_as("/api/memories", &alice).await).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    let found = search(
        &app,
        &alice,
        json!({"query": "green tea", "mode": "keyword"}),
    )
    .await;
    assert!(found["items"].as_array().unwrap().is_empty());
    let with_deleted = json(
        app.get_as("/api/memories?include_deleted=true", &alice)
            .await,
    )
    .await;
    assert_eq!(with_deleted["items"].as_array().unwrap().len(), 1);
    let gone = json(app.get_as(&path, &alice).await).await;
    assert!(gone["deleted_at"].is_string());
    assert_eq!(gone["versions"].as_array().unwrap().len(), 3);
    assert_eq!(
        patch(&app, &path, &alice, json!({"importance": 0.1}))
            .await
            .status(),
        409
    );

    // Purging is for admins, and is for good.
    let purge = format!("{path}/purge");
    assert_eq!(post(&app, &purge, &alice, json!({})).await.status(), 403);
    assert_eq!(post(&app, &purge, &admin, json!({})).await.status(), 204);
    assert_eq!(app.get_as(&path, &admin).await.status(), 404);
    let client = app.db.client().await;
    let left: i64 = client
        .query_one(
            "SELECT count(*) FROM memory.versions WHERE memory_id = $1",
            &[&Uuid::parse_str(id).unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn duplicates_and_replacements_are_linked_and_the_cache_embeds_a_text_once() {
    let app = spawn_app().await;
    let (admin, _) = user(&app, Role::Admin).await;
    let (alice, _) = user(&app, Role::Member).await;
    let (bob, _) = user(&app, Role::Member).await;
    let text = "The staging database restarts every Sunday at 03:00 UTC.";
    let first = remember(&app, &alice, json!({"scope": "user", "content": text})).await;
    // The same text in the same scope: linked at once.
    let same = remember(&app, &alice, json!({"scope": "user", "content": text})).await;
    let link = &same["links"][0];
    assert_eq!(link["kind"], "duplicate_of");
    assert_eq!(link["target_id"], first["id"]);
    // A near-identical text: linked once its vector is written.
    let near = remember(
        &app,
        &alice,
        json!({"scope": "user", "content": "The staging database restarts every Sunday at 03:00 UTC!"}),
    )
    .await;
    let near_path = format!("/api/memories/{}", near["id"].as_str().unwrap());
    let linked = poll_until(Duration::from_secs(120), || async {
        let m = json(app.get_as(&near_path, &alice).await).await;
        m["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "duplicate_of" && l["memory_id"] == near["id"])
    })
    .await;
    assert!(linked, "the near duplicate was not linked");
    // An explicit replacement.
    let newer = remember(
        &app,
        &alice,
        json!({"scope": "user", "content": "The staging database now restarts on Saturdays.",
               "supersedes": first["id"]}),
    )
    .await;
    assert!(
        newer["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "supersedes" && l["target_id"] == first["id"])
    );
    // Someone else's memory cannot be superseded.
    let response = post(
        &app,
        "/api/memories",
        &bob,
        json!({"scope": "user", "content": "x", "supersedes": first["id"]}),
    )
    .await;
    assert_eq!(response.status(), 422);

    // Bob stores the same text in his scope once Alice's are embedded: not a duplicate of
    // Alice's, and answered from the cache, not embedded again.
    all_embedded(&app, &admin).await;
    let bobs = remember(&app, &bob, json!({"scope": "user", "content": text})).await;
    assert!(bobs["links"].as_array().unwrap().is_empty());
    all_embedded(&app, &admin).await;
    let client = app.db.client().await;
    let sha = gathering::memory::embed::sha256(text);
    let row = client
        .query_one(
            "SELECT count(*), sum(hits)::bigint FROM memory.embedding_cache WHERE sha256 = $1",
            &[&sha],
        )
        .await
        .unwrap();
    let (rows, hits): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(rows, 1, "the text was embedded more than once");
    assert!(
        hits >= 1,
        "Bob's copy did not come from the cache ({hits} hits)"
    );
}
