//! Runs: one per occurrence (unique per schedule and time, or per schedule and event), and
//! what reads them (a schedule's page of runs, the last run of each schedule, what executing
//! one needs).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::schedules::{SCHEDULE_COLUMNS, schedule_at};
use super::{ScheduleRow, all, one, opt};

/// One execution of an occurrence.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleRun {
    pub id: Uuid,
    pub schedule_id: Uuid,
    /// The occurrence: its time on the timetable, the event's time, or the request's.
    pub scheduled_for: DateTime<Utc>,
    /// `schedule`, `catch_up` (missed while no instance ran), `event` or `manual`.
    pub trigger: String,
    pub event_id: Option<Uuid>,
    /// `pending`, `running`, `completed`, `failed` or `skipped` (the previous one still ran).
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    /// The instance that executed it (the last attempt's).
    pub instance: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    /// From `scheduled_for` to the start of the first attempt.
    pub fire_lag_ms: Option<f64>,
    #[schema(value_type = Option<Object>)]
    pub output: Option<Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Event-triggered hops in the chain that led here: 0 for the timetable and manual
    /// triggers, the firing event's depth plus one otherwise (refused past the bound).
    pub depth: i32,
}

pub(super) const RUN_COLUMNS: &str = "id, schedule_id, scheduled_for, trigger, event_id, status, attempts, \
     max_attempts, instance, started_at, finished_at, duration_ms, fire_lag_ms, output, error, \
     created_at, depth";

pub(super) fn run_at(row: &tokio_postgres::Row, o: usize) -> ScheduleRun {
    ScheduleRun {
        id: row.get(o),
        schedule_id: row.get(o + 1),
        scheduled_for: row.get(o + 2),
        trigger: row.get(o + 3),
        event_id: row.get(o + 4),
        status: row.get(o + 5),
        attempts: row.get(o + 6),
        max_attempts: row.get(o + 7),
        instance: row.get(o + 8),
        started_at: row.get(o + 9),
        finished_at: row.get(o + 10),
        duration_ms: row.get(o + 11),
        fire_lag_ms: row.get(o + 12),
        output: row.get(o + 13),
        error: row.get(o + 14),
        created_at: row.get(o + 15),
        depth: row.get(o + 16),
    }
}

pub(super) fn run(row: &tokio_postgres::Row) -> ScheduleRun {
    run_at(row, 0)
}

/// Runs of a schedule still pending or running.
pub async fn live_runs(
    tx: &impl GenericClient,
    schedule_id: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    let row = one(
        tx,
        "SELECT count(*) FROM scheduler.runs
              WHERE schedule_id = $1 AND status IN ('pending', 'running')",
        &[&schedule_id],
    )
    .await?;
    Ok(row.get(0))
}

pub struct NewRun {
    pub id: Uuid,
    pub schedule_id: Uuid,
    pub scheduled_for: DateTime<Utc>,
    pub trigger: &'static str,
    pub event_id: Option<Uuid>,
    /// `pending`, `skipped` (overlap), `failed` (refused as it fired: a runaway), or
    /// `running`: claimed by `claimed_by` as it fires, to start at once (no attempt counted
    /// until it does).
    pub status: &'static str,
    pub max_attempts: i32,
    pub error: Option<String>,
    /// The instance that claims it (with a lease) when it is inserted `running`.
    pub claimed_by: Option<(Uuid, std::time::Duration)>,
    /// Its depth in a chain of event-triggered runs (see [`ScheduleRun::depth`]).
    pub depth: i32,
}

/// Inserts the run of an occurrence; `None` when that occurrence already has one.
pub async fn insert_run(
    tx: &impl GenericClient,
    r: &NewRun,
) -> Result<Option<ScheduleRun>, tokio_postgres::Error> {
    let row = opt(
        tx,
        &format!(
            "INSERT INTO scheduler.runs
                   (id, schedule_id, scheduled_for, trigger, event_id, status, max_attempts, error,
                    finished_at, instance, lease_until, depth)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                         CASE WHEN $6 IN ('skipped', 'failed') THEN now() END,
                         $9, CASE WHEN $9::uuid IS NOT NULL THEN now() + make_interval(secs => $10) END,
                         $11)
                 ON CONFLICT DO NOTHING RETURNING {RUN_COLUMNS}"
        ),
        &[
            &r.id,
            &r.schedule_id,
            &r.scheduled_for,
            &r.trigger,
            &r.event_id,
            &r.status,
            &r.max_attempts,
            &r.error,
            &r.claimed_by.map(|(instance, _)| instance),
            &r.claimed_by.map_or(0.0, |(_, lease)| lease.as_secs_f64()),
            &r.depth,
        ],
    )
    .await?;
    Ok(row.as_ref().map(run))
}

/// A page of a schedule's runs, newest occurrence first.
pub async fn list_runs(
    client: &impl GenericClient,
    schedule_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<ScheduleRun>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {RUN_COLUMNS} FROM scheduler.runs
                  WHERE schedule_id = $1
                    AND ($2::uuid IS NULL OR (scheduled_for, id) <
                         (SELECT scheduled_for, id FROM scheduler.runs WHERE id = $2))
                  ORDER BY scheduled_for DESC, id DESC LIMIT $3"
        ),
        &[&schedule_id, &before, &limit],
    )
    .await?;
    Ok(rows.iter().map(run).collect())
}

/// A schedule's most recent run, as the schedule's view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LastRun {
    pub id: Uuid,
    /// `pending`, `running`, `completed`, `failed` or `skipped`.
    pub status: String,
    pub scheduled_for: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `schedule`, `catch_up`, `event` or `manual`.
    pub trigger: String,
}

/// The most recent run (the newest occurrence, first in [`list_runs`]) of each of `schedules`
/// that ran: (schedule id, run). One query for any number of schedules (a page of them).
pub async fn last_runs(
    client: &impl GenericClient,
    schedules: &[Uuid],
) -> Result<Vec<(Uuid, LastRun)>, tokio_postgres::Error> {
    let rows = all(
        client,
        "SELECT s.id, l.id, l.status, l.scheduled_for, l.finished_at, l.trigger
           FROM unnest($1::uuid[]) AS s(id)
           CROSS JOIN LATERAL (
                SELECT r.id, r.status, r.scheduled_for, r.finished_at, r.trigger
                  FROM scheduler.runs r WHERE r.schedule_id = s.id
                 ORDER BY r.scheduled_for DESC, r.id DESC LIMIT 1) l",
        &[&schedules],
    )
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let run = LastRun {
                id: r.get(1),
                status: r.get(2),
                scheduled_for: r.get(3),
                finished_at: r.get(4),
                trigger: r.get(5),
            };
            (r.get(0), run)
        })
        .collect())
}

/// What executing a run needs: the run, its schedule and the owner's role (`None` when the
/// account is disabled or gone), in one round trip.
pub async fn load(
    client: &impl GenericClient,
    run_id: Uuid,
) -> Result<Option<(ScheduleRun, ScheduleRow, Option<String>)>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {}, {}, (SELECT u.role FROM auth.users u WHERE u.id = s.owner_id AND NOT u.disabled)
           FROM scheduler.runs r JOIN scheduler.schedules s ON s.id = r.schedule_id
          WHERE r.id = $1",
        prefixed("r", RUN_COLUMNS),
        prefixed("s", SCHEDULE_COLUMNS)
    );
    let Some(row) = opt(client, &sql, &[&run_id]).await? else {
        return Ok(None);
    };
    let runs = RUN_COLUMNS.split(',').count();
    let schedules = SCHEDULE_COLUMNS.split(',').count();
    let (run, schedule) = (run_at(&row, 0), schedule_at(&row, runs));
    Ok(Some((run, schedule, row.get(runs + schedules))))
}

fn prefixed(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
