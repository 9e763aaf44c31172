//! The server's multiplexed WebSocket (`/ws`, docs/events.md), subscribed to one pipeline's
//! topic (`pipelines/{id}`, which carries the events of its runs and nodes). The token goes
//! in the `Sec-WebSocket-Protocol` header, never in the URL. The socket is opened before the
//! run starts and the subscription is confirmed (`subscribed`) before [`Socket::open`]
//! returns, so no event of the run can be missed; if it closes, it is reopened with
//! `?since=` the last `seq` received (at most [`REOPEN_TRIES`] times in a row), which
//! replays what was missed. Plain `ws://` only: this build has no TLS for WebSockets.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use super::client::{Client, refusal};
use super::follow::{EventData, Item, RunEvent};

type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Times in a row a closed socket is reopened before giving up.
const REOPEN_TRIES: u32 = 3;
/// How long opening and subscribing may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// An open, subscribed socket.
pub(super) struct Socket {
    stream: Stream,
    /// `ws://host:port/ws`.
    url: String,
    token: String,
    topic: String,
    /// The `seq` of the last event received: where a reopened socket resumes.
    last_seq: Option<i64>,
}

/// A server frame, as far as this client needs it.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Frame {
    Subscribed {},
    Event {
        event: WireEvent,
    },
    Error {
        code: String,
        message: String,
    },
    /// `ready`, `lagged` (the durable events it skipped follow), `pong`, `unsubscribed`.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct WireEvent {
    seq: Option<i64>,
    #[serde(rename = "type")]
    kind: String,
    scope: WireScope,
    data: EventData,
}

#[derive(Deserialize)]
struct WireScope {
    run_id: Option<Uuid>,
}

impl Socket {
    /// Opens `/ws` on the client's server and subscribes to the pipeline's topic.
    pub(super) async fn open(client: &Client, pipeline: Uuid) -> Result<Self, String> {
        let url = match client.base().split_once("://") {
            Some(("http", rest)) => format!("ws://{rest}/ws"),
            Some(("https", _)) => {
                return Err("this build has no TLS for WebSockets (wss://)".to_owned());
            }
            _ => return Err(format!("{}: not an http:// URL", client.base())),
        };
        let topic = format!("pipelines/{pipeline}");
        let stream = connect(&url, None, client.token(), &topic).await?;
        Ok(Self {
            stream,
            url,
            token: client.token().to_owned(),
            topic,
            last_seq: None,
        })
    }

    /// The next event, reopening the socket if it closed; `Gone` once it cannot be.
    pub(super) async fn next(&mut self) -> Item {
        let mut tries = 0;
        loop {
            let why = match self.stream.next().await {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<Frame>(&text) {
                    Ok(Frame::Event { event }) => {
                        if event.seq.is_some() {
                            self.last_seq = event.seq;
                        }
                        return Item::Event(RunEvent {
                            kind: event.kind,
                            run_id: event.scope.run_id,
                            data: event.data,
                        });
                    }
                    // Unprompted, an error says the topic was dropped (the role changed).
                    Ok(Frame::Error { code, message }) => {
                        return Item::Gone(format!("{code}: {message}"));
                    }
                    Ok(Frame::Subscribed {} | Frame::Other) => continue,
                    Err(e) => return Item::Gone(format!("an unreadable frame: {e}")),
                },
                Some(Ok(Message::Close(Some(frame)))) => {
                    format!("closed: {} {}", frame.code, frame.reason)
                }
                Some(Ok(Message::Close(None))) | None => "closed".to_owned(),
                // Pings are answered by the library; binary frames are not sent.
                Some(Ok(_)) => continue,
                Some(Err(e)) => e.to_string(),
            };
            tries += 1;
            if tries > REOPEN_TRIES {
                return Item::Gone(why);
            }
            // Everything after the last event received; the topic's retained history when
            // none was.
            let since = self.last_seq.unwrap_or(0);
            match connect(&self.url, Some(since), &self.token, &self.topic).await {
                Ok(stream) => self.stream = stream,
                Err(e) => {
                    if tries == REOPEN_TRIES {
                        return Item::Gone(format!("{why}; reopening: {e}"));
                    }
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(tries))).await;
                }
            }
        }
    }
}

/// Opens the socket (with `?since=` when given), subscribes to `topic`, and returns once the
/// server confirmed it.
async fn connect(
    url: &str,
    since: Option<i64>,
    token: &str,
    topic: &str,
) -> Result<Stream, String> {
    let address = match since {
        Some(since) => format!("{url}?since={since}"),
        None => url.to_owned(),
    };
    let mut request = address
        .into_client_request()
        .map_err(|e| format!("{url}: {e}"))?;
    let protocol = HeaderValue::from_str(&format!("bearer, {token}"))
        .map_err(|_| "the token cannot be sent in a header".to_owned())?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol);
    let opened = async {
        let (mut stream, _) =
            tokio_tungstenite::connect_async(request)
                .await
                .map_err(|e| match e {
                    tokio_tungstenite::tungstenite::Error::Http(response) => refusal(
                        response.status(),
                        response.body().as_deref().unwrap_or_default(),
                    )
                    .to_string(),
                    other => format!("{url}: {other}"),
                })?;
        let subscribe = serde_json::json!({"action": "subscribe", "topics": [topic]});
        stream
            .send(Message::Text(subscribe.to_string().into()))
            .await
            .map_err(|e| e.to_string())?;
        loop {
            match stream.next().await {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<Frame>(&text) {
                    Ok(Frame::Subscribed {}) => return Ok(stream),
                    Ok(Frame::Error { code, message }) => {
                        return Err(format!("subscribing to {topic}: {code}: {message}"));
                    }
                    Ok(_) => {}
                    Err(e) => return Err(format!("an unreadable frame: {e}")),
                },
                Some(Ok(Message::Close(_))) | None => {
                    return Err("the server closed the socket".to_owned());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.to_string()),
            }
        }
    };
    tokio::time::timeout(OPEN_TIMEOUT, opened)
        .await
        .map_err(|_| format!("{url}: no answer within {}s", OPEN_TIMEOUT.as_secs()))?
}
