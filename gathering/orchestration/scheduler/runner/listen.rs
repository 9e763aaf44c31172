//! Listening: event schedules fire from the event feed ([`Feed`]: the outbox after a `since`,
//! then live events, caught up from the outbox again whenever it lags). Every instance hears
//! every event; the unique (schedule, event) run makes one of them execute it, so an event
//! fires each matching schedule once. Where event schedules were handled up to is a cursor in
//! the outbox shared by the instances (saved after each tick), so what was published while no
//! scheduler ran fires them when one starts.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::guard::{self, Verdict};
use super::super::model::{Overlap, ScheduleRequest, Spec, Timing};
use super::super::store;
use super::fire::{Occurrence, Start};
use super::{Scheduler, run_event, subset};
use crate::events::relay::{Feed, FeedError};
use crate::events::{Event, EventType, Filter, TypePattern, outbox};

/// An event schedule, as the event listener keeps it.
#[derive(Debug, Clone)]
pub(super) struct Listener {
    id: Uuid,
    /// Events from before the schedule existed (read again from the outbox) do not fire it.
    since: DateTime<Utc>,
    pattern: TypePattern,
    filter: serde_json::Map<String, Value>,
}

/// Whether the feed is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    On,
    /// Reading the outbox failed: again at the next tick.
    Paused,
    /// The bus is gone.
    Closed,
}

/// The event feed of this instance's scheduler and how far it was handled.
pub(super) struct Listening {
    feed: Feed,
    /// The last outbox seq handed out.
    seen: i64,
    /// The last seq saved as the shared cursor.
    saved: i64,
    reading: Reading,
}

impl Listening {
    /// Whether to read the feed now.
    pub(super) fn listening(&self) -> bool {
        self.reading == Reading::On
    }

    /// Reads the feed again after a failed read (at each tick).
    pub(super) fn resume(&mut self) {
        if self.reading == Reading::Paused {
            self.reading = Reading::On;
        }
    }

    /// The next event; `None` when the feed could not give one (reading pauses until the next
    /// tick, or stops when the bus is gone). Cancel-safe, as [`Feed::next`] is.
    pub(super) async fn next(&mut self) -> Option<Arc<Event>> {
        match self.feed.next().await {
            Ok(event) => {
                if let Some((_, missed)) = self.feed.take_lag_notice() {
                    tracing::warn!(
                        missed,
                        "scheduler: the event listener lagged; reading the outbox"
                    );
                }
                self.seen = self.seen.max(event.seq.unwrap_or(0));
                Some(event)
            }
            Err(FeedError::Closed) => {
                self.reading = Reading::Closed;
                None
            }
            Err(e) => {
                tracing::warn!("scheduler: {e}");
                self.reading = Reading::Paused;
                None
            }
        }
    }

    /// Saves the cursor when it moved (never back: instances save what they handled).
    pub(super) async fn save(&mut self, pool: &Pool) {
        if self.seen <= self.saved {
            return;
        }
        let saved = match pool.get().await {
            Ok(client) => store::save_event_cursor(&client, self.seen).await.is_ok(),
            Err(_) => false,
        };
        if saved {
            self.saved = self.seen;
        }
    }
}

impl Scheduler {
    /// Opens the event feed from the shared cursor (the outbox's head on the first start).
    pub(super) async fn listen(&self) -> Listening {
        let cursor = match self.inner.pool.get().await {
            Ok(client) => match store::event_cursor(&client).await {
                Ok(Some(seq)) => Some(seq),
                _ => outbox::head(&**client).await.ok(),
            },
            Err(e) => {
                tracing::warn!("scheduler: reading the event cursor failed: {e}");
                None
            }
        };
        let feed = Feed::open(
            &self.inner.bus,
            self.inner.pool.clone(),
            "scheduler",
            Filter::default(),
            cursor,
        );
        let seen = cursor.unwrap_or(0);
        Listening {
            feed,
            seen,
            saved: seen,
            reading: Reading::On,
        }
    }

    /// Reloads the event schedules.
    pub(super) async fn reload_listeners(&self) {
        let rows = match self.inner.pool.get().await {
            Ok(client) => store::event_schedules(&client).await,
            Err(e) => {
                tracing::warn!("scheduler: loading event schedules failed: {e}");
                return;
            }
        };
        let Ok(rows) = rows else {
            tracing::warn!("scheduler: loading event schedules failed");
            return;
        };
        let listeners = rows
            .into_iter()
            .filter_map(|(id, since, spec)| match ScheduleRequest::reload(&spec) {
                Ok(Spec {
                    timing: Timing::Event { pattern, filter },
                    ..
                }) => Some(Listener {
                    id,
                    since,
                    pattern,
                    filter,
                }),
                _ => None,
            })
            .collect();
        *self
            .inner
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = listeners;
    }

    pub(super) async fn heard(&self, event: &Event) {
        if matches!(
            event.event_type,
            EventType::ScheduleCreated
                | EventType::ScheduleUpdated
                | EventType::ScheduleDeleted
                | EventType::SchedulePaused
                | EventType::ScheduleResumed
        ) {
            // Only event schedules are listeners: a thousand cron schedules created do not
            // reload them a thousand times.
            if event.data["schedule"]["kind"]
                .as_str()
                .is_none_or(|k| k == "event")
            {
                self.reload_listeners().await;
            }
            // Its next occurrence may come before this instance's next tick.
            self.wake();
            return;
        }
        if event.event_type == EventType::ScheduleTriggered {
            self.wake();
            return;
        }
        // Only stored events fire schedules (ephemeral ones, like token streams, are not
        // changes).
        if event.seq.is_none() {
            return;
        }
        let matched: Vec<Uuid> = {
            let listeners = self
                .inner
                .listeners
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if listeners.is_empty() {
                return;
            }
            let value = json!({"type": event.event_type, "scope": event.scope,
                "actor": event.actor, "data": event.data});
            listeners
                .iter()
                .filter(|l| {
                    event.ts >= l.since
                        && l.pattern.matches(event.event_type)
                        && subset(&Value::Object(l.filter.clone()), &value)
                })
                .map(|l| l.id)
                .collect()
        };
        if matched.is_empty() {
            return;
        }
        // How deep in a chain the event is (read once; its schedules' runs are one deeper).
        let depth = match guard::event_depth(&self.inner.pipelines, event).await {
            Ok(depth) => depth,
            Err(e) => {
                tracing::warn!(event_id = %event.id, "scheduler: reading an event's causation failed: {e}");
                return;
            }
        };
        for schedule in matched {
            if let Err(e) = self.fire_event(schedule, event, depth).await {
                tracing::warn!(schedule_id = %schedule, "scheduler: firing on an event failed: {e}");
            }
        }
    }

    /// Fires schedule `id` on `event` (of chain depth `event_depth`), when the guard lets it:
    /// every path an event takes to a schedule (live, catch-up, replay) comes here.
    async fn fire_event(
        &self,
        id: Uuid,
        event: &Event,
        event_depth: u32,
    ) -> Result<(), anyhow::Error> {
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(row) = store::lock_schedule(&tx, id).await? else {
            return Ok(());
        };
        if row.paused {
            return Ok(());
        }
        let depth = match guard::check(&tx, &row, event, event_depth, &self.inner.settings).await? {
            Verdict::Fire { depth } => depth,
            // Nothing is written: a run would tell the owner the event happened.
            Verdict::Hidden => return Ok(()),
            Verdict::Refuse { depth, reason } => {
                return guard::refuse(tx, &row, event, depth, &reason).await;
            }
        };
        let spec = ScheduleRequest::reload(&row.spec)?;
        if spec
            .options
            .max_executions
            .is_some_and(|max| row.executions >= max)
        {
            return Ok(());
        }
        let live = if spec.options.overlap == Overlap::Allow {
            0
        } else {
            store::live_runs(&tx, row.id).await?
        };
        let start = Start::under(spec.options.overlap, live, 0);
        let occurrence = Occurrence {
            at: event.ts,
            trigger: "event",
            event_id: Some(event.id),
            start,
            depth,
        };
        let Some(run) = self.new_run(&tx, &row, &spec, &occurrence).await? else {
            // Another instance fired it.
            return Ok(());
        };
        let skip = start == Start::Skip;
        let event_type = if skip {
            EventType::ScheduleSkipped
        } else {
            store::advance(&tx, row.id, None, 1).await?;
            EventType::ScheduleFired
        };
        outbox::append(&tx, &run_event(event_type, &row, &run)).await?;
        tx.commit().await?;
        if !skip {
            self.spawn_execute(run.id);
        }
        Ok(())
    }
}
