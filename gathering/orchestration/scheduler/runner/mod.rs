//! The scheduler of one instance ([`Scheduler::run`], spawned by `app.rs`). It sleeps until the
//! earliest occurrence any schedule waits for (or a change wakes it), then fires what is due
//! (`fire.rs`), executes what it fired or found orphaned (`execute.rs`), and hears events for
//! event schedules (`listen.rs`). Start reading at [`Scheduler::run`].
//!
//! Invariants: an occurrence fires exactly once however many instances run (a run is unique
//! per (schedule, scheduled_for) or (schedule, event), inserted in the firing transaction);
//! a run is executed by whichever instance holds its session advisory lock, for the whole
//! execution, beside a lease it renews; what decides by the time (due, missed, the next
//! wake-up) asks the scheduler's [`Clock`](crate::core::clock::Clock), never `Utc::now()`.

mod execute;
mod fire;
mod listen;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::guard;
pub use super::settings::SchedulerSettings;
use super::store::{ScheduleRow, ScheduleRun};
use crate::agents::Agents;
use crate::core::clock::{self, SharedClock};
use crate::events::bus::Bus;
use crate::events::{EventType, NewEvent, Scope};
use crate::orchestration::pipeline::Pipelines;
use listen::Listener;

/// The scheduler; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    pub(super) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub pool: Pool,
    pub bus: Bus,
    pub agents: Agents,
    /// Circle discussions (`start_discussion`).
    pub circles: crate::circles::Circles,
    pub pipelines: Pipelines,
    /// This instance's id in claims (new at every start).
    pub instance: Uuid,
    pub settings: SchedulerSettings,
    /// What time it is for firing: due, missed, the next wake-up.
    clock: SharedClock,
    /// Poked when a schedule changes here, so the loop recomputes its sleep.
    wake: Notify,
    /// Bounds executions (and so the connections they hold).
    slots: Arc<Semaphore>,
    /// Runs this instance is executing or about to: the sweep leaves them alone. A std mutex,
    /// never held across an `.await`.
    active: Mutex<HashSet<Uuid>>,
    /// Event schedules (reloaded when a schedule changes anywhere). A std mutex, as above.
    listeners: Mutex<Vec<Listener>>,
    /// Cancelled when the scheduler stops; executions end their attempt and let go.
    shutdown: CancellationToken,
    executions: TaskTracker,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("instance", &self.inner.instance)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// The scope of events about a schedule.
pub fn scope(schedule: Uuid, owner: Uuid) -> Scope {
    Scope {
        schedule_id: Some(schedule),
        user_id: Some(owner),
        ..Scope::default()
    }
}

/// An event about a run; it carries the run's causation (a schedule on it is one hop deeper).
pub(super) fn run_event(
    event_type: EventType,
    schedule: &ScheduleRow,
    run: &ScheduleRun,
) -> NewEvent {
    NewEvent::new(event_type, scope(schedule.id, schedule.owner_id), None).data(json!({
        "schedule": {"id": schedule.id, "name": schedule.name},
        "run_id": run.id, "scheduled_for": run.scheduled_for, "trigger": run.trigger,
        "status": run.status, "attempts": run.attempts, "max_attempts": run.max_attempts,
        "instance": run.instance, "duration_ms": run.duration_ms, "error": run.error,
        "causation": guard::causation_of(schedule, run).to_value(),
    }))
}

/// Whether every key of `filter` is in `actual` with a matching value (objects recursively;
/// anything else equal).
pub fn subset(filter: &Value, actual: &Value) -> bool {
    match (filter, actual) {
        (Value::Object(want), Value::Object(have)) => want
            .iter()
            .all(|(k, v)| have.get(k).is_some_and(|h| subset(v, h))),
        _ => filter == actual,
    }
}

impl Scheduler {
    pub fn new(
        pool: Pool,
        bus: Bus,
        services: crate::orchestration::effects::Services,
        pipelines: Pipelines,
        settings: SchedulerSettings,
    ) -> Self {
        Self::with_clock(pool, bus, services, pipelines, settings, clock::system())
    }

    /// A scheduler that reads the time from `clock` (a test's manual clock).
    pub fn with_clock(
        pool: Pool,
        bus: Bus,
        services: crate::orchestration::effects::Services,
        pipelines: Pipelines,
        settings: SchedulerSettings,
        clock: SharedClock,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(settings.max_concurrent.max(1)));
        Self {
            inner: Arc::new(Inner {
                pool,
                bus,
                agents: services.agents,
                circles: services.circles,
                pipelines,
                instance: Uuid::now_v7(),
                settings,
                clock,
                wake: Notify::new(),
                slots,
                active: Mutex::new(HashSet::new()),
                listeners: Mutex::new(Vec::new()),
                shutdown: CancellationToken::new(),
                executions: TaskTracker::new(),
            }),
        }
    }

    /// The same scheduler (its services and settings) reading the time from `clock`; a new
    /// instance, not yet running.
    pub fn on_clock(&self, clock: SharedClock) -> Self {
        let inner = &self.inner;
        Self::with_clock(
            inner.pool.clone(),
            inner.bus.clone(),
            crate::orchestration::effects::Services {
                agents: inner.agents.clone(),
                circles: inner.circles.clone(),
            },
            inner.pipelines.clone(),
            inner.settings.clone(),
            clock,
        )
    }

    pub fn instance(&self) -> Uuid {
        self.inner.instance
    }

    pub fn settings(&self) -> &SchedulerSettings {
        &self.inner.settings
    }

    /// The time as this scheduler reads it.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Asks the loop to look at the schedules now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    fn lock_active(&self) -> std::sync::MutexGuard<'_, HashSet<Uuid>> {
        self.inner.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fires and executes until `cancel`; then lets running executions finish their attempt
    /// (an interrupted one is taken over by another instance when its lease expires).
    pub async fn run(self, cancel: CancellationToken) {
        if !self.inner.settings.enabled {
            cancel.cancelled().await;
            return;
        }
        self.reload_listeners().await;
        // Event schedules hear the event feed from where they were last handled (a cursor in
        // the outbox shared by the instances): what was published while no scheduler ran, or
        // what a lag lost, is read from the outbox by the feed.
        let mut events = self.listen().await;
        let mut reload = tokio::time::interval(Duration::from_secs(30));
        reload.tick().await;
        'ticks: loop {
            let until = tokio::time::Instant::now() + self.tick().await;
            events.save(&self.inner.pool).await;
            events.resume();
            // Events are handled as they come; the next tick waits for its time or a wake-up.
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(until) => break,
                    () = self.inner.wake.notified() => break,
                    _ = reload.tick() => self.reload_listeners().await,
                    heard = events.next(), if events.listening() => {
                        if let Some(event) = heard {
                            self.heard(&event).await;
                        }
                    }
                    () = cancel.cancelled() => break 'ticks,
                }
            }
        }
        events.save(&self.inner.pool).await;
        self.inner.shutdown.cancel();
        self.inner.executions.close();
        self.inner.executions.wait().await;
    }
}
