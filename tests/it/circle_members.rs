//! Circles and their members through the API: membership is access control. An outsider sees
//! no circle, its topic, its events or its memories; observers read, participants take part,
//! owners manage; the last owner stays; only your own agents join.

use gathering::auth::model::Role;
use reqwest::Response;
use serde_json::{Value, json};

use crate::support::{TestApp, TestDb, json, repo_root, test_config};
use crate::websocket::{connect, frame, send};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .http
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn me(app: &TestApp, token: &str) -> String {
    json(app.get_as("/api/auth/me", token).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn persona(app: &TestApp, token: &str) -> String {
    let page = json(app.get_as("/api/personas?limit=200", token).await).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "data-analyst")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A server with the shipped personas (agents are made from them).
async fn spawn_app() -> TestApp {
    let db = TestDb::migrated().await;
    let mut config = test_config(&db);
    config.agents.personas_dir = repo_root().join("personas");
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

#[tokio::test]
async fn membership_decides_who_sees_and_changes_a_circle() {
    let app = spawn_app().await;
    let owner = app.signed_in(Role::Member).await;
    let participant = app.signed_in(Role::Member).await;
    let observer = app.signed_in(Role::Member).await;
    let outsider = app.signed_in(Role::Member).await;
    let admin = app.signed_in(Role::Admin).await;
    let (participant_id, observer_id, owner_id) = (
        me(&app, &participant).await,
        me(&app, &observer).await,
        me(&app, &owner).await,
    );

    let created = call(
        &app,
        "POST",
        "/api/circles",
        &owner,
        Some(json!({"name": "design", "purpose": "Review designs"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let circle = json(created).await;
    assert_eq!(circle["settings"]["default_mode"], "round_robin");
    // Names are unique and URL-safe; unknown fields and bad settings are refused.
    for (body, status) in [
        (json!({"name": "design"}), 409),
        (json!({"name": "Design Team"}), 422),
        (json!({"name": "x", "colour": "red"}), 422),
        (
            json!({"name": "x", "settings": {"default_mode": "chaos"}}),
            422,
        ),
        (json!({"name": "x", "settings": {"max_turns": 0}}), 422),
    ] {
        let response = call(&app, "POST", "/api/circles", &owner, Some(body.clone())).await;
        assert_eq!(response.status(), status, "{body}");
    }

    // People join with roles; a handle is made from the display name.
    for (user, role) in [(&participant_id, "participant"), (&observer_id, "observer")] {
        let path = format!("/api/circles/design/people/{user}");
        let response = call(&app, "PUT", &path, &owner, Some(json!({"role": role}))).await;
        assert_eq!(response.status(), 200);
        assert_eq!(json(response).await["role"], role);
    }
    let detail = json(app.get_as("/api/circles/design", &participant).await).await;
    assert_eq!(detail["my_role"], "participant");
    assert_eq!(detail["people"].as_array().unwrap().len(), 3);

    // Agents: only your own join; a person's handle and an agent's name never clash.
    let analyst = persona(&app, &owner).await;
    for (token, name) in [(&owner, "scribe"), (&outsider, "stranger")] {
        let response = call(
            &app,
            "POST",
            "/api/agents",
            token,
            Some(json!({"name": name, "persona_id": analyst})),
        )
        .await;
        assert_eq!(response.status(), 201);
    }
    let added = call(
        &app,
        "PUT",
        "/api/circles/design/agents/scribe",
        &owner,
        Some(json!({"role": "specialist", "competencies": ["Rust", "rust", "SQL"]})),
    )
    .await;
    assert_eq!(added.status(), 200);
    assert_eq!(json(added).await["competencies"], json!(["rust", "sql"]));
    let theirs = call(
        &app,
        "PUT",
        "/api/circles/design/agents/stranger",
        &owner,
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(theirs.status(), 403);
    let clash = call(
        &app,
        "PUT",
        &format!("/api/circles/design/people/{participant_id}"),
        &owner,
        Some(json!({"role": "participant", "handle": "scribe"})),
    )
    .await;
    assert_eq!(clash.status(), 409);

    // The outsider sees nothing: the list, the circle, its members: all as if absent.
    let list = json(app.get_as("/api/circles", &outsider).await).await;
    assert_eq!(list["items"], json!([]));
    for (method, path, body) in [
        ("GET", "/api/circles/design", None),
        (
            "PATCH",
            "/api/circles/design",
            Some(json!({"purpose": "mine now"})),
        ),
        ("DELETE", "/api/circles/design", None),
        (
            "PUT",
            "/api/circles/design/agents/stranger",
            Some(json!({"role": "member"})),
        ),
        ("DELETE", "/api/circles/design/agents/scribe", None),
        (
            "DELETE",
            &format!("/api/circles/design/people/{owner_id}"),
            None,
        ),
    ] {
        let response = call(&app, method, path, &outsider, body).await;
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_eq!(json(response).await["error"]["code"], "not_found");
    }
    // Observers read but do not manage; participants do not manage either.
    assert_eq!(
        app.get_as("/api/circles/design", &observer).await.status(),
        200
    );
    for token in [&observer, &participant] {
        let response = call(
            &app,
            "PATCH",
            "/api/circles/design",
            token,
            Some(json!({"purpose": "changed"})),
        )
        .await;
        assert_eq!(response.status(), 403);
    }
    // The last owner cannot leave or step down; anyone else may leave.
    let leave = call(
        &app,
        "DELETE",
        &format!("/api/circles/design/people/{owner_id}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(leave.status(), 409);
    let demote = call(
        &app,
        "PUT",
        &format!("/api/circles/design/people/{owner_id}"),
        &owner,
        Some(json!({"role": "participant"})),
    )
    .await;
    assert_eq!(demote.status(), 409);
    // Admins see every circle.
    let all = json(app.get_as("/api/circles", &admin).await).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // Archiving keeps the history readable and stops changes.
    assert_eq!(
        call(&app, "DELETE", "/api/circles/design", &owner, None)
            .await
            .status(),
        204
    );
    let archived = json(app.get_as("/api/circles/design", &observer).await).await;
    assert!(archived["archived_at"].is_string());
    let late = call(
        &app,
        "PATCH",
        "/api/circles/design",
        &owner,
        Some(json!({"purpose": "x"})),
    )
    .await;
    assert_eq!(late.status(), 409);
    let listed = json(app.get_as("/api/circles?archived=true", &observer).await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(circle["owner_id"], owner_id.as_str());
}

#[tokio::test]
async fn members_hear_the_circle_live_and_read_its_memories_outsiders_do_not() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Role::Member).await;
    let member = app.signed_in(Role::Member).await;
    let outsider = app.signed_in(Role::Member).await;
    let member_id = me(&app, &member).await;
    let created = call(
        &app,
        "POST",
        "/api/circles",
        &owner,
        Some(json!({"name": "ops"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    let circle_id = json(created).await["id"].as_str().unwrap().to_owned();

    // Not a member yet: the topic is refused.
    match connect(&app, "/ws/circles/ops", Some(&member)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let head = app.outbox_head().await;
    let mut outsider_socket = connect(&app, &format!("/ws?since={head}"), Some(&outsider))
        .await
        .unwrap();
    frame(&mut outsider_socket).await;
    send(
        &mut outsider_socket,
        json!({"action": "subscribe", "topics": ["circles/ops"]}),
    )
    .await;
    assert_eq!(frame(&mut outsider_socket).await["code"], "forbidden");
    send(
        &mut outsider_socket,
        json!({"action": "subscribe", "topics": ["events"]}),
    )
    .await;
    assert_eq!(frame(&mut outsider_socket).await["type"], "subscribed");

    // The member joins: from then on the topic is theirs, live.
    let joined = call(
        &app,
        "PUT",
        &format!("/api/circles/ops/people/{member_id}"),
        &owner,
        Some(json!({"role": "participant", "handle": "mo"})),
    )
    .await;
    assert_eq!(joined.status(), 200);
    let mut socket = connect(
        &app,
        &format!("/ws/circles/ops?since={head}"),
        Some(&member),
    )
    .await
    .unwrap();
    assert_eq!(frame(&mut socket).await["type"], "ready");
    let second = frame(&mut socket).await;
    assert_eq!(second["event"]["type"], "circle.member_added");
    assert_eq!(second["event"]["data"]["handle"], "mo");

    // A circle memory: its members read it and hear of it; the outsider neither.
    let stored = call(
        &app,
        "POST",
        "/api/memories",
        &member,
        Some(json!({
            "scope": "circle", "scope_id": circle_id, "content": "The ops rota changes on Mondays."
        })),
    )
    .await;
    assert_eq!(stored.status(), 201);
    let memory = json(stored).await;
    let heard = frame(&mut socket).await;
    assert_eq!(heard["event"]["type"], "memory.created", "{heard}");
    assert_eq!(heard["event"]["data"]["memory_id"], memory["id"]);
    let path = format!("/api/memories/{}", memory["id"].as_str().unwrap());
    assert_eq!(app.get_as(&path, &owner).await.status(), 200);
    assert_eq!(app.get_as(&path, &outsider).await.status(), 404);
    let outsider_write = call(
        &app,
        "POST",
        "/api/memories",
        &outsider,
        Some(json!({
            "scope": "circle", "scope_id": circle_id, "content": "let me in"
        })),
    )
    .await;
    assert_eq!(outsider_write.status(), 403);
    // The outsider's history holds none of it either.
    let events = json(
        app.get_as(&format!("/api/events?since={head}&limit=500"), &outsider)
            .await,
    )
    .await;
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["scope"]["circle_id"].is_null()),
        "{events}"
    );
    let member_events = json(
        app.get_as(&format!("/api/events?since={head}&limit=500"), &member)
            .await,
    )
    .await;
    assert!(
        member_events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "memory.created")
    );

    // Removed: the socket is told and unsubscribed; nothing more arrives.
    let removed = call(
        &app,
        "DELETE",
        &format!("/api/circles/ops/people/{member_id}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(removed.status(), 204);
    let notice = loop {
        let f = frame(&mut socket).await;
        if f["type"] != "event" {
            break f;
        }
    };
    assert_eq!(notice["code"], "forbidden", "{notice}");
    assert_eq!(app.get_as(&path, &member).await.status(), 404);
}
