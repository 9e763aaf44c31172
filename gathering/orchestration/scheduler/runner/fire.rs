//! Firing: each tick, in one transaction, the due schedules this instance locked (`FOR UPDATE
//! SKIP LOCKED`), one run per occurrence (unique per (schedule, scheduled_for)), the catch-up
//! and overlap policies, and each schedule moved to its next occurrence. A database error
//! rolls all of it back: nothing fires now, the next tick tries again. The sweep finds runs
//! nobody executes.

use std::time::Duration;

use chrono::{DateTime, TimeDelta};
use serde_json::json;
use uuid::Uuid;

use super::super::model::{Overlap, ScheduleRequest, Spec};
use super::super::store::{self, NewRun, ScheduleRow, ScheduleRun};
use super::super::timing;
use super::{Scheduler, run_event, scope};
use crate::events::{EventType, NewEvent, outbox};

/// How many due schedules one firing transaction takes.
const FIRE_BATCH: i64 = 200;

/// How a new run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// Claimed by this instance as it fires, to start at once.
    Claim,
    /// Pending: it waits for an earlier one (the other occurrences of a catch-up, a queue).
    Wait,
    /// Recorded skipped: the previous execution still runs (overlap `skip`).
    Skip,
}

impl Start {
    /// How an occurrence starts under `overlap` with `live` runs before it (pending or
    /// running) and `fired` fired before it in the same tick.
    pub(super) fn under(overlap: Overlap, live: i64, fired: i32) -> Self {
        if overlap == Overlap::Skip && live > 0 {
            Self::Skip
        } else if overlap == Overlap::Allow || (live == 0 && fired == 0) {
            Self::Claim
        } else {
            Self::Wait
        }
    }
}

/// One occurrence to record as a run.
pub(super) struct Occurrence {
    pub at: DateTime<chrono::Utc>,
    /// `schedule`, `catch_up`, `event` or `manual`.
    pub trigger: &'static str,
    pub event_id: Option<Uuid>,
    pub start: Start,
    /// Its depth in a chain of event-triggered runs.
    pub depth: i32,
}

impl Scheduler {
    /// Fires what is due, sweeps for orphaned runs; how long to sleep before the next tick.
    pub(super) async fn tick(&self) -> Duration {
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
            Some(at) => (at - self.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(poll),
            None => poll,
        }
    }

    /// One transaction: the due schedules this instance locked, their runs, their next
    /// occurrences. Returns how many schedules it fired.
    async fn fire_due(&self) -> Result<usize, anyhow::Error> {
        let now = self.now();
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
                // Claimed by this instance as it fires, to start at once, unless it must wait
                // for an earlier one (the other occurrences of a catch-up, or a queue).
                let start = Start::under(spec.options.overlap, live, fired);
                let occurrence = Occurrence {
                    at,
                    trigger: if catch_up { "catch_up" } else { "schedule" },
                    event_id: None,
                    start,
                    depth: 0,
                };
                let Some(run) = self.new_run(&tx, &row, &spec, &occurrence).await? else {
                    continue;
                };
                if start == Start::Skip {
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

    pub(super) async fn new_run(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        row: &ScheduleRow,
        spec: &Spec,
        o: &Occurrence,
    ) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
        let claim = o.start == Start::Claim;
        store::insert_run(
            tx,
            &NewRun {
                id: Uuid::now_v7(),
                schedule_id: row.id,
                scheduled_for: o.at,
                trigger: o.trigger,
                event_id: o.event_id,
                status: match o.start {
                    Start::Skip => "skipped",
                    Start::Claim => "running",
                    Start::Wait => "pending",
                },
                max_attempts: 1 + spec.options.retry_count,
                error: (o.start == Start::Skip)
                    .then(|| "the previous execution still ran (overlap: skip)".into()),
                claimed_by: claim.then_some((self.inner.instance, self.inner.settings.lease)),
                depth: o.depth,
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
}
