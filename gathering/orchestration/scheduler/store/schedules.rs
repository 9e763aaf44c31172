//! Schedules: their definitions, where each stands on its timetable, and which are due.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde_json::Value;
use uuid::Uuid;

use super::{all, exec, one, opt};

/// A stored schedule.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub kind: String,
    pub spec: Value,
    pub anchor_at: DateTime<Utc>,
    pub paused: bool,
    pub next_fire_at: Option<DateTime<Utc>>,
    pub executions: i32,
    pub last_fired_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why the scheduler paused it (a runaway chain), when it did.
    pub paused_reason: Option<String>,
}

pub(super) const SCHEDULE_COLUMNS: &str = "id, name, owner_id, kind, spec, anchor_at, paused, next_fire_at, \
     executions, last_fired_at, created_at, updated_at, paused_reason";

pub(super) fn schedule_at(row: &tokio_postgres::Row, o: usize) -> ScheduleRow {
    ScheduleRow {
        id: row.get(o),
        name: row.get(o + 1),
        owner_id: row.get(o + 2),
        kind: row.get(o + 3),
        spec: row.get(o + 4),
        anchor_at: row.get(o + 5),
        paused: row.get(o + 6),
        next_fire_at: row.get(o + 7),
        executions: row.get(o + 8),
        last_fired_at: row.get(o + 9),
        created_at: row.get(o + 10),
        updated_at: row.get(o + 11),
        paused_reason: row.get(o + 12),
    }
}

pub(super) fn schedule(row: &tokio_postgres::Row) -> ScheduleRow {
    schedule_at(row, 0)
}

pub struct NewSchedule<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub owner_id: Uuid,
    pub kind: &'a str,
    pub spec: &'a Value,
    pub event_type: Option<&'a str>,
    pub anchor_at: DateTime<Utc>,
    pub paused: bool,
    pub next_fire_at: Option<DateTime<Utc>>,
}

pub async fn insert_schedule(
    tx: &impl GenericClient,
    s: &NewSchedule<'_>,
) -> Result<ScheduleRow, tokio_postgres::Error> {
    let row = one(
        tx,
        &format!(
            "INSERT INTO scheduler.schedules
                   (id, name, owner_id, kind, spec, event_type, anchor_at, paused, next_fire_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[
            &s.id,
            &s.name,
            &s.owner_id,
            &s.kind,
            &s.spec,
            &s.event_type,
            &s.anchor_at,
            &s.paused,
            &s.next_fire_at,
        ],
    )
    .await?;
    Ok(schedule(&row))
}

/// Replaces a schedule's definition (its count of executions is kept).
pub async fn replace_schedule(
    tx: &impl GenericClient,
    s: &NewSchedule<'_>,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.schedules SET name = $2, kind = $3, spec = $4, event_type = $5,
                        anchor_at = $6, paused = $7, next_fire_at = $8, updated_at = now(),
                        paused_reason = CASE WHEN $7 THEN paused_reason END
                  WHERE id = $1 RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[
            &s.id,
            &s.name,
            &s.kind,
            &s.spec,
            &s.event_type,
            &s.anchor_at,
            &s.paused,
            &s.next_fire_at,
        ],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

pub async fn get_schedule(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!("SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE id = $1"),
        &[&id],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// The schedule, locked for this transaction (fires, claims and changes of one schedule take
/// turns).
pub async fn lock_schedule(
    tx: &impl GenericClient,
    id: Uuid,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!("SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules WHERE id = $1 FOR UPDATE"),
        &[&id],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// A page of schedules, oldest first; one owner's, or everyone's.
pub async fn list_schedules(
    client: &impl GenericClient,
    owner: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ScheduleRow>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules
                  WHERE ($1::uuid IS NULL OR owner_id = $1) AND ($2::uuid IS NULL OR id > $2)
                  ORDER BY id LIMIT $3"
        ),
        &[&owner, &after, &limit],
    )
    .await?;
    Ok(rows.iter().map(schedule).collect())
}

pub async fn delete_schedule(
    tx: &impl GenericClient,
    id: Uuid,
) -> Result<u64, tokio_postgres::Error> {
    exec(tx, "DELETE FROM scheduler.schedules WHERE id = $1", &[&id]).await
}

pub async fn set_paused(
    tx: &impl GenericClient,
    id: Uuid,
    paused: bool,
    next_fire_at: Option<DateTime<Utc>>,
) -> Result<Option<ScheduleRow>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "UPDATE scheduler.schedules SET paused = $2, next_fire_at = $3, paused_reason = NULL,
                                            updated_at = now()
                  WHERE id = $1 RETURNING {SCHEDULE_COLUMNS}"
        ),
        &[&id, &paused, &next_fire_at],
    )
    .await?;
    Ok(row.as_ref().map(schedule))
}

/// Schedules with an occurrence due by `now` that no other instance is firing, locked for the
/// caller's transaction.
pub async fn claim_due(
    tx: &impl GenericClient,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ScheduleRow>, tokio_postgres::Error> {
    let rows = all(
        tx,
        &format!(
            "SELECT {SCHEDULE_COLUMNS} FROM scheduler.schedules
                  WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1
                  ORDER BY next_fire_at LIMIT $2 FOR UPDATE SKIP LOCKED"
        ),
        &[&now, &limit],
    )
    .await?;
    Ok(rows.iter().map(schedule).collect())
}

/// The earliest occurrence any active schedule waits for.
pub async fn next_wake(
    client: &impl GenericClient,
) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
    let row = one(
        client,
        "SELECT min(next_fire_at) FROM scheduler.schedules
              WHERE NOT paused AND next_fire_at IS NOT NULL",
        &[],
    )
    .await?;
    Ok(row.get(0))
}

/// Moves a schedule past what a tick fired.
pub async fn advance(
    tx: &impl GenericClient,
    id: Uuid,
    next_fire_at: Option<DateTime<Utc>>,
    fired: i32,
) -> Result<(), tokio_postgres::Error> {
    exec(
        tx,
        "UPDATE scheduler.schedules
            SET next_fire_at = $2, executions = executions + $3,
                last_fired_at = CASE WHEN $3 > 0 THEN now() ELSE last_fired_at END
          WHERE id = $1",
        &[&id, &next_fire_at, &fired],
    )
    .await?;
    Ok(())
}

/// Event schedules that are not paused: (id, when it was created, spec).
pub async fn event_schedules(
    client: &impl GenericClient,
) -> Result<Vec<(Uuid, DateTime<Utc>, Value)>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT id, created_at, spec FROM scheduler.schedules WHERE kind = 'event' AND NOT paused",
        &[],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}
