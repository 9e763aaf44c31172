//! Live clients end to end: WebSocket authentication (protocol header or first message),
//! topic authorisation, replay with `since` then live events with no gap or duplicate, resume
//! after a disconnect, and the same stream over Server-Sent Events.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use gathering::auth::model::Role;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::support::{TestApp, json};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> Result<Socket, tungstenite::Error> {
    let mut request = format!("ws://{}{path}", app.addr)
        .into_client_request()
        .unwrap();
    if let Some(token) = token {
        request.headers_mut().insert(
            "sec-websocket-protocol",
            format!("bearer, {token}").parse().unwrap(),
        );
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The next JSON frame, skipping pings; fails after 10 s.
pub(crate) async fn frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket is open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(close) => return json!({"closed": close.map(|c| u16::from(c.code))}),
            _ => continue,
        }
    }
}

pub(crate) async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

async fn create_user(app: &TestApp, admin: &str, email: &str) {
    let response = app
        .http
        .post(app.url("/api/users"))
        .bearer_auth(admin)
        .json(&json!({"email": email, "display_name": email, "password": "long enough password", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

/// Reads `n` event frames; returns (seq, email) of each.
async fn events(socket: &mut Socket, n: usize) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    while seen.len() < n {
        let frame = frame(socket).await;
        assert_eq!(frame["type"], "event", "{frame}");
        seen.push((
            frame["seq"].as_i64().unwrap(),
            frame["event"]["data"]["email"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    seen
}

#[tokio::test]
async fn sockets_authenticate_by_header_or_first_message_and_nothing_else() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(Role::Member).await;

    let refused = connect(&app, "/ws", Some("not-a-token")).await.unwrap_err();
    match refused {
        tungstenite::Error::Http(response) => assert_eq!(response.status(), 401),
        other => panic!("expected an HTTP refusal, got {other}"),
    }

    let mut by_header = connect(&app, "/ws", Some(&token)).await.unwrap();
    assert_eq!(frame(&mut by_header).await["type"], "ready");

    let mut by_message = connect(&app, "/ws", None).await.unwrap();
    send(&mut by_message, json!({"action": "auth", "token": token})).await;
    let ready = frame(&mut by_message).await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["role"], "member");
    send(&mut by_message, json!({"action": "ping"})).await;
    assert_eq!(frame(&mut by_message).await["type"], "pong");

    let mut anonymous = connect(&app, "/ws", None).await.unwrap();
    send(
        &mut anonymous,
        json!({"action": "subscribe", "topics": ["events"]}),
    )
    .await;
    assert_eq!(frame(&mut anonymous).await["closed"], 4401);
    let mut wrong = connect(&app, "/ws", None).await.unwrap();
    send(&mut wrong, json!({"action": "auth", "token": "gk_nope"})).await;
    assert_eq!(frame(&mut wrong).await["closed"], 4401);
}

#[tokio::test]
async fn topics_are_authorised_per_subscriber() {
    let app = TestApp::spawn().await;
    let member = app.signed_in(Role::Member).await;
    let admin = app.signed_in(Role::Admin).await;
    let member_id = json(app.get_as("/api/auth/me", &member).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin_id = json(app.get_as("/api/auth/me", &admin).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // From the newest event on: the users' own creation events may reach the bus later.
    let head = app.outbox_head().await;
    let mut socket = connect(&app, &format!("/ws?since={head}"), Some(&member))
        .await
        .unwrap();
    frame(&mut socket).await;
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": [format!("users/{admin_id}")]}),
    )
    .await;
    let refused = frame(&mut socket).await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("forbidden"))
    );
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": ["circles/design"]}),
    )
    .await;
    assert_eq!(frame(&mut socket).await["code"], "forbidden");
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": ["nonsense"]}),
    )
    .await;
    assert_eq!(frame(&mut socket).await["code"], "bad_request");
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": [format!("users/{member_id}")]}),
    )
    .await;
    assert_eq!(frame(&mut socket).await["type"], "subscribed");

    // Only the member's own events arrive, though the admin's happen first.
    create_user(&app, &admin, "someone@example.org").await;
    let key = app
        .http
        .post(app.url("/api/api-keys"))
        .bearer_auth(&member)
        .json(&json!({"name": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key.status(), 201);
    let event = frame(&mut socket).await;
    assert_eq!(event["event"]["type"], "api_key.created", "{event}");
    assert_eq!(event["event"]["scope"]["user_id"], member_id.as_str());

    match connect(&app, "/ws/circles/design", Some(&member))
        .await
        .unwrap_err()
    {
        tungstenite::Error::Http(response) => assert_eq!(response.status(), 403),
        other => panic!("expected 403, got {other}"),
    }
    match connect(&app, "/ws/nope/x", Some(&admin)).await.unwrap_err() {
        tungstenite::Error::Http(response) => assert_eq!(response.status(), 404),
        other => panic!("expected 404, got {other}"),
    }
    let mut admin_circle = connect(&app, "/ws/circles/design", Some(&admin))
        .await
        .unwrap();
    assert_eq!(frame(&mut admin_circle).await["type"], "ready");
}

#[tokio::test]
async fn since_replays_then_streams_live_and_a_reconnect_resumes_exactly() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    for n in 0..3 {
        create_user(&app, &admin, &format!("before{n}@example.org")).await;
    }
    let mut socket = connect(&app, "/ws?since=0", Some(&admin)).await.unwrap();
    frame(&mut socket).await;
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": ["events"]}),
    )
    .await;
    assert_eq!(frame(&mut socket).await["type"], "subscribed");
    create_user(&app, &admin, "live0@example.org").await;
    // The admin's own creation, three before, one live: in order, once each.
    let seen = events(&mut socket, 5).await;
    let emails: Vec<&str> = seen.iter().map(|(_, e)| e.as_str()).collect();
    assert_eq!(
        &emails[1..],
        [
            "before0@example.org",
            "before1@example.org",
            "before2@example.org",
            "live0@example.org"
        ]
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));

    // Disconnect, miss two, come back with the last seq seen: exactly the two, then live.
    let last = seen.last().unwrap().0;
    socket.close(None).await.unwrap();
    drop(socket);
    create_user(&app, &admin, "missed0@example.org").await;
    create_user(&app, &admin, "missed1@example.org").await;
    let mut resumed = connect(&app, &format!("/ws?since={last}"), Some(&admin))
        .await
        .unwrap();
    frame(&mut resumed).await;
    send(
        &mut resumed,
        json!({"action": "subscribe", "topics": ["events"]}),
    )
    .await;
    frame(&mut resumed).await;
    create_user(&app, &admin, "live1@example.org").await;
    let again: Vec<String> = events(&mut resumed, 3)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(
        again,
        [
            "missed0@example.org",
            "missed1@example.org",
            "live1@example.org"
        ]
    );
}

#[tokio::test]
async fn server_sent_events_carry_the_same_stream() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in(Role::Admin).await;
    create_user(&app, &admin, "first@example.org").await;
    let mut response = app
        .http
        .get(app.url("/api/events/stream?since=0&types=user.*"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    create_user(&app, &admin, "second@example.org").await;
    let mut text = String::new();
    while text.matches("event: user.created").count() < 3 {
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
            .await
            .expect("a chunk within 10 s")
            .unwrap()
            .expect("the stream is open");
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(
        text.contains("first@example.org") && text.contains("second@example.org"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("id: ")), "{text}");

    let anonymous = app.get("/api/events/stream").await;
    assert_eq!(anonymous.status(), 401);
    let viewer = app.signed_in(Role::Viewer).await;
    let forbidden = app
        .get_as("/api/events/stream?topics=circles/x", &viewer)
        .await;
    assert_eq!(forbidden.status(), 403);
}

/// A server whose live streams check credentials every second.
async fn quick_recheck_app() -> TestApp {
    let db = crate::support::TestDb::migrated().await;
    let mut config = crate::support::test_config(&db);
    config.events.ws_ping_interval = Duration::from_secs(1);
    config.events.ws_idle_timeout = Duration::from_secs(30);
    let app = TestApp::start_with(db, config).await;
    app.wait_ready().await;
    app
}

#[tokio::test]
async fn live_streams_end_when_their_credential_is_revoked_and_can_be_renewed() {
    let app = quick_recheck_app().await;
    let password = app.create_user("lu@example.org", Role::Member).await;
    let (first, _) = app.login("lu@example.org", &password).await;
    let (second, _) = app.login("lu@example.org", &password).await;

    // Renewal: a fresh token by message keeps the socket; revoking the old one then does not
    // end it.
    let mut renewed = connect(&app, "/ws", Some(&first)).await.unwrap();
    frame(&mut renewed).await;
    send(&mut renewed, json!({"action": "auth", "token": second})).await;
    assert_eq!(frame(&mut renewed).await["type"], "ready");
    send(&mut renewed, json!({"action": "auth", "token": "garbage"})).await;
    assert_eq!(frame(&mut renewed).await["code"], "unauthenticated");

    let mut socket = connect(&app, "/ws", Some(&second)).await.unwrap();
    frame(&mut socket).await;
    let mut stream = app
        .http
        .get(app.url("/api/events/stream"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let logout = app
        .http
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(frame(&mut socket).await["closed"], 4401);
    assert_eq!(
        frame(&mut renewed).await["closed"],
        4401,
        "renewed onto the revoked token"
    );
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the SSE stream ends after logout");
}

#[tokio::test]
async fn a_demotion_unsubscribes_topics_the_user_may_no_longer_see() {
    let app = quick_recheck_app().await;
    let password = app.create_user("ad@example.org", Role::Admin).await;
    let (token, _) = app.login("ad@example.org", &password).await;
    let me = json(app.get_as("/api/auth/me", &token).await).await;
    let other_admin = app.signed_in(Role::Admin).await;

    let head = app.outbox_head().await;
    let mut socket = connect(&app, &format!("/ws?since={head}"), Some(&token))
        .await
        .unwrap();
    frame(&mut socket).await;
    send(
        &mut socket,
        json!({"action": "subscribe", "topics": ["circles/ops", "events"]}),
    )
    .await;
    assert_eq!(frame(&mut socket).await["type"], "subscribed");
    let demoted = app
        .http
        .patch(app.url(&format!("/api/users/{}", me["id"].as_str().unwrap())))
        .bearer_auth(&other_admin)
        .json(&json!({"role": "member"}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), 200);
    // Its own user.updated event may come first; then the unsubscription notice.
    let mut notice = frame(&mut socket).await;
    if notice["type"] == "event" {
        notice = frame(&mut socket).await;
    }
    assert_eq!(notice["code"], "forbidden", "{notice}");
    assert!(notice["message"].as_str().unwrap().contains("circles/ops"));
}

#[tokio::test]
async fn a_pipeline_socket_streams_its_runs_to_the_owner_and_nothing_to_others() {
    use crate::pipeline_runs::{create, start};
    let app = TestApp::spawn().await;
    let owner = app.signed_in(Role::Member).await;
    let other = app.signed_in(Role::Member).await;
    let other_id = json(app.get_as("/api/auth/me", &other).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pipeline = create(
        &app,
        &owner,
        json!({"name": "watched", "nodes": [
            {"id": "t", "type": "trigger"},
            {"id": "double", "type": "transform", "config": {"expression": "{'x': input.x * 2}"}}],
          "edges": [{"id": "e1", "from": "t", "to": "double"}]}),
    )
    .await;

    // Only what happens from now on: `pipeline.created` is older, however late the relay
    // publishes it.
    let head = app.outbox_head().await;
    let mut watching = connect(
        &app,
        &format!("/ws/pipelines/{pipeline}?since={head}"),
        Some(&owner),
    )
    .await
    .unwrap();
    assert_eq!(frame(&mut watching).await["type"], "ready");
    // Another member may open the topic but sees none of the owner's runs: the next event
    // it gets is its own, published after the whole run.
    let mut outsider = connect(&app, &format!("/ws?since={head}"), Some(&other))
        .await
        .unwrap();
    frame(&mut outsider).await;
    send(
        &mut outsider,
        json!({"action": "subscribe",
               "topics": [format!("pipelines/{pipeline}"), format!("users/{other_id}")]}),
    )
    .await;
    assert_eq!(frame(&mut outsider).await["type"], "subscribed");

    let run = start(&app, &owner, &pipeline, json!({"x": 21})).await;
    let mut seen: Vec<(i64, String, String)> = Vec::new();
    loop {
        let f = frame(&mut watching).await;
        assert_eq!(f["type"], "event", "{f}");
        let event = &f["event"];
        assert_eq!(event["scope"]["pipeline_id"], pipeline.as_str(), "{f}");
        assert_eq!(event["scope"]["run_id"], run.as_str(), "{f}");
        let node = event["data"]["node_id"].as_str().unwrap_or("").to_owned();
        let kind = event["type"].as_str().unwrap().to_owned();
        seen.push((f["seq"].as_i64().unwrap(), kind.clone(), node));
        if kind == "pipeline_run.completed" {
            assert_eq!(event["data"]["status"], "completed", "{f}");
            break;
        }
    }
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "in seq order");
    let names: Vec<(&str, &str)> = seen
        .iter()
        .map(|(_, kind, node)| (kind.as_str(), node.as_str()))
        .collect();
    assert_eq!(names.first(), Some(&("pipeline_run.created", "")));
    for node in ["t", "double"] {
        let started = names
            .iter()
            .position(|n| *n == ("pipeline_node.started", node));
        let completed = names
            .iter()
            .position(|n| *n == ("pipeline_node.completed", node));
        assert!(
            matches!((started, completed), (Some(s), Some(c)) if s < c),
            "{node}: {names:?}"
        );
    }

    let key = app
        .http
        .post(app.url("/api/api-keys"))
        .bearer_auth(&other)
        .json(&json!({"name": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key.status(), 201);
    let next = frame(&mut outsider).await;
    assert_eq!(next["event"]["type"], "api_key.created", "{next}");
}
