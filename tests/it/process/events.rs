//! Two server processes on one database: events cross between them.

use super::*;

/// Two server processes on one database: an event committed through one reaches a WebSocket
/// client of the other, in order.
#[tokio::test]
async fn an_event_committed_on_one_process_reaches_websocket_clients_of_another() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let db = TestDb::migrated().await;
    let start = || {
        let mut command = gathering();
        command
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("DATABASE_URL", db.url.expose_secret())
            .env(
                "GATHERING_JWT_SECRET",
                "one secret shared by every instance here",
            )
            .env("GATHERING_ADMIN_EMAIL", "root@example.org")
            .env("GATHERING_ADMIN_PASSWORD", "a long admin password")
            .stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let mut a = start();
    let a_addr = listening_and_ready(&mut a).await;
    let mut b = start();
    let b_addr = listening_and_ready(&mut b).await;

    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("http://{a_addr}/api/auth/login"))
        .json(
            &serde_json::json!({"email": "root@example.org", "password": "a long admin password"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();

    let mut request = format!("ws://{b_addr}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        format!("bearer, {token}").parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let subscribe = serde_json::json!({"action": "subscribe", "topics": ["events"]});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let mut next_frame = async || loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str::<serde_json::Value>(&text).unwrap();
        }
    };
    assert_eq!(next_frame().await["type"], "ready");
    assert_eq!(next_frame().await["type"], "subscribed");

    for n in 0..3 {
        let created = http
            .post(format!("http://{a_addr}/api/users"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"email": format!("p{n}@example.org"), "display_name": "P",
                                      "password": "long enough password", "role": "viewer"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    let mut seqs = Vec::new();
    for n in 0..3 {
        let frame = next_frame().await;
        assert_eq!(frame["event"]["type"], "user.created", "{frame}");
        assert_eq!(frame["event"]["data"]["email"], format!("p{n}@example.org"));
        seqs.push(frame["seq"].as_i64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for child in [&mut a, &mut b] {
        kill(Pid::from_raw(child.id().unwrap() as i32), Signal::SIGTERM).unwrap();
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("exits after SIGTERM")
            .unwrap();
        assert_eq!(status.code(), Some(0));
    }
}
