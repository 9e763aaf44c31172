//! The discussion engine: each instance runs one loop ([`Circles::run_engine`], spawned by
//! `app`) that claims discussions from Postgres (`FOR UPDATE SKIP LOCKED`, under a lease a
//! heartbeat renews every third of it), runs each as its own task (`runner.rs`), and hears on
//! the bus what concerns them, from any instance: new discussions, people's messages and
//! changes (wake the loop), stops (cancel the turn in flight). A discussion whose instance
//! stops is taken over by another when its lease expires; at shutdown every claim is given
//! back at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::model::DiscussionStatus;
use super::runner;
use super::store::claims;
use crate::circles::Circles;
use crate::events::bus::Delivery;
use crate::events::{Event, EventType, Filter, TypePattern};

/// The engine's state; `Circles` owns one, cheap to clone.
#[derive(Clone, Default)]
pub struct Engine {
    inner: Arc<State>,
}

#[derive(Default)]
struct State {
    /// This instance's id in claims (new at every start).
    instance: Uuid,
    /// Poked when something here makes a discussion claimable, so the loop claims it at once.
    wake: Notify,
    /// The discussions running here and the token that stops their turn in flight. A std
    /// mutex: held only to insert, remove or look up, never across an `.await`.
    active: Mutex<HashMap<Uuid, CancellationToken>>,
    /// Cancelled when the engine stops (shutdown): runners give their discussions back.
    shutdown: CancellationToken,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("instance", &self.inner.instance)
            .finish()
    }
}

impl Engine {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(State {
                instance: Uuid::now_v7(),
                ..State::default()
            }),
        }
    }

    pub fn instance(&self) -> Uuid {
        self.inner.instance
    }

    /// Asks the loop to look for discussions now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub(super) fn shutdown(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    fn active(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, CancellationToken>> {
        self.inner.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the turn in flight of discussion `id`, if it runs here.
    fn cancel(&self, id: Uuid) {
        if let Some(token) = self.active().get(&id) {
            token.cancel();
        }
    }
}

impl Circles {
    /// Claims and runs discussions until `cancel`; then gives every claim back.
    pub async fn run_engine(self, cancel: CancellationToken) {
        let filter = Filter {
            types: vec![
                TypePattern::Exact(EventType::CircleDiscussionCreated),
                TypePattern::Exact(EventType::CircleDiscussionChanged),
                TypePattern::Exact(EventType::CircleMessage),
            ],
            ..Filter::default()
        };
        let mut events = self.bus().subscribe("circle_discussions", filter);
        let runs = TaskTracker::new();
        let engine = self.engine().clone();
        loop {
            self.claim_while_room(&runs).await;
            tokio::select! {
                () = tokio::time::sleep(self.settings().poll_interval) => {}
                () = engine.inner.wake.notified() => {}
                delivery = events.recv() => match delivery {
                    Some(Delivery::Event(event)) => self.heard(&event),
                    Some(Delivery::Lagged { .. }) => {}
                    None => {}
                },
                () = cancel.cancelled() => break,
            }
        }
        engine.inner.shutdown.cancel();
        runs.close();
        runs.wait().await;
    }

    fn heard(&self, event: &Event) {
        let Some(id) = event.data["discussion_id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
        else {
            return;
        };
        let status = event.data["status"].as_str();
        if event.event_type == EventType::CircleDiscussionChanged
            && status == Some(DiscussionStatus::Stopped.as_str())
        {
            self.engine().cancel(id);
        }
        let wakes = match event.event_type {
            EventType::CircleDiscussionCreated => true,
            EventType::CircleDiscussionChanged => {
                matches!(status, Some("running" | "pending" | "stopped"))
            }
            EventType::CircleMessage => event.data["kind"] == "person",
            _ => false,
        };
        if wakes {
            self.engine().wake();
        }
    }

    async fn claim_while_room(&self, runs: &TaskTracker) {
        let engine = self.engine();
        while engine.active().len() < self.settings().max_concurrent_discussions
            && !engine.inner.shutdown.is_cancelled()
        {
            let claimed = match self.pool().get().await {
                Ok(client) => {
                    claims::claim(&client, engine.instance(), self.settings().lease).await
                }
                Err(e) => {
                    tracing::warn!("circle discussions: no database connection: {e}");
                    return;
                }
            };
            match claimed {
                Ok(Some(claimed)) => {
                    let id = claimed.record.id;
                    let stop = CancellationToken::new();
                    engine.active().insert(id, stop.clone());
                    let circles = self.clone();
                    runs.spawn(async move {
                        runner::run(&circles, claimed, stop).await;
                        circles.engine().active().remove(&id);
                        // A slot is free: look for more at once.
                        circles.engine().wake();
                    });
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("circle discussions: claiming failed: {e}");
                    return;
                }
            }
        }
    }
}
