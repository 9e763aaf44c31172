//! The scheduler of one instance ([`Scheduler::run`], spawned by `app.rs`). It sleeps until the
//! earliest occurrence any schedule waits for (or a change wakes it), then fires what is due:
//! in one transaction it locks the due schedules no other instance is firing (`FOR UPDATE SKIP
//! LOCKED`), inserts one run per occurrence (unique per (schedule, scheduled_for)), applies the
//! catch-up and overlap policies and moves each schedule to its next occurrence. A database
//! error rolls all of it back: nothing fires now, the next tick tries again.
//!
//! A run is executed by whichever instance takes its session advisory lock; the lock is held on
//! one connection for the whole execution, beside a lease the execution renews. A run left
//! pending (its creator stopped) or running under an expired lease (its instance died: the lock
//! went with its connection) is taken over by the sweep, retried while attempts are left or
//! marked failed. Event schedules fire from the bus: every instance hears every event, the
//! unique (schedule, event) run makes one of them execute it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::Pool;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::actions::{self, Owner};
use super::guard::{self, Verdict};
use super::model::{Overlap, ScheduleRequest, Spec, Timing};
pub use super::settings::SchedulerSettings;
use super::store::{self, Claim, NewRun, ScheduleRow, ScheduleRun};
use super::timing;
use crate::agents::Agents;
use crate::events::bus::{Bus, Delivery};
use crate::events::{Event, EventType, Filter, NewEvent, Scope, TypePattern, outbox};
use crate::orchestration::pipeline::Pipelines;

/// The scheduler; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    pub(super) inner: Arc<Inner>,
}

/// An event schedule, as the event listener keeps it.
#[derive(Debug, Clone)]
struct Listener {
    id: Uuid,
    /// Events from before the schedule existed (read again from the outbox) do not fire it.
    since: DateTime<Utc>,
    pattern: TypePattern,
    filter: serde_json::Map<String, Value>,
}

pub(crate) struct Inner {
    pub pool: Pool,
    pub bus: Bus,
    pub agents: Agents,
    pub pipelines: Pipelines,
    /// This instance's id in claims (new at every start).
    pub instance: Uuid,
    pub settings: SchedulerSettings,
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
        agents: Agents,
        pipelines: Pipelines,
        settings: SchedulerSettings,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(settings.max_concurrent.max(1)));
        Self {
            inner: Arc::new(Inner {
                pool,
                bus,
                agents,
                pipelines,
                instance: Uuid::now_v7(),
                settings,
                wake: Notify::new(),
                slots,
                active: Mutex::new(HashSet::new()),
                listeners: Mutex::new(Vec::new()),
                shutdown: CancellationToken::new(),
                executions: TaskTracker::new(),
            }),
        }
    }

    pub fn instance(&self) -> Uuid {
        self.inner.instance
    }

    pub fn settings(&self) -> &SchedulerSettings {
        &self.inner.settings
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
        let mut events = self.inner.bus.subscribe("scheduler", Filter::default());
        self.reload_listeners().await;
        // Where event schedules are in the outbox (shared by the instances): what was published
        // while no scheduler ran, or what a lag lost, is read from there.
        let mut seen = self.event_cursor().await;
        seen = self.replay(seen).await;
        self.save_cursor(seen).await;
        let mut saved = seen;
        let mut reload = tokio::time::interval(Duration::from_secs(30));
        reload.tick().await;
        'ticks: loop {
            let until = tokio::time::Instant::now() + self.tick().await;
            if seen > saved && self.save_cursor(seen).await {
                saved = seen;
            }
            // Events are handled as they come; the next tick waits for its time or a wake-up.
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(until) => break,
                    () = self.inner.wake.notified() => break,
                    _ = reload.tick() => self.reload_listeners().await,
                    delivery = events.recv() => match delivery {
                        Some(Delivery::Event(event)) => {
                            seen = seen.max(event.seq.unwrap_or(0));
                            self.heard(&event).await;
                        }
                        Some(Delivery::Lagged { missed, .. }) => {
                            tracing::warn!(missed, "scheduler: the event listener lagged; reading the outbox");
                            seen = self.replay(seen).await;
                        }
                        None => {}
                    },
                    () = cancel.cancelled() => break 'ticks,
                }
            }
        }
        if seen > saved {
            self.save_cursor(seen).await;
        }
        self.inner.shutdown.cancel();
        self.inner.executions.close();
        self.inner.executions.wait().await;
    }

    async fn save_cursor(&self, seq: i64) -> bool {
        match self.inner.pool.get().await {
            Ok(client) => store::save_event_cursor(&client, seq).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Fires what is due, sweeps for orphaned runs; how long to sleep before the next tick.
    async fn tick(&self) -> Duration {
        let poll = self.inner.settings.poll_interval;
        // Fire in batches until nothing is due (a thousand schedules due at once take a few).
        loop {
            match self.fire_due().await {
                Ok(n) if n >= FIRE_BATCH as usize => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!("scheduler: firing failed, retrying on the next tick: {e}");
                    return poll.min(Duration::from_millis(200));
                }
            }
        }
        if let Err(e) = self.sweep().await {
            tracing::warn!("scheduler: looking for orphaned runs failed: {e}");
        }
        let next = match self.inner.pool.get().await {
            Ok(client) => store::next_wake(&client).await.ok().flatten(),
            Err(_) => None,
        };
        match next {
            Some(at) => (at - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(poll),
            None => poll,
        }
    }

    /// One transaction: the due schedules this instance locked, their runs, their next
    /// occurrences. Returns how many schedules it fired.
    async fn fire_due(&self) -> Result<usize, anyhow::Error> {
        let now = Utc::now();
        let grace = TimeDelta::from_std(self.inner.settings.misfire_grace)?;
        let mut client = self.inner.pool.get().await?;
        let tx = client.transaction().await?;
        let due = store::claim_due(&tx, now, FIRE_BATCH).await?;
        let count = due.len();
        let mut events = Vec::new();
        let mut execute = Vec::new();
        for row in due {
            let spec = match ScheduleRequest::reload(&row.spec) {
                Ok(spec) => spec,
                Err(e) => {
                    tracing::error!(schedule_id = %row.id, "scheduler: a stored schedule does not load: {e}");
                    store::advance(&tx, row.id, None, 0).await?;
                    continue;
                }
            };
            let from = row.next_fire_at.unwrap_or(now);
            let due = timing::due(&spec.timing, row.anchor_at, &spec.options, from, now, grace);
            if due.dropped > 0 {
                events.push(
                    NewEvent::new(EventType::ScheduleMissed, scope(row.id, row.owner_id), None)
                        .data(json!({"schedule": {"id": row.id, "name": row.name},
                        "dropped": due.dropped, "catch_up": spec.options.catch_up_name()})),
                );
            }
            // Runs from before this tick; the occurrences of one tick (a catch-up) are not
            // skipped for each other: they run one after another.
            let live = if spec.options.overlap == Overlap::Allow {
                0
            } else {
                store::live_runs(&tx, row.id).await?
            };
            let mut fired = 0;
            let mut next = due.next;
            for (at, catch_up) in due.fire {
                if let Some(max) = spec.options.max_executions
                    && row.executions + fired >= max
                {
                    next = None;
                    break;
                }
                let skip = spec.options.overlap == Overlap::Skip && live > 0;
                let trigger = if catch_up { "catch_up" } else { "schedule" };
                // Claimed by this instance as it fires, to start at once, unless it must wait
                // for an earlier one (the other occurrences of a catch-up, or a queue).
                let claim = spec.options.overlap == Overlap::Allow || (live == 0 && fired == 0);
                let Some(run) = self
                    .new_run(&tx, &row, &spec, at, trigger, None, skip, claim, 0)
                    .await?
                else {
                    continue;
                };
                if skip {
                    events.push(run_event(EventType::ScheduleSkipped, &row, &run));
                } else {
                    fired += 1;
                    events.push(run_event(EventType::ScheduleFired, &row, &run));
                    execute.push(run.id);
                }
            }
            if let Some(max) = spec.options.max_executions
                && row.executions + fired >= max
            {
                next = None;
            }
            store::advance(&tx, row.id, next, fired).await?;
        }
        outbox::append_all(&tx, &events).await?;
        tx.commit().await?;
        for id in execute {
            self.spawn_execute(id);
        }
        Ok(count)
    }

    #[allow(clippy::too_many_arguments)]
    async fn new_run(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        row: &ScheduleRow,
        spec: &Spec,
        at: DateTime<Utc>,
        trigger: &'static str,
        event_id: Option<Uuid>,
        skip: bool,
        claim: bool,
        depth: i32,
    ) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
        store::insert_run(
            tx,
            &NewRun {
                id: Uuid::now_v7(),
                schedule_id: row.id,
                scheduled_for: at,
                trigger,
                event_id,
                status: if skip {
                    "skipped"
                } else if claim {
                    "running"
                } else {
                    "pending"
                },
                max_attempts: 1 + spec.options.retry_count,
                error: skip.then(|| "the previous execution still ran (overlap: skip)".into()),
                claimed_by: (claim && !skip)
                    .then_some((self.inner.instance, self.inner.settings.lease)),
                depth,
            },
        )
        .await
    }

    /// Runs nobody executes: pending ones whose creator stopped or that were queued, running
    /// ones whose instance died.
    async fn sweep(&self) -> Result<(), anyhow::Error> {
        let settle = self
            .inner
            .settings
            .poll_interval
            .max(Duration::from_secs(1));
        let client = self.inner.pool.get().await?;
        let orphans = store::orphans(&client, settle, 64).await?;
        drop(client);
        for id in orphans {
            self.spawn_execute(id);
        }
        Ok(())
    }

    /// Executes `run` on this instance unless it already does.
    pub(super) fn spawn_execute(&self, run: Uuid) {
        if !self.lock_active().insert(run) {
            return;
        }
        let this = self.clone();
        self.inner.executions.spawn(async move {
            let Ok(_permit) = this.inner.slots.clone().acquire_owned().await else {
                return;
            };
            let next = match this.execute(run).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(run_id = %run, "scheduler: execution stopped: {e:#}");
                    None
                }
            };
            this.lock_active().remove(&run);
            // The next run of a queue starts when the previous ends.
            if let Some(schedule) = next
                && let Ok(client) = this.inner.pool.get().await
                && let Ok(Some(queued)) = store::next_queued(&client, schedule).await
            {
                this.spawn_execute(queued);
            }
        });
    }

    /// Takes the run's lock, claims it, executes its attempts. Returns the schedule when its
    /// queue may go on.
    async fn execute(&self, id: Uuid) -> Result<Option<Uuid>, anyhow::Error> {
        let mut client = self.inner.pool.get().await?;
        if !store::try_lock(&client, id).await? {
            // Another instance executes it.
            return Ok(None);
        }
        let result = self.execute_locked(&mut client, id).await;
        if store::unlock(&client, id).await.is_err() {
            // The lock must not outlive the execution on a pooled connection: close it.
            let _ = deadpool_postgres::Object::take(client);
        }
        result
    }

    async fn execute_locked(
        &self,
        client: &mut deadpool_postgres::Object,
        id: Uuid,
    ) -> Result<Option<Uuid>, anyhow::Error> {
        let inner = &self.inner;
        let Some((loaded, schedule, role)) = store::load(&*client, id).await? else {
            return Ok(None);
        };
        let spec = ScheduleRequest::reload(&schedule.spec)?;
        // Under `skip` and `queue` a pending run waits for the running one (under `skip` only
        // the occurrences of one catch-up and manual triggers are pending together).
        let queue = spec.options.overlap != Overlap::Allow;
        let fresh = loaded.status == "running"
            && loaded.instance == Some(inner.instance)
            && loaded.started_at.is_none();
        let mut run = if fresh {
            // Claimed as it fired: start it (one statement; `schedule.fired` said who runs it).
            match store::begin(&*client, id, inner.instance, inner.settings.lease).await? {
                Some(run) => run,
                None => return Ok(None),
            }
        } else {
            let tx = client.transaction().await?;
            let claim = store::claim(&tx, id, inner.instance, inner.settings.lease, queue).await?;
            match claim {
                Claim::Claimed(run) => {
                    outbox::append(&tx, &run_event(EventType::ScheduleStarted, &schedule, &run))
                        .await?;
                    tx.commit().await?;
                    run
                }
                Claim::Exhausted(run) => {
                    outbox::append(&tx, &run_event(EventType::ScheduleFailed, &schedule, &run))
                        .await?;
                    tx.commit().await?;
                    metrics::counter!("scheduler_executions_total", "status" => "failed")
                        .increment(1);
                    return Ok(queue.then_some(schedule.id));
                }
                Claim::Queued | Claim::Gone => return Ok(None),
            }
        };
        if run.attempts == 1
            && let Some(lag) = run.fire_lag_ms
        {
            metrics::histogram!("scheduler_fire_lag_seconds", "trigger" => run.trigger.clone())
                .record(lag / 1000.0);
        }
        let owner = role.and_then(|r| r.parse().ok()).map(|role| Owner {
            id: schedule.owner_id,
            role,
        });
        loop {
            let outcome = match &owner {
                Some(owner) => self.attempt(client, &schedule, &run, owner, &spec).await?,
                None => Attempt::Failed("the schedule's owner is disabled or gone".into()),
            };
            let (status, output, error) = match outcome {
                Attempt::Done(output) => ("completed", Some(output), None),
                Attempt::Lost => return Ok(None),
                Attempt::Shutdown => {
                    // Given back whole: another instance executes it at once.
                    store::release(&*client, id, inner.instance).await?;
                    return Ok(None);
                }
                Attempt::Failed(error) if run.attempts < run.max_attempts && owner.is_some() => {
                    run.attempts += 1;
                    run.error = Some(error);
                    let tx = client.transaction().await?;
                    let error = run.error.as_deref().unwrap_or_default();
                    if !store::next_attempt(&tx, id, inner.instance, error).await? {
                        return Ok(None);
                    }
                    outbox::append(
                        &tx,
                        &run_event(EventType::ScheduleRetrying, &schedule, &run),
                    )
                    .await?;
                    tx.commit().await?;
                    match self
                        .wait_renewing(client, id, spec.options.retry_delay)
                        .await?
                    {
                        Attempt::Done(_) => {}
                        Attempt::Shutdown => {
                            store::release(&*client, id, inner.instance).await?;
                            return Ok(None);
                        }
                        _ => return Ok(None),
                    }
                    continue;
                }
                Attempt::Failed(error) => ("failed", None, Some(error)),
            };
            // The result is written with a few retries: losing it would make the sweep run the
            // occurrence again.
            let mut written = None;
            for wait in [0u64, 100, 500, 2000] {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                match self
                    .finish(
                        client,
                        &schedule,
                        id,
                        status,
                        output.as_ref(),
                        error.as_deref(),
                    )
                    .await
                {
                    Ok(done) => {
                        written = Some(done);
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(run_id = %id, "scheduler: recording the result failed: {e}")
                    }
                }
            }
            if written.is_none() {
                anyhow::bail!("the result of run {id} could not be recorded");
            }
            metrics::counter!("scheduler_executions_total", "status" => status).increment(1);
            return Ok(queue.then_some(schedule.id));
        }
    }

    async fn finish(
        &self,
        client: &mut deadpool_postgres::Object,
        schedule: &ScheduleRow,
        id: Uuid,
        status: &str,
        output: Option<&Value>,
        error: Option<&str>,
    ) -> Result<bool, anyhow::Error> {
        let tx = client.transaction().await?;
        let Some(run) = store::finish(&tx, id, self.inner.instance, status, output, error).await?
        else {
            return Ok(false);
        };
        let event_type = if status == "completed" {
            EventType::ScheduleCompleted
        } else {
            EventType::ScheduleFailed
        };
        outbox::append(&tx, &run_event(event_type, schedule, &run)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// One attempt of the action while the lease is renewed on the lock's connection.
    async fn attempt(
        &self,
        client: &deadpool_postgres::Object,
        schedule: &ScheduleRow,
        run: &ScheduleRun,
        owner: &Owner,
        spec: &Spec,
    ) -> Result<Attempt, anyhow::Error> {
        let action = actions::execute(&self.inner, schedule, run, owner, &spec.action);
        tokio::pin!(action);
        let lease = self.inner.settings.lease;
        let mut beat = tokio::time::interval(lease / 3);
        beat.tick().await;
        let mut renewed = tokio::time::Instant::now();
        loop {
            tokio::select! {
                result = &mut action => return Ok(match result {
                    Ok(mut output) => {
                        // An HTTP answer or a run's output, kept with the run: never deeper
                        // than a stored value may be.
                        crate::core::json::clamp(&mut output, crate::core::json::MAX_DEPTH);
                        Attempt::Done(output)
                    }
                    Err(error) => Attempt::Failed(error),
                }),
                () = self.inner.shutdown.cancelled() => return Ok(Attempt::Shutdown),
                _ = beat.tick() => match store::heartbeat(client, run.id, self.inner.instance, lease).await {
                    Ok(true) => renewed = tokio::time::Instant::now(),
                    Ok(false) => return Ok(Attempt::Lost),
                    Err(e) => {
                        tracing::warn!(run_id = %run.id, "scheduler: renewing the lease failed: {e}");
                        if renewed.elapsed() > lease * 2 / 3 {
                            // Another instance may take it over soon: stop here.
                            return Ok(Attempt::Lost);
                        }
                    }
                },
            }
        }
    }

    /// Waits `delay` (between attempts) renewing the lease: `Done` when waited, `Lost` or
    /// `Shutdown` otherwise.
    async fn wait_renewing(
        &self,
        client: &deadpool_postgres::Object,
        id: Uuid,
        delay: Duration,
    ) -> Result<Attempt, anyhow::Error> {
        let lease = self.inner.settings.lease;
        let until = tokio::time::Instant::now() + delay;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Ok(Attempt::Done(Value::Null));
            }
            tokio::select! {
                () = tokio::time::sleep(left.min(lease / 3)) => {}
                () = self.inner.shutdown.cancelled() => return Ok(Attempt::Shutdown),
            }
            if !store::heartbeat(client, id, self.inner.instance, lease).await? {
                return Ok(Attempt::Lost);
            }
        }
    }

    /// The outbox position event schedules were last handled up to (by any instance); the
    /// outbox's head on the first start.
    async fn event_cursor(&self) -> i64 {
        let Ok(client) = self.inner.pool.get().await else {
            return 0;
        };
        match store::event_cursor(&client).await {
            Ok(Some(seq)) => seq,
            _ => outbox::head(&**client).await.unwrap_or(0),
        }
    }

    /// Hears again every stored event after `since` (what a lag lost; those heard twice fire
    /// nothing twice: a run is unique per event); the last seq read.
    async fn replay(&self, since: i64) -> i64 {
        let mut seen = since;
        loop {
            let page = match self.inner.pool.get().await {
                Ok(client) => outbox::page(&**client, seen, 500).await,
                Err(e) => {
                    tracing::warn!("scheduler: reading the outbox failed: {e}");
                    return seen;
                }
            };
            let Ok(page) = page else {
                tracing::warn!("scheduler: reading the outbox failed");
                return seen;
            };
            for event in &page.events {
                self.heard(event).await;
            }
            seen = page.last.unwrap_or(seen);
            if page.rows < 500 {
                return seen;
            }
        }
    }

    /// Reloads the event schedules.
    async fn reload_listeners(&self) {
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

    async fn heard(&self, event: &Event) {
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
        let skip = spec.options.overlap == Overlap::Skip && live > 0;
        let claim = spec.options.overlap == Overlap::Allow || live == 0;
        let Some(run) = self
            .new_run(
                &tx,
                &row,
                &spec,
                event.ts,
                "event",
                Some(event.id),
                skip,
                claim,
                depth,
            )
            .await?
        else {
            // Another instance fired it.
            return Ok(());
        };
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

/// How many due schedules one firing transaction takes.
const FIRE_BATCH: i64 = 200;

enum Attempt {
    Done(Value),
    Failed(String),
    /// The run is no longer this instance's.
    Lost,
    /// The instance stops: the attempt was interrupted.
    Shutdown,
}
