//! `Schedules`, the service the API holds: stored schedules (members create them; the owner or
//! an admin reads and changes them), pause and resume, a manual trigger, their runs, and the
//! in-app notifications their actions send. Every change is audited and published in its own
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::model::{Action, ScheduleRequest, Spec, Timing};
use super::runner::{Scheduler, scope};
use super::store::{self, LastRun, NewSchedule, Notification, ScheduleRow, ScheduleRun};
use super::timing;
use crate::audit::record_change;
use crate::core::clock::SharedClock;
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::Identity;
use crate::events::EventType;

/// A schedule as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Schedule {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// `cron`, `interval`, `once` or `event`.
    pub kind: String,
    pub owner_id: Uuid,
    /// `active`, `paused` or `finished` (nothing more will fire: its end date, its maximum, a
    /// `once` that fired).
    pub status: String,
    pub paused: bool,
    /// Why the scheduler paused it itself: a runaway (a chain of event-triggered runs past the
    /// depth bound, or firing past the rate bound). Cleared by a pause or resume.
    pub paused_reason: Option<String>,
    /// The next occurrence not fired yet.
    pub next_fire_at: Option<DateTime<Utc>>,
    /// The next five occurrences (none for event schedules).
    pub next_fire_times: Vec<DateTime<Utc>>,
    /// Occurrences executed from the timetable or events (manual triggers not counted).
    pub executions: i32,
    pub last_fired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The definition as stored (what `PUT` takes).
    #[schema(value_type = Object)]
    pub spec: Value,
    /// Its most recent run (the newest occurrence, first in its runs), or `null` when it never
    /// ran.
    pub last_run: Option<LastRun>,
}

/// The views of `rows`, each with its last run (one query for all of them).
async fn views(
    client: &impl GenericClient,
    rows: Vec<ScheduleRow>,
) -> Result<Vec<Schedule>, DomainError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut last: HashMap<Uuid, LastRun> =
        store::last_runs(client, &ids).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let run = last.remove(&row.id);
            view(row, run)
        })
        .collect())
}

/// One schedule's view, with its last run.
async fn view_one(client: &impl GenericClient, row: ScheduleRow) -> Result<Schedule, DomainError> {
    let run = store::last_runs(client, &[row.id])
        .await?
        .into_iter()
        .next()
        .map(|(_, run)| run);
    Ok(view(row, run))
}

fn view(row: ScheduleRow, last_run: Option<LastRun>) -> Schedule {
    let parsed = ScheduleRequest::reload(&row.spec).ok();
    let next_fire_times = match (&parsed, row.next_fire_at, row.paused) {
        (Some(spec), Some(next), false) => {
            let mut times = vec![next];
            times.extend(timing::upcoming(
                &spec.timing,
                row.anchor_at,
                &spec.options,
                next,
                4,
            ));
            times
        }
        _ => Vec::new(),
    };
    let event = row.kind == "event";
    let status = if row.paused {
        "paused"
    } else if row.next_fire_at.is_none() && !event
        || event
            && parsed
                .as_ref()
                .and_then(|s| s.options.max_executions)
                .is_some_and(|max| row.executions >= max)
    {
        "finished"
    } else {
        "active"
    };
    Schedule {
        id: row.id,
        description: row
            .spec
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        name: row.name,
        kind: row.kind,
        owner_id: row.owner_id,
        status: status.into(),
        paused: row.paused,
        paused_reason: row.paused_reason,
        next_fire_at: row.next_fire_at,
        next_fire_times,
        executions: row.executions,
        last_fired_at: row.last_fired_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        spec: row.spec,
        last_run,
    }
}

/// The first occurrence of a new (or changed, or resumed) schedule from `now`: intervals start
/// one interval after their anchor unless a start date is given; `once` at its time.
fn first_fire(spec: &Spec, anchor: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let before = |t: DateTime<Utc>| t - TimeDelta::microseconds(1);
    let from = match (&spec.timing, spec.options.start_at) {
        (Timing::Once { at }, _) => before((*at).min(now)),
        (_, Some(start)) if start > now => before(start),
        _ => now,
    };
    timing::next_after(&spec.timing, anchor, &spec.options, from)
}

/// What a schedule definition would fire, computed from now and not stored
/// (`POST /api/schedules/preview`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// `cron`, `interval`, `once` or `event`.
    pub kind: String,
    /// The next occurrences after now, oldest first (RFC 3339, UTC), within the start and end
    /// dates and `max_executions`; empty for an event schedule.
    pub fire_times: Vec<DateTime<Utc>>,
    /// The IANA time zone the cron pattern is read in; `UTC` for the other kinds.
    pub time_zone: String,
    /// For an event schedule, what fires it in words (its type pattern and filter); `null`
    /// otherwise.
    pub fires_on: Option<String>,
}

/// The most occurrences a preview lists.
pub const PREVIEW_MAX: usize = 50;

/// The preview of `spec` at `now` (pure): the occurrences a schedule created now would fire.
pub fn preview(spec: &Spec, event: Option<&Value>, now: DateTime<Utc>, count: usize) -> Preview {
    let count = match spec.options.max_executions {
        Some(max) => count.min(usize::try_from(max).unwrap_or(usize::MAX)),
        None => count,
    }
    .min(PREVIEW_MAX);
    let anchor = spec.options.start_at.unwrap_or(now);
    let mut fire_times = Vec::with_capacity(count);
    if count > 0
        && let Some(first) = first_fire(spec, anchor, now)
    {
        fire_times.push(first);
        fire_times.extend(timing::upcoming(
            &spec.timing,
            anchor,
            &spec.options,
            first,
            count - 1,
        ));
    }
    let time_zone = match &spec.timing {
        Timing::Cron { tz, .. } => tz.name().to_owned(),
        _ => "UTC".to_owned(),
    };
    let fires_on = match &spec.timing {
        Timing::Event { filter, .. } => Some(describe_event(event, filter)),
        _ => None,
    };
    Preview {
        kind: spec.timing.kind().to_owned(),
        fire_times,
        time_zone,
        fires_on,
    }
}

/// `every pipeline_run.* event where data.status = "failed"`.
fn describe_event(event: Option<&Value>, filter: &serde_json::Map<String, Value>) -> String {
    let pattern = event
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("*")
        .trim();
    let mut conditions = Vec::new();
    leaves(&mut conditions, "", filter);
    if conditions.is_empty() {
        format!("every {pattern} event")
    } else {
        format!("every {pattern} event where {}", conditions.join(" and "))
    }
}

/// `path = value` for each leaf of a filter (objects are matched key by key, recursively).
fn leaves(out: &mut Vec<String>, prefix: &str, object: &serde_json::Map<String, Value>) {
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) if !inner.is_empty() => leaves(out, &path, inner),
            other => out.push(format!("{path} = {other}")),
        }
    }
}

/// The service; cheap to clone.
#[derive(Clone, Debug)]
pub struct Schedules {
    pool: Pool,
    scheduler: Scheduler,
}

/// Whether `who` may read and change `row`: its owner or an admin.
fn may_see(who: &Identity, row: &ScheduleRow) -> bool {
    who.is_admin() || who.is(row.owner_id)
}

/// The schedule, locked for the caller's transaction, when `who` may change it (its owner or
/// an admin); another member is told it does not exist, as when reading it.
async fn changeable(
    tx: &impl GenericClient,
    who: &Identity,
    id: Uuid,
) -> Result<ScheduleRow, DomainError> {
    store::lock_schedule(tx, id)
        .await?
        .filter(|row| may_see(who, row))
        .ok_or_else(|| DomainError::NotFound(format!("no schedule {id}")))
}

/// The schedule when `who` may read it (its owner or an admin); to others it does not exist.
async fn readable(
    client: &impl GenericClient,
    who: &Identity,
    id: Uuid,
) -> Result<ScheduleRow, DomainError> {
    store::get_schedule(client, id)
        .await?
        .filter(|row| may_see(who, row))
        .ok_or_else(|| DomainError::NotFound(format!("no schedule {id}")))
}

fn taken(e: tokio_postgres::Error, name: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::Conflict(format!("a schedule named {name:?} exists"))
    } else {
        e.into()
    }
}

/// What a change records about the schedule (its audit details and event data).
fn details(row: &ScheduleRow) -> Value {
    json!({"schedule": {"id": row.id, "name": row.name, "kind": row.kind,
        "paused": row.paused, "next_fire_at": row.next_fire_at}})
}

/// Records a change of `row` (audit row + event, in `tx`).
async fn changed(
    tx: &impl GenericClient,
    who: &Identity,
    event_type: EventType,
    row: &ScheduleRow,
    details: Value,
) -> Result<(), DomainError> {
    record_change(tx, who, event_type, scope(row.id, row.owner_id), details).await?;
    Ok(())
}

impl Schedules {
    pub fn new(pool: Pool, scheduler: Scheduler) -> Self {
        Self { pool, scheduler }
    }

    /// The same service with its scheduler reading the time from `clock` (a test's manual
    /// clock): set before the scheduler runs.
    pub fn on_clock(&self, clock: SharedClock) -> Self {
        Self::new(self.pool.clone(), self.scheduler.on_clock(clock))
    }

    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Checks what the action names exists (the agent, the pipeline).
    async fn check_targets(&self, spec: &Spec) -> Result<(), DomainError> {
        let inner = &self.scheduler.inner;
        match &spec.action {
            Action::RunTask { agent, .. } => match inner.agents.find(agent).await {
                Ok(_) => Ok(()),
                Err(DomainError::NotFound(_)) => Err(DomainError::invalid(
                    "action.agent",
                    format!("no agent {agent:?}"),
                )),
                Err(e) => Err(e),
            },
            Action::ExecutePipeline { pipeline, .. } => {
                match inner.pipelines.find(pipeline).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => Err(DomainError::invalid(
                        "action.pipeline",
                        format!("no pipeline {pipeline:?}"),
                    )),
                    Err(e) => Err(e),
                }
            }
            _ => Ok(()),
        }
    }

    async fn parsed(
        &self,
        request: &ScheduleRequest,
        now: DateTime<Utc>,
    ) -> Result<(Spec, Value), DomainError> {
        let spec = request.parse(now)?;
        self.check_targets(&spec).await?;
        let mut stored = request.clone();
        stored.name = request.name.trim().to_owned();
        let value = serde_json::to_value(&stored).map_err(|e| DomainError::Unexpected(e.into()))?;
        Ok((spec, value))
    }

    /// What `request` would fire if it were created now (the next `count` occurrences, at most
    /// [`PREVIEW_MAX`]); checked as [`Schedules::create`] checks it, and not stored.
    pub async fn preview(
        &self,
        request: &ScheduleRequest,
        count: usize,
    ) -> Result<Preview, DomainError> {
        let now = self.scheduler.now();
        let (spec, _) = self.parsed(request, now).await?;
        Ok(preview(&spec, request.event.as_ref(), now, count))
    }

    pub async fn create(
        &self,
        who: &Identity,
        request: ScheduleRequest,
    ) -> Result<Schedule, DomainError> {
        let now = self.scheduler.now();
        let (spec, value) = self.parsed(&request, now).await?;
        let anchor = spec.options.start_at.unwrap_or(now);
        let paused = request.paused.unwrap_or(false);
        let event_type = event_type(&request);
        let name = request.name.trim();
        let owner_id = who.acting_user()?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let row = store::insert_schedule(
            &tx,
            &NewSchedule {
                id: Uuid::now_v7(),
                name,
                owner_id,
                kind: spec.timing.kind(),
                spec: &value,
                event_type: event_type.as_deref(),
                anchor_at: anchor,
                paused,
                next_fire_at: first_fire(&spec, anchor, now),
            },
        )
        .await
        .map_err(|e| taken(e, name))?;
        changed(&tx, who, EventType::ScheduleCreated, &row, details(&row)).await?;
        tx.commit().await?;
        self.scheduler.wake();
        // New: it never ran.
        Ok(view(row, None))
    }

    /// Replaces the definition. Intervals keep their grid (anchored where they were unless the
    /// start date changes); the next occurrence is computed from now.
    pub async fn update(
        &self,
        who: &Identity,
        id: Uuid,
        request: ScheduleRequest,
    ) -> Result<Schedule, DomainError> {
        let now = self.scheduler.now();
        let (spec, value) = self.parsed(&request, now).await?;
        let name = request.name.trim();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let current = changeable(&tx, who, id).await?;
        let anchor = spec.options.start_at.unwrap_or(current.created_at);
        let paused = request.paused.unwrap_or(current.paused);
        let event_type = event_type(&request);
        let row = store::replace_schedule(
            &tx,
            &NewSchedule {
                id,
                name,
                owner_id: current.owner_id,
                kind: spec.timing.kind(),
                spec: &value,
                event_type: event_type.as_deref(),
                anchor_at: anchor,
                paused,
                next_fire_at: first_fire(&spec, anchor, now),
            },
        )
        .await
        .map_err(|e| taken(e, name))?
        .ok_or_else(|| DomainError::NotFound(format!("no schedule {id}")))?;
        changed(&tx, who, EventType::ScheduleUpdated, &row, details(&row)).await?;
        let schedule = view_one(&tx, row).await?;
        tx.commit().await?;
        self.scheduler.wake();
        Ok(schedule)
    }

    pub async fn delete(&self, who: &Identity, id: Uuid) -> Result<(), DomainError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let current = changeable(&tx, who, id).await?;
        store::delete_schedule(&tx, id).await?;
        changed(
            &tx,
            who,
            EventType::ScheduleDeleted,
            &current,
            details(&current),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One schedule (its owner's or, for an admin, anyone's), with its last run.
    pub async fn get(&self, who: &Identity, id: Uuid) -> Result<Schedule, DomainError> {
        let client = self.pool.get().await?;
        let row = readable(&client, who, id).await?;
        view_one(&client, row).await
    }

    /// A page of schedules: the caller's own, or everyone's for an admin.
    pub async fn list(
        &self,
        who: &Identity,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Schedule>, DomainError> {
        let owner = if who.is_admin() {
            None
        } else {
            Some(who.acting_user()?)
        };
        let client = self.pool.get().await?;
        let rows = store::list_schedules(&client, owner, after, limit).await?;
        views(&client, rows).await
    }

    /// Pauses (nothing fires; occurrences meanwhile are not caught up) or resumes (from the
    /// next occurrence after now).
    pub async fn set_paused(
        &self,
        who: &Identity,
        id: Uuid,
        paused: bool,
    ) -> Result<Schedule, DomainError> {
        let now = self.scheduler.now();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let current = changeable(&tx, who, id).await?;
        let next = if paused {
            current.next_fire_at
        } else {
            let spec = ScheduleRequest::reload(&current.spec)?;
            let reached = spec
                .options
                .max_executions
                .is_some_and(|max| current.executions >= max);
            if reached {
                None
            } else {
                first_fire(&spec, current.anchor_at, now)
            }
        };
        let row = store::set_paused(&tx, id, paused, next)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no schedule {id}")))?;
        let event_type = if paused {
            EventType::SchedulePaused
        } else {
            EventType::ScheduleResumed
        };
        changed(&tx, who, event_type, &row, details(&row)).await?;
        let schedule = view_one(&tx, row).await?;
        tx.commit().await?;
        self.scheduler.wake();
        Ok(schedule)
    }

    /// Executes the schedule's action now (also when paused or finished), as a `manual` run.
    pub async fn trigger(&self, who: &Identity, id: Uuid) -> Result<ScheduleRun, DomainError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let current = changeable(&tx, who, id).await?;
        let spec = ScheduleRequest::reload(&current.spec)?;
        let run = store::insert_run(
            &tx,
            &store::NewRun {
                id: Uuid::now_v7(),
                schedule_id: id,
                scheduled_for: self.scheduler.now(),
                trigger: "manual",
                event_id: None,
                status: "pending",
                max_attempts: 1 + spec.options.retry_count,
                error: None,
                claimed_by: None,
                depth: 0,
            },
        )
        .await?
        .ok_or_else(|| DomainError::Conflict("triggered twice at the same instant".into()))?;
        let mut triggered = details(&current);
        triggered["run_id"] = json!(run.id);
        changed(&tx, who, EventType::ScheduleTriggered, &current, triggered).await?;
        tx.commit().await?;
        if self.scheduler.settings().enabled {
            self.scheduler.spawn_execute(run.id);
        }
        Ok(run)
    }

    /// A page of a schedule's runs, newest occurrence first.
    pub async fn runs(
        &self,
        who: &Identity,
        id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ScheduleRun>, DomainError> {
        let client = self.pool.get().await?;
        readable(&client, who, id).await?;
        Ok(store::list_runs(&client, id, before, limit).await?)
    }

    /// A page of the caller's notifications, newest first.
    pub async fn notifications(
        &self,
        who: &Identity,
        unread_only: bool,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Notification>, DomainError> {
        let user = who.acting_user()?;
        let client = self.pool.get().await?;
        Ok(store::list_notifications(&client, user, unread_only, before, limit).await?)
    }

    pub async fn mark_read(&self, who: &Identity, id: Uuid) -> Result<Notification, DomainError> {
        let user = who.acting_user()?;
        let client = self.pool.get().await?;
        store::mark_read(&client, user, id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no notification {id}")))
    }
}

fn event_type(request: &ScheduleRequest) -> Option<String> {
    request
        .event
        .as_ref()
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(body: Value, now: DateTime<Utc>) -> Spec {
        serde_json::from_value::<ScheduleRequest>(body)
            .unwrap()
            .parse(now)
            .unwrap()
    }

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).unwrap().to_utc()
    }

    #[test]
    fn a_preview_lists_occurrences_across_a_dst_change_and_bounded_by_the_options() {
        let call = json!({"type": "call_api", "url": "http://example.org/x"});
        // Paris goes from +01:00 to +02:00 at 02:00 local on 2026-03-29: a daily 02:30 has no
        // occurrence that day, and 09:00 local is 08:00 UTC before and 07:00 UTC after.
        let now = at("2026-03-27T12:00:00Z");
        let daily = spec(
            json!({"name": "a", "kind": "cron", "cron": "0 0 9 * * *",
                "timezone": "Europe/Paris", "action": call}),
            now,
        );
        let p = preview(&daily, None, now, 3);
        assert_eq!(p.time_zone, "Europe/Paris");
        assert_eq!(
            p.fire_times,
            [
                at("2026-03-28T08:00:00Z"),
                at("2026-03-29T07:00:00Z"),
                at("2026-03-30T07:00:00Z")
            ]
        );
        let limited = spec(
            json!({"name": "a", "kind": "interval", "interval_seconds": 60,
                "max_executions": 2, "action": call}),
            now,
        );
        let p = preview(&limited, None, now, 5);
        assert_eq!(p.time_zone, "UTC");
        assert_eq!(
            p.fire_times,
            [at("2026-03-27T12:01:00Z"), at("2026-03-27T12:02:00Z")]
        );
        let once = spec(
            json!({"name": "a", "kind": "once", "at": "2026-04-01T00:00:00Z", "action": call}),
            now,
        );
        assert_eq!(
            preview(&once, None, now, 5).fire_times,
            [at("2026-04-01T00:00:00Z")]
        );
        assert_eq!(
            preview(&daily, None, now, 500).fire_times.len(),
            PREVIEW_MAX
        );
    }

    #[test]
    fn an_event_preview_says_what_fires_it() {
        let body = json!({"name": "a", "kind": "event",
            "event": {"type": "pipeline_run.failed", "filter": {"data": {"status": "failed"}}},
            "action": {"type": "call_api", "url": "http://example.org/x"}});
        let now = Utc::now();
        let p = preview(&spec(body.clone(), now), body.get("event"), now, 5);
        assert!(p.fire_times.is_empty());
        assert_eq!(
            p.fires_on.as_deref(),
            Some("every pipeline_run.failed event where data.status = \"failed\"")
        );
    }
}
