//! One WebSocket connection: authentication by first message when the upgrade carried none,
//! subscribe/unsubscribe, a gap-free feed of the events the client may see on its topics,
//! heartbeats and an idle timeout. A slow client never holds anything up: while it reads
//! slowly its bus queue lags (the publisher does not wait), and its feed then catches up from
//! the outbox, announcing a `lagged` frame; a client too slow to take one frame within the
//! send timeout is disconnected with the `since` to resume from.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::api::AppState;
use crate::api::views::EventView;
use crate::auth::AuthError;
use crate::auth::model::Principal;
use crate::events::relay::Feed;
use crate::events::topic::Topic;
use crate::events::{Event, EventType, Filter, Viewer};

/// Timings of a connection.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// How long a client without a token in the upgrade has to send its `auth` message.
    pub auth_timeout: Duration,
    /// How often the server pings and checks the credential again.
    pub ping_interval: Duration,
    /// A client silent (no message, no pong) this long is disconnected.
    pub idle_timeout: Duration,
    /// A frame not taken by the client within this is the end of the connection.
    pub send_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auth_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            send_timeout: Duration::from_secs(10),
        }
    }
}

impl Settings {
    /// The defaults, with the keepalive of the `[events]` section (`ws_ping_interval_secs`,
    /// `ws_idle_timeout_secs`).
    pub fn from_events(events: &crate::events::Settings) -> Self {
        Self {
            ping_interval: events.ws_ping_interval,
            idle_timeout: events.ws_idle_timeout,
            ..Self::default()
        }
    }
}

/// What a client sends.
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    Auth { token: String },
    Subscribe { topics: Vec<String> },
    Unsubscribe { topics: Vec<String> },
    Ping,
}

/// What the server sends.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Authentication succeeded.
    Ready {
        user_id: uuid::Uuid,
        role: &'static str,
    },
    Subscribed {
        topics: Vec<String>,
    },
    Unsubscribed {
        topics: Vec<String>,
    },
    Event {
        seq: Option<i64>,
        event: EventView,
    },
    /// Events were skipped while the client was slow; durable ones follow (replayed from the
    /// outbox), ephemeral ones are gone.
    Lagged {
        first_missed: Option<i64>,
        missed: u64,
    },
    Error {
        code: &'static str,
        message: String,
    },
    Pong,
}

/// Close codes (RFC 6455 private range for ours).
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TRY_AGAIN: u16 = 1013;
const CLOSE_UNAUTHENTICATED: u16 = 4401;

/// Runs the connection to its end.
pub async fn serve(
    mut socket: WebSocket,
    state: AppState,
    credentials: Option<(Principal, String)>,
    topic: Option<Topic>,
    since: Option<i64>,
    settings: Settings,
) {
    metrics::gauge!("websocket_connections").increment(1.0);
    let credentials = match credentials {
        Some(credentials) => Some(credentials),
        None => tokio::select! {
            credentials = authenticate_by_message(&mut socket, &state, settings) => credentials,
            () = state.stopping.cancelled() => None,
        },
    };
    if let Some((principal, token)) = credentials {
        let viewer = state
            .circles
            .viewer(principal.user_id, principal.role)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("loading a socket's circles failed: {e}");
                Viewer::new(principal.user_id, principal.role)
            });
        let mut connection = Connection {
            socket,
            principal,
            viewer,
            token,
            topics: BTreeMap::new(),
            settings,
            last_heard: Instant::now(),
            last_sent: since,
        };
        connection.run(&state, topic, since).await;
    }
    metrics::gauge!("websocket_connections").decrement(1.0);
}

async fn authenticate_by_message(
    socket: &mut WebSocket,
    state: &AppState,
    settings: Settings,
) -> Option<(Principal, String)> {
    let first = tokio::time::timeout(settings.auth_timeout, socket.recv()).await;
    let token = match first {
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str(&text) {
            Ok(ClientMessage::Auth { token }) => token.trim().to_owned(),
            _ => {
                close(
                    socket,
                    CLOSE_UNAUTHENTICATED,
                    "send {\"action\":\"auth\",\"token\":\"...\"} first",
                )
                .await;
                return None;
            }
        },
        Ok(_) => return None,
        Err(_) => {
            close(socket, CLOSE_UNAUTHENTICATED, "authentication timed out").await;
            return None;
        }
    };
    match state.auth.authenticate(&state.pool, &token).await {
        Ok(principal) => Some((principal, token)),
        Err(e) => {
            let (code, reason) = refusal(&e);
            close(socket, code, reason).await;
            None
        }
    }
}

/// The close code and reason for a failed (re)authentication: 4401 for credentials that are
/// no good (get new ones), 1013 when they could not be checked (retry later).
fn refusal(error: &AuthError) -> (u16, &'static str) {
    match error {
        AuthError::InvalidToken => (
            CLOSE_UNAUTHENTICATED,
            "the token is invalid, expired or revoked",
        ),
        _ => (
            CLOSE_TRY_AGAIN,
            "authentication is temporarily unavailable; reconnect with since",
        ),
    }
}

/// Sends a close frame, giving up after a second (a client that does not read is gone).
async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from(reason.to_owned()),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        socket.send(Message::Close(Some(frame))),
    )
    .await;
}

struct Connection {
    socket: WebSocket,
    principal: Principal,
    /// The principal with the circles it belongs to: what it may see. Reloaded at every
    /// credential check and whenever a circle's membership changes.
    viewer: Viewer,
    /// The credential, checked again at every ping so a logout, a revoked key, a disabled
    /// user or an expired token ends the stream; a client renews it with another `auth`.
    token: String,
    /// Subscribed topics by their printed form.
    topics: BTreeMap<String, Topic>,
    settings: Settings,
    last_heard: Instant,
    /// The seq of the last event frame the client was sent: where it resumes from.
    last_sent: Option<i64>,
}

impl Connection {
    async fn run(&mut self, state: &AppState, topic: Option<Topic>, since: Option<i64>) {
        let ready = ServerFrame::Ready {
            user_id: self.principal.user_id,
            role: self.principal.role.as_str(),
        };
        if !self.send(&ready).await {
            return;
        }
        if let Some(topic) = topic {
            // A per-topic socket: authorised before the upgrade when the token came in the
            // header, here when it came by message.
            if let Err(e) = topic.authorize(&self.viewer) {
                let _ = self.send(&error("forbidden", e.to_string())).await;
                close(&mut self.socket, CLOSE_POLICY, "forbidden topic").await;
                return;
            }
            self.topics.insert(topic.to_string(), topic);
        }
        // Subscribed to the bus now, so nothing published from here on is missed; read only
        // once the client has topics, so a replay from `since` sees them.
        let mut feed = Feed::open(
            &state.bus,
            state.pool.clone(),
            "websocket",
            Filter::default(),
            since,
        );
        let mut ping = tokio::time::interval_at(
            Instant::now() + self.settings.ping_interval,
            self.settings.ping_interval,
        );
        loop {
            let has_topics = !self.topics.is_empty();
            tokio::select! {
                message = self.socket.recv() => {
                    let Some(Ok(message)) = message else { return };
                    self.last_heard = Instant::now();
                    if !self.on_message(message, state).await {
                        return;
                    }
                }
                event = feed.next(), if has_topics => {
                    let event = match event {
                        Ok(event) => event,
                        Err(e) => {
                            tracing::warn!("websocket feed ended: {e}");
                            close(&mut self.socket, CLOSE_TRY_AGAIN, "event feed unavailable; reconnect with since").await;
                            return;
                        }
                    };
                    if let Some((first_missed, missed)) = feed.take_lag_notice()
                        && !self.send(&ServerFrame::Lagged { first_missed, missed }).await
                    {
                        return;
                    }
                    if membership_changed(&event) && !self.reload_viewer(state).await {
                        return;
                    }
                    if self.wants(&event) {
                        let seq = event.seq;
                        let Some(text) = state.frames.event_frame(&event) else { continue };
                        if !self.send_text(text).await {
                            let resume = self.last_sent.map(|s| s.to_string()).unwrap_or_default();
                            close(&mut self.socket, CLOSE_TRY_AGAIN, &format!("too slow; resume with since={resume}")).await;
                            return;
                        }
                        self.last_sent = seq.or(self.last_sent);
                    }
                }
                () = state.stopping.cancelled() => {
                    close(&mut self.socket, CLOSE_GOING_AWAY, "server shutting down; reconnect with since").await;
                    return;
                }
                _ = ping.tick() => {
                    if self.last_heard.elapsed() > self.settings.idle_timeout {
                        close(&mut self.socket, CLOSE_POLICY, "idle").await;
                        return;
                    }
                    if !self.recheck(state).await {
                        return;
                    }
                    let ping = self.socket.send(Message::Ping(Default::default()));
                    if !matches!(tokio::time::timeout(self.settings.send_timeout, ping).await, Ok(Ok(()))) {
                        return;
                    }
                }
            }
        }
    }

    /// Checks the credential again: the role may have changed (topics no longer allowed are
    /// dropped, with an error frame), or it may be revoked or expired (the socket closes).
    async fn recheck(&mut self, state: &AppState) -> bool {
        match state.auth.authenticate(&state.pool, &self.token).await {
            Ok(principal) => self.adopt(principal, state).await,
            Err(e) => {
                let (code, reason) = refusal(&e);
                close(&mut self.socket, code, reason).await;
                false
            }
        }
    }

    /// Takes a freshly authenticated principal for the same user.
    async fn adopt(&mut self, principal: Principal, state: &AppState) -> bool {
        if principal.user_id != self.principal.user_id {
            close(
                &mut self.socket,
                CLOSE_POLICY,
                "a socket stays with one user",
            )
            .await;
            return false;
        }
        self.principal = principal;
        self.reload_viewer(state).await
    }

    /// Reloads the circles the user belongs to; topics no longer allowed are dropped, with an
    /// error frame. `false` when the client is gone.
    async fn reload_viewer(&mut self, state: &AppState) -> bool {
        match state
            .circles
            .viewer(self.principal.user_id, self.principal.role)
            .await
        {
            Ok(viewer) => self.viewer = viewer,
            // Fails closed: without its circles the viewer sees no circle's events.
            Err(e) => {
                tracing::warn!("reloading a socket's circles failed: {e}");
                self.viewer = Viewer::new(self.principal.user_id, self.principal.role);
            }
        }
        let revoked: Vec<String> = self
            .topics
            .iter()
            .filter(|(_, topic)| topic.authorize(&self.viewer).is_err())
            .map(|(key, _)| key.clone())
            .collect();
        for key in &revoked {
            self.topics.remove(key);
        }
        revoked.is_empty()
            || self
                .send(&error(
                    "forbidden",
                    format!("no longer allowed, unsubscribed: {}", revoked.join(", ")),
                ))
                .await
    }

    fn wants(&self, event: &Event) -> bool {
        event.visible_to(&self.viewer)
            && self
                .topics
                .values()
                .any(|topic| topic.matches(event, &self.viewer))
    }

    /// Handles one client message; `false` ends the connection.
    async fn on_message(&mut self, message: Message, state: &AppState) -> bool {
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return false,
            Message::Ping(_) | Message::Pong(_) => return true,
            Message::Binary(_) => {
                return self
                    .send(&error("bad_request", "send JSON text frames".to_owned()))
                    .await;
            }
        };
        let reply = match serde_json::from_str::<ClientMessage>(&text) {
            Ok(ClientMessage::Ping) => ServerFrame::Pong,
            Ok(ClientMessage::Auth { token }) => {
                // Renewal before the current token expires.
                let token = token.trim().to_owned();
                match state.auth.authenticate(&state.pool, &token).await {
                    Ok(principal) => {
                        if !self.adopt(principal, state).await {
                            return false;
                        }
                        self.token = token;
                        ServerFrame::Ready {
                            user_id: self.principal.user_id,
                            role: self.principal.role.as_str(),
                        }
                    }
                    Err(AuthError::InvalidToken) => error(
                        "unauthenticated",
                        "the token is invalid, expired or revoked; the current one stays"
                            .to_owned(),
                    ),
                    Err(_) => error(
                        "auth_unavailable",
                        "authentication is temporarily unavailable".to_owned(),
                    ),
                }
            }
            Ok(ClientMessage::Subscribe { topics }) => self.subscribe(&topics),
            Ok(ClientMessage::Unsubscribe { topics }) => {
                let removed = topics
                    .iter()
                    .filter_map(|t| self.topics.remove_entry(t.trim()).map(|(key, _)| key))
                    .collect();
                ServerFrame::Unsubscribed { topics: removed }
            }
            Err(e) => error(
                "bad_request",
                format!("not a message this server understands: {e}"),
            ),
        };
        self.send(&reply).await
    }

    /// All or nothing: one refused topic refuses the message.
    fn subscribe(&mut self, raw: &[String]) -> ServerFrame {
        if raw.is_empty() || raw.len() > 100 {
            return error("bad_request", "subscribe to 1 to 100 topics".to_owned());
        }
        let mut parsed = Vec::new();
        for topic in raw {
            match Topic::parse(topic) {
                Ok(topic) => match topic.authorize(&self.viewer) {
                    Ok(()) => parsed.push(topic),
                    Err(e) => return error("forbidden", e.to_string()),
                },
                Err(e) => return error("bad_request", e.to_string()),
            }
        }
        let topics = parsed.iter().map(ToString::to_string).collect();
        self.topics
            .extend(parsed.into_iter().map(|topic| (topic.to_string(), topic)));
        ServerFrame::Subscribed { topics }
    }

    /// Sends a frame within the send timeout; `false` if the client is gone or too slow.
    async fn send(&mut self, frame: &ServerFrame) -> bool {
        let Ok(text) = serde_json::to_string(frame) else {
            return false;
        };
        self.send_text(text.into()).await
    }

    async fn send_text(&mut self, text: Utf8Bytes) -> bool {
        matches!(
            tokio::time::timeout(
                self.settings.send_timeout,
                self.socket.send(Message::Text(text))
            )
            .await,
            Ok(Ok(()))
        )
    }
}

/// Whether `event` may change who belongs to a circle (the socket reloads its circles).
fn membership_changed(event: &Event) -> bool {
    matches!(
        event.event_type,
        EventType::CircleCreated
            | EventType::CircleMemberAdded
            | EventType::CircleMemberUpdated
            | EventType::CircleMemberRemoved
    )
}

fn error(code: &'static str, message: String) -> ServerFrame {
    ServerFrame::Error { code, message }
}
