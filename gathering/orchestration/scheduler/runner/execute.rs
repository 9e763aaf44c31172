//! Executing: a run is executed by whichever instance takes its session advisory lock; the
//! lock is held on one connection for the whole execution, beside a lease the execution
//! renews. A run left pending (its creator stopped) or running under an expired lease (its
//! instance died: the lock went with its connection) is taken over by the sweep, retried while
//! attempts are left or marked failed. Executions are bounded by `max_concurrent` slots.

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use super::super::actions;
use super::super::model::{Overlap, ScheduleRequest, Spec};
use super::super::store::{self, Claim, ScheduleRow, ScheduleRun};
use super::{Scheduler, run_event};
use crate::core::identity::{Identity, RequestMeta};
use crate::events::{EventType, outbox};

impl Scheduler {
    /// Executes `run` on this instance unless it already does.
    pub(in crate::orchestration::scheduler) fn spawn_execute(&self, run: Uuid) {
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
        // The run acts as the schedule's owner with the role they have now; the run's key is
        // the request id of everything it does.
        let owner = role.and_then(|r| r.parse().ok()).map(|role| {
            let meta = RequestMeta {
                ip: None,
                request_id: Some(format!("schedule:{}", run.id)),
            };
            Identity::user(schedule.owner_id, role, meta)
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
        owner: &Identity,
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
}

enum Attempt {
    Done(Value),
    Failed(String),
    /// The run is no longer this instance's.
    Lost,
    /// The instance stops: the attempt was interrupted.
    Shutdown,
}
